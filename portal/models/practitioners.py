"""Practitioner profiles (the agreement's "анкета" of a private practitioner)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin

profile_regions = Table(
    "profile_region",
    Model.metadata,
    Column("profile_id", ForeignKey("practitioner_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)

profile_specializations = Table(
    "profile_specialization",
    Model.metadata,
    Column("profile_id", ForeignKey("practitioner_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("specialization_id", ForeignKey("specialization.id", ondelete="CASCADE"), primary_key=True),
)


class ProfileStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUIZ_PASSED = "quiz_passed"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    APPROVED = "approved"
    REJECTED = "rejected"
    WARNED = "warned"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    ALL = (DRAFT, SUBMITTED, QUIZ_PASSED, INTERVIEW_SCHEDULED, APPROVED, REJECTED,
           WARNED, SUSPENDED, REVOKED)
    # The owner closed their account (services.closure): final, and set only there
    # (not in ALL: no staff action, import or form leads to it or away from it).
    CLOSED = "closed"
    PUBLIC = (APPROVED, WARNED)  # a warned practitioner stays verified and visible


SERVICE_LANGUAGES = ("kk", "ru", "en")


class PractitionerProfile(LocalizedMixin, Model):
    __tablename__ = "practitioner_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), unique=True, nullable=False)
    # Id of the row in an imported registry (``flask portal import-practitioners``).
    external_id: Mapped[Optional[str]] = mapped_column(String(64), unique=True, index=True, nullable=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=ProfileStatus.DRAFT, index=True)
    city: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    licence_number: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    licence_date: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    licensor: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    chamber: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    membership_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    languages: Mapped[str] = mapped_column(String(32), nullable=False, default="ru")
    experience_years: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    education_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    education_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    about_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    about_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    price_from: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    online_consultation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    rating_avg: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    negative_reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Set when the profile needs a moderator's look (agreement 6.6: the third
    # negative review); cleared by the moderator. flag_reason says why.
    flagged_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    flag_reason: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Staff allow a rejected or revoked practitioner to apply again.
    may_reapply: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verified_since: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    user = relationship(
        "PortalUser", foreign_keys=[user_id], backref=backref("practitioner_profile", uselist=False)
    )
    category = relationship("Category")
    regions = relationship("Region", secondary=profile_regions, order_by="Region.sort_order")
    specializations = relationship(
        "Specialization", secondary=profile_specializations, order_by="Specialization.sort_order"
    )

    @property
    def name(self) -> str:
        return self.user.display_name if self.user else ""

    @property
    def language_codes(self) -> list[str]:
        return [c for c in (self.languages or "").split(",") if c]

    @property
    def is_public(self) -> bool:
        return self.status in ProfileStatus.PUBLIC and self.user is not None and self.user.is_active


def public_profiles() -> Select:
    """The profiles anyone may see and find: approved or warned, of an active account."""
    from portal.models.accounts import AccountStatus, PortalUser

    return (
        select(PractitionerProfile)
        .join(PortalUser, PractitionerProfile.user_id == PortalUser.id)
        .where(PractitionerProfile.status.in_(ProfileStatus.PUBLIC),
               PortalUser.status == AccountStatus.ACTIVE, PortalUser.active.is_(True))
    )
