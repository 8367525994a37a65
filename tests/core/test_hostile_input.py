"""No input gives a server error, and every answer carries the security headers.

Walks every route of the app (static files aside) with hostile values in each
URL argument (ids past the 32-bit range of the database's id columns, -1, NUL,
bytes that are not UTF-8, a 10 kB string) and hostile query arguments (page
numbers past 64 bits, NUL, %FF, 10 kB, FAB's ``_oc_<View>=titlex`` and page
arguments, a REST ``q=(page:...)``), as a visitor and as an admin, and POSTs
form bodies with NUL and invalid UTF-8 (and JSON with ``\\u0000``) to every
route that takes a POST. On PostgreSQL most of these were 500s
(NumericValueOutOfRange) before portal/input_guard.py."""
from __future__ import annotations

import itertools
import json
import re
from urllib.parse import quote

import pytest

from tests.conftest import IsolatedClient

SKIP_BLUEPRINTS = {"static", "appbuilder"}
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
BIG = 2**63
TEN_KB = "a" * 10_240
# (label, value already encoded for the URL path, applies to string converters only)
HOSTILE_PATH = [
    ("2**31", str(2**31), False),
    ("2**63", str(2**63), False),
    ("-1", "-1", True),
    ("NUL", "x%00y", False),
    ("%FF", "%FF", False),
    ("10 kB", None, False),  # digits for whole-number and id arguments, letters for the rest
]
HOSTILE_QUERY = [
    ("page=2**63", f"page={BIG}&per_page={BIG}&page_size={BIG}"),
    ("NUL", "q=a%00b&page=1%00"),
    ("%FF", "q=%FF%FE&x%FF=1"),
    ("10 kB", f"q={TEN_KB}&page={'9' * 10_240}"),
]
BENIGN = {"name": "muldelete", "filename": "missing.txt", "locale": "ru", "code": "advocate", "target": "profile",
          "version": "v1", "group_by": "0", "token": "nope", "activation_hash": "nope", "action": "approve"}
ARG = re.compile(r"<(?:(?P<conv>[a-zA-Z_]+)(?:\([^>]*\))?:)?(?P<name>\w+)>")


def _routes(app):
    return [r for r in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
            if r.endpoint.split(".")[0] not in SKIP_BLUEPRINTS]


def _converter(rule, name):
    return type(rule._converters[name]).__name__


def _benign(rule, name, w):
    if _converter(rule, name) in ("IntegerConverter", "NumberConverter"):
        if rule.endpoint.startswith(("AgreementView.", "AgreementAdminView.")):
            return "1"
        return str(w.profile.id if name == "profile_id" else w.request_a.id if name == "request_id" else 1)
    if name == "pk":
        return str(w.client_a.id)
    return BENIGN.get(name, "x")


def _url(rule, w, hostile: dict[str, str] | None = None) -> str:
    hostile = hostile or {}

    def sub(match):
        name = match.group("name")
        return hostile[name] if name in hostile else quote(_benign(rule, name, w), safe="")

    return ARG.sub(sub, rule.rule)


def _fab_query(rule) -> str:
    """FAB's list arguments for the view of ``rule``: unknown order column, huge and negative pages."""
    view = rule.endpoint.split(".")[0]
    return (f"_oc_{view}=titlex&_od_{view}=asc&page_{view}={BIG}&psize_{view}=-1"
            f"&_flt_9_titlex=1&_flt_0_id={BIG}&q=(page:{BIG},page_size:{BIG})")


class Walker:
    def __init__(self, app):
        self.app = app
        self.failures: list[str] = []
        self.requests = 0

    def check(self, client, method, url, who, **kw):
        self.requests += 1
        try:
            response = getattr(client, method)(url, **kw)
        except Exception as exc:  # an exception escaping the app (TESTING propagates it)
            self.failures.append(f"{who} {method.upper()} {url[:150]}: {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{who} {method.upper()} {url[:150]}: {response.status_code}")
        missing = [h for h in SECURITY_HEADERS if h not in response.headers]
        if missing:
            self.failures.append(f"{who} {method.upper()} {url[:150]}: {response.status_code} without {missing}")
        return response


