"""The user agreement (Соглашение): its versions, and who accepted which version when."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin


class AgreementVersion(LocalizedMixin, Model):
    __tablename__ = "agreement_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    title_kk: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    title_ru: Mapped[str] = mapped_column(String(255), nullable=False)
    title_en: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    text_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text_ru: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    effective_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    created_on: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    @property
    def name(self) -> str:
        return f"{self.version}: {self.tr('title')}"


class AgreementAcceptance(Model):
    __tablename__ = "agreement_acceptance"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"), nullable=False)
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(512), nullable=False, default="")

    user = relationship("PortalUser", foreign_keys=[user_id])
    version = relationship(AgreementVersion)
