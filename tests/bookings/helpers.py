"""Plain factory functions for the bookings tests (rows committed, like tests.factories)."""
from __future__ import annotations

import datetime as dt

from portal.core.extensions import db
from portal.models.bookings import (
    AvailabilityException,
    Booking,
    BookingRules,
    BookingStatus,
    ServiceItem,
    WorkingHours,
)
from portal.services.bookings.slots import to_utc


def hm(text: str) -> int:
    """"09:30" -> 570 (minutes after local midnight)."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    """A Kazakhstan local time as the naive UTC instant the database stores."""
    return to_utc(dt.datetime(y, m, d, hh, mm))


def make_service_item(profile, price=15000, duration=30, name_ru="Консультация", **fields) -> ServiceItem:
    item = ServiceItem(profile_id=profile.id, name_ru=name_ru, name_kk=fields.pop("name_kk", "Кеңес"),
                       name_en=fields.pop("name_en", "Consultation"), price=price, duration_minutes=duration,
                       **fields)
    db.session.add(item)
    db.session.commit()
    return item


def set_hours(profile, weekly: dict[int, list[tuple[str, str]]], **rules) -> None:
    """Weekly hours as {weekday: [("09:00", "13:00"), ...]} and the profile's rules."""
    for weekday, ranges in weekly.items():
        for a, b in ranges:
            db.session.add(WorkingHours(profile_id=profile.id, weekday=weekday,
                                        start_minute=hm(a), end_minute=hm(b)))
    if rules:
        db.session.add(BookingRules(profile_id=profile.id, **rules))
    db.session.commit()


def add_exception(profile, day: dt.date, start: str | None = None, end: str | None = None) -> None:
    db.session.add(AvailabilityException(
        profile_id=profile.id, day=day, start_minute=None if start is None else hm(start),
        end_minute=None if end is None else hm(end)))
    db.session.commit()


def booking_row(profile, client, item, starts_at: dt.datetime, minutes: int = 30,
                status: str = BookingStatus.REQUESTED) -> Booking:
    """A booking row, added to the session and not committed."""
    row = Booking(profile_id=profile.id, client_id=client.id, service_item_id=item.id,
                  starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
                  status=status, price=item.price, price_kind=item.price_kind)
    db.session.add(row)
    return row


def make_booking(profile, client, item, starts_at: dt.datetime, minutes: int = 30,
                 status: str = BookingStatus.REQUESTED) -> Booking:
    row = booking_row(profile, client, item, starts_at, minutes, status)
    db.session.commit()
    return row
