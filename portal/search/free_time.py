"""A profile's free time as its search document holds it, computed at index time.

Three values per document (backend.NO_SLOT when there is none):

* ``free_week`` (0/1): the profile has a free slot starting within WEEK of the
  moment the document was built;
* ``next_free`` (epoch seconds, UTC): the start of its earliest free slot within
  its booking horizon (sort ``earliest``);
* ``refresh_at`` (epoch seconds, UTC): when these values go stale by the mere
  passing of time: the earliest slot's start when it is within the week (it will
  have passed), else that start minus WEEK (it enters the week). Without any free
  slot: NO_SLOT (the daily refresh re-queues every bookable profile: new days
  enter the horizon).

A booking, a cancellation, a change of hours, rules, exceptions or the price list
re-queues the profile at once (sync._after_flush); the worker re-queues the
documents whose ``refresh_at`` has come (sync.FreeTimeRefresh). Searches only read
the stored fields: no query ever computes slots.

Only profiles of categories that take bookings and have working hours (weekly or
one-off ranges) are computed; the rest have no free time. The computation is the
bookings domain's (services.bookings.slots.free_slots, the rules of
availability.profile_free_slots: slots of the profile's slot length). The search
layer does not import services: the app's wiring (portal.create_app) hands the
slot rules in through ``use``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from portal.search.backend import NO_SLOT

WEEK = dt.timedelta(days=7)
HORIZON_CAP = dt.timedelta(days=366)  # the rules' horizon is at most 366 days
_EPOCH = dt.datetime(1970, 1, 1)


def epoch(value: dt.datetime) -> int:
    """Naive UTC -> whole seconds since 1970 (what the index stores)."""
    return int((value - _EPOCH).total_seconds())


def from_epoch(seconds: int) -> dt.datetime | None:
    """The stored seconds -> naive UTC (None for NO_SLOT)."""
    if seconds is None or seconds >= NO_SLOT:
        return None
    return _EPOCH + dt.timedelta(seconds=int(seconds))


@dataclass(frozen=True)
class FreeTime:
    free_week: bool = False
    next_free_at: dt.datetime | None = None  # naive UTC

    @property
    def refresh_at(self) -> dt.datetime | None:
        if self.next_free_at is None:
            return None
        return self.next_free_at if self.free_week else self.next_free_at - WEEK

    def fields(self) -> dict:
        """The search document's fields."""
        return {
            "free_week": 1 if self.free_week else 0,
            "next_free": epoch(self.next_free_at) if self.next_free_at else NO_SLOT,
            "refresh_at": epoch(self.refresh_at) if self.refresh_at else NO_SLOT,
        }


NONE = FreeTime()


class _Rules:
    """The bookings domain's slot computation, as ``use`` received it."""

    free_slots = None  # services.bookings.slots.free_slots
    to_local = None  # services.bookings.slots.to_local
    default_rules = None  # services.bookings.availability.DEFAULT_RULES
    rules = None  # services.bookings.slots.SlotRules


def use(*, free_slots, to_local, rules, default_rules) -> None:
    """Hand in the slot computation (the wiring, once per process)."""
    _Rules.free_slots, _Rules.to_local, _Rules.rules, _Rules.default_rules = \
        free_slots, to_local, rules, default_rules


def local_date(now: dt.datetime) -> dt.date:
    """The Kazakhstan local date of a naive UTC instant."""
    return _Rules.to_local(now).date()


def bookable_ids(session: Session, ids: Iterable[int] | None = None) -> set[int]:
    """Profiles (among ``ids``, or all) of a category that takes bookings with working
    hours: weekly ranges or one-off ranges (a day's exception with hours)."""
    from portal.models.bookings import AvailabilityException, WorkingHours
    from portal.models.catalog import Category
    from portal.models.practitioners import PractitionerProfile

    stmt = (select(PractitionerProfile.id)
            .join(Category, Category.id == PractitionerProfile.category_id)
            .where(Category.takes_bookings.is_(True),
                   or_(exists().where(WorkingHours.profile_id == PractitionerProfile.id),
                       exists().where(AvailabilityException.profile_id == PractitionerProfile.id,
                                      AvailabilityException.start_minute.is_not(None)))))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return set()
        stmt = stmt.where(PractitionerProfile.id.in_(ids))
    return set(session.connection().execute(stmt).scalars())


