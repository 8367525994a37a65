"""What every JSON answer under /api/ shares, whatever its domain: RFC 9457
problem details for errors (``problem``), the page envelope of a list
(``page_body``), ETags on GETs (``conditional``) and the language of an API
call (``api_locale``: Accept-Language first, as a mobile app sends it).

The views' base class (portal.views.api) builds on these; the error handlers
(core.http) and the token loaders (portal.security) answer with ``problem`` too,
so a client parses one error shape everywhere."""
from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l

from portal.core.errors import MESSAGES
from portal.core.paging import Page

PROBLEM_TYPE = "application/problem+json"
# Problem "type" URIs: one per kind of refusal a client may want to act on (RFC 9457 3.1.1).
TYPES = {
    "validation": "/api/v1/problems/validation",
    "refused": "/api/v1/problems/refused",
    "agreement": "/api/v1/problems/agreement",
    "auth": "/api/v1/problems/auth",
    "rate_limit": "/api/v1/problems/rate-limit",
}
TITLES = {
    401: _l("Sign in first."),
    409: _l("The request conflicts with the current state."),
    422: _l("The change was refused."),
}


def is_api_path(path: str | None = None) -> bool:
    return (path if path is not None else request.path).startswith("/api/")


def api_locale() -> str | None:
    """The language an API call asked for in Accept-Language, if it sent one we speak."""
    if not request.headers.get("Accept-Language"):
        return None
    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def _title(status: int) -> str:
    if status in MESSAGES:
        return str(MESSAGES[status])
    return str(TITLES[status]) if status in TITLES else str(MESSAGES[400 if status < 500 else 500])


def texts(value):
    """Lazy strings (and lists and dicts of them) as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): texts(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [texts(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def problem(status: int, detail=None, kind: str | None = None, errors: Mapping | None = None,
            headers: Mapping | None = None, **extra) -> Response:
    """An ``application/problem+json`` response: ``type``, ``title``, ``status``,
    ``detail`` (in the request's language), ``instance`` (the path), field
    ``errors`` ({field: [message]}) when there are some, and ``extra`` members."""
    body = {"type": TYPES.get(kind or "", "about:blank"), "title": _title(status), "status": status,
            "detail": str(detail) if detail is not None else _title(status), "instance": request.path}
    if errors:
        body["errors"] = texts(errors)
    body.update(texts(extra))
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def page_body(page: Page, items: list) -> dict:
    """The envelope of one page of a list: the items and where they stand."""
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page,
            "pages": page.pages}


def conditional(response: Response) -> Response:
    """An ETag on a successful GET, and 304 Not Modified when the client has it."""
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
    return response
