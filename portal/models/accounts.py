"""Accounts: the extended FAB user, its statuses, and account security (agreement 4b): every login attempt, the sessions a user holds (browsers and API sign-ins), password-reset tokens (only their hash is stored)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


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


class LoginEvent(Model):
    """One login attempt. ``user_id`` is empty when the email matched no account."""

    __tablename__ = "login_event"
    __table_args__ = (Index("ix_login_event_user_time", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    success: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(512), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)

    user = relationship("PortalUser", foreign_keys=[user_id])


class UserSession(Model):
    """A signed-in browser. The Flask session cookie carries ``token``; a
    session whose row is ended (or missing) is signed out at its next request."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(512), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    ended_reason: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    # "web": a browser (the cookie holds ``token``); "api": an API sign-in, whose
    # current refresh token is stored only as its SHA-256 (rotated at each refresh).
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="web", server_default="web")
    refresh_hash: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, unique=True)

    user = relationship("PortalUser", foreign_keys=[user_id])


class PasswordResetToken(Model):
    """A single-use, expiring password-reset link; the link holds the token,
    the table only its SHA-256."""

    __tablename__ = "password_reset_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")

    user = relationship("PortalUser", foreign_keys=[user_id])


CLIENT_ROLE = "Client"
STAFF_ROLES = ("Admin", "Moderator")


def is_staff(user: PortalUser | None) -> bool:
    """A moderator or an admin."""
    return bool(user) and any(user.has_role(r) for r in STAFF_ROLES)
