"""Appointments: a client books a free slot of a practitioner's price-list service;
the practitioner confirms or declines it; either side cancels or moves it within
the practitioner's rules; after the start the practitioner marks the outcome.

    requested -> confirmed | declined | cancelled
    confirmed -> cancelled | attended | no_show
    requested/confirmed -> moved to another free slot (the status stays)

A new or moved booking must start at one of the free slots ``availability``
computes (working hours, exceptions, notice, horizon, buffer, other bookings).
The database is the last guard against two clients on one time (the partial
unique index everywhere, the exclusion constraint on PostgreSQL; on SQLite the
overlap is checked again after the row is written, under the write lock): the
loser's transaction is rolled back and ``SlotTaken`` carries the next free slots.

Every function checks the row against the acting user (a row of someone else:
NotFound) and raises ServiceError on an illegal transition; nothing changes on
error. Every change writes an audit entry (who, from, to, why) and tells the
other side (services.bookings.notices: in-app, email, push) in the same
transaction: a refused or rolled-back change notifies nobody.

Reminders (services.bookings.reminders) go 24 h and 2 h before a confirmed booking;
a booking made, confirmed or moved less than 24 h (2 h) ahead has its
``reminded_24h_at`` (``reminded_2h_at``) set at once: that reminder is not due.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core import audit, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.bookings import Booking, BookingRules, BookingStatus, ServiceItem
from portal.models.practitioners import PractitionerProfile
from portal.services.bookings import availability, notices
from portal.services.bookings.slots import Slot

AUDIT_ENTITY = "booking"
NOTE_MAX = 2000
REASON_MAX = 1000
NEXT_SLOTS = 5

CLIENT = "client"
PRACTITIONER = "practitioner"

_NOT_YOURS = _l("This booking does not exist or is not yours.")


class SlotTaken(ServiceError):
    """The chosen time cannot be booked (taken by someone else, or not a free slot);
    ``next_slots``: the next free slots of the same length to offer instead."""

    def __init__(self, message, next_slots: list[Slot]):
        super().__init__(message, "starts_at")
        self.next_slots = next_slots


# ---------------------------------------------------------------- reading


def _load(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(_NOT_YOURS)
    return booking


def viewer_role(user: PortalUser, booking: Booking) -> str | None:
    """"client", "practitioner" (the booked profile's owner), or None for anyone else."""
    if user is None or getattr(user, "id", None) is None:
        return None
    if booking.client_id == user.id:
        return CLIENT
    if booking.profile is not None and booking.profile.user_id == user.id:
        return PRACTITIONER
    return None


def get_visible(user: PortalUser, booking_id: int) -> Booking:
    """The booking if ``user`` is its client or its practitioner; else NotFound."""
    booking = _load(booking_id)
    if viewer_role(user, booking) is None:
        raise NotFound(_NOT_YOURS)
    return booking


def _get(user: PortalUser, booking_id: int, *roles: str) -> tuple[Booking, str]:
    """The booking locked for a decision, and the user's role in it (one of ``roles``)."""
    booking = _load(booking_id)
    role = viewer_role(user, booking)
    if role is None or role not in roles:
        raise NotFound(_NOT_YOURS)
    # re-read under a row lock (PostgreSQL): concurrent decisions on one booking serialise
    db.session.refresh(booking, with_for_update={"key_share": True})
    return booking, role


def _rules(profile_id: int) -> tuple[int, bool]:
    """The profile's (cancel_notice_minutes, auto_confirm); the defaults without a rules row."""
    row = db.session.execute(select(BookingRules.cancel_notice_minutes, BookingRules.auto_confirm)
                             .where(BookingRules.profile_id == profile_id)).first()
    return (BookingRules.DEFAULT_CANCEL_NOTICE, False) if row is None else (row[0], bool(row[1]))


# ---------------------------------------------------------------- slots


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _is_free(profile_id: int, starts_at: dt.datetime, now: dt.datetime, minutes: int,
             ignore: Booking | None = None) -> bool:
    own = None if ignore is None else (ignore.starts_at, ignore.ends_at)
    found = availability.profile_free_slots(profile_id, starts_at, starts_at + dt.timedelta(minutes=1), now,
                                            minutes, ignore=own)
    return any(slot.starts_at == starts_at for slot in found)


def next_free_slots(profile_id: int, after: dt.datetime, now: dt.datetime, minutes: int,
                    limit: int = NEXT_SLOTS) -> list[Slot]:
    """Up to ``limit`` free slots of ``minutes`` from ``after`` on (from ``now`` when
    there are none later), within the profile's horizon."""
    horizon = now + dt.timedelta(days=366)
    slots = availability.profile_free_slots(profile_id, max(after, now), horizon, now, minutes)[:limit]
    if not slots and after > now:
        slots = availability.profile_free_slots(profile_id, now, horizon, now, minutes)[:limit]
    return slots


def _time_taken(profile_id: int, starts_at: dt.datetime, ends_at: dt.datetime,
                ignore_id: int | None = None) -> bool:
    """Does an active booking (other than ``ignore_id``) overlap [starts_at, ends_at)?"""
    q = select(Booking.id).where(Booking.profile_id == profile_id, Booking.status.in_(BookingStatus.ACTIVE),
                                 Booking.starts_at < ends_at, Booking.ends_at > starts_at)
    if ignore_id is not None:
        q = q.where(Booking.id != ignore_id)
    return db.session.scalar(q.limit(1)) is not None


def _just_taken(profile_id: int, starts_at: dt.datetime, now: dt.datetime, minutes: int) -> SlotTaken:
    return SlotTaken(_l("Someone has just booked this time. Please choose another one."),
                     next_free_slots(profile_id, starts_at, now, minutes))


def _unavailable(profile_id: int, starts_at: dt.datetime, now: dt.datetime, minutes: int,
                 ignore_id: int | None = None) -> SlotTaken:
    """Why a time that is not among the free slots cannot be booked."""
    if _time_taken(profile_id, starts_at, starts_at + dt.timedelta(minutes=minutes), ignore_id):
        return _just_taken(profile_id, starts_at, now, minutes)
    return SlotTaken(_l("This time cannot be booked. Please choose one of the free times."),
                     next_free_slots(profile_id, starts_at, now, minutes))


class _Overlap(Exception):
    pass


def _write_guarded(booking: Booking, now: dt.datetime, minutes: int) -> None:
    """Flush ``booking`` (new or moved) and commit, with the database as the final guard:
    on a refusal (or, on SQLite, an overlap found under the write lock) roll back
    and raise SlotTaken with the next free slots."""
    profile_id, starts_at = booking.profile_id, booking.starts_at
    try:
        db.session.flush()
        # SQLite has no exclusion constraint (PostgreSQL refused an overlap already): look
        # again now that the row is written and the write lock held
        if _time_taken(booking.profile_id, booking.starts_at, booking.ends_at, ignore_id=booking.id):
            raise _Overlap
    except (IntegrityError, _Overlap):
        db.session.rollback()
        raise _just_taken(profile_id, starts_at, now, minutes) from None
    tx.commit()


# ---------------------------------------------------------------- transitions


def _clean_reason(reason: str | None, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ServiceError(_l("Please give a reason."), "reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("The reason is too long (at most %(max)d characters).", max=REASON_MAX), "reason")
    return reason


REMINDER_24H = dt.timedelta(hours=24)
REMINDER_2H = dt.timedelta(hours=2)


def skip_early_reminders(booking: Booking, now: dt.datetime) -> None:
    """A booking whose time is set (booked, confirmed, moved) less than 24 h (2 h) ahead
    gets no 24 h (2 h) reminder: mark it as not due."""
    ahead = booking.starts_at - now
    if ahead < REMINDER_24H and booking.reminded_24h_at is None:
        booking.reminded_24h_at = now
    if ahead < REMINDER_2H and booking.reminded_2h_at is None:
        booking.reminded_2h_at = now


def _audit(booking: Booking, user: PortalUser | None, from_value: str | None, to_value: str | None,
           reason: str = "", action: str = "status") -> None:
    audit.record(AUDIT_ENTITY, booking.id, from_value, to_value, user.id if user is not None else None,
                 reason, action=action)


def book(client: PortalUser, profile_id: int, service_item_id: int, starts_at_utc: dt.datetime,
         note: str = "", now: dt.datetime | None = None) -> Booking:
    """Book ``starts_at_utc`` (naive or aware UTC) with the profile for one service of
    its price list. Requested, or confirmed at once when the practitioner auto-confirms."""
    now = now or utcnow()
    profile = db.session.get(PractitionerProfile, profile_id)
    if profile is None or not profile.is_public:
        raise NotFound(_l("This practitioner does not exist or cannot be booked."))
    if profile.category is None or not profile.category.takes_bookings:
        raise ServiceError(_l("This practitioner does not take bookings."))
    if profile.user_id == client.id:
        raise ServiceError(_l("You cannot book your own time."))
    item = db.session.get(ServiceItem, service_item_id)
    if item is None or item.profile_id != profile.id or not item.active:
        raise NotFound(_l("This service does not exist or is no longer offered."), "service_item_id")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_l("The note is too long (at most %(max)d characters).", max=NOTE_MAX), "note")
    starts_at = _utc(starts_at_utc)
    minutes = item.duration_minutes
    if not _is_free(profile.id, starts_at, now, minutes):
        raise _unavailable(profile.id, starts_at, now, minutes)

    _, auto_confirm = _rules(profile.id)
    status = BookingStatus.CONFIRMED if auto_confirm else BookingStatus.REQUESTED
    booking = Booking(profile_id=profile.id, client_id=client.id, service_item_id=item.id,
                      starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
                      status=status, price=item.price, price_kind=item.price_kind, client_note=note,
                      created_at=now, updated_at=now,
                      confirmed_at=now if status == BookingStatus.CONFIRMED else None)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _just_taken(profile_id, starts_at, now, minutes) from None
    _audit(booking, client, None, BookingStatus.REQUESTED)
    if status == BookingStatus.CONFIRMED:
        # nobody decided: the practitioner's rule did (no actor)
        _audit(booking, None, BookingStatus.REQUESTED, BookingStatus.CONFIRMED, "auto_confirm")
    skip_early_reminders(booking, now)
    notices.booked(booking)
    _write_guarded(booking, now, minutes)
    return booking


def confirm(user: PortalUser, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """The practitioner confirms a requested booking (before it starts)."""
    now = now or utcnow()
    booking, _ = _get(user, booking_id, PRACTITIONER)
    if booking.status != BookingStatus.REQUESTED:
        raise ServiceError(_l("Only a requested booking can be confirmed."))
    if booking.starts_at <= now:
        raise ServiceError(_l("This booking has already started."))
    booking.status, booking.confirmed_at, booking.updated_at = BookingStatus.CONFIRMED, now, now
    _audit(booking, user, BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
    skip_early_reminders(booking, now)
    notices.confirmed(booking)
    tx.commit()
    return booking


def decline(user: PortalUser, booking_id: int, reason: str = "", now: dt.datetime | None = None) -> Booking:
    """The practitioner declines a requested booking; its time is free again."""
    now = now or utcnow()
    booking, _ = _get(user, booking_id, PRACTITIONER)
    reason = _clean_reason(reason, required=False)
    if booking.status != BookingStatus.REQUESTED:
        raise ServiceError(_l("Only a requested booking can be declined."))
    booking.status, booking.declined_at, booking.updated_at = BookingStatus.DECLINED, now, now
    booking.reason = reason
    _audit(booking, user, BookingStatus.REQUESTED, BookingStatus.DECLINED, reason)
    notices.declined(booking)
    tx.commit()
    return booking


def _client_within_notice(booking: Booking, now: dt.datetime) -> None:
    """The client changes a confirmed booking only up to the practitioner's cancel notice
    before its start (a booking not yet confirmed holds nobody's time: any time before it)."""
    if booking.status != BookingStatus.CONFIRMED:
        return
    notice, _ = _rules(booking.profile_id)
    if now > booking.starts_at - dt.timedelta(minutes=notice):
        hours, minutes = divmod(notice, 60)
        raise ServiceError(_l("A confirmed booking can be changed by the client only up to %(hours)d h "
                              "%(minutes)02d min before it starts. Please contact the practitioner.",
                              hours=hours, minutes=minutes))


def cancel(user: PortalUser, booking_id: int, reason: str, now: dt.datetime | None = None) -> Booking:
    """Either side cancels a requested or confirmed booking before it starts, with a
    reason; the client only up to the practitioner's cancel notice."""
    now = now or utcnow()
    booking, role = _get(user, booking_id, CLIENT, PRACTITIONER)
    reason = _clean_reason(reason, required=True)
    if booking.status not in BookingStatus.ACTIVE:
        raise ServiceError(_l("Only a requested or confirmed booking can be cancelled."))
    if booking.starts_at <= now:
        raise ServiceError(_l("This booking has already started."))
    if role == CLIENT:
        _client_within_notice(booking, now)
    previous = booking.status
    booking.status, booking.cancelled_at, booking.updated_at = BookingStatus.CANCELLED, now, now
    booking.cancelled_by_id, booking.reason = user.id, reason
    _audit(booking, user, previous, BookingStatus.CANCELLED, reason)
    notices.cancelled(booking, user)
    tx.commit()
    return booking


def move(user: PortalUser, booking_id: int, new_starts_at_utc: dt.datetime, reason: str,
         now: dt.datetime | None = None) -> Booking:
    """Either side moves a requested or confirmed booking to another free slot of the
    same length, with a reason (the client only up to the cancel notice); the status stays."""
    now = now or utcnow()
    booking, role = _get(user, booking_id, CLIENT, PRACTITIONER)
    reason = _clean_reason(reason, required=True)
    if booking.status not in BookingStatus.ACTIVE:
        raise ServiceError(_l("Only a requested or confirmed booking can be moved."))
    if booking.starts_at <= now:
        raise ServiceError(_l("This booking has already started."))
    if role == CLIENT:
        _client_within_notice(booking, now)
    new_start = _utc(new_starts_at_utc)
    if new_start == booking.starts_at:
        raise ServiceError(_l("Choose a different time."), "starts_at")
    minutes = int((booking.ends_at - booking.starts_at).total_seconds() // 60)
    if not _is_free(booking.profile_id, new_start, now, minutes, ignore=booking):
        raise _unavailable(booking.profile_id, new_start, now, minutes, ignore_id=booking.id)
    old_start = booking.starts_at
    booking.starts_at, booking.ends_at = new_start, new_start + dt.timedelta(minutes=minutes)
    booking.updated_at = now
    booking.reminded_24h_at = booking.reminded_2h_at = None  # the reminders are due again
    skip_early_reminders(booking, now)
    _audit(booking, user, old_start.isoformat(timespec="minutes"), new_start.isoformat(timespec="minutes"),
           reason, action="moved")
    with db.session.no_autoflush:  # the new time is written by _write_guarded, under its guard
        notices.moved(booking, user, reason)
    _write_guarded(booking, now, minutes)
    return booking


def _mark(user: PortalUser, booking_id: int, outcome: str, now: dt.datetime | None,
          roles: tuple[str, ...] = (PRACTITIONER,)) -> Booking:
    now = now or utcnow()
    booking, _ = _get(user, booking_id, *roles)
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError(_l("Only a confirmed booking can be marked attended or missed."))
    if now < booking.starts_at:
        raise ServiceError(_l("A booking can be marked only after it has started."))
    booking.status, booking.outcome_at, booking.updated_at = outcome, now, now
    booking.outcome_by_id = user.id
    _audit(booking, user, BookingStatus.CONFIRMED, outcome)
    tx.commit()
    return booking


def mark_attended(user: PortalUser, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """The practitioner marks a confirmed booking attended, after its start."""
    return _mark(user, booking_id, BookingStatus.ATTENDED, now)


def mark_no_show(user: PortalUser, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Either side marks, after the start, that the other did not come: the practitioner
    that the client missed it, the client that the practitioner did. The mark counts
    against the side that did not mark it (services.trust.no_shows)."""
    return _mark(user, booking_id, BookingStatus.NO_SHOW, now, roles=(PRACTITIONER, CLIENT))
