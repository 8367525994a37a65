"""Bookings API (``/api/v1``): a profile's price list and free slots (public,
api_public), booking and one's bookings with their transitions (api_client),
the practitioner's bookings, price list, hours, rules, exceptions and
calendar feed (api_practice); what they share is in api_common. This module
registers them."""
from __future__ import annotations

from portal.views.bookings.api_client import BookingsApi
from portal.views.bookings.api_practice import PracticeBookingsApi
from portal.views.bookings.api_public import ProfileBookingsApi

APIS = (ProfileBookingsApi, BookingsApi, PracticeBookingsApi)


def register(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
