"""Who hears of each booking change (services.bookings.booking and .reminders call
these inside the transaction of the change: a rollback loses the notice with it).

    booked      -> the practitioner: booking_requested, or booking_auto_confirmed
                   (and then the client: booking_confirmed, with the .ics)
    confirmed   -> the client: booking_confirmed, with the .ics
    declined    -> the client: booking_declined
    cancelled   -> the other side: booking_cancelled, with the reason
    moved       -> the other side: booking_moved, with the reason (a confirmed booking's
                   client gets the updated .ics: the same UID, so calendars move the event)
    reminder    -> both sides: booking_reminder (24 h and 2 h before)

Texts are rendered in each recipient's language (kinds.KINDS): the parameters carry
the service's name and the time (Kazakhstan local time) in every language.
"""
from __future__ import annotations

from flask_babel import force_locale

from portal.core.formats import format_datetime
from portal.models.bookings import Booking, BookingStatus
from portal.models.practitioners import SERVICE_LANGUAGES
from portal.services.bookings import calendar
from portal.services.bookings.links import booking_url, is_practitioner_of
from portal.services.bookings.slots import to_local
from portal.services.notifications import inbox
from portal.services.notifications.mailer import MailFile


def when_texts(booking: Booking) -> dict[str, str]:
    """The booking's start in Kazakhstan time, written in each language."""
    local = to_local(booking.starts_at)
    out = {}
    for code in SERVICE_LANGUAGES:
        with force_locale(code):
            out[code] = format_datetime(local, "medium", rebase=False)
    return out


def service_names(booking: Booking) -> dict[str, str]:
    item = booking.service_item
    if item is None:
        return {}
    return {code: getattr(item, f"name_{code}", "") or "" for code in SERVICE_LANGUAGES}


def _name(user) -> str:
    return (getattr(user, "display_name", "") or "") if user is not None else ""


def _tell(recipient, kind: str, booking: Booking, other, attachments=None, **extra) -> None:
    if recipient is None:
        return
    inbox.notify(recipient, kind, booking_url(booking, recipient), attachments=attachments,
                 service=service_names(booking), when=when_texts(booking), name=_name(other), **extra)


def ics_files(booking: Booking):
    """The .ics of ``booking`` for its client's email, rendered in the email's language."""
    def make(locale: str) -> list[MailFile]:
        return [MailFile(calendar.ics_filename(booking), "text/calendar", calendar.booking_ics(booking, locale))]
    return make


def _sides(booking: Booking):
    practitioner = booking.profile.user if booking.profile is not None else None
    return booking.client, practitioner


def booked(booking: Booking) -> None:
    client, practitioner = _sides(booking)
    if booking.status == BookingStatus.CONFIRMED:
        _tell(practitioner, "booking_auto_confirmed", booking, client)
        _tell(client, "booking_confirmed", booking, practitioner, attachments=ics_files(booking))
    else:
        _tell(practitioner, "booking_requested", booking, client)


def confirmed(booking: Booking) -> None:
    client, practitioner = _sides(booking)
    _tell(client, "booking_confirmed", booking, practitioner, attachments=ics_files(booking))


def declined(booking: Booking) -> None:
    client, practitioner = _sides(booking)
    _tell(client, "booking_declined", booking, practitioner)


def _other_side(booking: Booking, actor):
    client, practitioner = _sides(booking)
    return (client, practitioner) if is_practitioner_of(booking, actor) else (practitioner, client)


def cancelled(booking: Booking, actor) -> None:
    recipient, _ = _other_side(booking, actor)
    _tell(recipient, "booking_cancelled", booking, actor, reason=booking.reason or "")


def moved(booking: Booking, actor, reason: str) -> None:
    recipient, _ = _other_side(booking, actor)
    files = None
    if recipient is booking.client and booking.status == BookingStatus.CONFIRMED:
        files = ics_files(booking)
    _tell(recipient, "booking_moved", booking, actor, attachments=files, reason=reason)


def reminder(booking: Booking) -> None:
    client, practitioner = _sides(booking)
    _tell(client, "booking_reminder", booking, practitioner)
    _tell(practitioner, "booking_reminder", booking, client)
