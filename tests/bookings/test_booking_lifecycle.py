"""The booking lifecycle (services.bookings.booking): book, confirm, decline, cancel,
move, mark attended / no-show. Every illegal transition and every row of someone
else leaves the rows unchanged; a race loser gets a clear message and the next
free slots. The clock is passed in."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.core.audit import AuditEntry, history
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingRules, BookingStatus
from portal.models.practitioners import ProfileStatus
from portal.services.bookings import booking as svc
from tests import factories as f
from tests.bookings.helpers import local, make_booking, make_service_item, set_hours

MON = dt.date(2026, 3, 9)
NOW = local(2026, 3, 1, 8, 0)  # a Sunday, a week before
TEN = local(2026, 3, 9, 10, 0)
HALF_TEN = local(2026, 3, 9, 10, 30)
ELEVEN = local(2026, 3, 9, 11, 0)
WEEKDAYS = {d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(5)}


class World:
    def __init__(self, app, **rules):
        sm = app.appbuilder.sm
        self.profile = f.make_practitioner(sm, category_code="notary")
        self.profile.category.takes_bookings = True
        db.session.commit()
        self.item = make_service_item(self.profile, price=8000, duration=30)
        self.long_item = make_service_item(self.profile, price=20000, duration=60, name_ru="Долгая")
        set_hours(self.profile, WEEKDAYS, **({"slot_minutes": 30, "min_notice_minutes": 120, "horizon_days": 60,
                                              "cancel_notice_minutes": 120} | rules))
        self.practitioner = self.profile.user
        self.client = f.make_user(sm)
        self.stranger = f.make_user(sm)
        self.other_profile = f.make_practitioner(sm, category_code="notary")
        self.other_practitioner = self.other_profile.user

    def book(self, starts_at=TEN, item=None, who=None, note="", now=NOW) -> Booking:
        return svc.book(who or self.client, self.profile.id, (item or self.item).id, starts_at, note, now)


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the source text)."""
    with force_locale("en"):
        yield


@pytest.fixture
def w(app):
    return World(app)


def count_bookings() -> int:
    with f.committed_session() as s:
        return s.scalar(select(func.count()).select_from(Booking))


def count_audit() -> int:
    with f.committed_session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "booking"))


def refused(exc_type, fn, *args, rows=(), **kwargs):
    """``fn`` raises ``exc_type``; the given rows, the bookings and the audit trail stay as committed."""
    before, n_bookings, n_audit = f.committed_state(*rows), count_bookings(), count_audit()
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    db.session.rollback()  # the end of the request
    assert f.committed_state(*rows) == before
    assert count_bookings() == n_bookings
    assert count_audit() == n_audit
    return info.value


def free_times(w, day=MON, item=None, now=NOW):
    from portal.services.bookings.availability import profile_free_slots

    slots = profile_free_slots(w.profile.id, local(day.year, day.month, day.day),
                               local(day.year, day.month, day.day) + dt.timedelta(days=1), now,
                               (item or w.item).duration_minutes)
    return [s.local_starts_at.strftime("%H:%M") for s in slots]


def last_audit(booking):
    return history("booking", booking.id)[0]


# ---------------------------------------------------------------- book


def test_book_a_free_slot(w):
    b = w.book(note="  Доверенность на продажу авто  ")
    assert (b.status, b.starts_at, b.ends_at) == (BookingStatus.REQUESTED, TEN, HALF_TEN)
    assert (b.price, b.price_kind, b.client_note) == (8000, "fixed", "Доверенность на продажу авто")
    assert (b.client_id, b.profile_id, b.service_item_id) == (w.client.id, w.profile.id, w.item.id)
    assert b.confirmed_at is None
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value) == (w.client.id, None, "requested")
    assert "10:00" not in free_times(w)
    assert f.committed_state(b)[0]["status"] == BookingStatus.REQUESTED


def test_book_with_auto_confirm(app):
    w = World(app, auto_confirm=True)
    b = w.book()
    assert b.status == BookingStatus.CONFIRMED and b.confirmed_at == NOW
    assert [(e.actor_id, e.from_value, e.to_value, e.reason) for e in reversed(history("booking", b.id))] == [
        (w.client.id, None, "requested", ""), (None, "requested", "confirmed", "auto_confirm")]


def test_book_a_longer_service_takes_two_slots(w):
    b = w.book(item=w.long_item)
    assert b.ends_at == ELEVEN
    assert "10:00" not in free_times(w) and "10:30" not in free_times(w)
    assert "11:00" in free_times(w)


