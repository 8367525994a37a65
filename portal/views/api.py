"""The base of the JSON API for the mobile app (``/api/v1``): ``PortalApi`` and
the ``operation`` decorator every endpoint wears.

``operation`` does, in one place, what every endpoint needs:

* authentication by a Bearer access token (no session cookie is read or set);
  the user is loaded and stands as ``current_user`` for the services; the
  agreement gate answers 403 (problem type ``agreement``, naming the version
  and the accept URL) to a user who has not accepted the version in force;
  ``permission`` (the web page's FAB permission) lets the same roles in as on
  the web, others get 403;
* the body (JSON, or multipart form fields plus files) and the query string
  validated by marshmallow schemas (portal.forms.api): 400 with
  ``errors: {field: [message]}`` in the language of Accept-Language;
* a service's refusal (``ServiceError``) as 422 with the message on its field,
  ``NotFound`` (a row that does not exist or is someone else's) as 404;
* the answer serialised by the response schema, lists paged with a total,
  and an ETag (304 Not Modified) on GETs;
* the OpenAPI operation generated from the same schemas: summary, parameters,
  body, responses (``files_out``: a file download) and errors (problem+json),
  with the token requirement.

A view method receives ``call`` (``Call``: user, data, files, query, page,
per_page) after its URL arguments and returns a model object or dict for the
response schema, a ``Page`` for a paged list, or a Response."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Response, g, jsonify, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request
from marshmallow import Schema, ValidationError

from portal.core.api import PROBLEM_TYPE, conditional, page_body, problem
from portal.core.errors import MESSAGES, NotFound, ServiceError
from portal.core.extensions import db
from portal.core.http import refused
from portal.core.paging import Page
from portal.forms.api import PageQuery, ProblemSchema, translated_errors
from portal.models.accounts import PortalUser
from portal.services import agreement

ACCEPT_URL = "/api/v1/agreement/accept"
MAX_PER_PAGE = 100
_CONVERTER = re.compile(r"<(?:(?P<conv>[^:<>]+):)?(?P<name>[^<>]+)>")


@dataclass
class Call:
    """What an endpoint gets besides its URL arguments."""

    user: PortalUser | None = None
    data: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    query: dict = field(default_factory=dict)
    page: int = 1
    per_page: int = 20


@dataclass
class Operation:
    summary: str
    description: str = ""
    body: type[Schema] | None = None
    multipart: bool = False
    files: str | None = None  # the multipart field that carries files
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    paged: bool = False
    status: int = 200
    public: bool = False
    gate: bool = True
    errors: tuple[int, ...] = ()
    # the FAB permission of the web page this endpoint mirrors, e.g. ("can_show", "RequestsView"): the
    # same roles reach it as on the web (portal.security's declarative roles); others get 403
    permission: tuple[str, str] | None = None
    # content types of a file answer (a download): the 200 is documented as binary, not JSON
    files_out: tuple[str, ...] = ()


def _api_user() -> PortalUser | Response:
    verify_jwt_in_request()  # a missing, expired or revoked token: the JWT manager's 401 (portal.security)
    user = db.session.get(PortalUser, int(get_jwt_identity()))
    if user is None or not user.is_active:
        return problem(401, _l("Your session has ended or the token is not valid. Sign in again."), kind="auth")
    g.user = user
    g._login_user = user  # flask_login's current_user for this call only: no session is written
    return user


def _gate(user: PortalUser) -> Response | None:
    current = agreement.current_agreement()
    if current is None or not agreement.needs_acceptance(user, current.id):
        return None
    return problem(403, _l("Please read and accept the new version of the user agreement to continue."),
                   kind="agreement", agreement_version=current.version, accept_url=ACCEPT_URL)


def _body(op: Operation) -> tuple[dict, list]:
    if op.multipart and not request.is_json:  # a multipart operation takes a JSON body too (no files)
        source = {key: (values if len(values) > 1 else values[0]) for key, values in request.form.lists()}
        files = [f for f in request.files.getlist(op.files or "files") if f and f.filename]
        return op.body().load(source), files
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError({"_schema": [gettext("Send a JSON object.")]})
    return op.body().load(data), []


def _page_args(call: Call) -> None:
    data = PageQuery().load({k: v for k, v in request.args.items() if k in ("page", "per_page")})
    call.page, call.per_page = data.get("page", 1), min(data.get("per_page", 20), MAX_PER_PAGE)


def _render(op: Operation, result) -> Response:
    if isinstance(result, Response):
        return result
    schema = op.response() if op.response else None
    if isinstance(result, Page):
        items = schema.dump(result.items, many=True) if schema else result.items
        body = page_body(result, items)
    elif schema is not None:
        body = schema.dump(result, many=op.many)
    else:
        body = result if result is not None else {}
    response = jsonify(body)
    response.status_code = op.status
    return conditional(response)


def operation(summary, **options):
    """Declare an API endpoint: see the module's docstring. ``options`` are
    ``Operation``'s fields."""
    op = Operation(summary=summary, **options)

    def wrap(view):
        @functools.wraps(view)
        def endpoint(self, *args, **kwargs):
            call = Call()
            try:
                if not op.public:
                    user = _api_user()
                    if isinstance(user, Response):
                        return user
                    call.user = user
                    if op.gate and (refusal := _gate(user)) is not None:
                        return refusal
                    if op.permission and not self.appbuilder.sm.has_access(*op.permission):
                        return problem(403, MESSAGES[403])
                if op.query is not None:
                    call.query = op.query().load(request.args.to_dict())
                if op.paged:
                    _page_args(call)
                if op.body is not None:
                    call.data, call.files = _body(op)
                return _render(op, view(self, *args, call=call, **kwargs))
            except ValidationError as err:
                db.session.rollback()
                return problem(400, _l("Some fields are not valid."), kind="validation",
                               errors=translated_errors(err.messages))
            except NotFound:
                refused_quietly()
                return problem(404, MESSAGES[404])
            except ServiceError as err:
                refused_quietly()
                errors = {err.field: [err.message]} if err.field else None
                return problem(422, err.message, kind="refused", errors=errors)

        endpoint._portal_operation = op
        return endpoint

    return wrap


