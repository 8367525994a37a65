"""The bookings of a practitioner's own profile, paged, with a status filter and
upcoming/past as the client's list (services.bookings.client.mine) splits them:
upcoming = requested or confirmed and not over yet. The caller passes the
profile it got from the acting practitioner (schedule.own_profile)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import selectinload

from portal.core.clock import utcnow
from portal.core.paging import Page, paged
from portal.models.bookings import Booking, BookingStatus

UPCOMING = "upcoming"
PAST = "past"


def profile_bookings(profile_id: int, status: str | None = None, when: str | None = None, page: int = 1,
                     per_page: int = 20, now: dt.datetime | None = None) -> Page:
    """The profile's bookings: all (latest first), upcoming (soonest first) or past (latest first)."""
    now = now or utcnow()
    stmt = (select(Booking).where(Booking.profile_id == profile_id)
            .options(selectinload(Booking.service_item), selectinload(Booking.profile),
                     selectinload(Booking.client)))
    if status in BookingStatus.ALL:
        stmt = stmt.where(Booking.status == status)
    upcoming = and_(Booking.status.in_(BookingStatus.ACTIVE), Booking.ends_at > now)
    if when == UPCOMING:
        return paged(stmt.where(upcoming), (Booking.starts_at, Booking.id), page, per_page)
    if when == PAST:
        stmt = stmt.where(not_(upcoming))
    return paged(stmt, (Booking.starts_at.desc(), Booking.id.desc()), page, per_page)
