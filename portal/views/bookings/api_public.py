"""The public side of bookings in the API: a public profile's price list and
its free slots (``/api/v1/practitioners/<profile_id>/services`` and
``/slots``), as the profile and the booking page show them (services.bookings.client).
A profile whose category takes no bookings has an empty list and no slots."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from portal.core.clock import utcnow
from portal.forms.api.bookings import PriceListOut, SlotsOut, SlotsQuery
from portal.services.bookings import availability
from portal.services.bookings import client as client_service
from portal.services.bookings.slots import local_day_start, to_local
from portal.services.practitioners import profiles
from portal.views.api import Call, operation
from portal.views.bookings.api_common import BookingsBaseApi

LAST_DAY = 366  # days from today: later ones have no slots (the longest horizon)


class ProfileBookingsApi(BookingsBaseApi):
    resource_name = "practitioners"
    openapi_spec_tag = "Practitioners"

    @expose("/<int:profile_id>/services", methods=["GET"])
    @operation("A public profile's price list (services that can be booked), in the practitioner's order",
               public=True, response=PriceListOut)
    def services(self, profile_id: int, call: Call):
        profile = profiles.public_profile(profile_id)
        return {"profile_id": profile.id, "takes_bookings": client_service.takes_bookings(profile),
                "services": client_service.services(profile)}

    @expose("/<int:profile_id>/slots", methods=["GET"])
    @operation("A public profile's free slots from one local date to another (at most 60 days per call), "
               "of a service's duration: UTC instants with the local date and time",
               public=True, query=SlotsQuery, response=SlotsOut)
    def slots(self, profile_id: int, call: Call):
        profile = profiles.public_profile(profile_id)
        now = utcnow()
        today = to_local(now).date()
        first, last = SlotsQuery().validate_range(call.query, today)
        item = None
        if call.query.get("service_id") is not None:
            item = client_service.service_of(profile, call.query["service_id"])
            if item is None:
                raise ValidationError({"service_id": [_l("This service does not exist or is no longer offered.")]})
        duration = item.duration_minutes if item is not None else availability.slot_rules(profile.id).slot_minutes
        found = []
        # past dates and dates beyond any horizon have no slots (and stay within datetime's range)
        start_day, end_day = max(first, today), min(last, today + dt.timedelta(days=LAST_DAY))
        if client_service.takes_bookings(profile) and start_day <= end_day:
            found = availability.profile_free_slots(
                profile.id, local_day_start(start_day), local_day_start(end_day + dt.timedelta(days=1)), now,
                duration)
        return {"profile_id": profile.id, "takes_bookings": client_service.takes_bookings(profile),
                "service_id": item.id if item is not None else None, "duration_minutes": duration,
                "from": first, "to": last, "slots": found}
