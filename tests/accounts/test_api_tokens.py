"""API sign-in, refresh and sign-out (security round 2): the login limits shared
by every path that checks a password, and tokens that end when they should.

Tokens are used exactly as a mobile client would: JSON in, Bearer header out,
no session cookie (each call from a fresh test client)."""
from __future__ import annotations

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import select

from config import TestConfig
from portal.core.extensions import db
from portal.models.accounts import LoginEvent, UserSession
from portal.services.accounts import blocking, closure, password_reset, sessions
from tests.conftest import IsolatedClient, login, separate_app
from tests.factories import PASSWORD, make_request, make_user

LOGIN = "/api/v1/security/login"
MINE = "/api/v1/requests/"


def api(app):
    """A client that keeps no cookies between calls, like a mobile app."""
    app.test_client_class = IsolatedClient
    return app.test_client(use_cookies=False)


def sign_in(app, email, password=PASSWORD, ip="10.9.0.1", **extra):
    return api(app).post(LOGIN, json={"username": email, "password": password, **extra},
                         environ_base={"REMOTE_ADDR": ip})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def reads(app, access) -> int:
    return api(app).get(MINE, headers=bearer(access)).status_code


def refreshes(app, refresh) -> int:
    return api(app).post("/api/v1/security/refresh", headers=bearer(refresh)).status_code


@pytest.fixture
def user(app):
    user = make_user(app.appbuilder.sm, ("Client",))
    make_request(user, title="Мой запрос")
    return user


@pytest.fixture
def tokens(app, user):
    response = sign_in(app, user.email)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ---------------------------------------------------------------- tokens


def test_sign_in_gives_tokens_tied_to_an_api_session(app, user, tokens):
    assert {"access_token", "refresh_token", "device_token"} <= set(tokens)
    assert reads(app, tokens["access_token"]) == 200
    body = api(app).get(MINE, headers=bearer(tokens["access_token"])).get_json()
    assert [r["title"] for r in body["items"]] == ["Мой запрос"]
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.kind == "api")).one()
    assert row.ended_at is None and row.refresh_hash and len(row.refresh_hash) == 64
    assert tokens["refresh_token"] not in (row.refresh_hash, row.token)  # only a hash is stored
    events = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)).all()
    assert [e.success for e in events] == [True]  # the API sign-in is in the login history


def test_wrong_password_and_bad_payloads(app, user):
    assert sign_in(app, user.email, "Wrong-pass-9").status_code == 401
    assert sign_in(app, "nobody@example.kz", "Wrong-pass-9").status_code == 401
    client = api(app)
    assert client.post(LOGIN, data="not json", content_type="application/json").status_code == 400
    assert client.post(LOGIN, json=["a", "b"]).status_code == 400
    assert client.post(LOGIN, json={"username": user.email}).status_code == 400
    assert client.post(LOGIN, json={"username": 5, "password": {"x": 1}}).status_code == 400


def test_a_blocked_account_is_told_why(app, user, world):
    blocking.block(world.admin, user.id, "suspicious_activity")
    response = sign_in(app, user.email)
    assert response.status_code == 401
    assert "заблок" in response.get_json()["detail"].lower()  # in the user's language (ru)


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(app, user, tokens):
    response = api(app).post("/api/v1/security/refresh", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200
    fresh = response.get_json()
    assert reads(app, fresh["access_token"]) == 200
    assert refreshes(app, tokens["refresh_token"]) == 401  # the old one was replayed: stolen
    assert refreshes(app, fresh["refresh_token"]) == 401  # so the whole session ended
    assert reads(app, fresh["access_token"]) == 401
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    db.session.refresh(row)
    assert row.ended_reason == "token_reuse"


def test_an_access_token_cannot_refresh(app, tokens):
    assert refreshes(app, tokens["access_token"]) == 401


def test_sign_out_ends_both_tokens(app, tokens):
    response = api(app).post("/api/v1/security/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert reads(app, tokens["access_token"]) == 401
    assert refreshes(app, tokens["refresh_token"]) == 401


def test_tokens_without_a_session_are_refused(app, user):
    """FAB's own login minted tokens with only a subject: such tokens are refused."""
    with app.test_request_context():
        bare = create_access_token(identity=str(user.id))
        forged = create_access_token(identity=str(user.id), additional_claims={"sid": 2**40, "tv": 0})
    assert reads(app, bare) == 401
    assert reads(app, forged) == 401


def _not_me(app, user):
    event = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)).first()
    password_reset.report_not_me(user, event.id, "10.0.0.1")