@pytest.fixture
def walker(app):
    return Walker(app)


def _admin_client(app, world):
    from tests.conftest import login

    client = IsolatedClient(app)
    assert login(client, world.admin.email).status_code == 302
    return client


def _keeps_session(rule) -> bool:
    """Routes after which the admin must sign in again (they sign out or switch the session)."""
    return not rule.endpoint.startswith(("AuthDBView.", "LocaleView.", "PortalSecurityApi.", "SecurityApi."))


def test_every_route_with_hostile_path_values(app, world, walker):
    anonymous = IsolatedClient(app)
    admin = _admin_client(app, world)
    routes = [r for r in _routes(app) if r.arguments]
    assert len(routes) > 60
    turn = itertools.count()
    for rule in routes:
        method = "get" if "GET" in rule.methods else "post"
        for label, value, strings_only in HOSTILE_PATH:
            for name in sorted(rule.arguments):
                if strings_only and _converter(rule, name) != "UnicodeConverter":
                    continue
                if value is None:
                    numeric = _converter(rule, name) == "IntegerConverter" or name == "pk" or name.endswith("_id")
                    value = "9" * 10_240 if numeric else TEN_KB
                url = _url(rule, world, {name: value})
                # every route with every value once, visitor and admin in turn (so each route
                # sees both): the full cross product takes twice as long for little more
                if next(turn) % 2:
                    walker.check(admin, method, url, f"admin [{label}]")
                else:
                    walker.check(anonymous, method, url, f"anonymous [{label}]")
        if not _keeps_session(rule):
            admin = _admin_client(app, world)
    assert not walker.failures, f"{len(walker.failures)} of {walker.requests}:\n" + "\n".join(walker.failures[:80])


def _is_fab_model_view(app, rule) -> bool:
    from flask_appbuilder.baseviews import BaseModelView

    return isinstance(getattr(app.view_functions[rule.endpoint], "__self__", None), BaseModelView)


def test_every_route_with_hostile_query_values(app, world, walker):
    anonymous = IsolatedClient(app)
    admin = _admin_client(app, world)
    variants = itertools.cycle(HOSTILE_QUERY)
    turn = itertools.count()
    for rule in _routes(app):
        if "GET" not in rule.methods:
            continue
        base = _url(rule, world)
        # every route: one of the hostile query strings in turn, visitor and admin in turn
        label, query = next(variants)
        who, client = ("admin", admin) if next(turn) % 2 else ("anonymous", anonymous)
        walker.check(client, "get", f"{base}?{query}", f"{who} [{label}]")
        if _is_fab_model_view(app, rule):  # FAB's list arguments (only an admin gets past the login)
            walker.check(admin, "get", f"{base}?{_fab_query(rule)}", "admin [FAB list arguments]")
        if rule.endpoint.endswith((".list", ".get_list", ".index", ".search")) and label != HOSTILE_QUERY[0][0]:
            label, query = HOSTILE_QUERY[0]  # every listing page also gets the huge page numbers
            walker.check(admin, "get", f"{base}?{query}", f"admin [{label}]")
        if not _keeps_session(rule):
            admin = _admin_client(app, world)
    assert not walker.failures, f"{len(walker.failures)} of {walker.requests}:\n" + "\n".join(walker.failures[:80])


BODIES = [
    ("form NUL", {"data": "title=a%00b&description=x&name=n%00", "content_type": "application/x-www-form-urlencoded"}),
    ("form %FF", {"data": "title=%FF%FE&description=x", "content_type": "application/x-www-form-urlencoded"}),
    ("form raw bytes", {"data": b"title=\xff\xfe&description=\xc3", "content_type": "application/x-www-form-urlencoded"}),
    ("json \\u0000", {"data": json.dumps({"username": "a\x00", "password": "b"}), "content_type": "application/json"}),
]


