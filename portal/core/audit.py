"""The audit trail (who, when, what, from, to, why) of every status change
and staff edit, in every domain: the table and its writer, ``record``."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.extensions import db


class AuditEntry(Model):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_id: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(40), nullable=False, default="status")
    from_value: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    to_value: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    actor = relationship("PortalUser", foreign_keys=[actor_id])



def record(entity: str, entity_id: int, from_value: str | None, to_value: str | None,
           actor_id: int | None, reason: str = "", action: str = "status") -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(entity=entity, entity_id=entity_id, action=action,
                       from_value=from_value, to_value=to_value,
                       actor_id=actor_id, reason=reason or "")
    db.session.add(entry)
    return entry


def history(entity: str, entity_id: int) -> list[AuditEntry]:
    return (db.session.query(AuditEntry)
            .filter_by(entity=entity, entity_id=entity_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).all())