def refused_quietly() -> None:
    """Roll the refused change back (``core.http.refused``), without its 404 abort."""
    try:
        refused(ServiceError(""))
    except Exception:  # noqa: BLE001
        db.session.rollback()


# ------------------------------------------------------------------ OpenAPI

def _problem_response(description) -> dict:
    return {"description": str(description), "content": {PROBLEM_TYPE: {"schema": ProblemSchema}}}


ERROR_TEXTS = {
    304: "Not modified (the ETag sent in If-None-Match is current)",
    400: "A parameter or a field is not valid; errors names each field",
    401: "No valid access token",
    403: "Not allowed, or the user agreement in force must be accepted first (type ends in /agreement)",
    404: "Not found, or not yours",
    413: "The upload is too large",
    422: "Refused by a rule; detail says why, errors names the field when there is one",
    429: "Too many attempts; see Retry-After",
}


def _path_parameters(url: str) -> list[dict]:
    params = []
    for match in _CONVERTER.finditer(url):
        kind = {"int": "integer"}.get(match.group("conv") or "", "string")
        schema = {"type": kind, "minimum": 1, "maximum": 2**31 - 1} if kind == "integer" else {"type": kind}
        params.append({"in": "path", "name": match.group("name"), "required": True, "schema": schema})
    return params