def test_every_post_route_with_hostile_bodies(app, world, walker):
    import io

    anonymous = IsolatedClient(app)
    admin = _admin_client(app, world)
    posts = [r for r in _routes(app) if "POST" in r.methods]
    assert len(posts) > 40
    bodies = itertools.cycle(BODIES + [("multipart NUL", None)])
    for i, rule in enumerate(posts):
        url = _url(rule, world)
        # two bodies per route, in turn; visitor and admin in turn
        for who, client in (("anonymous", anonymous), ("admin", admin)):
            label, body = next(bodies)
            if body is None:  # a multipart form whose field and file name carry NUL
                body = {"content_type": "multipart/form-data",
                        "data": {"title": "a\x00b", "file": (io.BytesIO(b"x"), "a\x00.txt")}}
            walker.check(client, "post", url, f"{who} [{label}]", **body)
        if not _keeps_session(rule):
            admin = _admin_client(app, world)
    assert not walker.failures, f"{len(walker.failures)} of {walker.requests}:\n" + "\n".join(walker.failures[:80])


# --- the guard's answers ------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/practitioners/2147483648", "/admin/users/show/2147483648",
                                 "/admin/users/show/99999999999999999999999", "/api/v1/requests/2147483648"])
def test_ids_out_of_range_are_not_found(app, world, url):
    admin = _admin_client(app, world)
    assert admin.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/practitioners/?q=a%00b", "/practitioners/%FF", "/practitioners/?q=%FF",
                                 "/a%00b"])
def test_nul_and_invalid_utf8_are_refused_in_the_visitors_language(client, url):
    response = client.get(url + ("&" if "?" in url else "?") + "_l_=ru")
    assert response.status_code == 400
    assert "недопустимые символы" in response.get_data(as_text=True)
    response = client.get(url + ("&" if "?" in url else "?") + "_l_=kk")
    assert "рұқсат етілмеген таңбалар" in response.get_data(as_text=True)


def test_form_and_json_bodies_with_nul_are_refused(client, world):
    assert client.post("/login/", data={"username": "a\x00", "password": "x"}).status_code == 400
    assert client.post("/login/", data=b"username=%FF&password=x",
                       content_type="application/x-www-form-urlencoded").status_code == 400
    response = client.post("/api/v1/security/login", data='{"username": "a\\u0000", "password": "b"}',
                           content_type="application/json")
    assert response.status_code == 400 and "detail" in response.get_json()
    # a clean form still parses after the guard read the body
    assert client.post("/login/", data={"username": world.client_a.email, "password": "Test-pass-1"}
                       ).status_code == 302


