"""Notifications (in-app, with email copies and Web Push), per-kind
preferences, the mail outbox and the push outbox the worker sends from, and
the browsers' push subscriptions."""
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
    # None: the kind's default (services.notifications.kinds.KindSpec.push_by_default)
    push: Mapped[Optional[bool]] = mapped_column(Boolean, nullable=True)


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
    # Files sent with the mail (e.g. a booking's .ics), kept with the row so that every retry
    # sends them: a JSON list of {"filename", "content_type", "data" (base64)}; None: no files.
    attachments: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # the worker that took the row (core.outbox.take), until its lease (next_attempt_at) ends
    claim_token: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)


class PushSubscription(Model):
    """A browser's (or app's) Web Push subscription: where to POST and the keys
    to encrypt for (RFC 8291). One endpoint belongs to one user at a time, and to
    the sign-in it was made in (``session_id``): once that session ends (sign-out,
    "end other sessions", a password change, idleness), the device gets no more pushes."""

    __tablename__ = "push_subscription"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), nullable=False, unique=True)
    p256dh: Mapped[str] = mapped_column(String(128), nullable=False)  # base64url P-256 public key
    auth: Mapped[str] = mapped_column(String(64), nullable=False)     # base64url 16-byte secret
    user_agent: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_success_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    failure_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_session.id", ondelete="CASCADE"),
                                                      nullable=True, index=True)


class PushStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # refused for good (a 4xx other than 404/410) or PUSH_MAX_ATTEMPTS reached
    ALL = (PENDING, SENT, FAILED)


class PushOutbox(Model):
    """One push message to one subscription: the payload is rendered (in the
    recipient's language) when queued; encrypted when sent."""

    __tablename__ = "push_outbox"
    __table_args__ = (Index("ix_push_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("push_subscription.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # JSON {title, body, url, tag}
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PushStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # the worker that took the row (core.outbox.take), until its lease (next_attempt_at) ends
    claim_token: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)

    subscription = relationship("PushSubscription")
