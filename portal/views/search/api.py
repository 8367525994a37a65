"""Public search JSON API (``/api/v1/search/`` and ``/api/v1/search/suggest``):
the same parameters and results as the search page, no login, documented in
FAB's OpenAPI spec (``/api/v1/_openapi``)."""
from __future__ import annotations

from flask import current_app, request, url_for
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.api.manager import OpenApi
from flask_babel import lazy_gettext as _l

from portal.core.api import problem
from portal.services import search as search_service
from portal.services.search import suggestions
from portal.views.api import ProblemResponses

KIND_LABELS = {"name": _l("Practitioner"), "category": _l("Category"),
               "specialization": _l("Specialization"), "situation": _l("Common situation"),
               "concept": _l("Topic")}

_PARAMS = """
          parameters:
          - {in: query, name: q, schema: {type: string, maxLength: 200}, description: "Free text in Russian, Kazakh (Cyrillic or Latin) or Russian typed in Latin letters; empty = browse"}
          - {in: query, name: category, schema: {type: string, enum: [notary, bailiff, expert, advocate, consultant]}}
          - {in: query, name: region, schema: {type: string, example: KZ-75}, description: ISO 3166-2 code of the region the practitioner works in}
          - {in: query, name: serves, schema: {type: integer, enum: [0, 1]}, description: "1: the region filter also matches practitioners who serve the region"}
          - {in: query, name: specialization, schema: {type: string, example: inheritance}}
          - {in: query, name: language, schema: {type: string, enum: [kk, ru, en]}, description: Language of service}
          - {in: query, name: online, schema: {type: integer, enum: [0, 1]}, description: Online consultation}
          - {in: query, name: min_rating, schema: {type: number, minimum: 0, maximum: 5}}
          - {in: query, name: max_price, schema: {type: integer, minimum: 0}, description: 'Highest lowest price ("price from" or the cheapest service of the price list), KZT'}
          - {in: query, name: service, schema: {type: string, maxLength: 100}, description: "A service of the practitioner's price list: profiles with an active service whose name (kk, ru or en) holds every word (one typo allowed)"}
          - {in: query, name: free_week, schema: {type: integer, enum: [0, 1]}, description: "1: only practitioners with a free appointment slot within the next 7 days (as of the last index refresh: minutes, not hours)"}
          - {in: query, name: sort, schema: {type: string, enum: [relevance, rating, reviews, experience, price, earliest], default: relevance}, description: "price: the lowest of the practitioner's price from and active price-list prices; earliest: the earliest free appointment slot first, practitioners without free slots last"}
          - {in: query, name: page, schema: {type: integer, minimum: 1, default: 1}}
          - {in: query, name: per_page, schema: {type: integer, minimum: 1, maximum: 100, default: 12}}
          - {in: query, name: layout, schema: {type: integer, enum: [0, 1], default: 1}, description: "0: never search the keyboard-layout conversion of q (see corrected_query)"}
"""


def _profile_json(profile, highlights: dict, next_free=None) -> dict:
    return {
        "id": profile.id,
        "name": profile.name,
        "url": url_for("DirectoryView.profile", profile_id=profile.id, _external=True),
        "category": {"code": profile.category.code, "name": profile.category.tr("name")},
        "city": profile.city_name,
        "regions": [r.code for r in profile.regions],
        "specializations": [{"code": s.code, "name": s.tr("name")} for s in profile.specializations],
        "languages": profile.language_codes,
        "online_consultation": profile.online_consultation,
        "rating": round(profile.rating_avg or 0, 2),
        "reviews_count": profile.reviews_count,
        "experience_years": profile.experience_years,
        "price_from": profile.price_from,
        "verified_since": profile.verified_since.date().isoformat() if profile.verified_since else None,
        "highlights": {k: str(v) for k, v in (highlights or {}).items()},
        "next_free_at": next_free.isoformat() + "Z" if next_free else None,
    }


