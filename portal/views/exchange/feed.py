"""The request feed of a verified practitioner."""
from __future__ import annotations

from flask import g, request
from flask_appbuilder import BaseView, expose, has_access

from portal.core.collation import sorted_by_name
from portal.core.errors import ServiceError
from portal.core.paging import page_arg
from portal.models.practitioners import active_profile
from portal.services.exchange import requests as requests_service
from portal.services.practitioners import profiles

T = "portal/exchange/requests/"


class FeedView(BaseView):
    """Open requests matching a verified practitioner's practice."""

    route_base = "/feed"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        user = g.user
        region_id, spec_id = request.args.get("region", type=int), request.args.get("specialization", type=int)
        without = request.args.get("without_offer") == "1"
        profile = active_profile(user)
        try:
            page = requests_service.feed(user, region_id, spec_id, without, page=page_arg())
        except ServiceError as err:
            return self.render_template(T + "feed.html", page=None, error=err.message, profile=None)
        mine = {o.request_id: o for r in page.items for o in r.offers if o.profile_id == profile.id}
        specs = sorted_by_name(profile.specializations or profile.category.specializations)
        return self.render_template(T + "feed.html", page=page, error=None, profile=profile, my_offers=mine,
                                    regions=profiles.sort_regions(profile.regions), specializations=specs, region_id=region_id,
                                    specialization_id=spec_id, without=without)
