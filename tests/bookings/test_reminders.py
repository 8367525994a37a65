"""Reminders 24 h and 2 h before a confirmed booking (services.bookings.reminders), sent
once each to both sides, with the clock passed in; safe with two workers at once."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.bookings import Booking
from portal.models.notifications import Notification
from portal.services.bookings import booking as svc
from portal.services.bookings.reminders import send_due_reminders
from tests import factories as f
from tests.bookings.test_notify import NOW, TEN, World

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def w(app):
    return World(app)


@pytest.fixture
def confirmed(w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    return booking


def reminders_of(user) -> int:
    return f.notification_count(user, "booking_reminder")


def committed(booking) -> Booking:
    with f.committed_session() as s:
        row = s.get(Booking, booking.id)
        s.expunge(row)
        return row


def test_nothing_before_24_hours(w, confirmed):
    assert send_due_reminders(TEN - 24 * H - M) == 0
    assert send_due_reminders(NOW) == 0
    assert reminders_of(w.client) == reminders_of(w.practitioner) == 0


def test_one_at_24_hours_to_both_sides_then_none_twice(w, confirmed):
    at = TEN - 24 * H
    assert send_due_reminders(at) == 1
    assert reminders_of(w.client) == 1 and reminders_of(w.practitioner) == 1
    assert committed(confirmed).reminded_24h_at == at
    assert send_due_reminders(at + M) == 0
    assert send_due_reminders(TEN - 3 * H) == 0
    assert reminders_of(w.client) == 1
    with f.committed_session() as s:
        note = s.scalars(select(Notification).where(Notification.user_id == w.client.id,
                                                    Notification.kind == "booking_reminder")).one()
    assert note.link == f"/ru/bookings/{confirmed.id}"


def test_the_2_hour_one_follows_once(w, confirmed):
    send_due_reminders(TEN - 24 * H)
    assert send_due_reminders(TEN - 2 * H - M) == 0
    assert send_due_reminders(TEN - 2 * H) == 1
    assert reminders_of(w.client) == 2 and reminders_of(w.practitioner) == 2
    assert send_due_reminders(TEN - 30 * M) == 0
    assert send_due_reminders(TEN + M) == 0  # started: nothing
    assert reminders_of(w.client) == 2


def test_a_worker_back_late_sends_only_the_2_hour_one(w, confirmed):
    assert send_due_reminders(TEN - 90 * M) == 1
    assert reminders_of(w.client) == 1
    assert send_due_reminders(TEN - 80 * M) == 0
    assert committed(confirmed).reminded_2h_at is not None


def test_a_requested_booking_gets_none(w):
    w.book()
    assert send_due_reminders(TEN - 24 * H) == 0
    assert send_due_reminders(TEN - 2 * H) == 0
    assert reminders_of(w.client) == 0


def test_a_cancelled_booking_gets_none(w, confirmed):
    svc.cancel(w.client, confirmed.id, "Планы изменились", now=NOW)
    assert send_due_reminders(TEN - 24 * H) == 0
    assert send_due_reminders(TEN - 2 * H) == 0
    assert reminders_of(w.client) == reminders_of(w.practitioner) == 0


def test_a_booking_made_less_than_24_hours_ahead_gets_no_24_hour_one(w):
    now = TEN - 20 * H
    booking = w.book(now=now)
    svc.confirm(w.practitioner, booking.id, now=now)
    assert send_due_reminders(now + M) == 0
    assert send_due_reminders(TEN - 2 * H) == 1  # the 2 h one still comes
    assert reminders_of(w.client) == 1


def test_a_moved_booking_is_reminded_again_for_its_new_time(w, confirmed):
    send_due_reminders(TEN - 24 * H)
    later = TEN + dt.timedelta(days=1)  # Tuesday 10:00
    svc.move(w.practitioner, confirmed.id, later, "Перенос", now=TEN - 23 * H)
    assert send_due_reminders(TEN - 22 * H) == 0  # moved 47 h ahead: not due yet
    assert send_due_reminders(later - 24 * H) == 1
    assert reminders_of(w.client) == 2


def test_two_workers_at_once_send_once(app, w, confirmed):
    at = TEN - 24 * H
    client_id, practitioner_id = w.client.id, w.practitioner.id
    db.session.remove()  # the rows are committed; each thread has its own session
    results, start = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            start.wait()
            try:
                results.append(send_due_reminders(at))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [0, 1]
    with f.committed_session() as s:
        sent = s.scalars(select(Notification.user_id).where(Notification.kind == "booking_reminder")).all()
    assert sorted(sent) == sorted([client_id, practitioner_id])


def test_the_worker_sends_due_reminders(app, w, confirmed, monkeypatch):
    from portal.cli import worker
    from portal.core import clock

    monkeypatch.setattr(clock, "utcnow", lambda: TEN - 2 * H)
    done = worker.run_once(app)
    assert done.reminded == 1
    assert reminders_of(w.client) == 1
