"""Requests API (``/api/v1/requests``): the client's requests (list, create
with files, read, edit, publish, cancel, complete), and what happens on one
request: its offers (the client compares and selects; a practitioner makes
one), the practitioner's ask for completion and the client's review. Thin:
every rule is in services.exchange, as for the web pages
(views.exchange.requests, offers, reviews)."""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_babel import gettext as _

from portal.forms.api.exchange import (
    AskCompletionIn,
    ClientOfferOut,
    OfferIn,
    OfferOut,
    OwnRequestReviewOut,
    RequestEditIn,
    RequestFullOut,
    RequestIn,
    RequestOut,
    RequestQuery,
    RequestReviewIn,
    RequestSavedOut,
    RequestViewOut,
)
from portal.services.exchange import codes, request_lifecycle
from portal.services.exchange import offers as offers_service
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.views.api import Call, PortalApi, operation
from portal.views.exchange.api_common import api_fields, offer_input, request_view
from portal.views.exchange.pending import published_notice

FILE_ERRORS = (413,)
VIEW = "RequestsView"


def _input(data: dict, target_id: int | None) -> requests_service.RequestInput:
    ids = codes.request_ids(data.get("category"), data.get("region"), data.get("specializations") or [],
                            target_id)
    return requests_service.RequestInput(
        category_id=ids.category_id, title=data.get("title") or "", description=data.get("description") or "",
        region_id=ids.region_id, city=data.get("city") or "", specialization_ids=ids.specialization_ids,
        budget=data.get("budget"), desired_date=data.get("desired_date"), target_profile_id=target_id)


def _saved(req, otherwise: str | None) -> dict:
    """The saved request, whom it was sent to when this call published it, and
    what the web page says about it."""
    notice = published_notice(req)[0] if req.sent_to is not None else otherwise
    return {"request": req, "sent_to": req.sent_to, "notice": notice}


class RequestsApi(PortalApi):
    resource_name = "requests"
    openapi_spec_tag = "Requests"

    # --- the client's requests -------------------------------------------------------------

    @expose("/", methods=["GET"])
    @operation("My requests (client), newest first", query=RequestQuery, response=RequestOut, paged=True,
               permission=("can_index", VIEW))
    def index(self, call: Call):
        return requests_service.mine(call.user, call.query.get("status"), page=call.page, per_page=call.per_page)

    @expose("/", methods=["POST"])
    @operation("File a request: a draft, or published at once with publish=true. JSON, or multipart/form-data "
               "with files in the field files", body=RequestIn, multipart=True, files="files",
               response=RequestSavedOut, status=201, errors=FILE_ERRORS, permission=("can_new", VIEW))
    def create(self, call: Call):
        with api_fields():
            req = requests_service.create(call.user, _input(call.data, call.data.get("target_profile_id")),
                                          publish=call.data["publish"], files=call.files)
        return _saved(req, _("Your request was saved as a draft. Publish it when it is ready."))

    @expose("/<int:request_id>", methods=["GET"])
    @operation("One request as its reader sees it: the client, a practitioner it went to, or staff",
               response=RequestViewOut, permission=("can_show", VIEW))
    def show(self, request_id: int, call: Call):
        return request_view(call.user, requests_service.get_visible(call.user, request_id))

    @expose("/<int:request_id>", methods=["PUT"])
    @operation("Edit my draft, or my open request until the first offer; publish=true publishes a draft. "
               "Files sent are added", body=RequestEditIn, multipart=True, files="files",
               response=RequestSavedOut, errors=FILE_ERRORS, permission=("can_edit", VIEW))
    def edit(self, request_id: int, call: Call):
        req = requests_service.get_own(call.user, request_id)
        with api_fields():
            req = requests_service.edit(call.user, req.id, _input(call.data, req.target_profile_id),
                                        publish=call.data["publish"], files=call.files)
        return _saved(req, _("Your changes were saved."))

    @expose("/<int:request_id>/publish", methods=["POST"])
    @operation("Publish my draft: it goes to the matching practitioners", response=RequestSavedOut,
               permission=("can_publish", VIEW))
    def publish(self, request_id: int, call: Call):
        with api_fields():
            return _saved(requests_service.publish(call.user, request_id), None)

    @expose("/<int:request_id>/cancel", methods=["POST"])
    @operation("Cancel my draft or open request; its active offers are declined", response=RequestFullOut,
               permission=("can_cancel", VIEW))
    def cancel(self, request_id: int, call: Call):
        return request_lifecycle.cancel(call.user, request_id)

    @expose("/<int:request_id>/complete", methods=["POST"])
    @operation("Mark my request in progress completed (also the answer to the practitioner's ask)",
               response=RequestFullOut, permission=("can_complete", VIEW))
    def complete(self, request_id: int, call: Call):
        return request_lifecycle.complete(call.user, request_id)

    # --- offers on a request -------------------------------------------------------------------

    @expose("/<int:request_id>/offers", methods=["GET"])
    @operation("The offers on my request (withdrawn ones left out), the accepted one first, then cheapest first",
               response=ClientOfferOut, many=True, permission=("can_show", VIEW))
    def offers(self, request_id: int, call: Call):
        return offers_service.for_client(call.user, request_id)

    @expose("/<int:request_id>/offers", methods=["POST"])
    @operation("Make an offer on an open request that matches my practice (verified practitioner)",
               body=OfferIn, response=OfferOut, status=201, permission=("can_offer", VIEW))
    def offer(self, request_id: int, call: Call):
        return offers_service.make(call.user, request_id, offer_input(call.data))

    @expose("/<int:request_id>/offers/<int:offer_id>/select", methods=["POST"])
    @operation("Select an offer on my open request: the request goes to work, the other offers are declined",
               response=ClientOfferOut, permission=("can_select", VIEW))
    def select(self, request_id: int, offer_id: int, call: Call):
        return request_lifecycle.select_offer(call.user, request_id, offer_id)

    @expose("/<int:request_id>/ask-completion", methods=["POST"])
    @operation("Ask the client to confirm the work is done (the selected practitioner; work_done must be true)",
               body=AskCompletionIn, response=RequestFullOut, permission=("can_ask_completion", VIEW))
    def ask_completion(self, request_id: int, call: Call):
        return request_lifecycle.request_completion(call.user, request_id, work_done=call.data["work_done"])

    @expose("/<int:request_id>/review", methods=["POST"])
    @operation("Review the practitioner of my completed request (rating 1-5, comment)", body=RequestReviewIn,
               response=OwnRequestReviewOut, status=201, permission=("can_review", VIEW))
    def review(self, request_id: int, call: Call):
        return reviews_service.create(call.user, request_id, call.data.get("rating"), call.data["comment"])