def _password_change(app, user):
    browser = app.test_client()
    login(browser, user.email)
    new = "Changed-pass-7"
    response = browser.post("/resetmypassword/form", data={"current_password": PASSWORD, "password": new,
                                                          "conf_password": new})
    assert response.status_code == 302


def _password_reset(app, user):
    link = password_reset.request_reset(user.email)
    password_reset.reset(link, "Reset-pass-8")


def _block(app, user):
    admin = make_user(app.appbuilder.sm, ("Admin",))
    blocking.block(admin, user.id, "other", "stolen phone")


def _close(app, user):
    closure.close_account(user, PASSWORD, True)


def _end_others_from_the_web(app, user):
    browser = app.test_client()
    login(browser, user.email)
    assert browser.post("/account/security/sessions/end-others").status_code == 302


def _end_this_one_from_the_web(app, user):
    browser = app.test_client()
    login(browser, user.email)
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.kind == "api")).one()
    assert browser.post(f"/account/security/sessions/{row.id}/end").status_code == 302


@pytest.mark.parametrize("event", [_not_me, _password_change, _password_reset, _block, _close,
                                   _end_others_from_the_web, _end_this_one_from_the_web],
                         ids=lambda f: f.__name__.strip("_"))
def test_old_tokens_are_refused_after(app, user, tokens, event):
    assert reads(app, tokens["access_token"]) == 200
    event(app, user)
    db.session.expire_all()
    assert reads(app, tokens["access_token"]) == 401
    assert refreshes(app, tokens["refresh_token"]) == 401


def test_ending_all_sessions_raises_the_token_version(app, user, tokens):
    before = user.token_version
    sessions.end_all(user.id, sessions.EndReason.BY_USER)
    db.session.commit()
    db.session.refresh(user)
    assert user.token_version == before + 1
    assert reads(app, tokens["access_token"]) == 401
    again = sign_in(app, user.email).get_json()  # a new sign-in works under the new version
    assert reads(app, again["access_token"]) == 200


# ---------------------------------------------------------------- one set of login limits


class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    AUTH_RATE_LIMIT = "10 per 5 minute"
    AUTH_ACCOUNT_RATE_LIMIT = "10 per 15 minute"
    AUTH_DEVICE_RATE_LIMIT = "10 per 15 minute"


@pytest.fixture(scope="module")
def limited(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("limited")) as application:
        with application.app_context():
            application.extensions["limiter"]  # noqa: B018 (FAB's limiter is set up)
            yield application


@pytest.fixture
def victim(limited):
    with limited.app_context():
        user = make_user(limited.appbuilder.sm, ("Client",))
        return user.email