@pytest.mark.parametrize("starts_at, now", [
    (local(2026, 3, 9, 8, 0), NOW),  # before the working hours
    (local(2026, 3, 9, 13, 0), NOW),  # lunch
    (local(2026, 3, 9, 10, 10), NOW),  # off the grid
    (local(2026, 3, 8, 10, 0), NOW),  # a Sunday
    (TEN, local(2026, 3, 9, 9, 0)),  # within the notice (2 h)
    (TEN, local(2026, 3, 9, 11, 0)),  # in the past
    (local(2026, 5, 4, 10, 0), NOW),  # beyond the horizon (60 days)
])
def test_a_time_that_is_not_a_free_slot_is_refused_with_the_next_slots(w, starts_at, now):
    err = refused(svc.SlotTaken, w.book, starts_at, now=now)
    assert "cannot be booked" in str(err.message)
    assert err.field == "starts_at"
    assert err.next_slots and all(s.starts_at >= max(now, NOW) for s in err.next_slots)


def test_the_long_service_must_end_within_the_hours(w):
    refused(svc.SlotTaken, w.book, local(2026, 3, 9, 12, 30), item=w.long_item)  # would run into lunch


def test_a_taken_time_is_refused_with_the_message_and_the_next_slots(w):
    other = make_booking(w.profile, w.stranger, w.item, TEN)
    err = refused(svc.SlotTaken, w.book, TEN, rows=[other])
    assert "just booked" in str(err.message)
    assert [s.starts_at for s in err.next_slots] == [HALF_TEN, ELEVEN, local(2026, 3, 9, 11, 30),
                                                     local(2026, 3, 9, 12, 0), local(2026, 3, 9, 12, 30)]


def test_the_race_loser_gets_the_message_and_the_next_slots(w, monkeypatch):
    """The slot was free when checked; another client's booking is committed before our
    insert: the database refuses ours, the transaction is rolled back."""
    real = svc._is_free

    def check_then_lose(*args, **kwargs):
        free = real(*args, **kwargs)
        with f.committed_session() as s:  # the competitor, in its own transaction
            s.add(Booking(profile_id=w.profile.id, client_id=w.stranger.id, service_item_id=w.item.id,
                          starts_at=TEN, ends_at=HALF_TEN, price=8000))
            s.commit()
        return free

    monkeypatch.setattr(svc, "_is_free", check_then_lose)
    with pytest.raises(svc.SlotTaken) as info:
        w.book(TEN)
    err = info.value
    assert "just booked" in str(err.message)
    assert err.next_slots[0].starts_at == HALF_TEN
    with f.committed_session() as s:
        rows = s.execute(select(Booking.client_id, Booking.starts_at)).all()
    assert rows == [(w.stranger.id, TEN)]
    assert count_audit() == 0
    # the session is usable again: the client books the next slot offered
    monkeypatch.setattr(svc, "_is_free", real)
    assert w.book(err.next_slots[0].starts_at).starts_at == HALF_TEN


def test_the_race_loser_on_an_overlapping_time(w, monkeypatch):
    """A competitor's booking overlapping without the same start (10:15-10:45): refused by the
    exclusion constraint on PostgreSQL, by the check under the write lock on SQLite."""
    real = svc._is_free

    def check_then_lose(*args, **kwargs):
        free = real(*args, **kwargs)
        with f.committed_session() as s:
            s.add(Booking(profile_id=w.profile.id, client_id=w.stranger.id, service_item_id=w.item.id,
                          starts_at=local(2026, 3, 9, 10, 15), ends_at=local(2026, 3, 9, 10, 45), price=8000))
            s.commit()
        return free

    monkeypatch.setattr(svc, "_is_free", check_then_lose)
    with pytest.raises(svc.SlotTaken) as info:
        w.book(TEN)
    assert "just booked" in str(info.value.message)
    with f.committed_session() as s:
        assert s.scalars(select(Booking.client_id)).all() == [w.stranger.id]  # only the winner's
    assert count_audit() == 0