def free_times(session: Session, ids: Iterable[int], now: dt.datetime) -> dict[int, FreeTime]:
    """FreeTime of the bookable profiles among ``ids`` as of ``now`` (the others are left
    out: no free time). The rows of every profile are read at once through ``session``
    (four queries: rules, weekly hours, exceptions, active bookings over the longest
    horizon), then slots.free_slots (pure) runs per profile, as profile_free_slots does."""
    from portal.models.bookings import (
        AvailabilityException,
        Booking,
        BookingRules,
        BookingStatus,
        WorkingHours,
    )
    free_slots, to_local, SlotRules = _Rules.free_slots, _Rules.to_local, _Rules.rules

    pids = sorted(bookable_ids(session, ids))
    if not pids:
        return {}
    conn = session.connection()  # Core rows: no ORM overhead
    rules = {pid: _Rules.default_rules for pid in pids}
    for pid, slot, buffer, notice, horizon in conn.execute(
            select(BookingRules.profile_id, BookingRules.slot_minutes, BookingRules.buffer_minutes,
                   BookingRules.min_notice_minutes, BookingRules.horizon_days)
            .where(BookingRules.profile_id.in_(pids))):
        rules[pid] = SlotRules(slot, buffer, notice, horizon)
    weekly: dict[int, dict[int, list]] = {pid: {} for pid in pids}
    for pid, weekday, a, b in conn.execute(
            select(WorkingHours.profile_id, WorkingHours.weekday, WorkingHours.start_minute,
                   WorkingHours.end_minute).where(WorkingHours.profile_id.in_(pids))):
        weekly[pid].setdefault(weekday, []).append((a, b))
    longest = dt.timedelta(days=max(r.horizon_days for r in rules.values()))
    end = now + min(longest, HORIZON_CAP)
    first, last = to_local(now).date(), to_local(end).date()
    changed: dict[int, dict[dt.date, list]] = {pid: {} for pid in pids}
    off: dict[int, set] = {pid: set() for pid in pids}
    for pid, day, a, b in conn.execute(
            select(AvailabilityException.profile_id, AvailabilityException.day,
                   AvailabilityException.start_minute, AvailabilityException.end_minute)
            .where(AvailabilityException.profile_id.in_(pids), AvailabilityException.day >= first,
                   AvailabilityException.day <= last)):
        ranges = changed[pid].setdefault(day, [])
        if a is None or b is None:
            off[pid].add(day)
        else:
            ranges.append((a, b))
    for pid, days in off.items():
        for day in days:
            changed[pid][day] = []   # a day off wins over the date's ranges
    margin = dt.timedelta(days=2)    # longer than any slot plus buffer (at most a day each)
    busy: dict[int, list] = {pid: [] for pid in pids}
    for pid, a, b in conn.execute(
            select(Booking.profile_id, Booking.starts_at, Booking.ends_at)
            .where(Booking.profile_id.in_(pids), Booking.status.in_(BookingStatus.ACTIVE),
                   Booking.starts_at < end + margin, Booking.ends_at > now - margin)
            .order_by(Booking.profile_id, Booking.starts_at)):
        busy[pid].append((a, b))
    out = {}
    for pid in pids:
        args = dict(weekly=weekly[pid], exceptions=changed[pid], busy=busy[pid], rules=rules[pid], now=now)
        week = free_slots(start=now, end=now + WEEK, **args)
        if week:
            out[pid] = FreeTime(True, week[0].starts_at)
            continue
        later = free_slots(start=now + WEEK, end=end, **args)
        out[pid] = FreeTime(False, later[0].starts_at if later else None)
    return out
