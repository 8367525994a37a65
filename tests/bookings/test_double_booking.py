"""The database refuses a second active booking of the same time: a partial unique
index on every database, and on PostgreSQL an exclusion constraint over the
time ranges (so an overlapping booking is refused too). Inactive bookings
(cancelled, declined, attended, no-show) hold no time."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from tests import factories as f
from tests.bookings.helpers import booking_row, local, make_booking, make_service_item

TEN = local(2026, 3, 9, 10, 0)


@pytest.fixture
def setup(app):
    sm = app.appbuilder.sm
    profile = f.make_practitioner(sm, category_code="notary")
    item = make_service_item(profile)
    return profile, item, f.make_user(sm), f.make_user(sm)


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def refused(profile, client, item, starts_at, minutes=30, status=BookingStatus.REQUESTED) -> bool:
    booking_row(profile, client, item, starts_at, minutes, status)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return True
    return False


def active_starts(profile):
    with f.committed_session() as s:
        return s.scalars(select(Booking.starts_at).where(
            Booking.profile_id == profile.id, Booking.status.in_(BookingStatus.ACTIVE))).all()


@pytest.mark.parametrize("first_status", BookingStatus.ACTIVE)
@pytest.mark.parametrize("second_status", BookingStatus.ACTIVE)
def test_a_second_active_booking_of_the_same_time_is_refused(setup, first_status, second_status):
    profile, item, alice, bob = setup
    make_booking(profile, alice, item, TEN, status=first_status)
    assert refused(profile, bob, item, TEN, status=second_status)
    assert active_starts(profile) == [TEN]


def test_a_cancelled_booking_does_not_block(setup):
    profile, item, alice, bob = setup
    first = make_booking(profile, alice, item, TEN)
    first.status = BookingStatus.CANCELLED
    db.session.commit()
    assert not refused(profile, bob, item, TEN)  # the time is free again
    for status in (BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.ATTENDED,
                   BookingStatus.NO_SHOW):
        assert not refused(profile, alice, item, TEN, status=status)
    assert active_starts(profile) == [TEN]


def test_another_profile_or_an_adjacent_time_is_free(setup, app):
    profile, item, alice, bob = setup
    other = f.make_practitioner(app.appbuilder.sm, category_code="notary")
    other_item = make_service_item(other)
    make_booking(profile, alice, item, TEN)
    assert not refused(other, bob, other_item, TEN)
    assert not refused(profile, bob, item, local(2026, 3, 9, 10, 30))  # starts as the first ends
    assert not refused(profile, bob, item, local(2026, 3, 9, 9, 30))  # ends as the first starts


def test_an_overlapping_booking_is_refused_on_postgresql(setup):
    if not is_postgres():
        pytest.skip("SQLite has no exclusion constraint: only the same start is refused there "
                    "(set DATABASE_URL=postgresql://... to run this)")
    profile, item, alice, bob = setup
    make_booking(profile, alice, item, TEN, minutes=60)  # 10:00-11:00
    assert refused(profile, bob, item, local(2026, 3, 9, 10, 30))  # 10:30-11:00
    assert refused(profile, bob, item, local(2026, 3, 9, 9, 45))  # 09:45-10:15
    assert refused(profile, bob, item, local(2026, 3, 9, 9, 0), minutes=180)  # around it
    assert not refused(profile, bob, item, local(2026, 3, 9, 11, 0))
    assert active_starts(profile) == [TEN, local(2026, 3, 9, 11, 0)]


def test_moving_a_booking_onto_a_held_time_is_refused(setup):
    profile, item, alice, bob = setup
    make_booking(profile, alice, item, TEN)
    second = make_booking(profile, bob, item, local(2026, 3, 9, 11, 0))
    second.starts_at, second.ends_at = TEN, local(2026, 3, 9, 10, 30)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert sorted(active_starts(profile)) == [TEN, local(2026, 3, 9, 11, 0)]


def test_a_booking_must_end_after_it_starts(setup):
    profile, item, alice, _ = setup
    assert refused(profile, alice, item, TEN, minutes=0)
