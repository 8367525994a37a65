"""The loader (services.bookings.availability): a profile's rows from the database
give the same free slots as the pure function."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.models.bookings import BookingStatus
from portal.services.bookings.availability import (
    profile_free_slots,
    rules_and_hours,
    slot_rules,
    weekly_hours,
)
from portal.services.bookings.slots import SlotRules
from tests import factories as f
from tests.bookings.helpers import add_exception, local, make_booking, make_service_item, set_hours

MON = dt.date(2026, 3, 9)
NOW = local(2026, 3, 1, 8, 0)


@pytest.fixture
def notary(app):
    return f.make_practitioner(app.appbuilder.sm, category_code="notary")


@pytest.fixture
def client_user(app):
    return f.make_user(app.appbuilder.sm)


def day_times(slots, day):
    return [s.local_starts_at.strftime("%H:%M") for s in slots if s.local_date == day]


def test_defaults_without_a_rules_row(notary):
    assert slot_rules(notary.id) == SlotRules(30, 0, 120, 60)
    assert rules_and_hours(notary.id) == (SlotRules(30, 0, 120, 60), {})
    set_hours(notary, {0: [("09:00", "13:00"), ("14:00", "18:00")], 4: [("10:00", "12:00")]})
    expected = {0: [(540, 780), (840, 1080)], 4: [(600, 720)]}
    assert rules_and_hours(notary.id)[0] == SlotRules(30, 0, 120, 60)
    assert {d: sorted(r) for d, r in rules_and_hours(notary.id)[1].items()} == expected
    assert {d: sorted(r) for d, r in weekly_hours(notary.id).items()} == expected


def test_rules_without_hours(notary):
    set_hours(notary, {}, slot_minutes=45, buffer_minutes=5, min_notice_minutes=60, horizon_days=14)
    assert rules_and_hours(notary.id) == (SlotRules(45, 5, 60, 14), {})
    assert slot_rules(notary.id) == SlotRules(45, 5, 60, 14)


def test_no_hours_no_slots(notary):
    assert profile_free_slots(notary.id, local(2026, 3, 9), local(2026, 3, 16), NOW) == []


def test_hours_exceptions_and_bookings_from_the_database(notary, client_user):
    set_hours(notary, {0: [("09:00", "13:00"), ("14:00", "18:00")], 1: [("09:00", "13:00")],
                       2: [("09:00", "13:00")]},
              slot_minutes=60, buffer_minutes=0, min_notice_minutes=0, horizon_days=60)
    add_exception(notary, MON + dt.timedelta(days=1))  # Tuesday off
    add_exception(notary, MON + dt.timedelta(days=2), "10:00", "12:00")  # Wednesday shorter
    item = make_service_item(notary, duration=60)
    make_booking(notary, client_user, item, local(2026, 3, 9, 10, 0), minutes=60)
    make_booking(notary, client_user, item, local(2026, 3, 9, 15, 0), minutes=60,
                 status=BookingStatus.CANCELLED)  # does not hold its time
    make_booking(notary, client_user, item, local(2026, 3, 9, 16, 0), minutes=60,
                 status=BookingStatus.DECLINED)

    slots = profile_free_slots(notary.id, local(2026, 3, 9), local(2026, 3, 12), NOW)
    assert day_times(slots, MON) == ["09:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]
    assert day_times(slots, MON + dt.timedelta(days=1)) == []
    assert day_times(slots, MON + dt.timedelta(days=2)) == ["10:00", "11:00"]


def test_a_booking_just_before_the_window_still_counts_with_the_buffer(notary, client_user):
    set_hours(notary, {0: [("09:00", "12:00")]}, slot_minutes=30, buffer_minutes=30,
              min_notice_minutes=0, horizon_days=60)
    item = make_service_item(notary)
    make_booking(notary, client_user, item, local(2026, 3, 9, 9, 0))  # 09:00-09:30
    # asking from 10:00: the 09:00 booking ends 30 minutes before, exactly the buffer
    slots = profile_free_slots(notary.id, local(2026, 3, 9, 10, 0), local(2026, 3, 10), NOW)
    assert day_times(slots, MON) == ["10:00", "11:00"]
    make_booking(notary, client_user, item, local(2026, 3, 9, 9, 45), minutes=30,
                 status=BookingStatus.CONFIRMED)  # off the grid: ends 10:15
    slots = profile_free_slots(notary.id, local(2026, 3, 9, 10, 0), local(2026, 3, 10), NOW)
    assert day_times(slots, MON) == ["11:00"]


def test_notice_and_horizon_from_the_rules_row(notary):
    set_hours(notary, {d: [("09:00", "18:00")] for d in range(7)}, slot_minutes=60,
              min_notice_minutes=180, horizon_days=3)
    now = local(2026, 3, 9, 8, 0)
    slots = profile_free_slots(notary.id, local(2026, 3, 1), local(2026, 4, 30), now)
    assert slots[0].local_starts_at == dt.datetime(2026, 3, 9, 11, 0)
    assert slots[-1].local_starts_at == dt.datetime(2026, 3, 11, 17, 0)  # before Thursday 08:00


def test_a_longer_service_needs_room(notary, client_user):
    set_hours(notary, {0: [("09:00", "12:00")]}, slot_minutes=30, min_notice_minutes=0)
    item = make_service_item(notary)
    make_booking(notary, client_user, item, local(2026, 3, 9, 10, 30))
    slots = profile_free_slots(notary.id, local(2026, 3, 9), local(2026, 3, 10), NOW, duration_minutes=90)
    # 09:00-10:30 fits before the booking; 11:00-12:30 would end after closing
    assert day_times(slots, MON) == ["09:00"]
