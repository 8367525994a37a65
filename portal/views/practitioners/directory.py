"""The public directory: search with filters and facets, categories, practitioner profiles and their photos. No login; only public profiles are shown."""
from __future__ import annotations

import os

from flask import abort, current_app, request, send_file, url_for
from flask_appbuilder import BaseView, expose

from portal.services import search
from portal.services.practitioners import documents, profiles


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
        category = profiles.category_by_code(code)
        return self._listing(category=category)

    @expose("/<int:profile_id>")
    def profile(self, profile_id: int):
        profile = profiles.public_profile(profile_id)
        reviews = profiles.profile_reviews(profile.id, page=request.args.get("page", 1, type=int) or 1)
        return self.render_template("portal/practitioners/profile.html", profile=profile, reviews=reviews)

    @expose("/<int:profile_id>/photo")
    def photo(self, profile_id: int):
        """The photo of a public profile (anyone); 404 for any other profile."""
        profile = profiles.public_profile(profile_id)
        doc = documents.photo_of(profile)
        if doc is None or doc.content_type not in ("image/jpeg", "image/png"):
            abort(404)
        path = documents.document_path(doc)
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


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(DirectoryView())
