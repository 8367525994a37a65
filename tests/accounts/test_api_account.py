"""The account through the JSON API (/api/v1/account), as a mobile app uses it:
JSON in, Bearer token out, no session cookie. Registration keeps every rule,
message and limit of the web form; the account page's changes, mailing consent,
"Download my data" and closing the account call the same services as the web."""
from __future__ import annotations

import json

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from config import TestConfig
from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.accounts import AccountStatus, PortalUser, UserSession
from portal.models.agreement import AgreementAcceptance
from portal.services import agreement
from portal.services.accounts import blocking
from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.conftest import separate_app
from tests.factories import PASSWORD, make_user, unique_email

REGISTER = "/api/v1/account/register"
ME = "/api/v1/account"


def tr(msgid: str, lang: str = "ru", **params) -> str:
    """``msgid`` in ``lang``; a test fails if it is not translated."""
    with force_locale(lang):
        text = gettext(msgid, **params)
    assert text != msgid, f"not translated into {lang}: {msgid}"
    return text


def good(**changes) -> dict:
    body = {"email": unique_email("api-reg"), "password": "Strong-pass-7", "full_name": "Айжан Сериккызы",
            "phone": "+7 701 234 56 78", "locale": "kk", "accept_agreement": True,
            "agreement_version": agreement.current_agreement().version}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def register(app, body: dict, lang: str = "ru", ip: str = "10.60.0.1"):
    return api(app).post(REGISTER, json=body, headers={"Accept-Language": lang}, environ_base={"REMOTE_ADDR": ip})


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(PortalUser))


def tokens_of(app, user) -> dict:
    response = sign_in(app, user.email)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def get(app, path, token, lang="ru", **kwargs):
    return api(app).get(path, headers={**bearer(token), "Accept-Language": lang}, **kwargs)


def call(app, method, path, token, body=None, lang="ru"):
    return api(app).open(path, method=method, json=body, headers={**bearer(token), "Accept-Language": lang})


@pytest.fixture
def user(app):
    return make_user(app.appbuilder.sm, ("Client",), first_name="Дана", last_name="Омарова", locale="ru")


@pytest.fixture
def token(app, user):
    return tokens_of(app, user)["access_token"]


# --- registration ----------------------------------------------------------------------------------

def test_registration_creates_a_signed_in_client_who_accepted_the_agreement(app):
    body = good()
    response = register(app, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["account"]["email"] == body["email"]
    assert answer["account"]["roles"] == ["Client"] and answer["account"]["locale"] == "kk"
    assert answer["account"]["agreement"] == {"version": body["agreement_version"], "accepted": True}
    user = db.session.scalars(select(PortalUser).where(PortalUser.email == body["email"])).one()
    assert (user.first_name, user.last_name, user.phone) == ("Айжан", "Сериккызы", "+77012345678")
    current = agreement.current_agreement()
    acceptance = db.session.scalars(select(AgreementAcceptance).where(AgreementAcceptance.user_id == user.id)).one()
    assert acceptance.version_id == current.id and acceptance.ip_address == "10.60.0.1"
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one().kind == "api"
    me = get(app, ME, answer["access_token"])
    assert me.status_code == 200 and me.get_json()["id"] == user.id  # the tokens work at once


def test_the_call_language_is_the_default_locale(app):
    body = good(locale=None)
    assert register(app, body, lang="ru").status_code == 201
    assert db.session.scalars(select(PortalUser.locale).where(PortalUser.email == body["email"])).one() == "ru"


@pytest.mark.parametrize("changes, field, msgid", [
    ({"accept_agreement": False}, "accept_agreement", "You must accept the user agreement to register."),
    ({"accept_agreement": None}, "accept_agreement", "You must accept the user agreement to register."),
    ({"password": "short1"}, "password", "The password must be at least 8 characters long."),
    ({"password": "onlyletters"}, "password", "The password must contain both letters and digits."),
    ({"password": ""}, "password", "Enter a password."),
    ({"locale": "de"}, "locale", "Choose a language from the list."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"email": ""}, "email", "Enter your email address."),
    ({"full_name": "  "}, "full_name", "Enter your full name."),
    ({"phone": ""}, "phone", "Enter your phone number."),
    ({"phone": "12"}, "phone", "Enter a valid phone number, for example +7 701 234 56 78."),
    ({"agreement_version": 1}, "agreement_version",
     "The agreement has changed while you were reading. Please read the current version and accept it."),
])
def test_registration_keeps_every_rule_of_the_web_form(app, changes, field, msgid):
    before = users()
    response = register(app, good(**changes))
    assert response.status_code == 422, response.get_data(as_text=True)
    problem = response.get_json()
    assert problem["errors"] == {field: [tr(msgid)]} and problem["detail"] == tr(msgid)
    assert response.content_type == "application/problem+json"
    assert users() == before


