"""The free-slot computation (services.bookings.slots.free_slots): a pure function,
so these tests pass plain values and a fixed ``now``."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.services.bookings.slots import KZ_UTC_OFFSET, SlotRules, free_slots, to_local, to_utc
from tests.bookings.helpers import hm, local

MON = dt.date(2026, 3, 9)  # a Monday
TUE, WED, THU, FRI, SAT, SUN = (MON + dt.timedelta(days=n) for n in range(1, 7))
NOW = local(2026, 3, 1, 8, 0)  # long before the week: notice and horizon do not interfere
WEEKDAYS = {d: [(hm("09:00"), hm("13:00")), (hm("14:00"), hm("18:00"))] for d in range(5)}


def compute(weekly=None, exceptions=None, busy=(), rules=None, start=None, end=None, now=NOW,
            duration=None):
    return free_slots(
        weekly=WEEKDAYS if weekly is None else weekly, exceptions=exceptions or {}, busy=list(busy),
        rules=rules or SlotRules(slot_minutes=60), start=start or local(2026, 3, 9),
        end=end or local(2026, 3, 16), now=now, duration_minutes=duration)


def times(slots, day: dt.date | None = None) -> list[str]:
    """The local start times ("09:00") of the slots (of one local date)."""
    return [s.local_starts_at.strftime("%H:%M") for s in slots if day is None or s.local_date == day]


def by_day(slots) -> dict[dt.date, list[str]]:
    out: dict[dt.date, list[str]] = {}
    for s in slots:
        out.setdefault(s.local_date, []).append(s.local_starts_at.strftime("%H:%M"))
    return out


def test_weekly_hours_with_a_lunch_break():
    slots = compute()
    days = by_day(slots)
    assert list(days) == [MON, TUE, WED, THU, FRI]  # no hours on the weekend
    assert days[MON] == ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]
    assert all(d == days[MON] for d in days.values())
    first = slots[0]
    assert first.starts_at == dt.datetime(2026, 3, 9, 4, 0)  # 09:00 in Kazakhstan is 04:00 UTC
    assert first.ends_at == dt.datetime(2026, 3, 9, 5, 0)
    assert first.local_date == MON and first.local_time == dt.time(9, 0)


def test_slots_are_in_order_and_naive_utc():
    slots = compute()
    assert [s.starts_at for s in slots] == sorted(s.starts_at for s in slots)
    assert all(s.starts_at.tzinfo is None for s in slots)


def test_buffer_between_slots():
    weekly = {0: [(hm("09:00"), hm("12:00"))]}
    slots = compute(weekly, rules=SlotRules(slot_minutes=30, buffer_minutes=15))
    # a 30-minute slot, then 15 minutes free: the last one ends 11:45, a next would start 12:00
    assert times(slots) == ["09:00", "09:45", "10:30", "11:15"]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=30) for s in slots)


def test_slot_length_not_dividing_the_range():
    weekly = {0: [(hm("09:00"), hm("12:00"))]}
    slots = compute(weekly, rules=SlotRules(slot_minutes=50))
    assert times(slots) == ["09:00", "09:50", "10:40"]  # 11:30 would end 12:20, after closing
    assert slots[-1].local_ends_at.time() == dt.time(11, 30)


def test_a_service_longer_than_the_slot_ends_within_the_range():
    weekly = {0: [(hm("09:00"), hm("12:00"))]}
    slots = compute(weekly, rules=SlotRules(slot_minutes=30), duration=90)
    assert times(slots) == ["09:00", "09:30", "10:00", "10:30"]
    assert slots[-1].local_ends_at.time() == dt.time(12, 0)


def test_days_off():
    slots = compute(exceptions={WED: []})
    days = by_day(slots)
    assert WED not in days
    assert list(days) == [MON, TUE, THU, FRI]


def test_a_one_off_change_replaces_the_days_hours():
    slots = compute(exceptions={TUE: [(hm("15:00"), hm("17:00"))], SAT: [(hm("10:00"), hm("12:00"))]})
    days = by_day(slots)
    assert days[TUE] == ["15:00", "16:00"]
    assert days[SAT] == ["10:00", "11:00"]  # a Saturday opened for once
    assert days[MON] == days[WED] == ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]


def test_minimum_notice_keeps_the_grid():
    now = local(2026, 3, 9, 8, 10)  # Monday 08:10
    rules = SlotRules(slot_minutes=30, min_notice_minutes=120)
    slots = compute(rules=rules, now=now)
    # the earliest start is 10:10; the next slot of the grid is 10:30 (not 10:10)
    assert times(slots, MON)[:3] == ["10:30", "11:00", "11:30"]
    # exactly the notice is allowed
    slots = compute(rules=rules, now=local(2026, 3, 9, 8, 30))
    assert times(slots, MON)[0] == "10:30"


def test_notice_with_seconds_in_now():
    now = local(2026, 3, 9, 8, 30) + dt.timedelta(seconds=1)
    slots = compute(rules=SlotRules(slot_minutes=30, min_notice_minutes=120), now=now)
    assert times(slots, MON)[0] == "11:00"  # 10:30 is 1 s short of the notice


def test_horizon():
    now = local(2026, 3, 9, 8, 0)  # Monday 08:00
    slots = compute(rules=SlotRules(slot_minutes=60, horizon_days=2), now=now)
    days = by_day(slots)
    assert list(days) == [MON, TUE]  # Wednesday 09:00 is after Wednesday 08:00
    slots = compute(rules=SlotRules(slot_minutes=60, horizon_days=2), now=local(2026, 3, 9, 9, 30))
    assert times(slots, WED) == ["09:00"]  # before Wednesday 09:30


def test_bookings_at_the_edges_of_a_range():
    weekly = {0: [(hm("09:00"), hm("13:00")), (hm("14:00"), hm("18:00"))]}
    rules = SlotRules(slot_minutes=30)
    busy = [(local(2026, 3, 9, 9, 0), local(2026, 3, 9, 9, 30)),  # the first slot of the morning
            (local(2026, 3, 9, 12, 30), local(2026, 3, 9, 13, 0)),  # the last before lunch
            (local(2026, 3, 9, 17, 30), local(2026, 3, 9, 18, 0))]  # the last of the day
    got = times(compute(weekly, busy=busy, rules=rules, end=local(2026, 3, 10)))
    assert got[0] == "09:30"  # a booking ending at 09:30 does not block 09:30
    assert "12:00" in got and "12:30" not in got and "13:00" not in got
    assert got[-1] == "17:00"
    assert len(got) == 16 - 3


def test_a_booking_off_the_grid_blocks_every_slot_it_touches():
    weekly = {0: [(hm("09:00"), hm("12:00"))]}
    busy = [(local(2026, 3, 9, 9, 45), local(2026, 3, 9, 10, 15))]
    got = times(compute(weekly, busy=busy, rules=SlotRules(slot_minutes=30)))
    assert got == ["09:00", "10:30", "11:00", "11:30"]


def test_buffer_around_bookings():
    weekly = {0: [(hm("09:00"), hm("12:00"))]}
    rules = SlotRules(slot_minutes=30, buffer_minutes=15)  # grid 09:00, 09:45, 10:30, 11:15
    busy = [(local(2026, 3, 9, 9, 45), local(2026, 3, 9, 10, 15))]
    assert times(compute(weekly, busy=busy, rules=rules)) == ["09:00", "10:30", "11:15"]
    # a booking of another length, 10:00-10:40: 09:00 (ends 09:30) is far enough,
    # 09:45 overlaps it, 10:30 starts within 15 minutes of its end, 11:15 is free
    busy = [(local(2026, 3, 9, 10, 0), local(2026, 3, 9, 10, 40))]
    assert times(compute(weekly, busy=busy, rules=rules)) == ["09:00", "11:15"]
    # exactly the buffer apart is allowed: grid 09:00, 10:00, 11:00 with a 30-minute buffer
    busy = [(local(2026, 3, 9, 10, 0), local(2026, 3, 9, 10, 30))]
    got = times(compute(weekly, busy=busy, rules=SlotRules(slot_minutes=30, buffer_minutes=30)))
    assert got == ["09:00", "11:00"]
    # one minute less than the buffer is not
    busy = [(local(2026, 3, 9, 9, 59), local(2026, 3, 9, 10, 31))]
    got = times(compute(weekly, busy=busy, rules=SlotRules(slot_minutes=30, buffer_minutes=30)))
    assert got == []


def test_utc_plus_five_across_midnight():
    # Tuesday 01:00-03:00 in Kazakhstan is Monday 20:00-22:00 UTC
    weekly = {1: [(hm("01:00"), hm("03:00"))], 0: [(hm("22:00"), hm("24:00"))]}
    slots = compute(weekly, start=dt.datetime(2026, 3, 9), end=dt.datetime(2026, 3, 10))  # Monday, UTC
    assert [(s.starts_at, s.local_starts_at) for s in slots] == [
        (dt.datetime(2026, 3, 9, 17, 0), dt.datetime(2026, 3, 9, 22, 0)),
        (dt.datetime(2026, 3, 9, 18, 0), dt.datetime(2026, 3, 9, 23, 0)),
        (dt.datetime(2026, 3, 9, 20, 0), dt.datetime(2026, 3, 10, 1, 0)),
        (dt.datetime(2026, 3, 9, 21, 0), dt.datetime(2026, 3, 10, 2, 0)),
    ]
    tuesday_night = slots[2]
    assert tuesday_night.starts_at.date() == MON and tuesday_night.local_date == TUE
    # a day off on the local Tuesday removes them, though their UTC date is Monday
    slots = compute(weekly, exceptions={TUE: []}, start=dt.datetime(2026, 3, 9), end=dt.datetime(2026, 3, 10))
    assert [s.local_date for s in slots] == [MON, MON]


def test_the_offset_is_fixed_all_year():
    assert KZ_UTC_OFFSET == dt.timedelta(hours=5)
    for month in (1, 3, 4, 7, 10, 11, 12):  # no daylight saving: the same offset every month
        moment = dt.datetime(2026, month, 15, 12, 0)
        assert to_local(moment) == moment + dt.timedelta(hours=5)
        assert to_utc(to_local(moment)) == moment
    assert to_local(dt.datetime(2026, 3, 9, 12, 0, tzinfo=dt.timezone.utc)) == dt.datetime(2026, 3, 9, 17, 0)


def test_aware_bounds_are_accepted():
    zone = dt.timezone(KZ_UTC_OFFSET)
    slots = free_slots(weekly=WEEKDAYS, exceptions={}, busy=[], rules=SlotRules(slot_minutes=60),
                       start=dt.datetime(2026, 3, 9, 0, 0, tzinfo=zone),
                       end=dt.datetime(2026, 3, 10, 0, 0, tzinfo=zone), now=NOW)
    assert by_day(slots) == {MON: ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]}


def test_the_window_is_half_open():
    slots = compute(start=local(2026, 3, 9, 10, 0), end=local(2026, 3, 9, 12, 0))
    assert times(slots) == ["10:00", "11:00"]


@pytest.mark.parametrize("start, end, now", [
    (local(2026, 3, 10), local(2026, 3, 9), NOW),  # an empty window
    (local(2026, 3, 9), local(2026, 3, 10), local(2026, 3, 11)),  # all of it in the past
])
def test_nothing_to_offer(start, end, now):
    assert compute(start=start, end=end, now=now) == []


def test_overlapping_ranges_give_each_slot_once():
    weekly = {0: [(hm("09:00"), hm("11:00")), (hm("10:00"), hm("12:00"))]}
    assert times(compute(weekly)) == ["09:00", "10:00", "11:00"]
