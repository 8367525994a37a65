"""The user agreement through the JSON API: the version in force (public, in
the call's language) and the re-acceptance gate end to end: a new version is
published, a signed-in app gets 403 naming the version and where to accept it,
accepts through the API and is let through."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.agreement import AgreementAcceptance
from portal.services import agreement
from tests.accounts.test_api_account import call, get, good, register, tokens_of, tr
from tests.accounts.test_api_tokens import api
from tests.agreement.test_agreement import NEXT, draft, versions  # noqa: F401 (the fixture)
from tests.factories import make_user

AGREEMENT = "/api/v1/agreement"
ACCEPT = "/api/v1/agreement/accept"


@pytest.fixture
def admin(app):
    return make_user(app.appbuilder.sm, ("Admin",))


@pytest.fixture
def user(app):
    return make_user(app.appbuilder.sm, ("Client",), locale="kk")


def acceptances(user) -> list[int]:
    db.session.expire_all()
    return [a.version.version for a in db.session.scalars(
        select(AgreementAcceptance).where(AgreementAcceptance.user_id == user.id))]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_version_in_force_is_public_in_the_calls_language(app, lang):
    response = api(app).get(AGREEMENT, headers={"Accept-Language": lang})
    assert response.status_code == 200 and "ETag" in response.headers
    body = response.get_json()
    current = agreement.current_agreement()
    assert body["version"] == current.version and body["effective_from"] == current.effective_from.isoformat()
    assert body["title"] == current.tr("title", lang) and body["text_language"] == lang
    assert body["text"].split("\n")[0] == getattr(current, f"text_{lang}").split("\n")[0]
    assert "{support_email}" not in body["text"] and app.config["SUPPORT_EMAIL"] in body["text"]


def test_the_gate_stops_an_app_until_it_accepts_the_new_version(app, admin, user, versions):  # noqa: F811
    tokens = tokens_of(app, user)
    assert get(app, "/api/v1/account", tokens["access_token"]).status_code == 200
    published = agreement.publish(admin, draft())
    assert published.version == NEXT

    stopped = get(app, "/api/v1/account", tokens["access_token"], lang="ru")
    assert stopped.status_code == 403
    problem = stopped.get_json()
    assert problem["type"].endswith("/agreement") and problem["agreement_version"] == NEXT
    assert problem["accept_url"] == ACCEPT
    assert problem["detail"] == tr("Please read and accept the new version of the user agreement to continue.")
    assert call(app, "PATCH", "/api/v1/account", tokens["access_token"], {"locale": "ru"}).status_code == 403
    db.session.expire_all()
    assert user.locale == "kk"
    # what a user who has not accepted still reaches: the text, sessions, support, their data
    assert api(app).get(AGREEMENT).get_json()["version"] == NEXT
    for path in ("/api/v1/account/sessions", "/api/v1/support", "/api/v1/account/export"):
        assert get(app, path, tokens["access_token"]).status_code == 200, path

    stale = call(app, "POST", ACCEPT, tokens["access_token"], {"version": NEXT - 1}, lang="kk")
    assert stale.status_code == 422 and stale.get_json()["detail"] == tr(
        "The agreement has changed while you were reading. Please read the current version and accept it.", "kk")
    assert NEXT not in acceptances(user)

    accepted = call(app, "POST", ACCEPT, tokens["access_token"], {"version": NEXT})
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert accepted.get_json()["version"] == NEXT
    assert acceptances(user).count(NEXT) == 1
    me = get(app, "/api/v1/account", tokens["access_token"])
    assert me.status_code == 200 and me.get_json()["agreement"] == {"version": NEXT, "accepted": True}
    again = call(app, "POST", ACCEPT, tokens["access_token"], {"version": NEXT})  # twice: still one row
    assert again.status_code == 200 and acceptances(user).count(NEXT) == 1


def test_registration_must_accept_the_version_in_force(app, admin, versions):  # noqa: F811
    agreement.publish(admin, draft())
    old = register(app, good(agreement_version=NEXT - 1))
    assert old.status_code == 422 and list(old.get_json()["errors"]) == ["agreement_version"]
    fresh = register(app, good(agreement_version=NEXT))
    assert fresh.status_code == 201
    assert fresh.get_json()["account"]["agreement"] == {"version": NEXT, "accepted": True}


def test_accepting_needs_a_token_and_a_version(app, user):
    assert api(app).post(ACCEPT, json={"version": 1}).status_code == 401
    token = tokens_of(app, user)["access_token"]
    missing = call(app, "POST", ACCEPT, token, {}, lang="ru")
    assert missing.status_code == 400 and missing.get_json()["errors"] == {"version": [tr("This field is required.")]}
    assert call(app, "POST", ACCEPT, token, {"version": "2"}).status_code == 400
