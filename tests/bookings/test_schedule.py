"""The schedule service (services.bookings.schedule): weekly hours, rules and
one-off changes; every check refuses with a translated message and stores
nothing; only the owner edits; every change is audited."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from portal.core.audit import AuditEntry
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import AvailabilityException, BookingRules, BookingStatus, WorkingHours
from portal.services.bookings import availability
from portal.services.bookings import schedule as svc
from portal.services.bookings.slots import to_local
from tests import factories as f
from tests.bookings.helpers import hm, local, make_booking, make_service_item
from tests.bookings.test_price_list import english, practitioner

NOW = local(2026, 3, 1, 8, 0)  # Sunday 1 March 2026, 08:00 local
TODAY = dt.date(2026, 3, 1)
GOOD_WEEK = {0: [(hm("09:00"), hm("13:00")), (hm("14:00"), hm("18:00"))], 2: [(hm("10:00"), hm("12:00"))]}
RULES = {"slot_minutes": 20, "buffer_minutes": 10, "min_notice_minutes": 60, "horizon_days": 30,
         "cancel_notice_minutes": 180, "auto_confirm": True}


@pytest.fixture
def profile(app):
    return practitioner(app)


def audits(action) -> int:
    return f.row_count(AuditEntry, entity="booking_schedule", action=action)


def test_weekly_hours_replace_all_and_are_audited(profile):
    svc.set_weekly_hours(profile.user, GOOD_WEEK)
    assert svc.get_schedule(profile.id).weekly == GOOD_WEEK
    svc.set_weekly_hours(profile.user, {"4": [("600", "660")], 0: []})
    assert svc.get_schedule(profile.id).weekly == {4: [(600, 660)]}
    assert f.row_count(WorkingHours, profile_id=profile.id) == 1
    assert audits("weekly_hours") == 2
    svc.set_weekly_hours(profile.user, {4: [(600, 660)]})  # no change: no entry
    assert audits("weekly_hours") == 2


def test_weekly_hours_feed_the_free_slots(profile):
    svc.set_weekly_hours(profile.user, {0: [(hm("09:00"), hm("10:00"))]})
    svc.set_rules(profile.user, {"slot_minutes": 30, "min_notice_minutes": 0})
    slots = availability.profile_free_slots(profile.id, local(2026, 3, 2), local(2026, 3, 3), NOW)
    assert [to_local(s.starts_at).strftime("%H:%M") for s in slots] == ["09:00", "09:30"]


@pytest.mark.parametrize("weekly, field, text", [
    ({0: [(600, 540)]}, "day_0", "end after"),
    ({1: [(600, 600)]}, "day_1", "end after"),
    ({2: [(-1, 60)]}, "day_2", "within the day"),
    ({3: [(600, 1441)]}, "day_3", "within the day"),
    ({4: [(540, 720), (700, 800)]}, "day_4", "overlap"),
    ({5: [(i * 60, i * 60 + 30) for i in range(7)]}, "day_5", "At most 6"),
    ({7: [(540, 600)]}, "weekly", "weekday"),
    ({0: [(540,)]}, "day_0", "start and an end"),
    ({0: [("9:00", "10:00")]}, "day_0", "within the day"),
    ([(540, 600)], "weekly", "each weekday"),
])
def test_weekly_hours_refused_without_change(profile, weekly, field, text):
    svc.set_weekly_hours(profile.user, GOOD_WEEK)
    with f.fails_without_change(field=field, count_of=[(WorkingHours, {}), (AuditEntry, {})]) as info:
        svc.set_weekly_hours(profile.user, weekly)
    assert text in english(info.value.message)
    assert svc.get_schedule(profile.id).weekly == GOOD_WEEK


def test_six_ranges_and_touching_ranges_are_fine(profile):
    six = [(i * 60, i * 60 + 60) for i in range(8, 14)]
    svc.set_weekly_hours(profile.user, {6: six})
    assert svc.get_schedule(profile.id).weekly == {6: six}


def test_rules_set_and_defaults(profile):
    assert svc.get_schedule(profile.id).rules == svc.RulesValues()
    row = svc.set_rules(profile.user, RULES)
    assert isinstance(row, BookingRules)
    rules = svc.get_schedule(profile.id).rules
    assert {k: getattr(rules, k) for k in RULES} == RULES
    svc.set_rules(profile.user, {"buffer_minutes": "0", "auto_confirm": "0"})  # others kept
    rules = svc.get_schedule(profile.id).rules
    assert (rules.buffer_minutes, rules.auto_confirm, rules.slot_minutes) == (0, False, 20)
    assert audits("rules") == 2


@pytest.mark.parametrize("key, bad, good", [
    ("slot_minutes", [4, 481, "x", 1.5], [5, 480]),
    ("buffer_minutes", [-1, 241], [0, 240]),
    ("min_notice_minutes", [-1, 10081], [0, 10080]),
    ("horizon_days", [0, 367], [1, 366]),
    ("cancel_notice_minutes", [-1, 10081], [0, 10080]),
])
def test_rules_limits(profile, key, bad, good):
    svc.set_rules(profile.user, {})
    for value in bad:
        with f.fails_without_change(field=key, count_of=[(AuditEntry, {}), (BookingRules, {})]):
            svc.set_rules(profile.user, RULES | {key: value})
    for value in good:
        svc.set_rules(profile.user, {key: value})
        assert getattr(svc.get_schedule(profile.id).rules, key) == value


def test_rules_messages_are_translated(profile):
    with pytest.raises(ServiceError) as info:
        svc.set_rules(profile.user, {"horizon_days": 0})
    with force_locale("ru"):
        assert "дн" in str(info.value.message)
    with force_locale("kk"):
        assert "күн" in str(info.value.message)


def test_exceptions_add_replace_remove(profile):
    day = dt.date(2026, 3, 10)
    svc.add_exception(profile.user, day, None, "Праздник", now=NOW)
    rows = svc.add_exception(profile.user, day, [(hm("10:00"), hm("12:00")), (hm("15:00"), hm("16:00"))],
                             " Короткий день ", now=NOW)
    assert [(r.start_minute, r.end_minute, r.note) for r in rows] == [(600, 720, "Короткий день"),
                                                                      (900, 960, "Короткий день")]
    assert f.row_count(AvailabilityException, profile_id=profile.id) == 2  # the day off was replaced
    schedule = svc.get_schedule(profile.id, today=TODAY)
    assert [e.id for e in schedule.exceptions] == [r.id for r in rows]
    assert svc.get_schedule(profile.id, today=dt.date(2026, 3, 11)).exceptions == []  # past ones hidden
    svc.remove_exception(profile.user, rows[0].id)
    assert f.row_count(AvailabilityException) == 1
    assert audits("exception_added") == 2 and audits("exception_removed") == 1


def test_exception_today_and_a_year_ahead(profile):
    svc.add_exception(profile.user, TODAY, [], "", now=NOW)
    svc.add_exception(profile.user, TODAY + dt.timedelta(days=366), None, "", now=NOW)
    assert f.row_count(AvailabilityException) == 2


@pytest.mark.parametrize("day, ranges, note, field, text", [
    (dt.date(2026, 2, 28), None, "", "day", "past"),
    (dt.date(2027, 3, 3), None, "", "day", "year ahead"),
    ("2026-03-10", None, "", "day", "date"),
    (dt.date(2026, 3, 10), [(600, 500)], "", "ranges", "end after"),
    (dt.date(2026, 3, 10), [(600, 700), (650, 800)], "", "ranges", "overlap"),
    (dt.date(2026, 3, 10), None, "x" * 201, "note", "too long"),
])
def test_exception_refused_without_change(profile, day, ranges, note, field, text):
    svc.add_exception(profile.user, dt.date(2026, 3, 10), None, "kept", now=NOW)
    with f.fails_without_change(field=field, count_of=[(AvailabilityException, {"note": "kept"}),
                                                       (AuditEntry, {})]) as info:
        svc.add_exception(profile.user, day, ranges, note, now=NOW)
    assert text in english(info.value.message)


def test_others_rows_and_other_users(app, profile):
    row = svc.add_exception(profile.user, dt.date(2026, 3, 10), None, "", now=NOW)[0]
    other = practitioner(app)
    with f.fails_without_change(row, error=NotFound):
        svc.remove_exception(other.user, row.id)
    with f.fails_without_change(row, error=NotFound):
        svc.remove_exception(profile.user, "nope")
    client = f.make_user(app.appbuilder.sm)
    for call in (lambda: svc.set_weekly_hours(client, GOOD_WEEK), lambda: svc.set_rules(client, RULES),
                 lambda: svc.add_exception(client, dt.date(2026, 3, 11), None, "", now=NOW)):
        with f.fails_without_change(count_of=[(WorkingHours, {}), (BookingRules, {}),
                                              (AvailabilityException, {})]):
            call()
    advocate = practitioner(app, category_code="advocate", takes_bookings=False)
    with pytest.raises(ServiceError) as info:
        svc.own_profile(advocate.user)
    assert "does not take bookings" in english(info.value.message)


def test_changes_leave_bookings_alone(app, profile):
    item = make_service_item(profile)
    client = f.make_user(app.appbuilder.sm)
    booking = make_booking(profile, client, item, local(2026, 3, 2, 10, 0), status=BookingStatus.CONFIRMED)
    before = f.committed_state(booking)
    svc.set_weekly_hours(profile.user, {})
    svc.add_exception(profile.user, dt.date(2026, 3, 2), None, "", now=NOW)
    assert f.committed_state(booking) == before
    db.session.expire_all()
