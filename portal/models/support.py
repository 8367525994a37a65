"""Support (agreement 5.6, 12.1): a logged-in user's personal chat with
support, and visitors' feedback (email + message) answered by email."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow


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
