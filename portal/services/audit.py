"""Audit trail writer: every status change goes through ``record``."""
from __future__ import annotations

from portal.extensions import db
from portal.models.audit import AuditEntry


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
