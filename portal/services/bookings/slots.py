"""Free slots of one practitioner: a pure function of the weekly hours, the
exceptions of single dates, the booking rules, the active bookings and ``now``
(passed in: nothing here reads a clock or the database; ``availability`` loads
a profile's rows and calls it).

Kazakhstan keeps one zone, UTC+5, without daylight saving, since 1 March 2024:
local times convert with the fixed offset ``KZ_UTC_OFFSET``, here and nowhere
else. Instants are naive UTC datetimes, as every DateTime column stores them.

The slots of a working range start at the range's start and follow each other
every ``slot_minutes + buffer_minutes`` (a slot, then the buffer); a slot lasts
``duration_minutes`` (a service's expected duration; the slot length when not
given) and must end within the range. A slot is free when it starts no earlier
than ``now + min_notice``, before ``now + horizon_days``, and no active booking
comes closer to it than the buffer. Inside, everything is whole minutes since
1970-01-01 UTC (integers: 60 days of slots take well under a millisecond)."""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Mapping, NamedTuple, Sequence

# Kazakhstan's one time zone (UTC+5, no DST since 2024-03-01): the only place that states it.
KZ_UTC_OFFSET = dt.timedelta(hours=5)
_OFFSET_MIN = int(KZ_UTC_OFFSET.total_seconds()) // 60
_DAY = 24 * 60
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_EPOCH_WEEKDAY = _EPOCH.weekday()  # 3: a Thursday

Range = tuple[int, int]  # minutes after local midnight: [start, end)


def to_local(utc: dt.datetime) -> dt.datetime:
    """Naive UTC -> naive Kazakhstan local time."""
    return _naive_utc(utc) + KZ_UTC_OFFSET


def to_utc(local: dt.datetime) -> dt.datetime:
    """Naive Kazakhstan local time -> naive UTC."""
    return local - KZ_UTC_OFFSET


def local_day_start(day: dt.date) -> dt.datetime:
    """The UTC instant at which a local date begins (19:00 UTC of the day before)."""
    return dt.datetime(day.year, day.month, day.day) - KZ_UTC_OFFSET


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class SlotRules:
    slot_minutes: int = 30
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    horizon_days: int = 60


class Slot(NamedTuple):
    """A free slot: naive UTC instants, with the local date and time for display."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def local_starts_at(self) -> dt.datetime:
        return self.starts_at + KZ_UTC_OFFSET

    @property
    def local_ends_at(self) -> dt.datetime:
        return self.ends_at + KZ_UTC_OFFSET

    @property
    def local_date(self) -> dt.date:
        return self.local_starts_at.date()

    @property
    def local_time(self) -> dt.time:
        return self.local_starts_at.time()


def _floor_minute(value: dt.datetime) -> int:
    delta = _naive_utc(value) - _EPOCH
    return delta.days * _DAY + delta.seconds // 60


def _ceil_minute(value: dt.datetime) -> int:
    delta = _naive_utc(value) - _EPOCH
    minute = delta.days * _DAY + delta.seconds // 60
    return minute + 1 if (delta.seconds % 60 or delta.microseconds) else minute


def _day_index(day: dt.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _clean(ranges: Iterable[Range]) -> tuple[Range, ...]:
    """Valid ranges in order; overlapping ones merged (touching ones kept apart: each
    range keeps its own first slot)."""
    out: list[list[int]] = []
    for a, b in sorted((max(0, a), min(_DAY, b)) for a, b in ranges):
        if a >= b:
            continue
        if out and a < out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


def _busy_minutes(busy: Iterable[tuple[dt.datetime, dt.datetime]], buffer: int) -> tuple[list[int], list[int]]:
    """The bookings widened by the buffer on both sides and merged: sorted starts and ends."""
    spans = sorted((_floor_minute(s) - buffer, _ceil_minute(e) + buffer) for s, e in busy)
    starts: list[int] = []
    ends: list[int] = []
    for s, e in spans:
        if ends and s <= ends[-1]:
            if e > ends[-1]:
                ends[-1] = e
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def free_slots(
    *,
    weekly: Mapping[int, Sequence[Range]],
    exceptions: Mapping[dt.date, Sequence[Range]],
    busy: Iterable[tuple[dt.datetime, dt.datetime]],
    rules: SlotRules,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    duration_minutes: int | None = None,
) -> list[Slot]:
    """The free slots starting in [start, end) (naive UTC, or aware), in order.

    ``weekly``: weekday (0 Monday) -> working ranges of that weekday, local minutes.
    ``exceptions``: local date -> the ranges that replace that date's hours (empty: a day off).
    ``busy``: (starts_at, ends_at) of the active bookings (naive UTC).
    """
    slot = rules.slot_minutes
    if slot <= 0:
        raise ValueError("slot_minutes must be positive")
    buffer = max(0, rules.buffer_minutes)
    step = slot + buffer
    length = duration_minutes or slot
    now_min = _ceil_minute(now)
    lo = max(_ceil_minute(start), now_min + max(0, rules.min_notice_minutes))
    hi = min(_ceil_minute(end), now_min + rules.horizon_days * _DAY)
    if lo >= hi:
        return []

    week = {day: _clean(ranges) for day, ranges in weekly.items()}
    changed = {_day_index(day): _clean(ranges) for day, ranges in exceptions.items()}
    busy_starts, busy_ends = _busy_minutes(busy, buffer)
    n_busy = len(busy_starts)

    out: list[Slot] = []
    append = out.append
    minute = dt.timedelta(minutes=1)
    first_day = (lo + _OFFSET_MIN) // _DAY
    last_day = (hi - 1 + _OFFSET_MIN) // _DAY
    for day in range(first_day, last_day + 1):
        ranges = changed.get(day)
        if ranges is None:
            ranges = week.get((day + _EPOCH_WEEKDAY) % 7, ())
        base = day * _DAY - _OFFSET_MIN  # local midnight, in UTC minutes
        for a, b in ranges:
            s = base + a
            last = base + b - length  # the latest start that still ends within the range
            if s < lo:
                s += -(-(lo - s) // step) * step  # the first slot of the grid at or after lo
            while s <= last and s < hi:
                j = bisect_right(busy_ends, s)  # the first busy span ending after s
                if j < n_busy and busy_starts[j] < s + length:
                    # overlaps: the next slot of the grid after that busy span
                    s += -(-(busy_ends[j] - s) // step) * step
                    continue
                begins = _EPOCH + s * minute
                append(Slot(begins, begins + length * minute))
                s += step
    return out
