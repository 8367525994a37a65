"""What the client's and the practitioner's "move the booking" pages share: the move
attempt (services.bookings.booking.move, its refusals as the page shows them) and the
day and free-time picker of the new time."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import gettext as _

from portal.core.errors import ServiceError
from portal.core.http import refused
from portal.services.bookings import booking as booking_service
from portal.services.bookings import client as client_service
from portal.services.bookings.slots import to_local
from portal.views.bookings.book import _day


@dataclass
class MoveForm:
    """The move page's state: the chosen start, the reason, and what went wrong."""

    start: object = None
    reason: str = ""
    error: object = None
    alternatives: list | None = None  # the next free times after a taken one
    status: int = 200
    moved: bool = False
    picker: object = None
    day: object = None

    def page(self, booking, allowed: bool) -> dict:
        """The template's context: the picker when the booking may move and no taken
        time's alternatives are shown; a link builder for the picker's choices."""
        if allowed and self.alternatives is None:
            self.picker = client_service.move_days(booking, _day(request.args.get("from")))
            day = _day(request.args.get("day")) or (to_local(self.start).date() if self.start else None)
            if day is None or not self.picker.slots_of(day):
                day = self.picker.days[0][0] if self.picker.days else None
            self.day = day

        def link(day=None, start=None, from_=None) -> str:
            return url_for(".move", booking_id=booking.id, day=day, start=start,
                           **({"from": from_} if from_ else {}))

        return dict(booking=booking, picker=self.picker, day=self.day, start=self.start, reason=self.reason,
                    error=self.error, alternatives=self.alternatives, start_arg=client_service.start_arg,
                    link=link)


def attempt_move(user, booking_id: int) -> MoveForm:
    """Read the form; on a POST move the booking (``moved``) or say why not (a taken time:
    409 with the next free times; another refusal or no time chosen: 400)."""
    form = MoveForm(start=client_service.parse_start(request.values.get("start")),
                    reason=request.form.get("reason", ""))
    if request.method != "POST":
        return form
    form.status = 400
    if form.start is None:
        form.error = _("Please choose a free time.")
        return form
    try:
        booking_service.move(user, booking_id, form.start, form.reason)
    except booking_service.SlotTaken as err:
        refused(err)
        form.error, form.alternatives, form.start, form.status = err.message, err.next_slots, None, 409
    except ServiceError as err:
        refused(err)
        form.error = err.message
    else:
        form.moved = True
    return form
