"""The public directory: search with filters and facets, categories, practitioner profiles and their photos. No login; only public profiles are shown."""
from __future__ import annotations

from typing import NamedTuple

from flask import abort, current_app, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from portal.core import images, page_cache
from portal.core.amounts import format_money
from portal.core.files import send_first_stored
from portal.search.sync import LISTINGS, profile_tag
from portal.services import search
from portal.services.bookings import client as booking_client
from portal.services.practitioners import documents, profiles
from portal.services.search import guidance

PHOTO_TYPES = ("image/jpeg", "image/png")


def _url_with(args: dict):
    """Builds search URLs from the current state: ``url_with(region="KZ-75")``
    sets a parameter, ``None`` removes it; any change goes back to page 1."""
    def build(**changes) -> str:
        state = {k: v for k, v in args.items() if v not in ("", None)}
        if "page" not in changes:
            state.pop("page", None)
        for key, value in changes.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
        return url_for("DirectoryView.index", **state)
    return build


def _chips(query, url_with, categories, regions, specializations) -> list[tuple[str, str]]:
    """(label, URL without that filter) for every active filter: the removable chips
    above the results; their number is the n of "Filters (n)"."""
    languages = current_app.config["LANGUAGES"]

    def name(rows, code):
        return next((row.tr("name") for row in rows if row.code == code), code)

    chips = []
    if query.category:
        chips.append((name(categories, query.category), url_with(category=None, specialization=None)))
    if query.specialization:
        chips.append((name(specializations, query.specialization), url_with(specialization=None)))
    if query.region:
        chips.append((name(regions, query.region), url_with(region=None, serves=None)))
    if query.serves and query.region:
        chips.append((_("Also practitioners who serve this region"), url_with(serves=None)))
    if query.language:
        chips.append((languages.get(query.language, {}).get("name", query.language), url_with(language=None)))
    if query.min_rating is not None:
        chips.append((_("%(rating)s and higher", rating=f"{query.min_rating:g}"), url_with(min_rating=None)))
    if query.max_price is not None:
        chips.append((_("up to %(price)s", price=format_money(query.max_price)),
                      url_with(max_price=None)))
    if query.online:
        chips.append((_("Online consultation"), url_with(online=None)))
    if query.service:
        chips.append((_("Service: %(name)s", name=query.service), url_with(service=None)))
    if query.free_week:
        chips.append((_("Has free time this week"), url_with(free_week=None)))
    return chips


class DirectoryView(BaseView):
    """The public search page: free text, filters, facets, sorting and paging,
    the whole state in the URL (shareable, bookmarkable). Empty text = browse."""

    route_base = "/practitioners"
    default_view = "index"

    @expose("/")
    def index(self):
        return self._listing(category=None)

    @expose("/category/<string:code>")
    def category(self, code: str):
        category = profiles.category_by_code(code)
        return self._listing(category=category)

    @expose("/<int:profile_id>")
    def profile(self, profile_id: int):
        profile = profiles.public_profile(profile_id)
        reviews = profiles.profile_reviews(profile.id, page=request.args.get("page", 1, type=int) or 1)
        return self.render_template(
            "portal/practitioners/profile.html", profile=profile, reviews=reviews,
            photo=documents.photo_of(profile), distribution=profiles.rating_distribution(profile.id),
            verification=profiles.verification_facts(profile),
            # the price list (cached with the page); the free slots are a fragment (views.bookings.book)
            services=booking_client.services(profile),
        )

    @expose("/<int:profile_id>/photo")
    def photo(self, profile_id: int):
        """The photo of a public profile (anyone); 404 for any other profile. ``?w=240``: its
        copy of that width (WebP, made at upload; PHOTO_WIDTHS), else the original. The
        ``v`` argument of ``photo_sources`` URLs changes with the photo."""
        profile = profiles.public_profile(profile_id)
        doc = documents.photo_of(profile)
        if doc is None or doc.content_type not in PHOTO_TYPES:
            abort(404)
        original = ".png" if doc.content_type == "image/png" else ".jpg"
        candidates = [(documents.document_key(doc), doc.content_type, f"photo-{profile.id}{original}")]
        copy = documents.photo_variant_key(doc, request.args.get("w", type=int))
        if copy is not None:  # the copy when it was made, else the original
            candidates.insert(0, (copy, images.CONTENT_TYPE, f"photo-{profile.id}.{images.FORMAT}"))
        # short: a suspended or revoked practitioner's photo must not linger in caches
        return send_first_stored(candidates, as_attachment=False, cache_control="public, max-age=300")

    def _listing(self, category):
        args = request.args.to_dict()
        if category is not None:
            args["category"] = category.code
        query, errors = search.query_from_args(args, current_app.config["PUBLIC_PAGE_SIZE"])
        # ?layout=0: the text as typed, even when it looks typed with the wrong keyboard layout
        page = search.search_profiles(query, layout=args.get("layout") != "0")
        original_url = None
        if page.layout_original:  # results for the keyboard-layout conversion: links keep it
            original_url = _url_with(args)(layout="0")
            query, args["q"] = page.query, page.query.text
        if category is None and query.category:
            category = profiles.find_category(query.category)
        guide = guidance.guide(query, page) if query.text and not page.unavailable else []
        help_ = guidance.no_results_help(query) if query.text and not page.total and not page.unavailable else None
        categories, regions = profiles.categories(), profiles.regions()
        specializations = profiles.specializations(query.category)
        url_with = _url_with(args)
        return self.render_template(
            "portal/practitioners/directory.html", category=category, page=page, query=query, errors=errors,
            categories=categories, regions=regions, specializations=specializations,
            sorts=search.SORT_LABELS, url_with=url_with,
            chips=_chips(query, url_with, categories, regions, specializations), original_url=original_url,
            guide=guide, no_results=help_,
        )


class PhotoSources(NamedTuple):
    src: str  # the middle width
    srcset: str  # every width: "<url> 96w, <url> 240w, <url> 480w"
    original: str  # the uploaded file


def photo_sources(profile) -> PhotoSources | None:
    """Jinja global ``profile_photo(profile)``: the ``src`` and ``srcset`` of a profile's photo,
    None without one. Uses ``profile.documents`` (loaded with the cards: no query)::

        {% set photo = profile_photo(p) %}{% if photo %}
        <img src="{{ photo.src }}" srcset="{{ photo.srcset }}" sizes="64px" width="64" height="64"
             loading="lazy" alt="">{% endif %}"""
    doc = documents.photo_of(profile)
    if doc is None or doc.content_type not in PHOTO_TYPES:
        return None
    version = doc.storage_key[:8]  # a new photo, a new URL (caches keep the photo 5 minutes)
    widths = documents.photo_widths()

    def url(width=None):
        return url_for("DirectoryView.photo", profile_id=profile.id, w=width, v=version)

    return PhotoSources(src=url(widths[len(widths) // 2]) if widths else url(),
                        srcset=", ".join(f"{url(w)} {w}w" for w in widths), original=url())


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(DirectoryView())
    # anonymous GETs of these pages are cached (core.page_cache) until the search outbox applies a change
    page_cache.public_page("DirectoryView.index", [LISTINGS])
    page_cache.public_page("DirectoryView.category", [LISTINGS])
    page_cache.public_page("DirectoryView.profile", lambda args: [profile_tag(args["profile_id"])])
    current_app.jinja_env.globals["profile_photo"] = photo_sources