def test_book_refusals(w, app):
    refused(NotFound, svc.book, w.client, 999999, w.item.id, TEN, "", NOW)
    refused(NotFound, svc.book, w.client, w.profile.id, 999999, TEN, "", NOW)
    other_item = make_service_item(w.other_profile)
    refused(NotFound, svc.book, w.client, w.profile.id, other_item.id, TEN, "", NOW)  # another's list
    w.item.active = False
    db.session.commit()
    refused(NotFound, w.book)
    w.item.active = True
    db.session.commit()
    err = refused(ServiceError, w.book, who=w.practitioner)
    assert "own" in str(err.message)
    err = refused(ServiceError, w.book, note="x" * (svc.NOTE_MAX + 1))
    assert err.field == "note"
    w.profile.status = ProfileStatus.SUSPENDED
    db.session.commit()
    refused(NotFound, w.book)
    w.profile.status = ProfileStatus.APPROVED
    w.profile.category.takes_bookings = False
    db.session.commit()
    err = refused(ServiceError, w.book)
    assert not isinstance(err, NotFound)
    w.profile.category.takes_bookings = True
    db.session.commit()
    assert w.book().status == BookingStatus.REQUESTED


def test_an_aware_time_is_accepted(w):
    aware = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert w.book(aware).starts_at == TEN


# ---------------------------------------------------------------- confirm / decline


def test_confirm(w):
    b = w.book()
    now = local(2026, 3, 2, 9, 0)
    svc.confirm(w.practitioner, b.id, now)
    assert (b.status, b.confirmed_at) == (BookingStatus.CONFIRMED, now)
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value) == (w.practitioner.id, "requested", "confirmed")
    assert f.committed_state(b)[0]["status"] == BookingStatus.CONFIRMED


def test_confirm_refusals(w):
    b = w.book()
    for who in (w.client, w.stranger, w.other_practitioner):
        refused(NotFound, svc.confirm, who, b.id, NOW, rows=[b])
    refused(NotFound, svc.confirm, w.practitioner, 999999, NOW)
    refused(ServiceError, svc.confirm, w.practitioner, b.id, local(2026, 3, 9, 10, 5), rows=[b])  # started
    svc.confirm(w.practitioner, b.id, NOW)
    refused(ServiceError, svc.confirm, w.practitioner, b.id, NOW, rows=[b])  # twice


def test_decline_frees_the_time(w):
    b = w.book()
    svc.decline(w.practitioner, b.id, "  В этот день нотариус на выезде ", NOW)
    assert (b.status, b.reason, b.declined_at) == (BookingStatus.DECLINED, "В этот день нотариус на выезде", NOW)
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value, entry.reason) == (
        w.practitioner.id, "requested", "declined", "В этот день нотариус на выезде")
    assert "10:00" in free_times(w)
    assert w.book(TEN, who=w.stranger).status == BookingStatus.REQUESTED


def test_decline_refusals(w):
    b = w.book()
    for who in (w.client, w.stranger, w.other_practitioner):
        refused(NotFound, svc.decline, who, b.id, "нет", NOW, rows=[b])
    refused(ServiceError, svc.decline, w.practitioner, b.id, "x" * (svc.REASON_MAX + 1), NOW, rows=[b])
    svc.confirm(w.practitioner, b.id, NOW)
    refused(ServiceError, svc.decline, w.practitioner, b.id, "нет", NOW, rows=[b])  # confirmed: cancel instead


# ---------------------------------------------------------------- cancel


def test_the_client_cancels_a_confirmed_booking_before_the_notice(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    now = local(2026, 3, 9, 7, 59)  # 2 h 01 min before
    svc.cancel(w.client, b.id, "Планы изменились", now)
    assert (b.status, b.cancelled_by_id, b.cancelled_at, b.reason) == (
        BookingStatus.CANCELLED, w.client.id, now, "Планы изменились")
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value, entry.reason) == (
        w.client.id, "confirmed", "cancelled", "Планы изменились")
    assert "10:00" in free_times(w)


