"""A practitioner's availability as they edit it: weekly working hours (several
ranges a weekday), booking rules (slot, buffer, notice, horizon, cancel notice,
auto-confirm) and one-off changes of single dates (a day off, or other hours).

Times of day are Kazakhstan local minutes after midnight (slots.py converts).
Only the owner of a verified practice in a category that takes bookings edits
(``own_profile``); nothing is stored when a check fails; every change is
audited (entity "booking_schedule", the profile's id). Changing the hours never
moves or cancels a booking made already."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from portal.core import audit, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import AvailabilityException, BookingRules, WorkingHours
from portal.services.bookings.practice import clean_ranges, hhmm, ranges_text, row_id, whole_number
from portal.services.bookings.practice import own_profile as _own_profile
from portal.services.bookings.slots import to_local

AUDIT_ENTITY = "booking_schedule"
NOTE_MAX = 200
EXCEPTION_DAYS_AHEAD = 366  # at most a year ahead
WEEKDAY_CODES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# key -> (low, high, message): the rules' limits
RULE_LIMITS = {
    "slot_minutes": (5, 480, _l("Enter the slot length in minutes, from %(min)d to %(max)d.", min=5, max=480)),
    "buffer_minutes": (0, 240, _l("Enter the break between bookings in minutes, from %(min)d to %(max)d.",
                                  min=0, max=240)),
    "min_notice_minutes": (0, 10080, _l("Enter how late a booking may be made, in minutes from %(min)d to "
                                        "%(max)d (a week).", min=0, max=10080)),
    "horizon_days": (1, 366, _l("Enter how far ahead bookings are allowed, in days from %(min)d to %(max)d.",
                                min=1, max=366)),
    "cancel_notice_minutes": (0, 10080, _l("Enter how late a client may cancel, in minutes from %(min)d to "
                                           "%(max)d (a week).", min=0, max=10080)),
}
RULE_KEYS = tuple(RULE_LIMITS) + ("auto_confirm",)


@dataclass(frozen=True)
class RulesValues:
    """A profile's booking rules (the defaults when it has no row), as BookingRules names them."""

    slot_minutes: int = BookingRules.DEFAULT_SLOT
    buffer_minutes: int = BookingRules.DEFAULT_BUFFER
    min_notice_minutes: int = BookingRules.DEFAULT_NOTICE
    horizon_days: int = BookingRules.DEFAULT_HORIZON
    cancel_notice_minutes: int = BookingRules.DEFAULT_CANCEL_NOTICE
    auto_confirm: bool = False
    feed_token: str | None = None


@dataclass
class Schedule:
    rules: RulesValues
    weekly: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # 0 Monday -> ranges, sorted
    exceptions: list[AvailabilityException] = field(default_factory=list)  # upcoming, by day and start


def own_profile(user):
    """The user's practitioner profile when it may take bookings (see practice.own_profile)."""
    return _own_profile(user)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return to_local(now or utcnow()).date()


def _rules_row(profile_id: int) -> BookingRules | None:
    return db.session.get(BookingRules, profile_id)


def rules_of(profile_id: int) -> RulesValues:
    row = _rules_row(profile_id)
    if row is None:
        return RulesValues()
    return RulesValues(row.slot_minutes, row.buffer_minutes, row.min_notice_minutes, row.horizon_days,
                       row.cancel_notice_minutes, bool(row.auto_confirm), row.feed_token)


def weekly_of(profile_id: int) -> dict[int, list[tuple[int, int]]]:
    weekly: dict[int, list[tuple[int, int]]] = {}
    rows = db.session.execute(select(WorkingHours.weekday, WorkingHours.start_minute, WorkingHours.end_minute)
                              .where(WorkingHours.profile_id == profile_id)
                              .order_by(WorkingHours.weekday, WorkingHours.start_minute))
    for weekday, a, b in rows:
        weekly.setdefault(weekday, []).append((a, b))
    return weekly


def upcoming_exceptions(profile_id: int, today: dt.date | None = None) -> list[AvailabilityException]:
    today = today or local_today()
    return list(db.session.scalars(
        select(AvailabilityException)
        .where(AvailabilityException.profile_id == profile_id, AvailabilityException.day >= today)
        .order_by(AvailabilityException.day, AvailabilityException.start_minute, AvailabilityException.id)))


def get_schedule(profile_id: int, *, today: dt.date | None = None) -> Schedule:
    """The profile's rules, weekly hours and upcoming exceptions (from the local ``today``)."""
    return Schedule(rules_of(profile_id), weekly_of(profile_id), upcoming_exceptions(profile_id, today))


def _weekly_text(weekly: dict[int, list[tuple[int, int]]]) -> str:
    return "; ".join(f"{WEEKDAY_CODES[d]} {ranges_text(r)}" for d, r in sorted(weekly.items()) if r) or "-"