_SEARCH_DOC = """Search verified practitioners.
        ---
        get:
          summary: Search public practitioner profiles
          description: >-
            Same parameters and results as the search page. Facet counts respect
            every other active filter. Highlights are HTML with matched words in
            <mark>; the rest is escaped.
""" + _PARAMS + """
          responses:
            200:
              description: One page of results
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count: {type: integer, description: "Total number of matching profiles"}
                      page: {type: integer}
                      per_page: {type: integer}
                      pages: {type: integer}
                      relaxed: {type: boolean, description: "No profile matched every word; results match some"}
                      unavailable: {type: boolean, description: "The search engine is down; results come from a simplified database listing"}
                      corrected_query: {type: string, nullable: true, description: "No profile matched every word of q and q looked typed with the wrong keyboard layout (celt,ysq for судебный); the results are for this conversion of q. Send layout=0 to search q as typed"}
                      results:
                        type: array
                        items:
                          type: object
                          properties:
                            id: {type: integer}
                            name: {type: string}
                            url: {type: string}
                            category: {type: object, properties: {code: {type: string}, name: {type: string}}}
                            city: {type: string}
                            regions: {type: array, items: {type: string}}
                            specializations: {type: array, items: {type: object}}
                            languages: {type: array, items: {type: string}}
                            online_consultation: {type: boolean}
                            rating: {type: number}
                            reviews_count: {type: integer}
                            experience_years: {type: integer}
                            price_from: {type: integer, nullable: true}
                            verified_since: {type: string, format: date, nullable: true}
                            highlights: {type: object, additionalProperties: {type: string}}
                            next_free_at: {type: string, format: date-time, nullable: true, description: "The earliest free appointment slot (UTC) as of the last index refresh; null: none, or the category takes no bookings"}
                      facets:
                        type: object
                        additionalProperties:
                          type: array
                          items:
                            type: object
                            properties:
                              value: {type: string}
                              label: {type: string}
                              count: {type: integer}
            400:
              description: A parameter is invalid (problem+json; errors holds the messages per parameter, in the request's language)
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
        """


class SearchApi(ProblemResponses, BaseApi):
    resource_name = "search"
    openapi_spec_tag = "Search"

    @expose("/", methods=["GET"])
    def search(self):
        per_page = request.args.get("per_page", "")
        per_page = int(per_page) if per_page.isdigit() else current_app.config["PUBLIC_PAGE_SIZE"]
        query, errors = search_service.query_from_args(request.args, per_page)
        if errors:
            return problem(400, _l("Some fields are not valid."), kind="validation",
                           errors={k: [str(v)] for k, v in errors.items()})
        page = search_service.search_profiles(query, layout=request.args.get("layout") != "0")
        return self.response(
            200, count=page.total, page=page.page, per_page=page.per_page, pages=page.pages,
            relaxed=page.relaxed, unavailable=page.unavailable,
            corrected_query=page.query.text if page.layout_original else None,
            results=[_profile_json(p, page.highlights.get(p.id), page.next_free.get(p.id)) for p in page.items],
            facets={name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                    for name, values in page.facets.items()},
        )

    search.__doc__ = _SEARCH_DOC

    @expose("/suggest", methods=["GET"])
    def suggest(self):
        """Suggestions while typing.
        ---
        get:
          summary: Practitioner names, categories, specializations, common situations and topics that start like the text
          description: >-
            Up to 8 suggestions in the language of the request. kind tells what each
            is: the name of a practitioner (url: the profile), a category or a
            specialization (url: the search filtered by it), a common situation or a
            topic of the concept dictionary, such as Dismissal for увол (url: the
            search for it).
          parameters:
          - {in: query, name: q, schema: {type: string, maxLength: 100}, required: true}
          responses:
            200:
              description: Up to 8 suggestions
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      suggestions:
                        type: array
                        items:
                          type: object
                          properties:
                            kind: {type: string, enum: [name, category, specialization, situation, concept]}
                            kind_label: {type: string}
                            text: {type: string}
                            url: {type: string}
            400:
              description: The text holds characters refused everywhere (NUL, broken UTF-8)
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
        """
        items = suggestions.suggest(request.args.get("q", ""))
        return self.response(200, suggestions=[
            {"kind": s.kind, "kind_label": str(KIND_LABELS[s.kind]), "text": s.text, "url": s.url}
            for s in items
        ])


    @expose("/openapi.json", methods=["GET"])
    def openapi(self):
        """The public part of the OpenAPI spec: this API only, no login
        (FAB's full spec at /api/v1/_openapi needs a signed-in admin).
        ---
        get:
          summary: OpenAPI spec of the public search API
          responses:
            200:
              description: OpenAPI 3 document
        """
        spec = OpenApi._create_api_spec(self.version)
        self.add_api_spec(spec)
        return self.response(200, **spec.to_dict())


def register(appbuilder) -> None:
    appbuilder.add_api(SearchApi)
