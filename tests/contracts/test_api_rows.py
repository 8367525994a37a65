"""Every registered API route, walked as every role, shows no row the caller may
not see (security round 2: FAB's ``_info`` listed every user, offer and request).

Rows the caller must never see carry marker strings; every JSON answer of every
``/api/`` GET route (lists, each id of every table, ``_info``, related-field
paging and filters in ``q``) is searched for them, with a bearer token and,
where FAB allows it, with the browser session."""
from __future__ import annotations

import re

import pytest

from portal.core.extensions import db
from portal.models.accounts import AccountStatus
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, make_offer, make_practitioner, make_request, make_review, make_user

# the module-scoped fixture's rows serve every test: one fresh database for the module
pytestmark = pytest.mark.db_per_module

SECRETS = {
    "client_b": ("BSECRETNAME", "REQ-B-SECRET", "REV-B-SECRET"),
    "client_c": ("CSECRETNAME", "REQ-C-SECRET"),
    "offer_c": ("77777",),
    "staff": ("MODSECRET", "ADMSECRET"),
    "blocked": ("BLOCKEDSECRET",),
}
def _without(markers, *allowed):
    return [m for m in markers if m not in allowed]


# what each role must never read through the API
FORBIDDEN = {
    "anonymous": [s for group in SECRETS.values() for s in group],
    "client": [*SECRETS["client_b"], *SECRETS["client_c"], *SECRETS["offer_c"], *SECRETS["staff"],
               *SECRETS["blocked"]],
    # the practitioner offered on A and B, not on C; C's open request matches the practice, so its title is
    # in the feed (as on the web), but not C's name
    "practitioner": [*_without(SECRETS["client_c"], "REQ-C-SECRET"), *SECRETS["offer_c"], *SECRETS["staff"],
                     *SECRETS["blocked"], "REV-B-SECRET-NOT-HIS"],
    # staff read any request, as on the web's request page (the titles), never the clients' names
    "moderator": [*_without(SECRETS["client_b"] + SECRETS["client_c"], "REQ-B-SECRET", "REQ-C-SECRET"),
                  *SECRETS["offer_c"], *SECRETS["blocked"], "ADMSECRET"],
    "admin": [*_without(SECRETS["client_b"] + SECRETS["client_c"], "REQ-B-SECRET", "REQ-C-SECRET"),
              *SECRETS["offer_c"], *SECRETS["blocked"], "MODSECRET"],
}
QUERIES = [
    "",
    "?q=(page:0,page_size:100)",
    "?q=(add_columns:(client:(page:0,page_size:100)),keys:!(add_columns,edit_columns,filters))",
    "?q=(add_columns:(client:(page:1,page_size:100)))",
    "?q=(filters:!((col:title,opr:ct,value:SECRET)))",
    "?q=(filters:!((col:client,opr:rel_o_m,value:1)))",
    "?q=(columns:!(id,client.email,client.first_name))",
    "?q=(order_column:client,order_direction:asc)",
]


@pytest.fixture(scope="module")
def rows(app):
    sm = app.appbuilder.sm
    w = type("W", (), {})()
    w.client = make_user(sm, ("Client",), first_name="Асель")
    w.client_b = make_user(sm, ("Client",), first_name="BSECRETNAME")
    w.client_c = make_user(sm, ("Client",), first_name="CSECRETNAME")
    w.moderator = make_user(sm, ("Moderator",), first_name="MODSECRET")
    w.admin = make_user(sm, ("Admin",), first_name="ADMSECRET")
    blocked = make_user(sm, ("Client",), first_name="BLOCKEDSECRET")
    blocked.status = AccountStatus.BLOCKED
    w.profile = make_practitioner(sm, first_name="Ерлан")
    w.practitioner = w.profile.user
    other = make_practitioner(sm, first_name="Другой")
    w.request_a = make_request(w.client, status="completed", title="REQ-A")
    w.request_b = make_request(w.client_b, status="completed", title="REQ-B-SECRET")
    w.request_c = make_request(w.client_c, title="REQ-C-SECRET")
    make_offer(w.request_a, w.profile, status="accepted")
    make_offer(w.request_b, w.profile, status="accepted")
    make_offer(w.request_c, other, price=77777)
    make_review(w.request_a, w.profile, comment="REV-A")
    make_review(w.request_b, w.profile, comment="REV-B-SECRET")
    db.session.commit()
    return w