def clean_weekly(weekly: dict) -> dict[int, list[tuple[int, int]]]:
    """Checked weekly hours: weekday 0..6 -> sorted, non-overlapping ranges (at most 6).
    The field of an error is "day_<weekday>"."""
    if not isinstance(weekly, dict):
        raise ServiceError(_l("Enter the working hours for each weekday."), "weekly")
    out: dict[int, list[tuple[int, int]]] = {}
    for key, ranges in weekly.items():
        weekday = whole_number(key, "weekly", 0, 6, _l("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
        if weekday in out:
            raise ServiceError(_l("A weekday is given twice."), "weekly")
        cleaned = clean_ranges(ranges, f"day_{weekday}")
        if cleaned:
            out[weekday] = cleaned
    return out


def set_weekly_hours(user, weekly: dict[int, list[tuple[int, int]]]) -> None:
    """Replace all the weekly hours of the user's practice (a weekday left out: not working)."""
    profile = own_profile(user)
    cleaned = clean_weekly(weekly)
    before = weekly_of(profile.id)
    if before == cleaned:
        return
    db.session.execute(delete(WorkingHours).where(WorkingHours.profile_id == profile.id))
    for weekday, ranges in sorted(cleaned.items()):
        for a, b in ranges:
            db.session.add(WorkingHours(profile_id=profile.id, weekday=weekday, start_minute=a, end_minute=b))
    audit.record(AUDIT_ENTITY, profile.id, None, None, user.id,
                 reason=f"{_weekly_text(before)} -> {_weekly_text(cleaned)}", action="weekly_hours")
    tx.commit()


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(value)


def set_rules(user, data: dict) -> BookingRules:
    """Set the user's booking rules; a key missing from ``data`` keeps its value."""
    profile = own_profile(user)
    data = data or {}
    current = rules_of(profile.id)
    values = {}
    for key, (low, high, message) in RULE_LIMITS.items():
        raw = data.get(key)
        values[key] = getattr(current, key) if raw is None or raw == "" else whole_number(
            raw, key, low, high, message)
    raw = data.get("auto_confirm")
    values["auto_confirm"] = current.auto_confirm if raw is None else _flag(raw)
    row = _rules_row(profile.id)
    changed = {k: v for k, v in values.items() if getattr(current, k) != v}
    if row is not None and not changed:
        return row
    if row is None:
        row = BookingRules(profile_id=profile.id)
        db.session.add(row)
    for key, v in values.items():
        setattr(row, key, v)
    row.updated_at = utcnow()
    audit.record(AUDIT_ENTITY, profile.id, None, None, user.id,
                 reason="; ".join(f"{k}: {getattr(current, k)} -> {v}" for k, v in changed.items()),
                 action="rules")
    tx.commit()
    return row


def add_exception(user, day: dt.date, ranges: list[tuple[int, int]] | None, note: str = "",
                  *, now: dt.datetime | None = None) -> list[AvailabilityException]:
    """Change one local date: a day off (``ranges`` None or empty), or these hours instead
    of the weekday's. Replaces an earlier change of the same date. Not in the past, at
    most a year ahead. Bookings made already stay."""
    profile = own_profile(user)
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ServiceError(_l("Enter a date."), "day")
    today = local_today(now)
    if day < today:
        raise ServiceError(_l("The date is in the past."), "day")
    if day > today + dt.timedelta(days=EXCEPTION_DAYS_AHEAD):
        raise ServiceError(_l("The date may be at most a year ahead."), "day")
    cleaned = clean_ranges(ranges, "ranges")
    note = (note or "").strip() if isinstance(note, str) or note is None else str(note).strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_l("The note is too long (at most %(max)d characters).", max=NOTE_MAX), "note")
    db.session.execute(delete(AvailabilityException).where(
        AvailabilityException.profile_id == profile.id, AvailabilityException.day == day))
    rows = [AvailabilityException(profile_id=profile.id, day=day, start_minute=a, end_minute=b, note=note)
            for a, b in cleaned] or [AvailabilityException(profile_id=profile.id, day=day, note=note)]
    db.session.add_all(rows)
    audit.record(AUDIT_ENTITY, profile.id, None, day.isoformat(), user.id,
                 reason=ranges_text(cleaned) or "day off", action="exception_added")
    tx.commit()
    return rows


def remove_exception(user, exception_id: int) -> None:
    """Remove one change of a date (one row: a range, or the day off)."""
    profile = own_profile(user)
    key = row_id(exception_id)
    row = db.session.get(AvailabilityException, key) if key is not None else None
    if row is None or row.profile_id != profile.id:
        raise NotFound(_l("This change of hours does not exist or is not yours."))
    what = "day off" if row.is_day_off else f"{hhmm(row.start_minute)}-{hhmm(row.end_minute)}"
    audit.record(AUDIT_ENTITY, profile.id, row.day.isoformat(), None, user.id, reason=what,
                 action="exception_removed")
    db.session.delete(row)
    tx.commit()
