"""Accounts: the extended FAB user and the versioned user agreement."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin


class AccountStatus:
    ACTIVE = "active"
    BLOCKED = "blocked"
    CLOSED = "closed"
    ALL = (ACTIVE, BLOCKED, CLOSED)


class BlockReason:
    """Agreement 11.4: the reasons an account may be blocked."""

    DUPLICATE = "duplicate"
    SUSPICIOUS = "suspicious_activity"
    COMPLAINTS = "many_complaints"
    MALWARE = "malware"
    IP_CHANGES = "frequent_ip_device_change"
    OTHER = "other"
    ALL = (DUPLICATE, SUSPICIOUS, COMPLAINTS, MALWARE, IP_CHANGES, OTHER)


class PortalUser(User):
    """FAB's user with the portal's fields (same table, ``ab_user``)."""

    __tablename__ = "ab_user"
    phone: Mapped[Optional[str]] = mapped_column(String(20), nullable=True, index=True)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="ru")
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=AccountStatus.ACTIVE)
    blocked_reason: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    blocked_note: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    iin: Mapped[Optional[str]] = mapped_column(String(12), nullable=True, index=True)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Agreement 3.3: informational and advertising messages are consented to separately;
    # advertising is off until the user switches it on. *_changed_at records the choice.
    consent_info: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    consent_ads: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    consent_changed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Look-alike emails (Cyrillic "а" for Latin "a", fullwidth letters) fold to one
    # skeleton (Unicode TR39): unique per account, and the duplicate signal compares it.
    email_skeleton: Mapped[Optional[str]] = mapped_column(String(320), nullable=True, index=True)
    # Every API token carries this number; raising it ends every token of the user.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    region = relationship("Region", foreign_keys=[region_id])

    @property
    def is_active(self) -> bool:  # Flask-Login: blocked/closed users cannot log in
        return bool(self.active) and self.status == AccountStatus.ACTIVE

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_closed(self) -> bool:
        return self.status == AccountStatus.CLOSED

    @property
    def display_name(self) -> str:
        """The name other people see: "Closed account" once the user closed it (services.closure)."""
        return str(_l("Closed account")) if self.is_closed else self.full_name

    @property
    def masked_iin(self) -> str:
        return f"********{self.iin[-4:]}" if self.iin else ""

    def has_role(self, name: str) -> bool:
        return any(role.name == name for role in self.roles)


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
