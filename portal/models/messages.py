"""Conversations: one thread per request and practitioner, its messages and
the files attached to requests and messages (stored outside the web root)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


class Thread(Model):
    __tablename__ = "thread"
    __table_args__ = (UniqueConstraint("request_id", "profile_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), nullable=False, index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_message_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Read marks: everything up to this moment has been seen by that party.
    client_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    practitioner_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    request = relationship("ServiceRequest")
    profile = relationship("PractitionerProfile")
    messages = relationship("Message", back_populates="thread", order_by="Message.id")

    def __str__(self) -> str:
        return f"#{self.id} {self.request.title if self.request else ''}"


class Message(Model):
    __tablename__ = "message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), nullable=False, index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    thread = relationship(Thread, back_populates="messages")
    sender = relationship("PortalUser", foreign_keys=[sender_id])
    # selectin: a thread page loads every message's files in one query, not one per message
    attachments = relationship("Attachment", back_populates="message", order_by="Attachment.id",
                               lazy="selectin")


class Attachment(Model):
    """A file a party uploaded: to a request (by its client) or to a message.
    The bytes live in UPLOAD_FOLDER/attachments/<storage_key>."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service_request.id"), nullable=True,
                                                      index=True)
    message_id: Mapped[Optional[int]] = mapped_column(ForeignKey("message.id"), nullable=True, index=True)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    message = relationship(Message, back_populates="attachments")
    request = relationship("ServiceRequest", backref="attachments")
