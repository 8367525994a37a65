"""The home page: the search box, the call to file a request, popular situations,
categories and regions with their practitioner counts, and how the portal works."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose

from portal.core import page_cache
from portal.search.sync import LISTINGS
from portal.services import search
from portal.services.practitioners import profiles
from portal.services.search import suggestions
from portal.views.catalog import webapp


class HomeView(IndexView):
    route_base = ""
    index_template = "portal/home.html"

    @expose("/")
    def index(self):
        return self.render_template(
            self.index_template,
            categories=search.categories_with_counts(),
            regions=profiles.regions(),
            region_counts=search.regions_with_counts(),
            situations=suggestions.popular_situations(),
        )


def register(appbuilder) -> None:
    """FAB adds the view itself (FAB_INDEX_VIEW); anonymous GETs of it are cached (core.page_cache).
    The installable web app (manifest, service worker, offline page) comes with the home page."""
    page_cache.public_page("HomeView.index", [LISTINGS])
    webapp.register(appbuilder)
