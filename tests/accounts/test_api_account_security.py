"""Account security through the JSON API (agreement 4b): the signed-in sessions
and ending them (only one's own: another user's id is a 404), "Forgot
password?" end to end with the link from the outbox mail, and changing the
password; the same rules, messages and limits as the web pages."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from config import TestConfig
from portal.core.extensions import db
from portal.models.accounts import PasswordResetToken, UserSession
from portal.models.notifications import MailOutbox
from tests.accounts.test_api_account import call, get, tokens_of, tr
from tests.accounts.test_api_tokens import api, sign_in
from tests.conftest import login, separate_app
from tests.factories import PASSWORD, make_user

SESSIONS = "/api/v1/account/sessions"
RESET = "/api/v1/account/password-reset"
NEW_PASSWORD = "Brand-new-pass-5"
PHONE_UA = "AlemTrustApp/1.0 (iPhone; iOS 17.4) Safari"


@pytest.fixture
def user(app):
    return make_user(app.appbuilder.sm, ("Client",), first_name="Дана", locale="ru")


@pytest.fixture
def other(app):
    return make_user(app.appbuilder.sm, ("Client",), first_name="Бота", locale="kk")


def live(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                             UserSession.ended_at.is_(None))))


def session_of(token_pair) -> UserSession:
    from flask_jwt_extended import decode_token

    return db.session.get(UserSession, decode_token(token_pair["access_token"])["sid"])


def reset_token(user) -> str:
    db.session.expire_all()
    mail = db.session.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id)
                              .order_by(MailOutbox.id.desc())).first()
    assert mail is not None, "no reset mail"
    return re.search(r"/reset-password/([\w-]+)", mail.body_text).group(1)


# --- sessions ------------------------------------------------------------------------------------

def test_sessions_lists_browsers_and_apps_and_marks_this_one(app, client, user):
    assert login(client, user.email).status_code == 302  # a browser
    phone = api(app).post("/api/v1/security/login", json={"username": user.email, "password": PASSWORD},
                          headers={"User-Agent": PHONE_UA}).get_json()
    mine = tokens_of(app, user)
    response = get(app, SESSIONS, mine["access_token"])
    assert response.status_code == 200
    rows = response.get_json()
    assert sorted(r["kind"] for r in rows) == ["api", "api", "web"]
    current = [r for r in rows if r["current"]]
    assert [r["id"] for r in current] == [session_of(mine).id]
    assert next(r for r in rows if r["id"] == session_of(phone).id)["device"] == tr(
        "%(browser)s on %(system)s", browser="Safari", system="iPhone")
    assert {"ip_address", "started_at", "last_seen_at"} <= set(rows[0])


def test_ending_another_session_signs_that_device_out(app, user):
    phone, mine = tokens_of(app, user), tokens_of(app, user)
    response = call(app, "DELETE", f"{SESSIONS}/{session_of(phone).id}", mine["access_token"], lang="kk")
    assert response.status_code == 200
    assert response.get_json()["message"] == tr("The session is ended: that device is signed out.", "kk")
    assert get(app, "/api/v1/account", phone["access_token"]).status_code == 401
    assert get(app, "/api/v1/account", mine["access_token"]).status_code == 200
    again = call(app, "DELETE", f"{SESSIONS}/{session_of(phone).id}", mine["access_token"])
    assert again.status_code == 404  # already ended


def test_the_session_in_use_is_not_ended_this_way(app, user):
    mine = tokens_of(app, user)
    response = call(app, "DELETE", f"{SESSIONS}/{session_of(mine).id}", mine["access_token"])
    assert response.status_code == 422
    assert response.get_json()["detail"] == tr("This is the session you are using: sign out to end it.")
    assert get(app, "/api/v1/account", mine["access_token"]).status_code == 200


def test_another_users_session_is_not_found_and_stays(app, user, other):
    theirs, mine = tokens_of(app, other), tokens_of(app, user)
    row = session_of(theirs)
    for session_id in (row.id, row.id + 10_000):
        response = call(app, "DELETE", f"{SESSIONS}/{session_id}", mine["access_token"])
        assert response.status_code == 404 and response.content_type == "application/problem+json"
    assert [s.id for s in live(other)] == [row.id]
    assert get(app, "/api/v1/account", theirs["access_token"]).status_code == 200
    assert call(app, "DELETE", f"{SESSIONS}/0", mine["access_token"]).status_code in (400, 404)


def test_ending_every_other_session_gives_this_one_new_tokens(app, client, user, other):
    assert login(client, user.email).status_code == 302
    phone, mine, theirs = tokens_of(app, user), tokens_of(app, user), tokens_of(app, other)
    response = call(app, "POST", f"{SESSIONS}/end-others", mine["access_token"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    with force_locale("ru"):
        expected = ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", 2)
    assert body["ended"] == 2 and body["message"] == expected == "2 других сеанса завершены."
    assert [s.id for s in live(user)] == [session_of(mine).id]
    assert get(app, "/api/v1/account", phone["access_token"]).status_code == 401
    assert get(app, "/api/v1/account", mine["access_token"]).status_code == 401  # the token version went up
    assert get(app, "/api/v1/account", body["access_token"]).status_code == 200
    assert api(app).post("/api/v1/security/refresh",
                         headers={"Authorization": f"Bearer {body['refresh_token']}"}).status_code == 200
    assert client.get("/account/").status_code == 302  # the browser is signed out
    assert get(app, "/api/v1/account", theirs["access_token"]).status_code == 200  # another user: untouched


def test_anonymous_calls_to_sessions_and_password_get_401(app, user):
    row = session_of(tokens_of(app, user))
    client = api(app)
    for method, path in [("GET", SESSIONS), ("DELETE", f"{SESSIONS}/{row.id}"), ("POST", f"{SESSIONS}/end-others"),
                         ("POST", "/api/v1/account/password")]:
        assert client.open(path, method=method, json={}).status_code == 401, (method, path)
    assert live(user) and live(user)[0].id == row.id


# --- forgot password -----------------------------------------------------------------------------

def test_password_reset_end_to_end_with_the_link_from_the_mail(app, user):
    old = tokens_of(app, user)
    response = api(app).post(RESET, json={"email": user.email.upper()}, headers={"Accept-Language": "ru"})
    assert response.status_code == 202
    message = response.get_json()["message"]
    assert message == tr("If an account with this email exists and is active, we have sent it a link to choose a "
                         "new password. The link works once, for %(minutes)d minutes. Check your spam folder too.",
                         minutes=app.config["PASSWORD_RESET_TTL_MINUTES"])
    token = reset_token(user)

    weak = api(app).post(RESET + "/confirm", json={"token": token, "password": "weakpass"},
                         headers={"Accept-Language": "kk"})
    assert weak.status_code == 422
    assert weak.get_json()["errors"] == {"password": [tr("The password must contain both letters and digits.", "kk")]}

    done = api(app).post(RESET + "/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert get(app, "/api/v1/account", old["access_token"]).status_code == 401  # every session ended
    assert sign_in(app, user.email).status_code == 401
    assert sign_in(app, user.email, NEW_PASSWORD).status_code == 200
    used = api(app).post(RESET + "/confirm", json={"token": token, "password": "Another-pass-6"},
                         headers={"Accept-Language": "ru"})
    assert used.status_code == 422 and used.get_json()["errors"]["token"] == [tr(
        "This password reset link is invalid, expired or already used. Ask for a new one.")]
    assert sign_in(app, user.email, NEW_PASSWORD).status_code == 200


def test_the_answer_is_the_same_for_unknown_emails_and_nothing_is_sent(app, user):
    known = api(app).post(RESET, json={"email": user.email})
    unknown = api(app).post(RESET, json={"email": "nobody-here@example.kz"})
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert db.session.scalars(select(MailOutbox).where(MailOutbox.recipient == "nobody-here@example.kz")).all() == []
    bad = api(app).post(RESET, json={"email": "not an email"}, headers={"Accept-Language": "ru"})
    assert bad.status_code == 400 and bad.get_json()["errors"]["email"] == [tr("Enter a valid email address.")]


class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_RESET_RATE_LIMIT = "2 per 15 minute"


@pytest.fixture(scope="module")
def limited(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("api-reset-limits")) as application:
        yield application


def test_password_reset_requests_are_limited_per_ip_and_per_email(limited):
    with limited.app_context():
        email = make_user(limited.appbuilder.sm, ("Client",)).email
    client = api(limited)
    for n in range(2):
        assert client.post(RESET, json={"email": email}, environ_base={"REMOTE_ADDR": f"10.63.0.{n}"}).status_code == 202
    refused = client.post(RESET, json={"email": email}, environ_base={"REMOTE_ADDR": "10.63.0.9"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0  # per email
    for n in range(2):
        assert client.post(RESET, json={"email": f"x{n}@example.kz"},
                           environ_base={"REMOTE_ADDR": "10.63.1.1"}).status_code == 202
    assert client.post(RESET, json={"email": "x9@example.kz"},
                       environ_base={"REMOTE_ADDR": "10.63.1.1"}).status_code == 429  # per address
    with limited.app_context():
        assert db.session.scalar(select(PasswordResetToken.id).where(
            PasswordResetToken.ip_address == "10.63.0.9")) is None


# --- changing the password -----------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one_and_keeps_this_session(app, client, user):
    assert login(client, user.email).status_code == 302
    phone, mine = tokens_of(app, user), tokens_of(app, user)
    wrong = call(app, "POST", "/api/v1/account/password", mine["access_token"],
                 {"current_password": "Wrong-pass-2", "password": NEW_PASSWORD}, lang="kk")
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == {"current_password": [tr("The password is not correct.", "kk")]}
    weak = call(app, "POST", "/api/v1/account/password", mine["access_token"],
                {"current_password": PASSWORD, "password": "12345678"})
    assert weak.get_json()["errors"] == {"password": [tr("The password must contain both letters and digits.")]}
    assert sign_in(app, user.email).status_code == 200  # nothing changed yet

    done = call(app, "POST", "/api/v1/account/password", mine["access_token"],
                {"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["message"] == tr("Your password is changed. Your other sessions are signed out.")
    assert get(app, "/api/v1/account", body["access_token"]).status_code == 200
    assert get(app, "/api/v1/account", phone["access_token"]).status_code == 401
    assert client.get("/account/").status_code == 302
    assert [s.id for s in live(user)] == [session_of(mine).id]
    assert sign_in(app, user.email).status_code == 401 and sign_in(app, user.email, NEW_PASSWORD).status_code == 200
