"""The installable web app (agreement 4.1: a version for phones that the user installs):
the web app manifest of each language, the service worker and the offline page.

- ``/kk/manifest.webmanifest`` (and /ru/, /en/): names and description in the URL's language,
  the language's home page as ``start_url``, one ``id`` for every language (one app), the
  colours of the stylesheet (``--brand``, ``--bg`` in css/site.css) and the icons drawn in
  portal/static/icons/ (README there). Cached like a public page (core.page_cache).
- ``/sw.js``: the service worker, served by a view (not from /static/) so that its scope can be
  the whole site; ``no-cache`` so the browser checks for a new one on every visit. Its cache
  name carries a version: a hash of the precached files, the offline pages included as
  rendered in every language, so a release that changes any of them replaces the cache.
- ``/kk/offline`` (and /ru/, /en/): the page the service worker shows when a navigation
  fails. It is precached without cookies, so it shows nothing personal, and it renders
  without the database (no menu, no user, no flash messages): noindex, never in the sitemap,
  ``no-cache`` and not in the page cache (the worker must install this release's page).

Every page links its language's manifest and registers the worker through
static/js/webapp.js (templates portal/webapp/head.html, included by both layouts).
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core import lang_urls, page_cache
from portal.core.i18n import chosen_locale, current_locale
from portal.core.static_files import static_url

EXTENSION = "portal.webapp"
OFFLINE_TEMPLATE = "portal/webapp/offline.html"
WORKER_TEMPLATE = "portal/webapp/sw.js"
# what the worker keeps from its installation on (with the offline pages): enough to draw them
PRECACHED = ("css/site.css", "js/webapp.js", "favicon.svg", "icons/icon-192.png", "icons/badge-96.png")
ICONS = (("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
         ("icons/icon-maskable-512.png", "512x512", "maskable"))
APPLE_ICON = "icons/apple-touch-icon.png"
FALLBACK_COLOURS = {"--brand": "#0b5f7f", "--bg": "#f5f7f9"}


@lru_cache(maxsize=4)
def _stylesheet_colours(path: str) -> dict[str, str]:
    """``--brand`` and ``--bg`` of the stylesheet: the app's colours are the site's."""
    try:
        with open(path, encoding="utf-8") as fh:
            css = fh.read()
    except OSError:
        return dict(FALLBACK_COLOURS)
    found = dict(FALLBACK_COLOURS)
    for name in found:
        match = re.search(re.escape(name) + r"\s*:\s*(#[0-9a-fA-F]{3,8})\b", css)
        if match:
            found[name] = match.group(1).lower()
    return found


def colours() -> dict[str, str]:
    """{"theme": the brand colour, "background": the page background}."""
    css = _stylesheet_colours(f"{current_app.static_folder}/css/site.css")
    return {"theme": css["--brand"], "background": css["--bg"]}


def _root() -> str:
    """The site's root path (SCRIPT_NAME before any language prefix)."""
    return request.environ.get(lang_urls.ROOT_KEY, request.script_root)