def test_the_client_may_not_cancel_a_confirmed_booking_within_the_notice(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    err = refused(ServiceError, svc.cancel, w.client, b.id, "Опаздываю", local(2026, 3, 9, 8, 30), rows=[b])
    assert "2 h 00 min" in str(err.message)


def test_the_client_withdraws_a_requested_booking_any_time_before_it(w):
    b = w.book()
    svc.cancel(w.client, b.id, "Уже не нужно", local(2026, 3, 9, 9, 50))
    assert b.status == BookingStatus.CANCELLED
    assert last_audit(b).from_value == "requested"


def test_the_practitioner_cancels_within_the_notice(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    svc.cancel(w.practitioner, b.id, "Болезнь", local(2026, 3, 9, 9, 30))
    assert (b.status, b.cancelled_by_id) == (BookingStatus.CANCELLED, w.practitioner.id)


def test_cancel_refusals(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    for who in (w.stranger, w.other_practitioner):
        refused(NotFound, svc.cancel, who, b.id, "причина", NOW, rows=[b])
    err = refused(ServiceError, svc.cancel, w.client, b.id, "   ", NOW, rows=[b])
    assert err.field == "reason"
    refused(ServiceError, svc.cancel, w.practitioner, b.id, "причина", TEN, rows=[b])  # started
    svc.cancel(w.practitioner, b.id, "причина", NOW)
    for who in (w.client, w.practitioner):
        refused(ServiceError, svc.cancel, who, b.id, "ещё раз", NOW, rows=[b])


# ---------------------------------------------------------------- move


def test_the_client_moves_a_booking_to_another_free_slot(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    moved_at = local(2026, 3, 3, 12, 0)
    svc.move(w.client, b.id, local(2026, 3, 10, 15, 0), "Не успеваю к десяти", moved_at)
    assert (b.status, b.starts_at, b.ends_at, b.updated_at) == (
        BookingStatus.CONFIRMED, local(2026, 3, 10, 15, 0), local(2026, 3, 10, 15, 30), moved_at)
    entry = last_audit(b)
    assert (entry.action, entry.actor_id, entry.from_value, entry.to_value, entry.reason) == (
        "moved", w.client.id, TEN.isoformat(timespec="minutes"),
        local(2026, 3, 10, 15, 0).isoformat(timespec="minutes"), "Не успеваю к десяти")
    assert "10:00" in free_times(w)
    assert f.committed_state(b)[0]["starts_at"] == local(2026, 3, 10, 15, 0)


def test_a_booking_moves_onto_its_own_time_partly(w):
    """A one-hour booking moved by half an hour overlaps itself: that is free."""
    b = w.book(item=w.long_item)
    svc.move(w.practitioner, b.id, HALF_TEN, "Сдвигаю на полчаса", NOW)
    assert (b.starts_at, b.ends_at) == (HALF_TEN, local(2026, 3, 9, 11, 30))


def test_move_refusals(w):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    other = make_booking(w.profile, w.stranger, w.item, ELEVEN)
    for who in (w.stranger, w.other_practitioner):
        refused(NotFound, svc.move, who, b.id, HALF_TEN, "причина", NOW, rows=[b, other])
    err = refused(svc.SlotTaken, svc.move, w.client, b.id, ELEVEN, "причина", NOW, rows=[b, other])
    assert "just booked" in str(err.message) and err.next_slots
    err = refused(svc.SlotTaken, svc.move, w.client, b.id, local(2026, 3, 9, 13, 0), "причина", NOW, rows=[b])
    assert "cannot be booked" in str(err.message)
    refused(ServiceError, svc.move, w.client, b.id, TEN, "причина", NOW, rows=[b])  # the same time
    refused(ServiceError, svc.move, w.client, b.id, HALF_TEN, "", NOW, rows=[b])  # no reason
    refused(ServiceError, svc.move, w.client, b.id, local(2026, 3, 10, 10, 0), "причина",
            local(2026, 3, 9, 8, 30), rows=[b])  # within the cancel notice
    svc.cancel(w.client, b.id, "причина", NOW)
    refused(ServiceError, svc.move, w.client, b.id, HALF_TEN, "причина", NOW, rows=[b])  # cancelled


def test_the_move_race_loser(w, monkeypatch):
    b = w.book()
    real = svc._is_free

    def check_then_lose(*args, **kwargs):
        free = real(*args, **kwargs)
        with f.committed_session() as s:
            s.add(Booking(profile_id=w.profile.id, client_id=w.stranger.id, service_item_id=w.item.id,
                          starts_at=ELEVEN, ends_at=local(2026, 3, 9, 11, 30), price=8000))
            s.commit()
        return free

    monkeypatch.setattr(svc, "_is_free", check_then_lose)
    before, n_audit = f.committed_state(b), count_audit()
    with pytest.raises(svc.SlotTaken) as info:
        svc.move(w.client, b.id, ELEVEN, "причина", NOW)
    db.session.rollback()
    assert f.committed_state(b) == before and count_audit() == n_audit
    assert "just booked" in str(info.value.message)
    assert ELEVEN not in [s.starts_at for s in info.value.next_slots]


# ---------------------------------------------------------------- attended / no-show


@pytest.mark.parametrize("mark, status", [(svc.mark_attended, BookingStatus.ATTENDED),
                                          (svc.mark_no_show, BookingStatus.NO_SHOW)])
def test_the_practitioner_marks_the_outcome_after_the_start(w, mark, status):
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    refused(ServiceError, mark, w.practitioner, b.id, local(2026, 3, 9, 9, 59), rows=[b])  # before
    for who in (w.stranger, w.other_practitioner) + ((w.client,) if status == BookingStatus.ATTENDED else ()):
        refused(NotFound, mark, who, b.id, HALF_TEN, rows=[b])
    mark(w.practitioner, b.id, HALF_TEN)
    assert (b.status, b.outcome_by_id, b.outcome_at) == (status, w.practitioner.id, HALF_TEN)
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value) == (w.practitioner.id, "confirmed", status)
    for again in (svc.mark_attended, svc.mark_no_show):
        refused(ServiceError, again, w.practitioner, b.id, HALF_TEN, rows=[b])
    refused(ServiceError, svc.cancel, w.practitioner, b.id, "поздно", HALF_TEN, rows=[b])


def test_the_client_marks_that_the_practitioner_did_not_come(w):
    """Either side may mark a no-show; the client's mark counts against the practitioner
    (services.trust.no_shows); the client may not mark the appointment attended."""
    b = w.book()
    svc.confirm(w.practitioner, b.id, NOW)
    refused(ServiceError, svc.mark_no_show, w.client, b.id, local(2026, 3, 9, 9, 59), rows=[b])  # before
    refused(NotFound, svc.mark_attended, w.client, b.id, HALF_TEN, rows=[b])
    svc.mark_no_show(w.client, b.id, HALF_TEN)
    assert (b.status, b.outcome_by_id) == (BookingStatus.NO_SHOW, w.client.id)
    entry = last_audit(b)
    assert (entry.actor_id, entry.from_value, entry.to_value) == (w.client.id, "confirmed", "no_show")
    refused(ServiceError, svc.mark_attended, w.practitioner, b.id, HALF_TEN, rows=[b])  # the first mark stays


def test_a_requested_booking_cannot_be_marked(w):
    b = w.book()
    refused(ServiceError, svc.mark_attended, w.practitioner, b.id, HALF_TEN, rows=[b])
    refused(ServiceError, svc.mark_no_show, w.practitioner, b.id, HALF_TEN, rows=[b])


@pytest.mark.parametrize("final", [BookingStatus.DECLINED, BookingStatus.CANCELLED,
                                   BookingStatus.ATTENDED, BookingStatus.NO_SHOW])
def test_nothing_moves_out_of_a_final_status(w, final):
    b = make_booking(w.profile, w.client, w.item, TEN, status=final)
    late = HALF_TEN
    refused(ServiceError, svc.confirm, w.practitioner, b.id, NOW, rows=[b])
    refused(ServiceError, svc.decline, w.practitioner, b.id, "", NOW, rows=[b])
    refused(ServiceError, svc.cancel, w.client, b.id, "причина", NOW, rows=[b])
    refused(ServiceError, svc.move, w.practitioner, b.id, ELEVEN, "причина", NOW, rows=[b])
    refused(ServiceError, svc.mark_attended, w.practitioner, b.id, late, rows=[b])
    refused(ServiceError, svc.mark_no_show, w.practitioner, b.id, late, rows=[b])


def test_get_visible_and_viewer_role(w):
    b = w.book()
    assert svc.get_visible(w.client, b.id) is b
    assert svc.get_visible(w.practitioner, b.id) is b
    assert svc.viewer_role(w.client, b) == "client" and svc.viewer_role(w.practitioner, b) == "practitioner"
    for who in (w.stranger, w.other_practitioner):
        with pytest.raises(NotFound):
            svc.get_visible(who, b.id)


def test_rules_row_defaults_apply_without_a_row(app):
    """No BookingRules row: the defaults (2 h cancel notice, no auto-confirm)."""
    w = World(app)
    db.session.execute(BookingRules.__table__.delete().where(BookingRules.profile_id == w.profile.id))
    db.session.commit()
    b = w.book()
    assert b.status == BookingStatus.REQUESTED
    svc.confirm(w.practitioner, b.id, NOW)
    refused(ServiceError, svc.cancel, w.client, b.id, "причина", local(2026, 3, 9, 8, 30), rows=[b])
