"""The client's side of bookings: what the public profile and the booking page
show (a bookable profile's price list, free slots grouped by local day), booking
with a note and files, the client's own bookings (upcoming and past, paged) and
whether the client may still cancel or move one.

The rules of booking, cancelling and moving stay in ``booking``; this module
only reads, pages, and stores the files of a new booking (checked before the
booking is made, stored right after it, like a request's files)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, not_, select
from sqlalchemy.orm import selectinload

from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser
from portal.models.bookings import Booking, BookingRules, BookingStatus, ServiceItem
from portal.models.exchange import Thread
from portal.models.practitioners import PractitionerProfile
from portal.services.bookings import availability, price_list
from portal.services.bookings import booking as booking_service
from portal.services.bookings.slots import Slot, local_day_start, to_local
from portal.services.practitioners import profiles

UPCOMING, PAST = "upcoming", "past"
PER_PAGE = 10
PROFILE_SLOTS = 6  # the next free slots the public profile shows
DAYS_PER_PAGE = 14  # local days the booking page lists at a time

_NOT_BOOKABLE = _l("This practitioner does not exist or cannot be booked.")


# ---------------------------------------------------------------- the public side


def takes_bookings(profile: PractitionerProfile) -> bool:
    return profile.category is not None and bool(profile.category.takes_bookings)


def bookable_profile(profile_id: int) -> PractitionerProfile:
    """The public profile if its category takes bookings; else NotFound."""
    try:
        profile = profiles.public_profile(profile_id)
    except NotFound:
        raise NotFound(_NOT_BOOKABLE) from None
    if not takes_bookings(profile):
        raise NotFound(_NOT_BOOKABLE)
    return profile


def services(profile: PractitionerProfile) -> list[ServiceItem]:
    """The active price list of a profile whose category takes bookings (else none)."""
    if not takes_bookings(profile):
        return []
    return price_list.items(profile.id)


def service_of(profile: PractitionerProfile, item_id: int | None) -> ServiceItem | None:
    """The active service ``item_id`` of the profile, or None."""
    if item_id is None:
        return None
    return next((item for item in services(profile) if item.id == item_id), None)


def today(now: dt.datetime | None = None) -> dt.date:
    """Today's local (Kazakhstan) date."""
    return to_local(now or utcnow()).date()


