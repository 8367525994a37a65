"""The review after an appointment: /<lang>/bookings/<id>/review shows the client's
review of an attended booking (or the form to write it) and takes the form's POST;
/<lang>/bookings/<id>/review/edit saves an edit within the edit window. Thin: the
rules (attended only, one per booking, the edit window, the 6.6 flag) are
services.exchange.reviews; the form and its fields are the request review's
(forms.exchange.ReviewForm, the ``rating_fields`` macro). The practitioner replies
on their "Reviews of my work" page, as for a request's review."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError
from portal.core.http import refuse
from portal.forms.exchange import ReviewForm
from portal.services.bookings import conversation as booking_subject
from portal.services.exchange import reviews as reviews_service

T = "portal/bookings/review.html"


class BookingReviewsView(BaseView):
    route_base = "/bookings"

    def _page(self, booking_id: int, form=None):
        booking = reviews_service.get_own_booking(g.user, booking_id)  # NotFound: the 404 page
        review = booking.review
        if form is None:
            data = {"rating": review.rating, "comment": review.comment} if review is not None else {}
            form = ReviewForm(formdata=None, data=data)
        return self.render_template(
            T, booking=booking, review=review, review_form=form,
            title=booking_subject.booking_title(booking),
            can_review=review is None and reviews_service.booking_reviewable(booking),
            review_editable=review is not None and reviews_service.can_edit(review),
            review_until=reviews_service.editable_until(review) if review is not None else None)

    @expose("/<int:booking_id>/review", methods=["GET"])
    @has_access
    def new(self, booking_id: int):
        return self._page(booking_id)

    @expose("/<int:booking_id>/review", methods=["POST"])
    @has_access
    def create(self, booking_id: int):
        form = ReviewForm()
        if form.validate():
            try:
                reviews_service.create_for_booking(g.user, booking_id, form.rating.data, form.comment.data or "")
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Thank you! Your review is published on the practitioner's profile.")), "success")
                return redirect(url_for(".new", booking_id=booking_id))
        return self._page(booking_id, form)

    @expose("/<int:booking_id>/review/edit", methods=["POST"])
    @has_access
    def edit(self, booking_id: int):
        booking = reviews_service.get_own_booking(g.user, booking_id)
        form = ReviewForm()
        if booking.review is None:
            return redirect(url_for(".new", booking_id=booking_id))
        if form.validate():
            try:
                reviews_service.edit(g.user, booking.review.id, form.rating.data, form.comment.data or "")
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Your review was updated.")), "success")
                return redirect(url_for(".new", booking_id=booking_id))
        return self._page(booking_id, form)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(BookingReviewsView())