def test_unknown_order_column_and_bad_pages_are_ignored(app, world):
    admin = _admin_client(app, world)
    response = admin.get("/admin/users/list/?_oc_UserAdminView=titlex&_od_UserAdminView=asc"
                         f"&page_UserAdminView={BIG}&psize_UserAdminView=-5")
    assert response.status_code == 200
    # a known order column still sorts
    ordered = admin.get("/admin/users/list/?_oc_UserAdminView=email&_od_UserAdminView=desc")
    assert ordered.status_code == 200
    from portal.services.accounts import api_tokens

    with app.test_request_context():
        token = api_tokens.sign_in(world.client_a, "10.3.0.1", "pytest")["access_token"]
    api = admin.get(f"/api/v1/requests/?page={BIG}&per_page=10", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 400 and api.headers["Cache-Control"] == "no-store"
    assert api.mimetype == "application/problem+json" and "page" in api.get_json()["errors"]


def test_request_args_can_be_rewritten(app):
    """The guard replaces request.args; Werkzeug's cached property allows it."""
    from flask import request
    from werkzeug.datastructures import ImmutableMultiDict

    with app.test_request_context("/x?a=1&b=2"):
        assert request.args["a"] == "1"
        request.args = ImmutableMultiDict([("b", "2")])
        assert "a" not in request.args and request.args["b"] == "2"


def test_database_refusals_are_not_server_errors(app):
    """The safety net: a DataError that got past the checks is a 404/400 after a rollback."""
    from sqlalchemy.exc import DataError

    from portal.core.input_guard import _database_refused

    with app.test_request_context("/practitioners/"):
        response = app.make_response(_database_refused(DataError("SELECT 1", {}, Exception("integer out of range"))))
        assert response.status_code == 400
    with app.test_request_context("/practitioners/5"):
        from flask import request

        request.view_args = {"profile_id": 5}
        response = app.make_response(_database_refused(DataError("SELECT 1", {}, Exception("out of range"))))
        assert response.status_code == 404


# --- headers on every response --------------------------------------------------------------

def test_signed_in_and_private_api_responses_are_not_stored(app, world, client):
    assert "no-store" not in (client.get("/practitioners/", follow_redirects=True).headers.get("Cache-Control") or "")
    assert "no-store" not in (client.get("/api/v1/search/").headers.get("Cache-Control") or "")
    assert client.get("/api/v1/requests/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/no-such/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/search/", headers={"Authorization": "Bearer x"}).headers["Cache-Control"] == "no-store"
    admin = _admin_client(app, world)
    for url in ("/practitioners/", "/", "/api/v1/search/", "/no-such-page/"):
        assert admin.get(url).headers["Cache-Control"] == "no-store", url
    assert "no-store" not in (admin.get("/static/favicon.svg").headers.get("Cache-Control") or "")


def test_an_escaping_exception_still_gets_the_headers(app):
    """When even the error handling fails, the WSGI middleware answers a 500 with the headers."""
    from portal.core.hardening import SecurityHeadersMiddleware

    def broken(environ, start_response):
        raise RuntimeError("boom")

    middleware = SecurityHeadersMiddleware(broken, app)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    try:
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, dict(headers)

        body = b"".join(middleware({"PATH_INFO": "/", "REQUEST_METHOD": "GET", "SERVER_NAME": "x",
                                    "SERVER_PORT": "80", "wsgi.url_scheme": "http"}, start_response))
    finally:
        app.testing = True
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert captured["status"].startswith("500")
    for name in SECURITY_HEADERS:
        assert name in captured["headers"]
    assert body


def test_error_pages_after_a_failed_statement_render_with_the_headers(app, client, monkeypatch):
    """A 500 raised by a view is rendered after a rollback, with every header (also HSTS when on)."""
    from werkzeug.exceptions import InternalServerError, MethodNotAllowed

    app.config["SECURITY_HSTS"] = True
    try:
        from portal.views.practitioners import directory

        def boom(*a, **kw):
            raise InternalServerError()

        monkeypatch.setattr(directory.search, "query_from_args", boom)
        response = client.get("/practitioners/", follow_redirects=True)
        assert response.status_code == 500
        for name in SECURITY_HEADERS + ("Strict-Transport-Security",):
            assert name in response.headers
        response = client.post("/practitioners/")
        assert response.status_code == MethodNotAllowed.code
        for name in SECURITY_HEADERS + ("Strict-Transport-Security",):
            assert name in response.headers
        app.config["MAX_CONTENT_LENGTH"], limit = 100, app.config["MAX_CONTENT_LENGTH"]
        try:
            response = client.post("/login/", data=b"x=" + b"y" * 1000,
                                   content_type="application/x-www-form-urlencoded")
        finally:
            app.config["MAX_CONTENT_LENGTH"] = limit
        assert response.status_code == 413
        for name in SECURITY_HEADERS + ("Strict-Transport-Security",):
            assert name in response.headers
    finally:
        app.config["SECURITY_HSTS"] = False