def test_a_taken_email_is_refused_even_when_it_only_looks_the_same(app, user):
    before = users()
    for email in (user.email, user.email.upper(), user.email.replace("a", "а", 1)):  # Cyrillic а
        response = register(app, good(email=email), lang="kk")
        assert response.status_code == 422
        assert response.get_json()["errors"]["email"] == [tr(
            "An account with this email already exists. Sign in, or reset the password if you forgot it.", "kk")]
    assert users() == before


def test_malformed_registrations_are_400_with_field_errors(app):
    before = users()
    response = register(app, {**good(), "is_admin": True})
    assert response.status_code == 400 and response.get_json()["errors"] == {"is_admin": [tr("Unknown field.")]}
    missing = register(app, good(agreement_version=None))
    assert missing.status_code == 400 and "agreement_version" in missing.get_json()["errors"]
    assert register(app, good(accept_agreement="yes please")).status_code == 400
    assert api(app).post(REGISTER, data="[1]", content_type="application/json").status_code == 400
    assert users() == before


class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    REGISTRATION_RATE_LIMIT = "3 per hour"
    ACCOUNT_CLOSE_RATE_LIMIT = "2 per hour"
    DATA_EXPORT_RATE_LIMIT = "2 per hour"


@pytest.fixture(scope="module")
def limited(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("api-account-limits")) as application:
        yield application