def by_day(slots: list[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    """Slots grouped by their local date, in order."""
    return [(day, list(group)) for day, group in groupby(slots, key=lambda s: s.local_date)]


def next_slots(profile_id: int, duration: int | None, now: dt.datetime | None = None,
               limit: int = PROFILE_SLOTS) -> list[Slot]:
    """The next ``limit`` free slots of ``duration`` minutes: the next two weeks first
    (the usual case, cheap), the whole horizon only when they hold fewer."""
    now = now or utcnow()
    found = availability.profile_free_slots(profile_id, now, now + dt.timedelta(days=DAYS_PER_PAGE), now, duration)
    if len(found) < limit:
        found = availability.profile_free_slots(profile_id, now, now + dt.timedelta(days=366), now, duration)
    return found[:limit]


def shortest(items: list[ServiceItem]) -> int | None:
    return min((item.duration_minutes for item in items), default=None)


@dataclass
class DayPicker:
    """Local days [first, first + DAYS_PER_PAGE) with their free slots (days without any left
    out); ``later``: the first day of the next page when the horizon reaches it."""

    first: dt.date
    days: list[tuple[dt.date, list[Slot]]]
    earlier: dt.date | None
    later: dt.date | None

    def slots_of(self, day: dt.date | None) -> list[Slot]:
        return next((slots for d, slots in self.days if d == day), [])


def free_days(profile_id: int, duration: int, first: dt.date | None = None, now: dt.datetime | None = None) -> DayPicker:
    """The free slots of ``duration`` minutes on DAYS_PER_PAGE local days from ``first``
    (today when None or earlier than today), grouped by day."""
    now = now or utcnow()
    start_day = max(first or today(now), today(now))
    rules = availability.slot_rules(profile_id)
    last_day = today(now) + dt.timedelta(days=rules.horizon_days)
    start_day = min(start_day, last_day)
    end_day = start_day + dt.timedelta(days=DAYS_PER_PAGE)
    slots = availability.profile_free_slots(profile_id, local_day_start(start_day), local_day_start(end_day),
                                            now, duration)
    earlier = None
    if start_day > today(now):
        earlier = max(today(now), start_day - dt.timedelta(days=DAYS_PER_PAGE))
    return DayPicker(start_day, by_day(slots), earlier, end_day if end_day <= last_day else None)


def parse_start(value: str | None) -> dt.datetime | None:
    """A slot's start as it travels in URLs and forms ("2026-03-09T05:00", UTC), or None."""
    if not value or not isinstance(value, str) or len(value) > 32:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed.replace(second=0, microsecond=0)


def start_arg(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def is_free(profile_id: int, starts_at: dt.datetime, duration: int, now: dt.datetime | None = None) -> bool:
    """Is ``starts_at`` one of the profile's free slots of ``duration`` minutes?"""
    now = now or utcnow()
    found = availability.profile_free_slots(profile_id, starts_at, starts_at + dt.timedelta(minutes=1), now, duration)
    return any(slot.starts_at == starts_at for slot in found)


def thread_of(booking: Booking) -> Thread | None:
    """The booking's conversation, once one exists."""
    return db.session.scalars(select(Thread).where(Thread.booking_id == booking.id)).first()


# ---------------------------------------------------------------- the client's bookings


def _upcoming(now: dt.datetime):
    return and_(Booking.status.in_(BookingStatus.ACTIVE), Booking.ends_at > now)


def mine(user: PortalUser, when: str = UPCOMING, page: int = 1, now: dt.datetime | None = None,
         per_page: int = PER_PAGE) -> Page:
    """The user's bookings as a client: upcoming (active, not over; soonest first) or
    past (over, or declined/cancelled; latest first)."""
    now = now or utcnow()
    stmt = (select(Booking).where(Booking.client_id == user.id)
            .options(selectinload(Booking.service_item), selectinload(Booking.profile)))
    if when == PAST:
        return paged(stmt.where(not_(_upcoming(now))), (Booking.starts_at.desc(), Booking.id.desc()), page, per_page)
    return paged(stmt.where(_upcoming(now)), (Booking.starts_at, Booking.id), page, per_page)


def own(user: PortalUser, booking_id: int) -> Booking:
    """The booking if ``user`` is its client or its practitioner; NotFound otherwise."""
    return booking_service.get_visible(user, booking_id)


def cancel_notice(profile_id: int) -> int:
    value = db.session.scalar(select(BookingRules.cancel_notice_minutes)
                              .where(BookingRules.profile_id == profile_id))
    return BookingRules.DEFAULT_CANCEL_NOTICE if value is None else value


@dataclass
class ClientChange:
    """Whether the client may cancel or move the booking now, and until when (a confirmed
    booking: up to the practitioner's cancel notice before its start)."""

    allowed: bool
    deadline: dt.datetime | None  # naive UTC; None: until the start
    notice_minutes: int


def client_change(booking: Booking, now: dt.datetime | None = None) -> ClientChange:
    now = now or utcnow()
    notice = cancel_notice(booking.profile_id)
    if booking.status not in BookingStatus.ACTIVE or booking.starts_at <= now:
        return ClientChange(False, None, notice)
    if booking.status == BookingStatus.CONFIRMED:
        deadline = booking.starts_at - dt.timedelta(minutes=notice)
        return ClientChange(now <= deadline, deadline, notice)
    return ClientChange(True, None, notice)


def move_days(booking: Booking, first: dt.date | None = None, now: dt.datetime | None = None) -> DayPicker:
    """Free slots of the booking's length to move it to."""
    minutes = int((booking.ends_at - booking.starts_at).total_seconds() // 60)
    return free_days(booking.profile_id, minutes, first, now)

