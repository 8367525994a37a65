"""The practitioner's bookings: /<lang>/practice/bookings (upcoming first, a status
filter, paged) and /<lang>/practice/bookings/<id> (the client, the service, the
price as booked, the note, the files, the conversation) with confirm, decline,
cancel, move, attended and no-show. Every change is services.bookings.booking;
a booking of another practitioner (or of nobody's practice) is a 404 on every
route; a refusal is shown on the page, a taken time with the next free slots."""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.http import refused
from portal.core.paging import page_arg
from portal.forms.bookings import STATUS_LABELS, ReasonForm
from portal.models.bookings import BookingStatus
from portal.services.bookings import booking as booking_service
from portal.services.bookings import client as client_service
from portal.services.bookings import lists
from portal.services.bookings.practice import any_profile
from portal.services.exchange import booking_files
from portal.views.bookings import moving

T = "portal/bookings/practice/"
PER_PAGE = 20
WHEN = (lists.UPCOMING, lists.PAST, "all")


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class PracticeBookingsView(BaseView):
    route_base = "/practice/bookings"
    default_view = "index"

    def _own(self, booking_id: int):
        """The booking of the user's own practice; anyone else's: 404."""
        try:
            booking = booking_service.get_visible(g.user, booking_id)
        except NotFound:
            abort(404)
        if booking_service.viewer_role(g.user, booking) != booking_service.PRACTITIONER:
            abort(404)
        return booking

    @expose("/")
    @has_access
    def index(self):
        try:
            profile = any_profile(g.user)
        except ServiceError as err:
            refused(ServiceError(err.message))
            return self.render_template(T + "unavailable.html", message=err.message), 403
        when = request.args.get("when") if request.args.get("when") in WHEN else lists.UPCOMING
        status = request.args.get("status") if request.args.get("status") in BookingStatus.ALL else None
        page = lists.profile_bookings(profile.id, status=status, when=None if when == "all" else when,
                                      page=page_arg(), per_page=PER_PAGE)
        return self.render_template(T + "bookings.html", profile=profile, page=page, when=when, status=status,
                                    status_labels=STATUS_LABELS,
                                    takes_bookings=bool(profile.category and profile.category.takes_bookings))

    @expose("/<int:booking_id>")
    @has_access
    def show(self, booking_id: int):
        booking = self._own(booking_id)
        return self._show(booking)

    def _show(self, booking, error=None, status: int = 200):
        thread = client_service.thread_of(booking)
        # the conversation: open it, or start it (not for a declined or cancelled booking without one)
        startable = booking.status not in (BookingStatus.DECLINED, BookingStatus.CANCELLED)
        thread_url = (url_for("ThreadsView.booking", booking_id=booking.id)
                      if thread is not None or startable else None)
        files = booking_files.of(booking)
        can_download = "AttachmentsView.download" in current_app.view_functions
        return self.render_template(
            T + "booking.html", booking=booking, error=error, thread=thread, thread_url=thread_url,
            files=files, can_download=can_download, status_labels=STATUS_LABELS,
            actions=_actions(booking), reason_form=ReasonForm(formdata=None)), status

    # --- decisions ----------------------------------------------------------------------

    @expose("/<int:booking_id>/confirm", methods=["POST"])
    @has_access
    def confirm(self, booking_id: int):
        booking = self._own(booking_id)
        return self._decide(booking, lambda: booking_service.confirm(g.user, booking.id),
                            _l("The booking is confirmed. The client will be told."))

    @expose("/<int:booking_id>/attended", methods=["POST"])
    @has_access
    def attended(self, booking_id: int):
        booking = self._own(booking_id)
        return self._decide(booking, lambda: booking_service.mark_attended(g.user, booking.id),
                            _l("The booking is marked as attended."))

    @expose("/<int:booking_id>/no-show", methods=["GET", "POST"])
    @has_access
    def no_show(self, booking_id: int):
        booking = self._own(booking_id)
        if request.method == "GET":
            return self.render_template(
                T + "confirm.html", title=_l("Mark that the client did not come?"),
                what=booking.client.display_name if booking.client else "",
                note=_l("Moderators may see this mark when they review complaints."),
                action=url_for(".no_show", booking_id=booking.id), button=_l("The client did not come"),
                back=url_for(".show", booking_id=booking.id))
        return self._decide(booking, lambda: booking_service.mark_no_show(g.user, booking.id),
                            _l("The booking is marked: the client did not come."))

    def _decide(self, booking, call, done_message):
        try:
            call()
        except ServiceError as err:
            refused(err)
            booking = self._own(booking.id)
            return self._show(booking, error=err.message, status=409)
        flash(str(done_message), "success")
        return redirect(url_for(".show", booking_id=booking.id))

    @expose("/<int:booking_id>/decline", methods=["GET", "POST"])
    @has_access
    def decline(self, booking_id: int):
        return self._with_reason(booking_id, "decline")

    @expose("/<int:booking_id>/cancel", methods=["GET", "POST"])
    @has_access
    def cancel(self, booking_id: int):
        return self._with_reason(booking_id, "cancel")

    def _with_reason(self, booking_id: int, kind: str):
        booking = self._own(booking_id)
        form = ReasonForm() if request.method == "POST" else ReasonForm(formdata=None)
        error = None
        if request.method == "POST" and form.validate():
            try:
                if kind == "decline":
                    booking_service.decline(g.user, booking.id, form.reason.data or "")
                else:
                    booking_service.cancel(g.user, booking.id, form.reason.data or "")
            except ServiceError as err:
                refused(err)
                booking = self._own(booking_id)
                if err.field == "reason":
                    form.reason.errors = list(form.reason.errors or ()) + [err.message]
                else:
                    error = err.message
            else:
                flash(str(_l("The booking was declined.") if kind == "decline" else _l("The booking was cancelled.")),
                      "success")
                return redirect(url_for(".show", booking_id=booking.id))
        return self.render_template(T + "reason.html", booking=booking, form=form, kind=kind, error=error,
                                    status_labels=STATUS_LABELS), (200 if request.method == "GET" else 400)

    @expose("/<int:booking_id>/move", methods=["GET", "POST"])
    @has_access
    def move(self, booking_id: int):
        self._own(booking_id)
        form = moving.attempt_move(g.user, booking_id)
        if form.moved:
            flash(str(_l("The booking was moved. The client will be told.")), "success")
            return redirect(url_for(".show", booking_id=booking_id))
        booking = self._own(booking_id)
        movable = booking.status in BookingStatus.ACTIVE and booking.starts_at > utcnow()
        return self.render_template(T + "move.html", movable=movable, status_labels=STATUS_LABELS,
                                    **form.page(booking, movable)), form.status


def _actions(booking) -> set[str]:
    """What the practitioner may do with the booking now (the service checks again)."""
    now = utcnow()
    out: set[str] = set()
    started = booking.starts_at <= now
    if booking.status == BookingStatus.REQUESTED and not started:
        out.update(("confirm", "decline"))
    if booking.status in BookingStatus.ACTIVE and not started:
        out.update(("cancel", "move"))
    if booking.status == BookingStatus.CONFIRMED and started:
        out.update(("attended", "no_show"))
    return out


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PracticeBookingsView)
