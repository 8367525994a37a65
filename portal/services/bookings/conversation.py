"""A booking's conversation: one thread per booking (Thread.booking_id, request_id
NULL), between the booking's client and the profile's owner.

The thread is made lazily: ``thread_for`` gets or creates it (the booking page's
"Write to the practitioner / client" link and the first message call it through
services.exchange.messages.open_booking_thread), so booking.book() needs no
change; ``open_for`` is the same for a caller that wants it at booking time.
Neither commits: the caller's transaction does.

Who may write, when (services.exchange.messages asks ``writable``): the two
parties, while the booking is requested or confirmed, and after an attended or
missed appointment for WRITE_DAYS_AFTER days (for follow-up questions and
documents); a declined or cancelled booking's conversation is closed (the
reason is on the booking). Contacts (name, email, phone) are shown to the other
side once the booking is confirmed.

This module knows no other service of the exchange (services.exchange uses it,
never the other way round: no import cycle between the two packages).
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.core.formats import format_datetime
from portal.models.bookings import Booking, BookingStatus
from portal.models.exchange import Thread
from portal.services.bookings.slots import to_local

WRITE_DAYS_AFTER = 30
# The statuses in which the other side's contacts are shown.
CONTACTS_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


def find(booking_id: int) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.booking_id == booking_id))


def thread_for(booking: Booking) -> Thread:
    """The booking's conversation, made when it does not exist yet (added to the
    session and flushed, not committed). A concurrent maker of the same thread
    loses on the unique booking_id and gets the winner's row."""
    thread = find(booking.id)
    if thread is not None:
        return thread
    thread = Thread(booking_id=booking.id, profile_id=booking.profile_id, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(thread)
    except IntegrityError:
        thread = find(booking.id)
        if thread is None:
            raise
    return thread


def open_for(booking: Booking) -> Thread:
    """For booking.book() after its flush, if the thread should exist from the start."""
    return thread_for(booking)


# --- what the exchange's conversation pages and services ask of a booking thread ----------------

def client_of(thread: Thread):
    """The client of the thread's request or booking."""
    return thread.booking.client if thread.booking_id is not None else thread.request.client


def client_id_of(thread: Thread) -> int:
    return thread.booking.client_id if thread.booking_id is not None else thread.request.client_id


def when(booking: Booking) -> str:
    """The booking's local date and time as the page's language writes it."""
    return format_datetime(to_local(booking.starts_at), "short", rebase=False)


def booking_title(booking: Booking) -> str:
    """"<service> · <local date and time>" in the current language."""
    item = booking.service_item
    name = item.name if item is not None else ""
    return f"{name} · {when(booking)}" if name else when(booking)


def title(thread: Thread) -> str:
    """What the conversation is about: the request's title, or the booking's service and time."""
    if thread.booking_id is not None:
        return booking_title(thread.booking)
    return thread.request.title if thread.request is not None else ""


def title_param(thread: Thread):
    """The title as a notification parameter: a request's title as it is; a booking's
    in every language (the reader's is shown)."""
    if thread.booking_id is None:
        return thread.request.title
    return booking_title_param(thread.booking)


def booking_title_param(booking: Booking) -> dict[str, str]:
    """``booking_title`` in every language of the portal (a notification parameter)."""
    titles = {}
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            titles[code] = booking_title(booking)
    return titles


def status_of(thread: Thread) -> str:
    return thread.booking.status if thread.booking_id is not None else thread.request.status


def writable(booking: Booking, now: dt.datetime | None = None) -> bool:
    """May the parties write in the booking's conversation now?"""
    if booking.status in BookingStatus.ACTIVE:
        return True
    if booking.status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
        return (now or utcnow()) <= booking.ends_at + dt.timedelta(days=WRITE_DAYS_AFTER)
    return False


def contacts_visible(booking: Booking) -> bool:
    return booking.status in CONTACTS_STATUSES
