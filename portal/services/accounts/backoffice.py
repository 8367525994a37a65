"""Back-office edits (portal.views.back_office): which accounts staff may change
through FAB's generic forms, and the audit entry of every field they change there.

The generic forms hold only fields that no service rule owns. Statuses,
licence data, category, regions and specializations, requests, offers and
reviews change through their services (verification, blocking, requests,
offers, moderation) and are read-only in the back office.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect

from portal.core import audit
from portal.models.accounts import PortalUser, is_staff

ACTION = "staff_edit"
VALUE_MAX = 40  # AuditEntry.from_value / to_value


def may_edit_account(staff: PortalUser | None, account: PortalUser) -> bool:
    """Admins edit every account; moderators only accounts without a staff role
    (not an admin, not another moderator, not their own: they use their account page)."""
    if not is_staff(staff):
        return False
    if staff.has_role("Admin"):
        return True
    return not is_staff(account)


def _text(value, masked: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (dt.date, dt.datetime)):
        text = value.isoformat()
    elif hasattr(value, "code"):  # a reference row (region, category)
        text = str(value.code)
    elif isinstance(value, (list, tuple, set)):
        text = ",".join(sorted(_text(v, False) or "" for v in value))
    else:
        text = str(value)
    if masked and text:
        return "*" * max(len(text) - 4, 0) + text[-4:]
    return text


def _short(text: str | None) -> str | None:
    if text is None or len(text) <= VALUE_MAX:
        return text
    return text[:VALUE_MAX - 1] + "…"


def _before_after(state, name: str) -> tuple[object, object] | None:
    """(old, new) of an attribute set in this transaction and not flushed yet; None = unchanged."""
    history = state.attrs[name].history
    if not history.has_changes():
        return None
    prop = state.mapper.attrs[name]
    if getattr(prop, "uselist", False):  # a collection: the whole old and new lists
        new = list(history.added) + list(history.unchanged)
        return list(history.deleted) + list(history.unchanged), new
    old = history.deleted[0] if history.deleted else None
    new = history.added[0] if history.added else None
    return old, new


def record_edit(obj, entity: str, fields, actor_id: int | None, masked=()) -> list:
    """One audit entry (who, which field, from, to) per field of ``obj`` that a
    back-office form changed; the caller commits (FAB's edit does). ``masked``
    fields (the IIN) keep only their last 4 characters. Values longer than the
    audit columns are shortened there and kept whole in the entry's reason."""
    state = inspect(obj)
    entries = []
    for name in fields:
        if name not in state.mapper.attrs:
            continue
        change = _before_after(state, name)
        if change is None:
            continue
        old, new = (_text(v, name in masked) for v in change)
        if (old or "") == (new or ""):
            continue  # e.g. an empty phone sent back as "" for NULL
        reason = name
        if _short(old) != old or _short(new) != new:
            reason = f"{name}\n--- {old or ''}\n+++ {new or ''}"
        entries.append(audit.record(entity, obj.id, _short(old), _short(new), actor_id,
                                    reason=reason, action=ACTION))
    return entries
