"""A practitioner's free slots from the database: reads the profile's rules and
working hours (one query), its exceptions and its active bookings (plain columns
of statements built once, run on the session's connection without ORM objects:
three round trips) and calls the pure ``slots.free_slots``."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import bindparam, select

from portal.core.extensions import db
from portal.models.bookings import AvailabilityException, Booking, BookingRules, BookingStatus, WorkingHours
from portal.models.practitioners import PractitionerProfile
from portal.services.bookings.slots import Range, Slot, SlotRules, free_slots, to_local

DEFAULT_RULES = SlotRules(BookingRules.DEFAULT_SLOT, BookingRules.DEFAULT_BUFFER,
                          BookingRules.DEFAULT_NOTICE, BookingRules.DEFAULT_HORIZON)

_RULES = select(BookingRules.slot_minutes, BookingRules.buffer_minutes, BookingRules.min_notice_minutes,
                BookingRules.horizon_days).where(BookingRules.profile_id == bindparam("profile_id"))
# The rules (NULLs: none set) on every row, with one working range per row (NULLs: none).
_RULES_AND_HOURS = (
    select(BookingRules.slot_minutes, BookingRules.buffer_minutes, BookingRules.min_notice_minutes,
           BookingRules.horizon_days, WorkingHours.weekday, WorkingHours.start_minute, WorkingHours.end_minute)
    .select_from(PractitionerProfile)
    .outerjoin(BookingRules, BookingRules.profile_id == PractitionerProfile.id)
    .outerjoin(WorkingHours, WorkingHours.profile_id == PractitionerProfile.id)
    .where(PractitionerProfile.id == bindparam("profile_id")))
_HOURS = (select(WorkingHours.weekday, WorkingHours.start_minute, WorkingHours.end_minute)
          .where(WorkingHours.profile_id == bindparam("profile_id")))
_EXCEPTIONS = (select(AvailabilityException.day, AvailabilityException.start_minute,
                      AvailabilityException.end_minute)
               .where(AvailabilityException.profile_id == bindparam("profile_id"),
                      AvailabilityException.day >= bindparam("first"),
                      AvailabilityException.day <= bindparam("last")))
_ACTIVE = (select(Booking.starts_at, Booking.ends_at)
           .where(Booking.profile_id == bindparam("profile_id"), Booking.status.in_(BookingStatus.ACTIVE),
                  Booking.starts_at < bindparam("end"), Booking.ends_at > bindparam("start")))


def _rows(statement, **params):
    return db.session.connection().execute(statement, params)


def slot_rules(profile_id: int) -> SlotRules:
    """The profile's rules for slots (the defaults when it has set none)."""
    row = _rows(_RULES, profile_id=profile_id).first()
    return DEFAULT_RULES if row is None else SlotRules(*row)


def weekly_hours(profile_id: int) -> dict[int, list[Range]]:
    """Weekday (0 Monday) -> its working ranges (local minutes)."""
    weekly: dict[int, list[Range]] = defaultdict(list)
    for weekday, a, b in _rows(_HOURS, profile_id=profile_id):
        weekly[weekday].append((a, b))
    return dict(weekly)


def date_exceptions(profile_id: int, first: dt.date, last: dt.date) -> dict[dt.date, list[Range]]:
    """Local date -> its replacement ranges (empty: a day off, which wins over ranges)."""
    changed: dict[dt.date, list[Range]] = {}
    off: set[dt.date] = set()
    for day, a, b in _rows(_EXCEPTIONS, profile_id=profile_id, first=first, last=last):
        ranges = changed.setdefault(day, [])
        if a is None or b is None:
            off.add(day)
        else:
            ranges.append((a, b))
    for day in off:
        changed[day] = []
    return changed


def active_bookings(profile_id: int, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """(starts_at, ends_at) of the profile's active bookings overlapping [start, end)."""
    return [(s, e) for s, e in _rows(_ACTIVE, profile_id=profile_id, start=start, end=end)]


def rules_and_hours(profile_id: int) -> tuple[SlotRules, dict[int, list[Range]]]:
    """``slot_rules`` and ``weekly_hours`` in one round trip."""
    rules = DEFAULT_RULES
    weekly: dict[int, list[Range]] = defaultdict(list)
    for slot, buffer, notice, horizon, weekday, a, b in _rows(_RULES_AND_HOURS, profile_id=profile_id):
        if slot is not None:
            rules = SlotRules(slot, buffer, notice, horizon)
        if weekday is not None:
            weekly[weekday].append((a, b))
    return rules, dict(weekly)


def profile_free_slots(profile_id: int, start: dt.datetime, end: dt.datetime, now: dt.datetime,
                       duration_minutes: int | None = None,
                       ignore: tuple[dt.datetime, dt.datetime] | None = None) -> list[Slot]:
    """The profile's free slots starting in [start, end) (naive UTC), as of ``now``; a
    slot lasts ``duration_minutes`` (a service's duration; the slot length when None).
    ``ignore``: the (starts_at, ends_at) of a booking whose own time counts as free
    (the one being moved)."""
    rules, weekly = rules_and_hours(profile_id)
    end = min(end, now + dt.timedelta(days=rules.horizon_days))
    start = max(start, now)
    if start >= end:
        return []
    exceptions = date_exceptions(profile_id, to_local(start).date(), to_local(end).date())
    # bookings just outside the window still matter: through the buffer, and a slot may end after `end`
    margin = dt.timedelta(minutes=rules.buffer_minutes + (duration_minutes or rules.slot_minutes))
    busy = active_bookings(profile_id, start - margin, end + margin)
    if ignore is not None and ignore in busy:
        busy.remove(ignore)
    return free_slots(weekly=weekly, exceptions=exceptions, busy=busy, rules=rules,
                      start=start, end=end, now=now, duration_minutes=duration_minutes)
