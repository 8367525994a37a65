"""Landing pages for search engines and visitors: a category in a region
(/practitioners/category/<code>/region/<region>) and a category for a
specialization (/practitioners/category/<code>/specialization/<spec>), each
with its count, the best rated practitioners, the category's introduction and
links to the other regions and specializations of the category. Unknown codes
are a 404; a landing with no practitioner is noindex."""
from __future__ import annotations

from flask import current_app
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.core import page_cache
from portal.core.collation import sorted_by_name
from portal.search.sync import LISTINGS
from portal.services.practitioners import landing, profiles

# What the practitioners of a category are called in a heading (the category's name is singular).
PLURAL_NAMES = {
    "notary": _l("Private notaries"),
    "bailiff": _l("Private bailiffs"),
    "expert": _l("Private forensic experts"),
    "advocate": _l("Advocates"),
    "consultant": _l("Legal consultants"),
}


def plural_name(category) -> str:
    return str(PLURAL_NAMES.get(category.code) or category.name)


def title_of(page: landing.Landing) -> str:
    """"Private notaries in Almaty: 23 verified", "Advocates — Inheritance: 5 verified"."""
    what = plural_name(page.category)
    if page.place is not None:
        return ngettext("%(what)s in %(where)s: %(num)d verified", "%(what)s in %(where)s: %(num)d verified",
                        page.count, what=what, where=page.place.name)
    return ngettext("%(what)s — %(where)s: %(num)d verified", "%(what)s — %(where)s: %(num)d verified",
                    page.count, what=what, where=page.specialization.name)


class LandingView(BaseView):
    route_base = "/practitioners/category"

    @expose("/<string:code>/region/<string:region>")
    def region(self, code: str, region: str):
        return self._render(landing.region_landing(code, region, current_app.config["LANDING_TOP"]))

    @expose("/<string:code>/specialization/<string:specialization>")
    def specialization(self, code: str, specialization: str):
        return self._render(landing.specialization_landing(code, specialization, current_app.config["LANDING_TOP"]))

    def _render(self, page: landing.Landing):
        category = page.category
        region_counts = landing.region_counts(category.id)
        spec_counts = landing.specialization_counts(category.id)
        regions = [(r, region_counts[r.id]) for r in profiles.regions() if region_counts.get(r.id)]
        specs = [(s, spec_counts[s.id]) for s in sorted_by_name(category.specializations)
                 if spec_counts.get(s.id)]
        return self.render_template("portal/practitioners/landing.html", landing=page, title=title_of(page),
                                    plural=plural_name(category), regions=regions, specializations=specs)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(LandingView())
    # anonymous GETs are cached (core.page_cache) until the search outbox applies a change
    page_cache.public_page("LandingView.region", [LISTINGS])
    page_cache.public_page("LandingView.specialization", [LISTINGS])
