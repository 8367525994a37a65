"""Notifications (in-app, with email copies), per-kind preferences and the
mail outbox the worker sends from."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


class EmailState:
    NONE = "none"        # no email for this notification (switched off or not wanted)
    PENDING = "pending"  # waiting for the digest (batched kinds)
    QUEUED = "queued"    # copied to the mail outbox
    ALL = (NONE, PENDING, QUEUED)


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # JSON object of plain values; the text is rendered in the reader's language.
    params: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    link: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    in_app: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_state: Mapped[str] = mapped_column(String(12), nullable=False, default=EmailState.NONE,
                                             index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    user = relationship("PortalUser", foreign_keys=[user_id])


class NotificationPreference(Model):
    """A row exists only where the user changed the default (everything on)."""

    __tablename__ = "notification_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class MailStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS
    ALL = (PENDING, SENT, FAILED)


class MailOutbox(Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(255), nullable=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="ru")
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
