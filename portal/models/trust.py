"""Trust: complaints and reports of inaccurate information with their staff notes, and the support chat."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


class ComplaintKind:
    COMPLAINT = "complaint"
    INACCURACY = "inaccuracy"  # "report inaccurate information" on a profile (4e)
    ALL = (COMPLAINT, INACCURACY)


class ComplaintTarget:
    PROFILE = "profile"
    REVIEW = "review"
    REQUEST = "request"
    OFFER = "offer"
    MESSAGE = "message"
    ALL = (PROFILE, REVIEW, REQUEST, OFFER, MESSAGE)


class ComplaintStatus:
    NEW = "new"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    ALL = (NEW, IN_REVIEW, RESOLVED, DISMISSED)
    OPEN = (NEW, IN_REVIEW)


class Complaint(Model):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=ComplaintKind.COMPLAINT)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    target_type: Mapped[str] = mapped_column(String(16), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # the account the reported thing belongs to (for the "many complaints" signal)
    target_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(String(30), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ComplaintStatus.NEW, index=True)
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")  # told to the reporter
    handled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    reporter = relationship("PortalUser", foreign_keys=[reporter_id])
    target_user = relationship("PortalUser", foreign_keys=[target_user_id])
    handled_by = relationship("PortalUser", foreign_keys=[handled_by_id])
    notes = relationship("ComplaintNote", back_populates="complaint", order_by="ComplaintNote.id")


class ComplaintNote(Model):
    """A staff member's internal note on a complaint (never shown to the reporter)."""

    __tablename__ = "complaint_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    complaint = relationship(Complaint, back_populates="notes")
    author = relationship("PortalUser", foreign_keys=[author_id])


class SupportKind:
    CHAT = "chat"          # a logged-in user's conversation (one per user)
    FEEDBACK = "feedback"  # a visitor's form; replies go by email
    ALL = (CHAT, FEEDBACK)


class SupportConversation(Model):
    __tablename__ = "support_conversation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default=SupportKind.CHAT)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True, index=True)
    email: Mapped[str] = mapped_column(String(256), nullable=False, default="")  # feedback only
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="ru")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")  # open | closed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_message_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # read marks: everything up to this moment has been seen by that side
    user_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    staff_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    user = relationship("PortalUser", foreign_keys=[user_id])
    messages = relationship("SupportMessage", back_populates="conversation", order_by="SupportMessage.id")


class SupportMessage(Model):
    __tablename__ = "support_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("support_conversation.id"), nullable=False,
                                                 index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)  # empty: visitor
    from_staff: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    conversation = relationship(SupportConversation, back_populates="messages")
    author = relationship("PortalUser", foreign_keys=[author_id])
