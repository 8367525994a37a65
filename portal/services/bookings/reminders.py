"""Reminders 24 h and 2 h before a confirmed booking, to both sides, each sent once.

``send_due_reminders(now)`` is called by the worker on every poll (``flask portal
worker``, cli.worker.run_once) with the clock passed in. A reminder is due when the
start is at most 24 h (2 h) after ``now`` and still ahead; the 24 h one is not sent
any more once the 2 h one is due. A booking made, confirmed or moved less than 24 h
ahead has ``reminded_24h_at`` set already (services.bookings.booking), so it gets no
24 h reminder.

Several workers may run at once: each due row is claimed with a conditional
``UPDATE ... SET reminded_XX_at = now WHERE id = ? AND reminded_XX_at IS NULL AND
status = 'confirmed'`` and reminded only when that UPDATE changed the row. On
PostgreSQL a second worker's UPDATE waits for the first one's transaction and then
finds the column set; on SQLite writers are serialised. The claim, the notification
rows and their mail/push outbox rows commit together: a failure sends nothing and
leaves the reminder due.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.services.bookings import notices

log = logging.getLogger(__name__)

BATCH = 200
WINDOWS = (  # (column, how long before the start it is due, the next reminder's lead: not sent past it)
    ("reminded_2h_at", dt.timedelta(hours=2), dt.timedelta(0)),
    ("reminded_24h_at", dt.timedelta(hours=24), dt.timedelta(hours=2)),
)


def _due_ids(column, lead: dt.timedelta, later_lead: dt.timedelta, now: dt.datetime) -> list[int]:
    return list(db.session.scalars(
        select(Booking.id).where(Booking.status == BookingStatus.CONFIRMED, column.is_(None),
                                 Booking.starts_at > now + later_lead, Booking.starts_at <= now + lead)
        .order_by(Booking.starts_at, Booking.id).limit(BATCH)))


def _claim(column, booking_id: int, now: dt.datetime) -> bool:
    result = db.session.execute(
        update(Booking).where(Booking.id == booking_id, column.is_(None),
                              Booking.status == BookingStatus.CONFIRMED)
        .values({column.key: now}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Send the due 24 h and 2 h reminders (to the client and the practitioner).
    Returns how many bookings were reminded."""
    now = now or utcnow()
    sent = 0
    for name, lead, later_lead in WINDOWS:
        column = getattr(Booking, name)
        for booking_id in _due_ids(column, lead, later_lead, now):
            try:
                if not _claim(column, booking_id, now):  # another worker has it
                    db.session.rollback()
                    continue
                booking = db.session.get(Booking, booking_id, populate_existing=True)
                notices.reminder(booking)
                db.session.commit()
                sent += 1
            except Exception:
                db.session.rollback()
                log.exception("reminders: booking %s failed; it stays due", booking_id)
    return sent
