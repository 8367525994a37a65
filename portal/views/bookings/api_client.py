"""Bookings API (``/api/v1/bookings``): book a free slot of a public profile
(JSON, or multipart with files), my bookings as a client, and one booking as
either side sees it, with its transitions: the client or the practitioner
cancels or moves it; the practitioner confirms, declines, and marks it
attended or missed. Every rule is services.bookings.booking's, as for the web
pages (views.bookings.book, client, practice_bookings); a booking of someone
else is a 404, a time that cannot be booked a 409 with the next free slots."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.forms.api.bookings import BookingIn, BookingOut, BookingQuery, MoveIn, ReasonIn
from portal.services.bookings import booking as booking_service
from portal.services.bookings import client as client_service
from portal.services.exchange import booking_files
from portal.views.api import Call, operation
from portal.views.bookings.api_common import SLOT_TAKEN, BookingsBaseApi, api_fields, slot_taken

FILE_ERRORS = (413,)
# the web pages these endpoints mirror: the same roles reach them (portal.security)
CLIENT_VIEW = "ClientBookingsView"  # my bookings; a booking's page (either side), cancel, move
PRACTICE_VIEW = "PracticeBookingsView"  # the practitioner's decisions


class BookingsApi(BookingsBaseApi):
    resource_name = "bookings"
    openapi_spec_tag = "Bookings"

    @expose("/", methods=["GET"])
    @operation("My bookings as a client: upcoming (not over yet, soonest first; the default) or past "
               "(over, declined or cancelled; latest first)", query=BookingQuery, response=BookingOut,
               paged=True, permission=("can_index", CLIENT_VIEW))
    def index(self, call: Call):
        when = client_service.PAST if call.query.get("when") == "past" else client_service.UPCOMING
        return client_service.mine(call.user, when, page=call.page, per_page=call.per_page)

    @expose("/", methods=["POST"])
    @operation("Book a free slot of a public profile for one service of its price list (starts_at: one of "
               "the slots' starts_at). JSON, or multipart/form-data with files in the field files. Requested, "
               "or confirmed at once when the practitioner auto-confirms. A time that cannot be booked: 409 "
               "with next_slots", body=BookingIn, multipart=True, files="files", response=BookingOut,
               status=201, errors=(SLOT_TAKEN, *FILE_ERRORS),
               permission=("can_index", CLIENT_VIEW))
    def create(self, call: Call):
        data = call.data
        try:
            with api_fields("profile_id"):
                booking_files.check(call.files)
                booking = booking_service.book(call.user, data["profile_id"], data["service_id"],
                                               data["starts_at"], data["note"])
        except booking_service.SlotTaken as err:
            return slot_taken(err)
        booking_files.store(call.user, booking, call.files)
        return booking

    @expose("/<int:booking_id>", methods=["GET"])
    @operation("One booking, as its client or its practitioner sees it", response=BookingOut,
               permission=("can_show", CLIENT_VIEW))
    def show(self, booking_id: int, call: Call):
        return booking_service.get_visible(call.user, booking_id)

    @expose("/<int:booking_id>/cancel", methods=["POST"])
    @operation("Cancel a requested or confirmed booking before it starts, with a reason (either side; the "
               "client a confirmed one only up to the practitioner's cancel notice)", body=ReasonIn,
               response=BookingOut, permission=("can_cancel", CLIENT_VIEW))
    def cancel(self, booking_id: int, call: Call):
        with api_fields():
            return booking_service.cancel(call.user, booking_id, call.data["reason"])

    @expose("/<int:booking_id>/move", methods=["POST"])
    @operation("Move a requested or confirmed booking to another free slot of the same length, with a reason "
               "(either side; the client only up to the cancel notice). A time that cannot be booked: 409 "
               "with next_slots", body=MoveIn, response=BookingOut, errors=(SLOT_TAKEN,),
               permission=("can_move", CLIENT_VIEW))
    def move(self, booking_id: int, call: Call):
        try:
            with api_fields():
                return booking_service.move(call.user, booking_id, call.data["starts_at"], call.data["reason"])
        except booking_service.SlotTaken as err:
            return slot_taken(err)

    @expose("/<int:booking_id>/confirm", methods=["POST"])
    @operation("Confirm a requested booking (its practitioner)", response=BookingOut,
               permission=("can_confirm", PRACTICE_VIEW))
    def confirm(self, booking_id: int, call: Call):
        return booking_service.confirm(call.user, booking_id)

    @expose("/<int:booking_id>/decline", methods=["POST"])
    @operation("Decline a requested booking, with an optional reason (its practitioner); the time is free "
               "again", body=ReasonIn, response=BookingOut,
               permission=("can_decline", PRACTICE_VIEW))
    def decline(self, booking_id: int, call: Call):
        with api_fields():
            return booking_service.decline(call.user, booking_id, call.data["reason"])

    @expose("/<int:booking_id>/attended", methods=["POST"])
    @operation("Mark a confirmed booking attended, after its start (its practitioner)", response=BookingOut,
               permission=("can_attended", PRACTICE_VIEW))
    def attended(self, booking_id: int, call: Call):
        return booking_service.mark_attended(call.user, booking_id)

    @expose("/<int:booking_id>/no-show", methods=["POST"])
    @operation("Mark that the other side did not come to a confirmed booking, after its start (the "
               "practitioner: the client; the client: the practitioner)",
               response=BookingOut, permission=("can_no_show", CLIENT_VIEW))
    def no_show(self, booking_id: int, call: Call):
        return booking_service.mark_no_show(call.user, booking_id)