def operation_spec(op: Operation, url: str, method: str) -> dict:
    """The OpenAPI operation object of ``op``."""
    spec: dict[str, Any] = {"summary": str(op.summary)}
    if op.description:
        spec["description"] = str(op.description)
    params = _path_parameters(url)
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    if op.paged:
        params.append({"in": "query", "schema": PageQuery})
    if params:
        spec["parameters"] = params
    if op.body is not None:
        if op.multipart:
            files = {"type": "object", "properties": {op.files or "files": {
                "type": "array", "items": {"type": "string", "format": "binary"},
                "description": "Files (PDF, JPEG or PNG), the field repeated for each"}}}
            content = {"multipart/form-data": {"schema": {"allOf": [op.body, files]}},
                       "application/json": {"schema": op.body}}
        else:
            content = {"application/json": {"schema": op.body}}
        spec["requestBody"] = {"required": True, "content": content}
    if op.paged and op.response is not None:
        body = {"type": "object", "required": ["items", "total", "page", "per_page", "pages"],
                "properties": {"items": {"type": "array", "items": op.response},
                               "total": {"type": "integer"}, "page": {"type": "integer"},
                               "per_page": {"type": "integer"}, "pages": {"type": "integer"}}}
    elif op.response is not None:
        body = {"type": "array", "items": op.response} if op.many else op.response
    else:
        body = {"type": "object"}
    if op.files_out:
        binary = {"schema": {"type": "string", "format": "binary"}}
        responses: dict[str, Any] = {str(op.status): {
            "description": "The file, with Content-Disposition: attachment",
            "content": {kind: binary for kind in op.files_out}}}
    else:
        responses = {str(op.status): {"description": "OK", "content": {"application/json": {"schema": body}}}}
    codes = set(op.errors) | {429}
    if method == "get":
        codes.add(304)
    if op.body is not None or op.query is not None or op.paged or _path_parameters(url):
        codes.add(400)
    if not op.public:
        codes |= {401, 403}  # 403: a role without the web page's permission, or the agreement gate
    if _path_parameters(url):
        codes.add(404)
    if method != "get" and not op.public:
        codes.add(422)
    for code in sorted(codes):
        responses[str(code)] = ({"description": ERROR_TEXTS[code]} if code == 304
                                else _problem_response(ERROR_TEXTS.get(code, MESSAGES.get(code, ""))))
    responses["default"] = _problem_response("Any other error")
    spec["responses"] = responses
    if not op.public:
        spec["security"] = [{"jwt": []}]
    return spec


class ProblemResponses:
    """FAB's own error answers (its decorators, ModelRestApi) and the response components
    its docstrings refer to (``#/components/responses/404``), in the portal's problem shape."""

    responses = {str(code): _problem_response(text) for code, text in
                 {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                  422: "Could not be processed", 500: "Server error"}.items()}
    openapi_spec_component_schemas = (ProblemSchema,)

    def response_400(self, message=None):
        return problem(400, message or MESSAGES[400], kind="validation")

    def response_401(self):
        return problem(401, _l("Sign in first: send the access token in the Authorization header."), kind="auth")

    def response_403(self):
        return problem(403, MESSAGES[403])

    def response_404(self):
        return problem(404, MESSAGES[404])

    def response_422(self, message=None):
        return problem(422, message or MESSAGES[400], kind="refused")

    def response_500(self, message=None):
        return problem(500, MESSAGES[500])


class PortalApi(ProblemResponses, BaseApi):
    """A versioned group of API endpoints of one domain (``resource_name``)."""

    version = "v1"
    allow_browser_login = False

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        op = getattr(func, "_portal_operation", None)
        if op is None:
            return super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        url = next((u for u, m in func._urls if set(m) == set(methods)), func._urls[0][0])
        for method in methods:
            operations[method.lower()] = operation_spec(op, url, method.lower())
        return None


def portal_apis(appbuilder) -> list[BaseApi]:
    """The portal's API groups of version 1 (FAB's own staff APIs left out)."""
    return [view for view in appbuilder.baseviews
            if isinstance(view, BaseApi) and view.version == "v1" and view.__module__.startswith("portal.")]


class OpenApiDocument(PortalApi):
    """The whole API of version 1 as one public OpenAPI 3 document."""

    resource_name = "openapi.json"
    openapi_spec_tag = "API"

    @expose("", methods=["GET"])
    @operation("The OpenAPI 3 document of this API", public=True)
    def document(self, call: Call):
        from flask_appbuilder.api.manager import OpenApi

        spec = OpenApi._create_api_spec(self.version)
        for view in portal_apis(self.appbuilder):
            view.add_api_spec(spec)
        for name in ("jwt", "jwt_refresh"):  # FAB's SecurityApi declares them; in case it did not
            if name not in spec.components.security_schemes:
                spec.components.security_scheme(name, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
        return spec.to_dict()