def test_registration_is_limited_per_ip_like_the_form(limited):
    with limited.app_context():
        bodies = [good() for _ in range(5)]
    statuses = [register(limited, body, ip="10.61.0.1").status_code for body in bodies[:3]]
    assert statuses == [201, 201, 201]
    refused = register(limited, dict(bodies[3], email="x" + bodies[3]["email"]), ip="10.61.0.1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    problem = refused.get_json()
    assert problem["type"].endswith("/rate-limit") and problem["detail"] == tr(
        "Too many attempts. Please wait a little and try again.")
    with limited.app_context():
        assert db.session.scalar(select(func.count()).select_from(PortalUser).where(
            PortalUser.email == "x" + bodies[3]["email"])) == 0
    assert register(limited, bodies[4], ip="10.61.0.2").status_code == 201  # another address
    # the other endpoints of the account API are not counted against it
    token = sign_in(limited, bodies[0]["email"], bodies[0]["password"], ip="10.61.0.1").get_json()["access_token"]
    assert get(limited, ME, token).status_code == 200


# --- my account ----------------------------------------------------------------------------------

def test_me_shows_the_account(app, user, token):
    body = get(app, ME, token).get_json()
    assert body["id"] == user.id and body["email"] == user.email and body["full_name"] == "Дана Омарова"
    assert body["roles"] == ["Client"] and body["status"] == "active" and body["practitioner_status"] is None
    assert body["agreement"] == {"version": agreement.current_agreement().version, "accepted": True}
    assert body["consent"]["informational"] is True and body["consent"]["advertising"] is False


def test_anonymous_calls_get_401_on_every_private_endpoint(app):
    client = api(app)
    for method, path in [("GET", ME), ("PATCH", ME), ("GET", ME + "/consent"), ("PUT", ME + "/consent"),
                         ("GET", ME + "/export"), ("POST", ME + "/close")]:
        response = client.open(path, method=method, json={}, headers={"Accept-Language": "ru"})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["detail"] == tr("Sign in first: send the access token in the Authorization header.")
    forged = client.get(ME, headers=bearer("not.a.token"))
    assert forged.status_code == 401


def test_name_and_language_are_changed(app, user, token):
    response = call(app, "PATCH", ME, token, {"first_name": " Дина ", "locale": "kk"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["first_name"] == "Дина" and response.get_json()["locale"] == "kk"
    db.session.expire_all()
    assert (user.first_name, user.last_name, user.locale) == ("Дина", "Омарова", "kk")


@pytest.mark.parametrize("body, status, field, msgid", [
    ({"first_name": "  "}, 422, "first_name", "This field is required."),
    ({"locale": "fr"}, 422, "locale", "Choose a language from the list."),
    ({"last_name": "x" * 65}, 400, "last_name", "At most %(max)s characters."),
    ({"email": "other@example.kz"}, 400, "email", "Unknown field."),
])
def test_a_wrong_change_changes_nothing(app, user, token, body, status, field, msgid):
    response = call(app, "PATCH", ME, token, body, lang="kk")
    assert response.status_code == status
    assert response.get_json()["errors"][field] == [tr(msgid, "kk", max=64)]
    db.session.expire_all()
    assert (user.first_name, user.last_name, user.locale, user.email.startswith("client")) == (
        "Дана", "Омарова", "ru", True)


def test_mailing_consent_is_read_and_changed_with_an_audit_entry(app, user, token):
    assert get(app, ME + "/consent", token).get_json()["informational"] is True
    response = call(app, "PUT", ME + "/consent", token, {"informational": False, "advertising": True})
    assert response.status_code == 200
    assert response.get_json()["informational"] is False and response.get_json()["advertising"] is True
    db.session.expire_all()
    assert (user.consent_info, user.consent_ads) == (False, True) and user.consent_changed_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == user.id,
                                                        AuditEntry.action == "consent")).one()
    assert entry.to_value == "info=off,ads=on"
    assert call(app, "PUT", ME + "/consent", token, {"informational": True}).status_code == 400


def test_download_my_data_is_the_web_document_as_an_attachment(app, user, token):
    response = get(app, ME + "/export", token)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="alemtrust-my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["format"] == "alemtrust-personal-data/1" and data["account"]["email"] == user.email
    assert len(data["login_history"]) == 1  # the API sign-in


# --- closing the account -------------------------------------------------------------------------

def test_closing_refuses_a_wrong_password_or_no_confirmation(app, user, token):
    wrong = call(app, "POST", ME + "/close", token, {"password": "Wrong-pass-1", "confirm": True})
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == {"password": [tr("The password is not correct.")]}
    unconfirmed = call(app, "POST", ME + "/close", token, {"password": PASSWORD, "confirm": False}, lang="kk")
    assert unconfirmed.get_json()["errors"] == {"confirm": [tr(
        "Tick the box to confirm that you want to close your account.", "kk")]}
    db.session.expire_all()
    assert user.status == AccountStatus.ACTIVE and get(app, ME, token).status_code == 200


def test_staff_cannot_close_their_account_here(app):
    moderator = make_user(app.appbuilder.sm, ("Moderator",))
    token = tokens_of(app, moderator)["access_token"]
    response = call(app, "POST", ME + "/close", token, {"password": PASSWORD, "confirm": True})
    assert response.status_code == 422 and response.get_json()["detail"] == tr(
        "Staff accounts are closed by an administrator, not from the account page.")
    db.session.expire_all()
    assert moderator.status == AccountStatus.ACTIVE


def test_closing_erases_the_account_and_its_tokens_stop_working(app, user):
    tokens = tokens_of(app, user)
    other = tokens_of(app, user)  # another device of the same user
    response = call(app, "POST", ME + "/close", tokens["access_token"], {"password": PASSWORD, "confirm": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["message"] == tr(
        "Your account is closed and your personal data has been erased. Thank you for using AlemTrust.")
    db.session.expire_all()
    assert user.status == AccountStatus.CLOSED and user.email.endswith("@closed.invalid")
    for access in (tokens["access_token"], other["access_token"]):
        assert get(app, ME, access).status_code == 401
        assert get(app, ME + "/sessions", access).status_code == 401
    assert api(app).post("/api/v1/security/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_closing_and_downloads_are_limited_per_account(limited):
    with limited.app_context():
        user = make_user(limited.appbuilder.sm, ("Client",))
        email = user.email
    token = sign_in(limited, email, ip="10.62.0.1").get_json()["access_token"]
    assert [get(limited, ME + "/export", token).status_code for _ in range(2)] == [200, 200]
    refused = get(limited, ME + "/export", token)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    for _ in range(2):
        assert call(limited, "POST", ME + "/close", token, {"password": "Wrong-1x", "confirm": True}).status_code == 422
    refused = call(limited, "POST", ME + "/close", token, {"password": PASSWORD, "confirm": True})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    with limited.app_context():
        assert db.session.scalars(select(PortalUser.status).where(PortalUser.email == email)).one() == "active"


# --- a blocked account ---------------------------------------------------------------------------

def test_a_token_from_before_blocking_is_refused(app, user, token, world):
    assert get(app, ME, token).status_code == 200
    blocking.block(world.admin, user.id, "suspicious_activity")
    for method, path in [("GET", ME), ("PATCH", ME), ("GET", ME + "/sessions"), ("POST", "/api/v1/support/messages")]:
        response = call(app, method, path, token, {"body": "hello"} if method == "POST" else {})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["detail"] == tr("Your session has ended or the token is not valid. Sign in again.")
    db.session.expire_all()
    assert user.first_name == "Дана"
