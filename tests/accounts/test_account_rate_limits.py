"""Per-account rate limits on signed-in actions (portal.core.limits), on an app
with the limiter switched on: support messages and complaints count only what
was sent (a form sent back with an error does not count), attempts to close the
account count every try (password guessing), "Download my data" counts every
download. Each counter is per account and per action; over it the answer is
the translated 429 page and nothing is stored."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from config import TestConfig
from portal.core.extensions import db
from portal.models.accounts import AccountStatus, PortalUser
from portal.models.trust import Complaint, SupportMessage
from tests.conftest import separate_app
from tests.factories import PASSWORD, make_practitioner, make_user

TEXT = "This profile copies somebody else's licence number."


class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SUPPORT_MESSAGE_RATE_LIMIT = "2 per hour"
    COMPLAINT_RATE_LIMIT = "2 per hour"
    ACCOUNT_CLOSE_RATE_LIMIT = "2 per hour"
    DATA_EXPORT_RATE_LIMIT = "2 per hour"


@pytest.fixture(scope="module")
def limited_app(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("account-limits")) as application:
        yield application


_ip = iter(range(1, 250))


def user_client(limited_app, roles=("Client",)):
    """A new user of the limited app and a client signed in as them (each from its own address:
    the login form has its own per-IP limit)."""
    with limited_app.app_context():
        user = make_user(limited_app.appbuilder.sm, roles)
        user_id, email = user.id, user.email
    client = limited_app.test_client()
    response = client.post("/login/", data={"username": email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": f"10.20.0.{next(_ip)}"})
    assert response.status_code == 302 and "/login/" not in response.headers["Location"]
    return user_id, client


def count(limited_app, stmt) -> int:
    with limited_app.app_context():
        return db.session.scalar(stmt)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def refused(response) -> bool:
    return response.status_code == 429 and "Too many attempts" in text_of(response)


def test_support_messages_are_limited_per_account(limited_app):
    user_id, client = user_client(limited_app)
    sent = select(func.count(SupportMessage.id)).where(SupportMessage.author_id == user_id)
    assert client.post("/support/send?_l_=en", data={"body": "   "}).status_code == 400  # not counted
    for n in range(2):
        assert client.post("/support/send?_l_=en", data={"body": f"Question {n}"}).status_code == 302, n
    assert refused(client.post("/support/send?_l_=en", data={"body": "One more"}))
    assert count(limited_app, sent) == 2
    assert client.get("/support/?_l_=en").status_code == 200  # reading the chat is not limited
    _, other = user_client(limited_app)  # another account has its own allowance
    assert other.post("/support/send?_l_=en", data={"body": "Hello"}).status_code == 302


def test_complaints_are_limited_per_account(limited_app):
    with limited_app.app_context():
        profiles = [make_practitioner(limited_app.appbuilder.sm).id for _ in range(3)]
    user_id, client = user_client(limited_app)
    filed = select(func.count(Complaint.id)).where(Complaint.reporter_id == user_id)

    def report(profile_id, text=TEXT):
        return client.post(f"/complaints/report/profile/{profile_id}?_l_=en", data={"reason": "fraud", "text": text})

    assert report(profiles[0], text="short").status_code == 400  # sent back: not counted
    assert report(profiles[0]).status_code == 302
    assert report(profiles[0]).status_code == 400  # a duplicate is refused by the service: not counted
    assert report(profiles[1]).status_code == 302
    assert refused(report(profiles[2]))
    assert count(limited_app, filed) == 2
    assert client.get(f"/complaints/report/profile/{profiles[2]}?_l_=en").status_code == 200
    assert client.get("/complaints/?_l_=en").status_code == 200


def test_closing_the_account_limits_password_guesses(limited_app):
    user_id, client = user_client(limited_app)
    for n in range(2):
        response = client.post("/account/close?_l_=en", data={"password": f"Guess-{n}", "confirm": "y"})
        assert response.status_code == 400 and "The password is not correct." in text_of(response), n
    # even the right password is refused now: the guesses used up the allowance
    assert refused(client.post("/account/close?_l_=en", data={"password": PASSWORD, "confirm": "y"}))
    with limited_app.app_context():
        assert db.session.get(PortalUser, user_id).status == AccountStatus.ACTIVE
    assert client.get("/account/close?_l_=en").status_code == 200  # the page itself still opens
    assert client.get("/account/export").status_code == 200  # another action, another counter
    _, other = user_client(limited_app)
    assert other.post("/account/close?_l_=en", data={"password": "Guess-x", "confirm": "y"}).status_code == 400


def test_data_export_is_limited_per_account(limited_app):
    _, client = user_client(limited_app)
    for n in range(2):
        response = client.get("/account/export")
        assert response.status_code == 200 and response.mimetype == "application/json", n
    assert refused(client.get("/account/export?_l_=en"))
    assert client.post("/account/close?_l_=en", data={"password": "Guess", "confirm": "y"}).status_code == 400
    _, other = user_client(limited_app)
    assert other.get("/account/export").status_code == 200
