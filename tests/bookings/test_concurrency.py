"""Fifty clients at one slot, on PostgreSQL: real threads, each with its own app
context, session and database connection, all past the service's own "is it
free?" check before any of them writes (a barrier), so only the database
decides. Exactly one booking; every loser gets the message and the next free
slots; the database is usable for all of them afterwards."""
from __future__ import annotations

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.pool import QueuePool

from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.services.bookings import booking as svc
from tests import factories as f
from tests.bookings.test_booking_lifecycle import HALF_TEN, NOW, TEN, World
from tests.exchange.test_concurrency import TIMEOUT, run_threads

ATTEMPTS = 50


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the source text)."""
    with force_locale("en"):
        yield


@pytest.fixture
def wide_pool(app):
    """PostgreSQL, with a pool wide enough for every thread to hold a connection at the
    barrier at once (the app's pool is smaller); the app's own pool is put back after."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (an exclusion constraint, real "
                    "concurrent transactions) — set DATABASE_URL=postgresql://... to run it")
    engine = db.engine
    original = engine.pool
    engine.pool = QueuePool(original._creator, pool_size=ATTEMPTS + 5, max_overflow=0, timeout=TIMEOUT,
                            dialect=original._dialect, pre_ping=False)
    yield app
    engine.pool.dispose()
    engine.pool = original


def racing(monkeypatch, parties: int) -> None:
    """Every thread waits right after the service found the time free."""
    barrier = threading.Barrier(parties)
    real = svc._is_free

    def checked_then_wait(*args, **kwargs):
        free = real(*args, **kwargs)
        barrier.wait(TIMEOUT)
        return free

    monkeypatch.setattr(svc, "_is_free", checked_then_wait)


def active_rows(profile_id):
    with f.committed_session() as s:
        return s.execute(select(Booking.client_id, Booking.starts_at, Booking.ends_at).where(
            Booking.profile_id == profile_id, Booking.status.in_(BookingStatus.ACTIVE))).all()


def test_fifty_clients_at_one_slot_make_exactly_one_booking(wide_pool, monkeypatch):
    w = World(wide_pool)
    sm = wide_pool.appbuilder.sm
    clients = [f.make_user(sm) for _ in range(ATTEMPTS)]
    ids = {c.id for c in clients}
    racing(monkeypatch, ATTEMPTS)

    def attempt(client_id):
        return lambda: svc.book(db.session.get(type(clients[0]), client_id), w.profile.id, w.item.id, TEN,
                                "", NOW).client_id

    results = run_threads(wide_pool, [attempt(c.id) for c in clients])
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, svc.SlotTaken)]
    others = [r for r in results if not isinstance(r, (int, svc.SlotTaken))]
    assert others == [], others
    assert len(winners) == 1 and winners[0] in ids
    assert len(losers) == ATTEMPTS - 1
    assert all("just booked" in str(e.message) for e in losers)
    assert all(e.next_slots and e.next_slots[0].starts_at == HALF_TEN for e in losers)
    assert active_rows(w.profile.id) == [(winners[0], TEN, HALF_TEN)]


def test_overlapping_attempts_of_different_lengths_never_overlap(wide_pool, monkeypatch):
    """Half want 10:00-11:00 (a long service), half 10:30-11:00: the exclusion
    constraint refuses every overlap, not only the same start."""
    w = World(wide_pool)
    sm = wide_pool.appbuilder.sm
    clients = [f.make_user(sm) for _ in range(ATTEMPTS)]
    racing(monkeypatch, ATTEMPTS)

    def attempt(i, client_id):
        item, starts = (w.long_item, TEN) if i % 2 else (w.item, HALF_TEN)
        return lambda: svc.book(db.session.get(type(clients[0]), client_id), w.profile.id, item.id, starts,
                                "", NOW).id

    results = run_threads(wide_pool, [attempt(i, c.id) for i, c in enumerate(clients)])
    assert [r for r in results if not isinstance(r, (int, svc.SlotTaken))] == []
    assert sum(isinstance(r, int) for r in results) == 1
    rows = active_rows(w.profile.id)
    assert len(rows) == 1
    with f.committed_session() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 1