def _all_ids(app) -> list[int]:
    from portal.models.accounts import UserSession
    from portal.models.exchange import Attachment, Offer, Review, ServiceRequest, Thread
    from portal.models.practitioners import ProfileDocument, QuizAttempt

    ids = set()
    for model in (ServiceRequest, Offer, Review, Thread, Attachment, ProfileDocument, QuizAttempt, UserSession):
        ids |= {row.id for row in db.session.query(model)}
    return sorted(ids | {2**31 - 1})


# Published profiles and their published reviews: what any visitor reads on the site, by design.
PUBLIC_BY_DESIGN = ("/api/v1/practitioners/",)


def _urls(app) -> list[str]:
    ids = _all_ids(app)
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in rule.methods or rule.rule.startswith(PUBLIC_BY_DESIGN):
            continue
        if rule.arguments == {"version"}:  # FAB's OpenAPI document
            urls.append(rule.rule.replace("<version>", "v1"))
        elif rule.arguments:
            if not all(a == "pk" or a.endswith("_id") for a in rule.arguments):
                raise AssertionError(f"an API route this test does not know how to fill: {rule.rule}")
            urls += [re.sub(r"<(?:int:)?[a-z_]+>", str(i), rule.rule) for i in ids]
        else:
            urls += [rule.rule + q for q in QUERIES]
    return urls


def _token(app, user) -> str:
    app.test_client_class = IsolatedClient
    response = app.test_client(use_cookies=False).post(
        "/api/v1/security/login", json={"username": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def _leaks(client, urls, forbidden, headers=None) -> list[str]:
    found = []
    for url in urls:
        response = client.get(url, headers=headers or {})
        assert response.status_code < 500, (url, response.status_code)
        body = response.get_data(as_text=True)
        found += [f"{url}: {marker}" for marker in forbidden if marker in body]
    return found


def test_the_api_routes_are_the_ones_this_test_walks(app):
    """A new API route must be covered here (the walk fails on unknown arguments)."""
    assert any("/api/v1/requests/" in u for u in _urls(app))


@pytest.mark.parametrize("role", ["anonymous", "client", "practitioner", "moderator", "admin"])
def test_no_api_route_shows_a_foreign_row(app, rows, role):
    urls = _urls(app)
    app.test_client_class = IsolatedClient
    client = app.test_client(use_cookies=False)
    headers = None
    if role != "anonymous":
        user = {"client": rows.client, "practitioner": rows.practitioner, "moderator": rows.moderator,
                "admin": rows.admin}[role]
        headers = {"Authorization": f"Bearer {_token(app, user)}"}
    leaks = _leaks(client, urls, FORBIDDEN[role], headers)
    assert not leaks, "\n".join(leaks[:30])


@pytest.mark.parametrize("role", ["client", "practitioner"])
def test_no_api_route_shows_a_foreign_row_to_a_browser_session(app, rows, role):
    app.test_client_class = IsolatedClient
    browser = app.test_client()
    user = rows.client if role == "client" else rows.practitioner
    login(browser, user.email)
    leaks = _leaks(browser, _urls(app), FORBIDDEN[role])
    assert not leaks, "\n".join(leaks[:30])


def test_own_rows_are_still_readable(app, rows):
    app.test_client_class = IsolatedClient
    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {_token(app, rows.client)}"}
    body = client.get("/api/v1/requests/", headers=headers).get_json()
    assert [r["title"] for r in body["items"]] == ["REQ-A"] and body["total"] == 1
    assert client.get(f"/api/v1/requests/{rows.request_a.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/requests/{rows.request_b.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/requests/_info", headers=headers).status_code in (404, 405)
