"""Reference data that admins edit: regions, practitioner categories, specializations, and the
profile facts in kk/ru/en: cities, licensors, chambers."""
from __future__ import annotations

from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.i18n import LocalizedMixin


class Region(LocalizedMixin, Model):
    """17 oblasts and 3 cities of republican significance (ISO 3166-2:KZ)."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    name_kk: Mapped[str] = mapped_column(String(120), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    centre_kk: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    centre_ru: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Category(LocalizedMixin, Model):
    """One of the five kinds of private legal practice."""

    __tablename__ = "category"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_kk: Mapped[str] = mapped_column(String(120), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    description_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    regulator_kk: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    regulator_ru: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    icon: Mapped[str] = mapped_column(String(40), nullable=False, default="fa-scale-balanced")
    takes_requests: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Clients book a practitioner's time from the price list (models.bookings); a category
    # may take requests, bookings, or both.
    takes_bookings: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    specializations: Mapped[list["Specialization"]] = relationship(
        back_populates="category", order_by="Specialization.sort_order"
    )


class Specialization(LocalizedMixin, Model):
    __tablename__ = "specialization"
    __table_args__ = (UniqueConstraint("category_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    name_kk: Mapped[str] = mapped_column(String(160), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(160), nullable=False)
    name_en: Mapped[str] = mapped_column(String(160), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    category: Mapped[Category] = relationship(back_populates="specializations")


class City(LocalizedMixin, Model):
    """A city of a region (the regional centre first): where a practitioner receives clients."""

    __tablename__ = "city"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False, index=True)
    name_kk: Mapped[str] = mapped_column(String(80), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(80), nullable=False)
    name_en: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    region: Mapped[Region] = relationship()


class Licensor(LocalizedMixin, Model):
    """The body that issues practitioners' licences (the Ministry of Justice)."""

    __tablename__ = "licensor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_kk: Mapped[str] = mapped_column(String(255), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(255), nullable=False)
    name_en: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Chamber(LocalizedMixin, Model):
    """A chamber or collegium practitioners of one category belong to: a region's
    (notaries, advocates, bailiffs) or the whole country's (region empty)."""

    __tablename__ = "chamber"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False, index=True)
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), nullable=True, index=True)
    name_kk: Mapped[str] = mapped_column(String(255), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(255), nullable=False)
    name_en: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    category: Mapped[Category] = relationship()
    region: Mapped[Optional[Region]] = relationship()
