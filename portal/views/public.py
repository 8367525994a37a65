"""Public pages: home, directory by category, practitioner profile, language
switch (the user agreement: portal.views.agreement.pages). No login; only public
profiles are shown."""
from __future__ import annotations

import os

from flask import abort, current_app, g, make_response, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, IndexView, expose
from flask_babel import refresh

from portal.core.errors import NotFound
from portal.core.i18n import is_supported
from portal.services import search
from portal.services.accounts import registration
from portal.services.practitioners import profiles, verification
from portal.views.accounts.consent import preferences_allowed


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
        try:
            category = profiles.category_by_code(code)
        except NotFound:
            abort(404)
        return self._listing(category=category)

    @expose("/<int:profile_id>")
    def profile(self, profile_id: int):
        try:
            profile = profiles.public_profile(profile_id)
        except NotFound:
            abort(404)
        reviews = profiles.profile_reviews(profile.id, page=request.args.get("page", 1, type=int) or 1)
        return self.render_template("portal/practitioners/profile.html", profile=profile, reviews=reviews)

    @expose("/<int:profile_id>/photo")
    def photo(self, profile_id: int):
        """The photo of a public profile (anyone); 404 for any other profile."""
        try:
            profile = profiles.public_profile(profile_id)
        except NotFound:
            abort(404)
        doc = verification.photo_of(profile)
        if doc is None or doc.content_type not in ("image/jpeg", "image/png"):
            abort(404)
        path = verification.document_path(doc)
        if not os.path.isfile(path):
            abort(404)
        response = send_file(path, mimetype=doc.content_type, as_attachment=False,
                             download_name=f"photo-{profile.id}" + (".png" if doc.content_type == "image/png"
                                                                    else ".jpg"))
        response.headers["X-Content-Type-Options"] = "nosniff"
        # short: a suspended or revoked practitioner's photo must not linger in caches
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    def _listing(self, category):
        args = request.args.to_dict()
        if category is not None:
            args["category"] = category.code
        query, errors = search.query_from_args(args, current_app.config["PUBLIC_PAGE_SIZE"])
        page = search.search_profiles(query)
        if category is None and query.category:
            category = profiles.find_category(query.category)
        return self.render_template(
            "portal/practitioners/directory.html", category=category, page=page, query=query, errors=errors,
            categories=profiles.categories(), regions=profiles.regions(),
            specializations=profiles.specializations(query.category),
            sorts=search.SORT_LABELS, url_with=_url_with(args),
        )


def switch_language(locale: str):
    """Replaces FAB's /lang/<locale>: remembers the choice in the session,
    when logged in the user's preference and, only with consent to preference
    cookies, a year-long cookie."""
    if not is_supported(locale):
        abort(404)
    session["locale"] = locale
    user = getattr(g, "user", None)
    if user is not None and user.is_authenticated:
        registration.set_locale(user, locale)
    refresh()
    target = request.referrer or "/"
    if not target.startswith(request.host_url):
        target = "/"
    response = make_response(redirect(target))
    # the language cookie is a preference cookie: only with consent (the
    # session and the user's profile keep the language otherwise)
    if preferences_allowed():
        response.set_cookie(current_app.config["LANGUAGE_COOKIE"], locale, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(DirectoryView())
