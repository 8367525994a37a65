"""Search outbox: rows written in the same transaction as any change to data a
public profile shows; the indexer applies them to the search backend and
deletes them, retrying with backoff while the backend is down."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin


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
    # the worker that took the row (core.outbox.take), until its lease (next_attempt_at) ends
    claim_token: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)


class SearchConcept(LocalizedMixin, Model):
    """One entry of the search concept dictionary (seed: portal/content/concepts.py):
    the phrases people use for one legal matter, one per line per language. A
    document containing any phrase gets the token ``qq<code>``; a query-only concept
    widens queries to the concepts named by its categories instead. ``categories``:
    space-separated category codes that handle the matter (the search guide)."""
    __tablename__ = "search_concept"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name_kk: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_ru: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    categories: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    phrases_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    phrases_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    phrases_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    query_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return self.code

    @property
    def category_codes(self) -> list[str]:
        return self.categories.split()