def test_api_login_is_limited_per_account_and_then_refuses_the_right_password(limited, victim):
    statuses = [sign_in(limited, victim, "Wrong-pass-9", ip=f"10.4.0.{n}").status_code for n in range(1, 26)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    response = sign_in(limited, victim, ip="10.4.1.1")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "detail" in response.get_json()


def test_web_and_api_count_against_the_same_ip_limit(limited):
    web = limited.test_client()
    for n in range(5):
        assert web.post("/login/", data={"username": f"ip-{n}@example.kz", "password": "Wrong-pass-9"},
                        environ_base={"REMOTE_ADDR": "10.5.0.1"}).status_code == 302
    for n in range(5, 10):
        assert sign_in(limited, f"ip-{n}@example.kz", "Wrong-pass-9", ip="10.5.0.1").status_code == 401
    assert sign_in(limited, "ip-10@example.kz", "Wrong-pass-9", ip="10.5.0.1").status_code == 429
    assert web.post("/login/", data={"username": "ip-11@example.kz", "password": "Wrong-pass-9"},
                    environ_base={"REMOTE_ADDR": "10.5.0.1"}).status_code == 429


def test_successful_logins_from_one_address_are_never_refused(limited):
    """Many customers of one mobile carrier share an address: their sign-ins are not counted."""
    with limited.app_context():
        emails = [make_user(limited.appbuilder.sm, ("Client",)).email for _ in range(3)]
    for _ in range(5):
        for email in emails:
            assert sign_in(limited, email, ip="10.6.0.1").status_code == 200


def test_the_owner_gets_in_from_a_known_device_while_the_account_is_under_attack(limited, victim):
    own = sign_in(limited, victim, ip="10.7.0.1").get_json()["device_token"]
    browser = limited.test_client()
    assert "/login/" not in browser.post("/login/", data={"username": victim, "password": PASSWORD},
                                         environ_base={"REMOTE_ADDR": "10.7.0.2"}).headers["Location"]
    assert browser.get_cookie("portal_device") is not None
    for n in range(12):  # an attacker from many addresses
        sign_in(limited, victim, "Wrong-pass-9", ip=f"10.7.1.{n + 1}")
    assert sign_in(limited, victim, ip="10.7.2.1").status_code == 429  # unknown device: refused
    assert sign_in(limited, victim, ip="10.7.2.2", device_token=own).status_code == 200  # the owner's phone
    browser.post("/logout/")
    response = browser.post("/login/", data={"username": victim, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.7.2.3"})
    assert response.status_code == 302 and "/login/" not in response.headers["Location"]  # the owner's browser
    forged = own[:-3] + ("AAA" if not own.endswith("AAA") else "BBB")
    assert sign_in(limited, victim, ip="10.7.2.4", device_token=forged).status_code == 429


def test_a_device_token_of_another_account_does_not_help(limited, victim):
    with limited.app_context():
        other = make_user(limited.appbuilder.sm, ("Client",)).email
    theirs = sign_in(limited, other, ip="10.8.0.1").get_json()["device_token"]
    for n in range(10):
        sign_in(limited, victim, "Wrong-pass-9", ip=f"10.8.1.{n + 1}")
    assert sign_in(limited, victim, ip="10.8.2.1", device_token=theirs).status_code == 429


def test_a_password_reset_lets_the_owner_back_in(limited, victim):
    for n in range(10):
        sign_in(limited, victim, "Wrong-pass-9", ip=f"10.10.1.{n + 1}")
    assert sign_in(limited, victim, ip="10.10.2.1").status_code == 429
    with limited.app_context():
        link = password_reset.request_reset(victim)
    browser = limited.test_client()
    response = browser.post(f"/reset-password/{link}", data={"password": "Reset-pass-8", "confirm": "Reset-pass-8"},
                            environ_base={"REMOTE_ADDR": "10.10.2.2"})
    assert response.status_code == 302
    assert sign_in(limited, victim, "Reset-pass-8", ip="10.10.2.3").status_code == 200


def test_wrong_current_passwords_count_against_the_sessions_device_limit(limited):
    with limited.app_context():
        email = make_user(limited.appbuilder.sm, ("Client",)).email
    browser = limited.test_client()
    ip = {"REMOTE_ADDR": "10.11.0.1"}
    assert browser.post("/login/", data={"username": email, "password": PASSWORD}, environ_base=ip).status_code == 302
    new = "Changed-pass-7"
    for _ in range(10):
        response = browser.post("/resetmypassword/form", environ_base=ip,
                                data={"current_password": "Wrong-pass-9", "password": new, "conf_password": new})
        assert response.status_code == 400
    response = browser.post("/resetmypassword/form", environ_base=ip,
                            data={"current_password": PASSWORD, "password": new, "conf_password": new})
    assert response.status_code == 429
    # counted on the signed-in browser's device key, not the shared address (issue 19)
    assert sign_in(limited, "someone@example.kz", "Wrong-pass-9", ip="10.11.0.1").status_code == 401
