"""The home page: categories with their practitioner counts, and the regions."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose

from portal.services import search
from portal.services.practitioners import profiles


class HomeView(IndexView):
    route_base = ""
    index_template = "portal/home.html"

    @expose("/")
    def index(self):
        return self.render_template(
            self.index_template,
            categories=search.categories_with_counts(),
            regions=profiles.regions(),
        )