def _language(code: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return code if code in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def language_url(language: str, path: str) -> str:
    """``path`` under ``language``'s prefix: /kk/offline."""
    return f"{_root()}/{language}{path}"


def head_links() -> dict[str, str]:
    """What every page's <head> needs (Jinja global ``webapp_head``)."""
    return {"manifest": language_url(_language(current_locale()), "/manifest.webmanifest"),
            "apple_icon": static_url(APPLE_ICON), "script": static_url("js/webapp.js"),
            "worker": f"{_root()}/sw.js", "theme": colours()["theme"]}


def manifest(language: str) -> dict:
    """The manifest in ``language`` (inside a request of that language)."""
    icons = [{"src": static_url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
             for path, sizes, purpose in ICONS]
    home = language_url(language, "/")
    return {
        "id": f"{_root()}/",
        "name": _("AlemTrust: verified notaries, advocates and lawyers"),
        "short_name": "AlemTrust",
        "description": _("AlemTrust: verified private notaries, bailiffs, court experts, advocates and legal "
                         "consultants of Kazakhstan"),
        "lang": language,
        "dir": "ltr",
        "start_url": home,
        "scope": f"{_root()}/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": colours()["theme"],
        "background_color": colours()["background"],
        "categories": ["business", "utilities"],
        "icons": icons,
        "shortcuts": [{"name": _("Find a practitioner"), "url": language_url(language, "/practitioners/"),
                       "icons": [icons[0]]}],
        "prefer_related_applications": False,
    }


def offline_page(language: str) -> str:
    """The offline page of ``language``: no database, no user, nothing but precached files."""
    with force_locale(language):
        return render_template(OFFLINE_TEMPLATE, home=language_url(language, "/"), language=language)


def version() -> str:
    """A hash of everything the worker precaches (the offline pages as rendered): a new
    release with any change gets a new cache. Computed once per process (debug: per call)."""
    state = current_app.extensions.setdefault(EXTENSION, {})
    if "version" not in state or current_app.debug:
        digest = hashlib.sha256()
        for path in PRECACHED:
            digest.update(f"{path}={static_url(path)}\n".encode())
        for language in current_app.config["LANGUAGES"]:
            digest.update(offline_page(language).encode("utf-8"))
        state["version"] = digest.hexdigest()[:16]
    return state["version"]


def worker_config() -> dict:
    """What the worker script needs to know (the same for every visitor)."""
    languages = list(current_app.config["LANGUAGES"])
    offline = {code: language_url(code, "/offline") for code in languages}
    return {
        "version": version(),
        "root": _root(),
        "languages": languages,
        "default": _language(current_app.config["BABEL_DEFAULT_LOCALE"]),
        "offline": offline,
        "precache": [static_url(path) for path in PRECACHED] + list(offline.values()),
        "static": url_for("static", filename=""),
        "skip": [url_for("appbuilder.static", filename="")],  # FAB's files: the HTTP cache is enough
        "icon": static_url("icons/icon-192.png"),
        "badge": static_url("icons/badge-96.png"),
        "home": f"{_root()}/",
    }


def _to_language(path: str) -> Response:
    """An unprefixed URL: a 301 to the visitor's language (as core.lang_urls does for pages)."""
    response = redirect(language_url(_language(chosen_locale()), path), 301)
    response.headers["Vary"] = "Cookie, Accept-Language"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


class WebAppView(BaseView):
    """GET /<lang>/manifest.webmanifest, /sw.js and /<lang>/offline."""

    route_base = ""

    @expose("/manifest.webmanifest")
    def manifest(self):
        language = lang_urls.url_language()
        if language is None:
            return _to_language("/manifest.webmanifest")
        body = json.dumps(manifest(language), ensure_ascii=False, indent=1)
        return current_app.response_class(body, mimetype="application/manifest+json")

    @expose("/sw.js")
    def service_worker(self):
        if lang_urls.url_language() is not None:
            abort(404)  # one worker, one URL: its scope is the whole site
        body = render_template(WORKER_TEMPLATE, config=worker_config())
        response = current_app.response_class(body, mimetype="application/javascript")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Service-Worker-Allowed"] = f"{_root()}/"
        response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
        return response.make_conditional(request)

    @expose("/offline")
    def offline(self):
        language = lang_urls.url_language()
        if language is None:
            return _to_language("/offline")
        body = offline_page(language)
        response = current_app.response_class(body, mimetype="text/html")
        # not from the page cache: a page kept from the previous release would name its files
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(hashlib.sha256(body.encode("utf-8")).hexdigest()[:32])
        return response.make_conditional(request)


def register(appbuilder) -> None:
    """The view, the manifest as a public page (cached for visitors; sw.js and the offline page
    are not: no-cache, so the worker installs what this release serves), and the Jinja global
    the layouts use."""
    appbuilder.add_view_no_menu(WebAppView())
    page_cache.public_page("WebAppView.manifest", ())
    current_app.jinja_env.globals["webapp_head"] = head_links
