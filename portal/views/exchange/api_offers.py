"""The practitioner's side of the API: the feed of matching open requests
(``/api/v1/feed``) and their own offers (``/api/v1/offers``: list, read,
edit, withdraw). Making an offer is ``POST /api/v1/requests/<id>/offers``
(views.exchange.api_requests). The rules are services.exchange.offers and
requests.feed, as for the web pages (views.exchange.feed, offers)."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.core.paging import Page
from portal.forms.api.exchange import FeedItemOut, FeedQuery, OfferIn, OfferOut, OfferQuery
from portal.models.practitioners import active_profile
from portal.services.exchange import codes
from portal.services.exchange import offers as offers_service
from portal.services.exchange import requests as requests_service
from portal.views.api import Call, PortalApi, operation
from portal.views.exchange.api_common import api_fields, offer_input


class FeedApi(PortalApi):
    resource_name = "feed"
    openapi_spec_tag = "Requests"

    @expose("/", methods=["GET"])
    @operation("The feed: open requests that match my verified practice (category, regions, specializations), "
               "newest first, with my offer on each", query=FeedQuery, response=FeedItemOut, paged=True,
               errors=(422,), permission=("can_index", "FeedView"))
    def index(self, call: Call):
        user = call.user
        with api_fields():
            region_id, spec_id = codes.feed_ids(user, call.query.get("region"), call.query.get("specialization"))
            found = requests_service.feed(user, region_id, spec_id, call.query["without_offer"],
                                          page=call.page, per_page=call.per_page)
        profile = active_profile(user)
        items = [{"request": r, "my_offer": next((o for o in r.offers if o.profile_id == profile.id), None)}
                 for r in found.items]
        return Page(items, found.total, found.page, found.per_page)


class OffersApi(PortalApi):
    resource_name = "offers"
    openapi_spec_tag = "Offers"

    @expose("/", methods=["GET"])
    @operation("My offers (practitioner), latest change first", query=OfferQuery, response=OfferOut, paged=True,
               permission=("can_list", "MyOffersView"))
    def index(self, call: Call):
        return offers_service.mine(call.user, call.query.get("status"), page=call.page, per_page=call.per_page)

    @expose("/<int:offer_id>", methods=["GET"])
    @operation("One of my offers", response=OfferOut, permission=("can_show", "MyOffersView"))
    def show(self, offer_id: int, call: Call):
        return offers_service.get_own(call.user, offer_id)

    @expose("/<int:offer_id>", methods=["PUT"])
    @operation("Edit my active offer while its request is open", body=OfferIn, response=OfferOut,
               permission=("can_offer_edit", "RequestsView"))
    def edit(self, offer_id: int, call: Call):
        return offers_service.edit(call.user, offer_id, offer_input(call.data))

    @expose("/<int:offer_id>/withdraw", methods=["POST"])
    @operation("Withdraw my active offer (while the request is open I may offer again)", response=OfferOut,
               permission=("can_offer_withdraw", "RequestsView"))
    def withdraw(self, offer_id: int, call: Call):
        return offers_service.withdraw(call.user, offer_id)
