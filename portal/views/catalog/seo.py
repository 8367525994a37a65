"""Search engines: robots.txt, the sitemap index and its files, and the
language URLs of the public pages (/kk/..., /ru/..., /en/...: portal.core.lang_urls).

The sitemaps are built per request from the database (a few cheap queries), so
a profile that is hidden, approved or changed shows at once."""
from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

from flask import Response, abort, current_app, request, url_for
from flask_appbuilder import BaseView, expose

from portal.core import lang_urls
from portal.core.i18n import chosen_locale
from portal.services.practitioners import landing as landing_service
from portal.views.catalog import seo_tags

# The public pages: one URL per language; an unprefixed GET is a 301 to the visitor's language.
PUBLIC_ENDPOINTS = (
    "HomeView.index", "DirectoryView.index", "DirectoryView.category", "DirectoryView.profile",
    "AgreementView.index", "AgreementView.version", "LandingView.region", "LandingView.specialization",
)
# Pages under a public page that keep its language URL in links (not cached, no 301): the
# booking page of a profile and its free-times fragment (views.bookings.book)
LANGUAGE_PAGES = ("BookView.book", "BookView.slots")
# First path segments that robots may crawl (public pages, files); every other one is disallowed.
CRAWLABLE = {"", "practitioners", "agreement", "static", "robots.txt", "sitemap.xml", "sitemaps"}
DISALLOW_ALSO = ("/agreement/accept",)

XMLNS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
         'xmlns:xhtml="http://www.w3.org/1999/xhtml"')


def unprefixed(endpoint: str) -> bool:
    """Links built on a language page keep the prefix only to public pages: every other page,
    file, photo and API keeps its one unprefixed URL (its language: the visitor's choice)."""
    return endpoint not in PUBLIC_ENDPOINTS and endpoint not in LANGUAGE_PAGES


def _lastmod(when: dt.datetime | None) -> str:
    return f"<lastmod>{when.replace(microsecond=0).isoformat()}+00:00</lastmod>" if when else ""


def _xml(body: str) -> Response:
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype="application/xml")


def _path(endpoint: str, **values) -> str:
    """An endpoint's path without the script root (PORTAL_BASE_URL includes it)."""
    url = url_for(endpoint, **values)
    root = request.script_root
    return url[len(root):] if root and url.startswith(root + "/") else url


def _url_entries(path: str, lastmod: dt.datetime | None) -> str:
    """One <url> per language, each with every language's alternate and x-default."""
    base = lang_urls.base_url()
    languages = seo_tags.languages()
    links = "".join(f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(f"{base}/{code}{path}")}/>'
                    for code in languages)
    links += f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(base + path)}/>'
    return "".join(f"<url><loc>{escape(f'{base}/{code}{path}')}</loc>{_lastmod(lastmod)}{links}</url>\n"
                   for code in languages)


class SeoView(BaseView):
    """GET /robots.txt, /sitemap.xml (the index) and /sitemaps/<kind>-<n>.xml."""

    route_base = ""

    def _per_file(self) -> int:
        """Entries per sitemap file: every page has one <url> per language."""
        return max(1, current_app.config["SITEMAP_MAX_URLS"] // len(seo_tags.languages()))

    @expose("/robots.txt")
    def robots(self):
        first = sorted({rule.rule.split("/")[1] for rule in current_app.url_map.iter_rules()} - CRAWLABLE)
        private = [f"/{seg}" + ("/" if "." not in seg and "<" not in seg else "") for seg in first]
        private = [p for p in private if "<" not in p] + list(DISALLOW_ALSO)
        lines = ["User-agent: *", "Allow: /"]
        for path in private:
            lines.append(f"Disallow: {path}")
            lines.extend(f"Disallow: /{code}{path}" for code in seo_tags.languages())
        lines += ["", f"Sitemap: {lang_urls.base_url()}{_path('SeoView.sitemap_index')}", ""]
        return Response("\n".join(lines), mimetype="text/plain")

    @expose("/sitemap.xml")
    def sitemap_index(self):
        base = lang_urls.base_url()
        entries = []
        for n, lastmod in enumerate(landing_service.profile_chunks(self._per_file())):
            entries.append((_path("SeoView.profiles", n=n), lastmod))
        rows = landing_service.landing_rows()
        per = self._per_file()
        for n in range(-(-len(rows) // per)):
            chunk = rows[n * per:(n + 1) * per]
            entries.append((_path("SeoView.landings", n=n),
                            max((r.lastmod for r in chunk if r.lastmod), default=None)))
        body = "".join(f"<sitemap><loc>{escape(base + path)}</loc>{_lastmod(lastmod)}</sitemap>\n"
                       for path, lastmod in entries)
        return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</sitemapindex>\n')

    @expose("/sitemaps/profiles-<int:n>.xml")
    def profiles(self, n: int):
        rows = landing_service.profile_rows(n, self._per_file())
        if not rows:
            abort(404)
        marker = 987654321
        template = _path("DirectoryView.profile", profile_id=marker)
        body = "".join(_url_entries(template.replace(str(marker), str(pid)), updated) for pid, updated in rows)
        return _xml(f"<urlset {XMLNS}>\n{body}</urlset>\n")

    @expose("/sitemaps/landing-<int:n>.xml")
    def landings(self, n: int):
        per = self._per_file()
        rows = landing_service.landing_rows()[n * per:(n + 1) * per]
        if not rows:
            abort(404)
        body = "".join(_url_entries(landing_path(r.kind, r.category_code, r.code), r.lastmod) for r in rows)
        return _xml(f"<urlset {XMLNS}>\n{body}</urlset>\n")


def landing_path(kind: str, category_code: str, code: str) -> str:
    if kind == landing_service.REGION:
        return _path("LandingView.region", code=category_code, region=code)
    return _path("LandingView.specialization", code=category_code, specialization=code)


def register(appbuilder) -> None:
    """After every other view: the robots and sitemap views, the JSON-LD helpers,
    and the language URLs of the public pages."""
    appbuilder.add_view_no_menu(SeoView())
    app = current_app._get_current_object()
    seo_tags.register(app)
    lang_urls.install(app, PUBLIC_ENDPOINTS, unprefixed, chosen_locale)
