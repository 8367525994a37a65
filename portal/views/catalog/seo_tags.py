"""What search engines and link previews read in a public page's head: its
canonical URL and hreflang alternates (``seo_links``), absolute URLs, and the
schema.org JSON-LD of profiles, landing pages, the directory and the home page.
Jinja globals (``register``); the tags themselves are portal/site/seo.html."""
from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _

from portal.core import lang_urls
from portal.core.i18n import current_locale

SCHEMA = "https://schema.org"
PROFILE_TYPES = {"notary": "Notary", "advocate": "Attorney"}  # others: LegalService
REVIEWS_IN_JSONLD = 5
OG_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_US"}


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"].keys())


def external_url(endpoint: str, **values) -> str:
    """The absolute URL (from PORTAL_BASE_URL) of an endpoint in this request's language."""
    url = url_for(endpoint, **values)
    root = request.environ.get(lang_urls.ROOT_KEY, request.script_root)
    if root and url.startswith(root + "/"):
        url = url[len(root):]
    return lang_urls.base_url() + url


def seo_links() -> dict:
    """Canonical URL (this page in this language, without query arguments), one
    alternate per language, x-default (the unprefixed URL: it redirects by the
    visitor's language), and noindex for any variant with query arguments
    (filtered, sorted, paged)."""
    current = lang_urls.url_language() or current_locale()
    return {
        "canonical": lang_urls.absolute(lang_urls.page_path(current)),
        "alternates": [(code, lang_urls.absolute(lang_urls.page_path(code))) for code in languages()],
        "x_default": lang_urls.absolute(lang_urls.page_path(None)),
        "noindex": bool(request.args),
        "og_locale": OG_LOCALES.get(current, current),
        "og_alternates": [OG_LOCALES.get(code, code) for code in languages() if code != current],
    }


def language_switch_url(code: str) -> str:
    """The language switch's link to ``code`` that comes back to this page: on a
    language URL, to the same page in that language (portal.views.accounts.language)."""
    path = request.full_path if request.query_string else request.path
    language = lang_urls.url_language()
    target = f"/{code}{path}" if language else path
    return url_for("LocaleView.index", locale=code, next=request.environ.get(lang_urls.ROOT_KEY, request.script_root)
                   + target)


def photo_url(profile) -> str | None:
    """The absolute URL of a profile's photo, or None when it has none."""
    if not any(doc.kind == "photo" and doc.content_type in ("image/jpeg", "image/png")
               for doc in profile.documents):
        return None
    return external_url("DirectoryView.photo", profile_id=profile.id)


def breadcrumbs(items) -> dict:
    """BreadcrumbList of (name, absolute url) pairs."""
    return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": str(name), "item": url}
        for n, (name, url) in enumerate(items, start=1)]}


def _home_crumbs() -> list:
    return [("AlemTrust", external_url("HomeView.index")),
            (_("Practitioners"), external_url("DirectoryView.index"))]


def profile_jsonld(profile, reviews=None) -> list[dict]:
    """A profile: Notary, Attorney or LegalService (name, url, image, area
    served, address region, rating and a few reviews), and its breadcrumbs."""
    url = external_url("DirectoryView.profile", profile_id=profile.id)
    data = {"@context": SCHEMA, "@type": PROFILE_TYPES.get(profile.category.code, "LegalService"),
            "@id": url + "#practitioner", "name": profile.name, "url": url,
            "description": profile.tr("about") or profile.category.name,
            "areaServed": [{"@type": "AdministrativeArea", "name": r.name} for r in profile.regions]}
    image = photo_url(profile)
    if image:
        data["image"] = image
    address = {"@type": "PostalAddress", "addressCountry": "KZ"}
    if profile.city_name:
        address["addressLocality"] = profile.city_name
    if profile.regions:
        address["addressRegion"] = profile.regions[0].name
    data["address"] = address
    if profile.price_from:
        data["priceRange"] = f"{profile.price_from}+ KZT"
    if profile.reviews_count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": round(profile.rating_avg, 1),
                                   "reviewCount": profile.reviews_count, "bestRating": 5, "worstRating": 1}
        items = list(getattr(reviews, "items", reviews) or [])[:REVIEWS_IN_JSONLD]
        if items:
            data["review"] = [{
                "@type": "Review", "datePublished": r.created_at.date().isoformat(),
                "reviewRating": {"@type": "Rating", "ratingValue": r.rating, "bestRating": 5, "worstRating": 1},
                "author": {"@type": "Person", "name": r.author_name},
                **({"reviewBody": r.comment} if r.comment else {}),
            } for r in items]
    crumbs = _home_crumbs() + [
        (profile.category.name, external_url("DirectoryView.category", code=profile.category.code)),
        (profile.name, url)]
    return [data, breadcrumbs(crumbs)]


def landing_jsonld(landing, title: str) -> list[dict]:
    """A landing page: its breadcrumbs and the list of its top practitioners."""
    category = landing.category
    crumbs = _home_crumbs() + [
        (category.name, external_url("DirectoryView.category", code=category.code)),
        (title, lang_urls.absolute(lang_urls.page_path(lang_urls.url_language() or current_locale())))]
    items = {"@context": SCHEMA, "@type": "ItemList", "name": title, "numberOfItems": landing.count,
             "itemListElement": [
                 {"@type": "ListItem", "position": n, "name": p.name,
                  "url": external_url("DirectoryView.profile", profile_id=p.id)}
                 for n, p in enumerate(landing.top, start=1)]}
    return [breadcrumbs(crumbs), items]


def directory_jsonld(category=None) -> list[dict]:
    crumbs = _home_crumbs()
    if category is not None:
        crumbs.append((category.name, external_url("DirectoryView.category", code=category.code)))
    return [breadcrumbs(crumbs)]


def agreement_jsonld(agreement) -> list[dict]:
    url = lang_urls.absolute(lang_urls.page_path(lang_urls.url_language() or current_locale()))
    return [breadcrumbs([("AlemTrust", external_url("HomeView.index")), (agreement.tr("title"), url)])]


def home_jsonld() -> list[dict]:
    """Organization, and WebSite with a SearchAction into the directory."""
    home = external_url("HomeView.index")
    search = external_url("DirectoryView.index")
    return [
        {"@context": SCHEMA, "@type": "Organization", "name": "AlemTrust", "url": home,
         "logo": external_url("static", filename="favicon.svg")},
        {"@context": SCHEMA, "@type": "WebSite", "name": "AlemTrust", "url": home,
         "inLanguage": lang_urls.url_language() or current_locale(),
         "potentialAction": {"@type": "SearchAction",
                             "target": {"@type": "EntryPoint", "urlTemplate": search + "?q={search_term_string}"},
                             "query-input": "required name=search_term_string"}},
    ]


def register(app) -> None:
    app.jinja_env.globals.update(
        seo_links=seo_links, language_switch_url=language_switch_url, seo_photo_url=photo_url, profile_jsonld=profile_jsonld,
        landing_jsonld=landing_jsonld, directory_jsonld=directory_jsonld, agreement_jsonld=agreement_jsonld,
        home_jsonld=home_jsonld)
