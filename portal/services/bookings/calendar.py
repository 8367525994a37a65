"""Bookings as iCalendar (RFC 5545, the ``icalendar`` library): the .ics file sent with
a confirmation, and each practitioner's private feed that a calendar app subscribes to.

* ``booking_ics(booking, locale)``: one event, for the client, in their language.
* The feed: ``BookingRules.feed_token`` is the secret in the feed's URL
  (``/calendar/<token>.ics``, views.bookings.calendar); ``reset_feed`` makes a new one
  (the old URL stops working at once) and is audited; ``feed_for_token`` lists the
  practitioner's bookings of the last RECENT_DAYS and all later ones: the client's
  name and the service, never the client's note. Cancelled and declined bookings stay
  in it as STATUS:CANCELLED, so subscribed calendars drop them.

Every event has a UID that stays the same for the booking (a moved booking updates
the event, never doubles it); times are UTC (``DTSTART:...Z``).
"""
from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select

from portal.core import audit, tx
from portal.core.amounts import format_money
from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingRules, BookingStatus, ServiceMode
from portal.models.practitioners import PractitionerProfile
from portal.services.bookings.links import booking_url

PRODID = "-//AlemTrust//Bookings//EN"
RECENT_DAYS = 30
FEED_LIMIT = 2000
TOKEN_BYTES = 32  # 43 URL-safe characters
AUDIT_ENTITY = "booking_feed"

STATUS = {BookingStatus.REQUESTED: "TENTATIVE", BookingStatus.CONFIRMED: "CONFIRMED",
          BookingStatus.ATTENDED: "CONFIRMED", BookingStatus.NO_SHOW: "CONFIRMED",
          BookingStatus.DECLINED: "CANCELLED", BookingStatus.CANCELLED: "CANCELLED"}

_STATUS_TEXT = {BookingStatus.REQUESTED: _l("Waiting for the practitioner's confirmation"),
                BookingStatus.CONFIRMED: _l("Confirmed"), BookingStatus.DECLINED: _l("Declined"),
                BookingStatus.CANCELLED: _l("Cancelled"), BookingStatus.ATTENDED: _l("Attended"),
                BookingStatus.NO_SHOW: _l("Did not come")}
_MODE = {ServiceMode.IN_PERSON: _l("In person"), ServiceMode.PHONE: _l("By phone"),
         ServiceMode.ONLINE: _l("Online")}


def _base() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/")


def uid(booking: Booking) -> str:
    host = urlsplit(_base()).hostname or "localhost"
    return f"booking-{booking.id}@{host}"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc)


def office_address(profile: PractitionerProfile | None, locale: str) -> str:
    """The practitioner's office address when the profile has one (an ``office_address``
    or ``address`` field, per language or plain), else ""."""
    if profile is None:
        return ""
    for name in ("office_address", "address"):
        value = getattr(profile, f"{name}_{locale}", None) or getattr(profile, name, None)
        if not value and hasattr(profile, f"{name}_ru"):
            value = getattr(profile, f"{name}_ru", None) or getattr(profile, f"{name}_kk", None)
        if value:
            return str(value).strip()
    return ""


def _event(booking: Booking, locale: str, for_practitioner: bool, stamp: dt.datetime) -> Event:
    item, profile = booking.service_item, booking.profile
    service = item.tr("name", locale) if item is not None else ""
    other = (booking.client.display_name if booking.client is not None else "") if for_practitioner \
        else (profile.name if profile is not None else "")
    with force_locale(locale):
        mode = str(_MODE.get(item.mode, "")) if item is not None else ""
        price = format_money(booking.price, locale)
        price_line = (str(_l("Price from %(price)s", price=price)) if booking.price_kind == "from"
                      else str(_l("Price: %(price)s", price=price)))
        status = str(_STATUS_TEXT.get(booking.status, ""))
    address = office_address(profile, locale)
    lines = [f"{service} — {other}", mode, price_line, status]
    if address:
        lines.append(address)
    if for_practitioner and profile is not None:
        lines.append(_base() + booking_url(booking, profile.user, lang=locale))
    elif booking.client is not None:
        lines.append(_base() + booking_url(booking, booking.client, lang=locale))

    event = Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(booking.starts_at))
    event.add("dtend", _utc(booking.ends_at))
    event.add("summary", f"{service} — {other}" if other else service)
    event.add("status", STATUS.get(booking.status, "TENTATIVE"))
    event.add("last-modified", _utc(booking.updated_at or booking.created_at or stamp))
    event.add("description", "\n".join(line for line in lines if line))
    if address:
        event.add("location", address)
    elif item is not None and item.mode != ServiceMode.IN_PERSON:
        event.add("location", mode)
    return event


def _calendar(name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def booking_ics(booking: Booking, locale: str, now: dt.datetime | None = None) -> bytes:
    """The client's .ics of ``booking`` (one event), in ``locale``."""
    cal = _calendar()
    cal.add_component(_event(booking, locale, for_practitioner=False, stamp=now or utcnow()))
    return cal.to_ical()


def ics_filename(booking: Booking) -> str:
    return f"booking-{booking.id}.ics"


# ---------------------------------------------------------------- the private feed


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def feed_url(profile: PractitionerProfile) -> str | None:
    """The absolute URL of the profile's feed, or None while it has none."""
    token = db.session.scalar(select(BookingRules.feed_token).where(BookingRules.profile_id == profile.id))
    return _base() + feed_path(token) if token else None


def reset_feed(user) -> str:
    """Create the practitioner's feed URL, or replace it (the old one stops working).
    Returns the new absolute URL. NotFound/ServiceError when the user has no practice
    that takes bookings."""
    from portal.services.bookings.schedule import own_profile

    profile = own_profile(user)
    rules = db.session.get(BookingRules, profile.id)
    if rules is None:
        rules = BookingRules(profile_id=profile.id)
        db.session.add(rules)
    had = bool(rules.feed_token)
    rules.feed_token = secrets.token_urlsafe(TOKEN_BYTES)
    # the token itself is a secret: never written to the audit trail
    audit.record(AUDIT_ENTITY, profile.id, "set" if had else None, "set", user.id,
                 "reset" if had else "created", action="feed_reset" if had else "feed_created")
    tx.commit()
    return _base() + feed_path(rules.feed_token)


def _profile_for_token(token: str | None) -> PractitionerProfile:
    missing = NotFound(_l("This calendar address does not exist. Ask for the current one in your booking settings."))
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        raise missing
    profile_id = db.session.scalar(select(BookingRules.profile_id).where(BookingRules.feed_token == token))
    profile = db.session.get(PractitionerProfile, profile_id) if profile_id is not None else None
    if profile is None or profile.user is None or not profile.user.is_active:
        raise missing
    return profile


def feed_for_token(token: str, now: dt.datetime | None = None) -> bytes:
    """The feed of the practitioner whose current token is ``token`` (NotFound for any
    other): bookings from RECENT_DAYS ago on, in the practitioner's language."""
    from portal.services.notifications.inbox import user_locale

    now = now or utcnow()
    profile = _profile_for_token(token)
    locale = user_locale(profile.user)
    with force_locale(locale):
        name = str(_l("AlemTrust bookings"))
    cal = _calendar(name)
    rows = db.session.scalars(
        select(Booking).where(Booking.profile_id == profile.id,
                              Booking.starts_at >= now - dt.timedelta(days=RECENT_DAYS))
        .order_by(Booking.starts_at, Booking.id).limit(FEED_LIMIT))
    for booking in rows:
        cal.add_component(_event(booking, locale, for_practitioner=True, stamp=now))
    return cal.to_ical()
