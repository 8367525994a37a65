"""Bookings when an account is closed (services.accounts.closure calls
``cancel_all_of`` inside its one transaction; nothing here commits):

* the closing user's bookings as a client that have not started and are still
  requested or confirmed are cancelled (the practitioner's cancel notice does not
  apply: the account is going), and the practitioner is told;
* a closing practitioner's bookings of the same kind are cancelled, and each
  client is told (services.bookings.notices, the booking_cancelled texts);
* every change is written to the booking's audit trail (actor: the closing user,
  reason "account closed").

What the closing user wrote on bookings (client notes, reasons) is erased by
``erase_texts_of``; the files they attached are deleted with all their files by
services.accounts.closure (Attachment.owner_id).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from portal.core import audit
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.bookings import Booking, BookingStatus
from portal.services.bookings import notices

AUDIT_ENTITY = "booking"  # services.bookings.booking.AUDIT_ENTITY
AUDIT_REASON = "account closed"


def _reason() -> str:
    return str(_l("The account was closed."))


def cancel_all_of(user: PortalUser, now: dt.datetime | None = None) -> int:
    """Cancel the user's future active bookings, as client and as practitioner (the
    caller commits). Returns how many."""
    now = now or utcnow()
    profile = getattr(user, "practitioner_profile", None)
    mine = Booking.client_id == user.id
    if profile is not None:
        mine = or_(mine, Booking.profile_id == profile.id)
    rows = db.session.scalars(
        select(Booking).where(mine, Booking.status.in_(BookingStatus.ACTIVE), Booking.starts_at > now)
        .order_by(Booking.starts_at, Booking.id).with_for_update()).all()
    reason = _reason()
    for booking in rows:
        previous = booking.status
        booking.status, booking.cancelled_at, booking.updated_at = BookingStatus.CANCELLED, now, now
        booking.cancelled_by_id, booking.reason = user.id, reason
        audit.record(AUDIT_ENTITY, booking.id, previous, BookingStatus.CANCELLED, user.id, AUDIT_REASON)
        notices.cancelled(booking, user)
    return len(rows)


def erase_texts_of(user: PortalUser) -> int:
    """Erase what the user wrote on bookings: their notes as a client, and the reasons they
    gave when they declined, cancelled or moved (the reason column of bookings they
    cancelled, and of their profile's bookings they declined). The audit trail keeps the
    transitions; their reasons written by this user are emptied too. Returns the rows changed."""
    run = db.session.execute
    opts = {"synchronize_session": False}
    changed = run(update(Booking).where(Booking.client_id == user.id, Booking.client_note != "")
                  .values(client_note=""), execution_options=opts).rowcount or 0
    changed += run(update(Booking).where(Booking.cancelled_by_id == user.id, Booking.reason != "")
                   .values(reason=""), execution_options=opts).rowcount or 0
    profile = getattr(user, "practitioner_profile", None)
    if profile is not None:  # a decline's reason is the practitioner's (no cancelled_by)
        changed += run(update(Booking).where(Booking.profile_id == profile.id,
                                             Booking.status == BookingStatus.DECLINED, Booking.reason != "")
                       .values(reason=""), execution_options=opts).rowcount or 0
    booking_ids = select(Booking.id).where(or_(Booking.client_id == user.id, Booking.cancelled_by_id == user.id,
                                               *([Booking.profile_id == profile.id] if profile is not None else [])))
    run(update(audit.AuditEntry).where(audit.AuditEntry.entity == AUDIT_ENTITY,
                                       audit.AuditEntry.entity_id.in_(booking_ids),
                                       audit.AuditEntry.actor_id == user.id,
                                       audit.AuditEntry.reason != AUDIT_REASON)
        .values(reason=""), execution_options=opts)
    return changed
