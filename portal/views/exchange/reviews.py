"""Reviews on a request page: the client writes and edits one, the practitioner reads the
reviews received and replies. Routes of RequestsView (``/requests/...``)."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError
from portal.core.http import refuse
from portal.core.paging import page_arg
from portal.forms.exchange import ReplyForm, ReviewForm
from portal.services.exchange import reviews as reviews_service

T = "portal/exchange/requests/"


class ReviewActions:
    """Mixed into RequestsView: uses its ``_show``."""

    @expose("/<int:request_id>/review", methods=["POST"])
    @has_access
    def review(self, request_id: int):
        form = ReviewForm()
        if form.validate():
            try:
                reviews_service.create(g.user, request_id, form.rating.data, form.comment.data or "")
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Thank you! Your review is published on the practitioner's profile.")), "success")
                return redirect(url_for(".show", request_id=request_id))
        return self._show(request_id, review_form=form)

    @expose("/reviews/<int:review_id>/edit", methods=["POST"])
    @has_access
    def review_edit(self, review_id: int):
        form = ReviewForm()
        if form.validate():
            try:
                review = reviews_service.edit(g.user, review_id, form.rating.data, form.comment.data or "")
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Your review was updated.")), "success")
                if review.booking_id is not None:
                    return redirect(url_for("BookingReviewsView.new", booking_id=review.booking_id))
                return redirect(url_for(".show", request_id=review.request_id))
        review = reviews_service.get_own(g.user, review_id)
        if review.booking_id is not None:  # a booking's review is edited on its own page (views.bookings.review)
            return redirect(url_for("BookingReviewsView.new", booking_id=review.booking_id))
        return self._show(review.request_id, review_form=form)

    @expose("/reviews/received")
    @has_access
    def reviews(self):
        return self._reviews_page()

    def _reviews_page(self, failed_id: int | None = None, failed_form=None):
        page = reviews_service.received(g.user, page=page_arg())
        return self.render_template(T + "reviews.html", page=page, profile=g.user.practitioner_profile,
                                    failed_id=failed_id, failed_form=failed_form,
                                    blank_form=ReplyForm(formdata=None))

    @expose("/reviews/<int:review_id>/reply", methods=["POST"])
    @has_access
    def reply(self, review_id: int):
        form = ReplyForm()
        try:
            reviews_service.reply(g.user, review_id, form.reply.data or "")
        except ServiceError as err:
            refuse(err, form)
            return self._reviews_page(failed_id=review_id, failed_form=form)
        flash(str(_l("Your reply is published under the review.")), "success")
        return redirect(url_for(".reviews"))
