"""Search outbox: rows written in the same transaction as any change to data a
public profile shows; the indexer applies them to the search backend and
deletes them, retrying with backoff while the backend is down."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.clock import utcnow


class OutboxKind:
    PROFILE = "profile"          # entity_id = practitioner_profile.id
    CATEGORY = "category"        # every profile of that category
    SPECIALIZATION = "specialization"
    REGION = "region"
    ALL = (PROFILE, CATEGORY, SPECIALIZATION, REGION)


class SearchOutbox(Model):
    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_due", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default=OutboxKind.PROFILE)
    entity_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
