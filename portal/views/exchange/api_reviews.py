"""Reviews API (``/api/v1/reviews``): the client edits their review within
the edit window; the practitioner lists the reviews of their practice and
publishes one reply to each. Writing a review is
``POST /api/v1/requests/<id>/review``. The rules are services.exchange.reviews,
as for the web pages (views.exchange.reviews)."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.forms.api.exchange import OwnRequestReviewOut, RequestReviewIn, RequestReviewOut, ReviewReplyIn
from portal.services.exchange import reviews as reviews_service
from portal.views.api import Call, PortalApi, operation

VIEW = "RequestsView"


class ReviewsApi(PortalApi):
    resource_name = "reviews"
    openapi_spec_tag = "Reviews"

    @expose("/", methods=["GET"])
    @operation("The reviews I wrote (client), newest first", response=OwnRequestReviewOut, paged=True,
               permission=("can_show", VIEW))
    def mine(self, call: Call):
        return reviews_service.written(call.user, page=call.page, per_page=call.per_page)

    @expose("/<int:review_id>", methods=["GET"])
    @operation("My review (client), with whether it can still be edited", response=OwnRequestReviewOut,
               permission=("can_show", VIEW))
    def show(self, review_id: int, call: Call):
        return reviews_service.get_own(call.user, review_id)

    @expose("/<int:review_id>", methods=["PUT"])
    @operation("Edit my review within the edit window (REVIEW_EDIT_HOURS after it was written)",
               body=RequestReviewIn, response=OwnRequestReviewOut, permission=("can_review_edit", VIEW))
    def edit(self, review_id: int, call: Call):
        return reviews_service.edit(call.user, review_id, call.data.get("rating"), call.data["comment"])

    @expose("/received", methods=["GET"])
    @operation("Published reviews of my practice (practitioner), newest first", response=RequestReviewOut,
               paged=True, permission=("can_reviews", VIEW))
    def received(self, call: Call):
        return reviews_service.received(call.user, page=call.page, per_page=call.per_page)

    @expose("/<int:review_id>/reply", methods=["POST"])
    @operation("Publish my one reply under a review of my practice", body=ReviewReplyIn,
               response=RequestReviewOut, permission=("can_reply", VIEW))
    def reply(self, review_id: int, call: Call):
        return reviews_service.reply(call.user, review_id, call.data["reply"])
