"""Account security (agreement 4b): every login attempt, the sessions a user
holds, and password-reset tokens (only their hash is stored)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


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
