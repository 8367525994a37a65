"""The addresses of a booking's page for each side (notifications, emails, the
.ics and the feed link to them). Services have no request context, so the path
is built here, in the recipient's language (core.lang_urls routes /kk/..., /ru/...):

    the client:        /<lang>/bookings/<id>           (views/bookings/client.py)
    the practitioner:  /<lang>/practice/bookings/<id>  (views/bookings/practice_bookings.py)
"""
from __future__ import annotations

from portal.models.accounts import PortalUser
from portal.models.bookings import Booking
from portal.services.notifications.inbox import user_locale


def is_practitioner_of(booking: Booking, user: PortalUser | None) -> bool:
    return (user is not None and booking.profile is not None
            and booking.profile.user_id == getattr(user, "id", None))


def booking_url(booking: Booking, for_user: PortalUser, lang: str | None = None) -> str:
    """The local path of ``booking``'s page for ``for_user`` (its practitioner gets the
    practice page, anyone else the client's), in ``lang`` or the user's language."""
    lang = lang or user_locale(for_user)
    if is_practitioner_of(booking, for_user):
        return f"/{lang}/practice/bookings/{booking.id}"
    return f"/{lang}/bookings/{booking.id}"
