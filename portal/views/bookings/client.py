"""The client's bookings: /<lang>/bookings (upcoming and past, paged) and
/<lang>/bookings/<id> (details, status, the price as booked, place and mode, files,
the conversation and the review when they exist), with cancelling (a reason, after a
confirmation page) and moving to another free slot, within the practitioner's
cancel notice (services.bookings.booking enforces it). A booking of someone else
is a 404 on every route; the booked practitioner may open the details page too
(notification links), without the client's actions."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.http import refused
from portal.core.paging import page_arg
from portal.services.bookings import booking as booking_service
from portal.services.bookings import client as client_service
from portal.services.bookings.slots import to_local
from portal.services.exchange import booking_files, reviews
from portal.views.bookings import moving
from portal.views.bookings.book import BookView

T = "portal/bookings/client/"
class ClientBookingsView(BaseView):
    route_base = "/bookings"
    default_view = "index"

    def _own(self, booking_id: int):
        try:
            return client_service.own(g.user, booking_id)
        except NotFound as err:
            refused(err)  # 404

    def _client_only(self, booking_id: int):
        booking = self._own(booking_id)
        if booking_service.viewer_role(g.user, booking) != booking_service.CLIENT:
            refused(NotFound(_l("This booking does not exist or is not yours.")))
        return booking

    @expose("/")
    @has_access
    def index(self):
        when = client_service.PAST if request.args.get("when") == client_service.PAST else client_service.UPCOMING
        page = client_service.mine(g.user, when, page=page_arg())
        return self.render_template(T + "index.html", page=page, when=when)

    @expose("/<int:booking_id>")
    @has_access
    def show(self, booking_id: int):
        booking = self._own(booking_id)
        role = booking_service.viewer_role(g.user, booking)
        thread = client_service.thread_of(booking)
        started = booking.status == "confirmed" and booking.starts_at <= utcnow()
        review_url = None  # the review form (views.bookings.review): after an attended appointment
        if role == booking_service.CLIENT and reviews.booking_reviewable(booking):
            review_url = url_for("BookingReviewsView.new", booking_id=booking.id)
        return self.render_template(
            T + "show.html", booking=booking, role=role, change=client_service.client_change(booking),
            files=booking_files.of(booking), thread=thread, review_url=review_url,
            may_mark_no_show=role == booking_service.CLIENT and started)

    @expose("/<int:booking_id>/cancel", methods=["GET", "POST"])
    @has_access
    def cancel(self, booking_id: int):
        booking = self._client_only(booking_id)
        error, reason = None, request.form.get("reason", "")
        if request.method == "POST":
            try:
                booking_service.cancel(g.user, booking.id, reason)
            except ServiceError as err:
                refused(err)
                error = err.message
                booking = self._client_only(booking_id)
            else:
                flash(str(_l("The booking was cancelled.")), "success")
                return redirect(url_for(".show", booking_id=booking.id))
        return self.render_template(T + "cancel.html", booking=booking, reason=reason, error=error,
                                    change=client_service.client_change(booking))

    @expose("/<int:booking_id>/no-show", methods=["GET", "POST"])
    @has_access
    def no_show(self, booking_id: int):
        """The client marks that the practitioner did not come (a confirmation page first)."""
        booking = self._client_only(booking_id)
        if request.method == "POST":
            try:
                booking_service.mark_no_show(g.user, booking.id)
            except ServiceError as err:
                refused(err)
                flash(str(err.message), "danger")
            else:
                flash(str(_l("Noted: the practitioner did not come. You can also file a complaint.")), "success")
            return redirect(url_for(".show", booking_id=booking.id))
        return self.render_template(T + "no_show.html", booking=booking)

    @expose("/<int:booking_id>/move", methods=["GET", "POST"])
    @has_access
    def move(self, booking_id: int):
        self._client_only(booking_id)
        form = moving.attempt_move(g.user, booking_id)
        if form.moved:
            flash(str(_l("The booking was moved.")), "success")
            return redirect(url_for(".show", booking_id=booking_id))
        booking = self._client_only(booking_id)
        change = client_service.client_change(booking)
        return self.render_template(T + "move.html", change=change, **form.page(booking, change.allowed))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(BookView())
    appbuilder.add_view(ClientBookingsView, "My bookings", href="/bookings/", icon="clock",
                        label=_l("My bookings"), category="My area")
    env = current_app.jinja_env
    env.globals["kz_local"] = to_local  # naive UTC -> Kazakhstan local time, for display
