"""Password reset by email and "this wasn't me" (agreement 4b): answers that
reveal no account, single-use expiring tokens stored only as a hash, the
email in the user's language, sessions ended after a reset, and the
end-to-end "this wasn't me" with two devices. The rate limit of the reset
form: tests/accounts/test_rate_limit_redis.py."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import AccountStatus, BlockReason, LoginEvent, PasswordResetToken
from portal.models.notifications import MailOutbox, Notification
from portal.services.accounts import blocking, password_reset, sessions
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, fails_without_change, make_user, notification_count, row_count

NEW_PASSWORD = "Fresh-pass-7"
ATTACKER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
OWNER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def mails_of(user) -> list[MailOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id).order_by(MailOutbox.id)))


def link_in(mail: MailOutbox) -> str:
    return re.search(r"https?://\S+/reset-password/[\w-]+", mail.body_text).group(0)


@pytest.fixture
def device(app):
    app.test_client_class = IsolatedClient

    def _device(user_agent: str = OWNER_UA, ip: str = "10.44.0.1"):
        browser = app.test_client()
        browser.environ_base.update({"REMOTE_ADDR": ip, "HTTP_USER_AGENT": user_agent})
        return browser
    return _device


@pytest.fixture
def user(app):
    return make_user(app.appbuilder.sm, ("Client",), locale="ru", first_name="Дана")


def signed_in(browser) -> bool:
    return browser.get("/account/").status_code == 200


# --- asking for a link ---------------------------------------------------------------------------

@pytest.mark.parametrize("locale, greeting", [("kk", "Сәлеметсіз бе, Дана!"), ("ru", "Здравствуйте, Дана!")])
def test_the_email_is_in_the_users_language_with_an_absolute_single_use_link(app, locale, greeting):
    user = make_user(app.appbuilder.sm, ("Client",), locale=locale, first_name="Дана")
    token = password_reset.request_reset("  " + user.email.upper() + " ", "10.1.1.1")
    [mail] = mails_of(user)
    url = app.config["PORTAL_BASE_URL"].rstrip("/") + f"/reset-password/{token}"
    assert (mail.recipient, mail.locale) == (user.email, locale)
    with force_locale(locale):
        assert mail.subject == str(password_reset.SUBJECT % {"app": "AlemTrust"})
    assert greeting in mail.body_text and greeting in mail.body_html
    assert url in mail.body_text and f'href="{url}"' in mail.body_html
    assert f"{app.config['PASSWORD_RESET_TTL_MINUTES']}" in mail.body_text
    # only the hash is stored
    row = db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert row.ip_address == "10.1.1.1"
    assert row.expires_at - row.created_at == dt.timedelta(minutes=app.config["PASSWORD_RESET_TTL_MINUTES"])


def test_the_answer_is_the_same_for_any_email(app, device):
    sm = app.appbuilder.sm
    active, blocked, closed = (make_user(sm, ("Client",)) for _ in range(3))
    blocking.block(make_user(sm, ("Moderator",)), blocked.id, BlockReason.DUPLICATE, "")
    closed.status = AccountStatus.CLOSED
    db.session.commit()
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.kz"
    login_page = text_of(device().get("/login/?_l_=en"))
    assert 'href="/reset-password/"' in login_page and "Forgot password?" in login_page

    pages = {}
    for who, email in (("active", active.email), ("blocked", blocked.email), ("closed", closed.email),
                       ("unknown", unknown)):
        response = device(ip=f"10.45.0.{len(pages) + 1}").post("/reset-password/?_l_=en", data={"email": email})
        assert response.status_code == 200, who
        body = re.sub(r'nonce="[^"]+"|value="[^"]*"|nonce-[\w+/=-]+', "", response.get_data(as_text=True))
        pages[who] = body
    assert pages["active"] == pages["blocked"] == pages["closed"] == pages["unknown"]
    assert "If an account with this email exists" in html.unescape(pages["active"])
    assert ["/reset-password/" in m.body_text for m in mails_of(active)] == [True]
    assert not any("/reset-password/" in m.body_text for m in mails_of(blocked) + mails_of(closed))
    assert row_count(PasswordResetToken, user_id=blocked.id) == row_count(PasswordResetToken, user_id=closed.id) == 0


def test_an_invalid_email_is_a_form_error(app, device):
    response = device().post("/reset-password/?_l_=en", data={"email": "not an email"})
    assert response.status_code == 400
    assert "If an account" not in text_of(response)


# --- using a link --------------------------------------------------------------------------------

def test_the_token_expires(app, user):
    now = utcnow()
    token = password_reset.request_reset(user.email, now=now)
    ttl = dt.timedelta(minutes=app.config["PASSWORD_RESET_TTL_MINUTES"])
    assert password_reset.check(token, now=now + ttl - dt.timedelta(seconds=1)).user_id == user.id
    row = password_reset.check(token, now=now)
    with pytest.raises(ServiceError):
        password_reset.check(token, now=now + ttl)
    with fails_without_change(user, row) as info:
        password_reset.reset(token, NEW_PASSWORD, now=now + ttl + dt.timedelta(minutes=1))
    assert info.value.message == password_reset.INVALID_LINK


@pytest.mark.parametrize("garbled", ["", "nope", "x" * 500, "../../etc/passwd", None])
def test_wrong_or_garbled_tokens_are_refused(app, user, garbled):
    with pytest.raises(ServiceError):
        password_reset.check(garbled)
    with fails_without_change(user):
        password_reset.reset(garbled, NEW_PASSWORD)


def test_a_token_with_one_character_changed_is_refused_over_http(app, user, device):
    token = password_reset.request_reset(user.email)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = device().get(f"/reset-password/{wrong}?_l_=en")
    assert response.status_code == 404
    assert "invalid, expired or already used" in text_of(response)
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert device().get(f"/reset-password/{token}").status_code == 200


def test_a_weak_password_is_refused_and_the_link_still_works(app, user):
    token = password_reset.request_reset(user.email)
    row = password_reset.check(token)
    with fails_without_change(user, row, field="password"):
        password_reset.reset(token, "short")
    with fails_without_change(user, row, field="password"):
        password_reset.reset(token, "onlyletters")
    password_reset.check(token)


def test_a_token_works_once_and_voids_the_other_tokens(app, user, device):
    first = password_reset.request_reset(user.email)
    second = password_reset.request_reset(user.email)
    password_reset.reset(first, NEW_PASSWORD)
    db.session.expire_all()
    assert all(row.used_at is not None for row in db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)))
    for token in (first, second):
        with pytest.raises(ServiceError):
            password_reset.reset(token, "Another-pass-8")
    browser = device()
    assert "/login/" in login(browser, user.email, PASSWORD).headers["Location"]  # the old one: refused
    assert "/login/" not in login(browser, user.email, NEW_PASSWORD).headers["Location"]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == user.id, AuditEntry.action == "password_reset")).one()
    assert entry.actor_id == user.id


def test_a_blocked_account_cannot_use_an_earlier_link_even_after_the_unblock(app, user):
    token = password_reset.request_reset(user.email)
    moderator = make_user(app.appbuilder.sm, ("Moderator",))
    blocking.block(moderator, user.id, BlockReason.SUSPICIOUS, "")
    with fails_without_change(user):
        password_reset.reset(token, NEW_PASSWORD)
    blocking.unblock(moderator, user.id)
    with fails_without_change(user):
        password_reset.reset(token, NEW_PASSWORD)
    assert password_reset.check(password_reset.request_reset(user.email)).user_id == user.id  # a new one works


def test_resetting_over_http_signs_every_device_out(app, user, device):
    laptop, phone = device(OWNER_UA, "10.46.0.1"), device(ATTACKER_UA, "10.46.0.2")
    login(laptop, user.email)
    login(phone, user.email)
    assert signed_in(laptop) and signed_in(phone)

    browser = device(ip="10.46.0.3")
    assert browser.post("/reset-password/", data={"email": user.email}).status_code == 200
    path = link_in(mails_of(user)[-1]).split("://", 1)[1].split("/", 1)[1]
    form = browser.get(f"/{path}?_l_=en")
    assert form.status_code == 200 and "Choose a new password" in text_of(form)

    mismatch = browser.post(f"/{path}?_l_=en", data={"password": NEW_PASSWORD, "confirm": "Other-pass-1"})
    assert mismatch.status_code == 400 and "do not match" in text_of(mismatch)
    weak = browser.post(f"/{path}?_l_=en", data={"password": "weakweak", "confirm": "weakweak"})
    assert weak.status_code == 400 and "letters and digits" in text_of(weak)

    done = browser.post(f"/{path}?_l_=en", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and "/login/" in done.headers["Location"]
    assert "Your new password is set" in text_of(browser.get(done.headers["Location"]))
    assert not signed_in(laptop) and not signed_in(phone)
    assert sessions.live_sessions(user.id) == []
    assert browser.get(f"/{path}").status_code == 404  # used up
    assert "/login/" not in login(laptop, user.email, NEW_PASSWORD).headers["Location"]


# --- "this wasn't me" ----------------------------------------------------------------------------

def test_this_wasnt_me_end_to_end(app, user, device):
    sm = app.appbuilder.sm
    moderator, admin = make_user(sm, ("Moderator",)), make_user(sm, ("Admin",))
    owner, attacker = device(OWNER_UA, "10.47.0.1"), device(ATTACKER_UA, "10.47.0.66")
    login(owner, user.email)
    login(attacker, user.email)
    event = db.session.scalars(select(LoginEvent).where(
        LoginEvent.user_id == user.id, LoginEvent.ip_address == "10.47.0.66")).one()

    page = text_of(owner.get("/account/security/?_l_=en"))
    assert f"/account/security/not-me/{event.id}" in page and "Firefox on Linux" in page
    confirm = owner.get(f"/account/security/not-me/{event.id}?_l_=en")
    assert confirm.status_code == 200 and "10.47.0.66" in text_of(confirm)
    assert signed_in(attacker)  # the confirmation page changed nothing

    done = owner.post(f"/account/security/not-me/{event.id}?_l_=en")
    assert done.status_code == 302 and "/login/" in done.headers["Location"]
    assert "We have emailed you a link" in text_of(owner.get(done.headers["Location"]))
    assert not signed_in(owner)
    # the other device is signed out at its next request, and told so
    response = attacker.get("/account/?_l_=en")
    assert "/login/" in response.headers["Location"]
    assert "You were signed out" in text_of(attacker.get(response.headers["Location"]))
    assert not signed_in(attacker)
    assert sessions.live_sessions(user.id) == []
    # the old password no longer works
    assert "/login/" in login(device(), user.email, PASSWORD).headers["Location"]
    # staff are told in-app, with a link to the account
    for member in (moderator, admin):
        assert notification_count(member, "account_compromised") == 1
        note = db.session.scalars(select(Notification).where(Notification.user_id == member.id,
                                                             Notification.kind == "account_compromised")).one()
        assert note.link == f"/moderation/accounts/{user.id}" and note.in_app
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == user.id, AuditEntry.action == "not_me")).one()
    # the login's number only: the audit trail outlives login events, IP addresses and devices
    assert entry.reason == f"login #{event.id}" and entry.actor_id == user.id
    # the emailed link sets a new password
    mail = mails_of(user)[-1]
    assert mail.locale == "ru" and "Здравствуйте, Дана!" in mail.body_text
    path = "/" + link_in(mail).split("://", 1)[1].split("/", 1)[1]
    assert owner.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert "/login/" not in login(owner, user.email, NEW_PASSWORD).headers["Location"]
    assert signed_in(owner)


def test_this_wasnt_me_only_on_own_successful_logins(app, user, device):
    other = make_user(app.appbuilder.sm, ("Client",))
    browser = device()
    login(browser, user.email, "Wrong-pass-1")
    login(browser, user.email)
    failed = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id,
                                                         LoginEvent.success.is_(False))).one()
    theirs = sessions.record_login(other.email, other, "10.0.0.1", "ua")
    with fails_without_change(user, error=NotFound):
        password_reset.report_not_me(user, theirs.id)
    with fails_without_change(user, count_of=[(PasswordResetToken, {"user_id": user.id})]):
        password_reset.report_not_me(user, failed.id)
    assert browser.get(f"/account/security/not-me/{theirs.id}").status_code == 404
    assert browser.post(f"/account/security/not-me/{theirs.id}").status_code == 404
    assert browser.post(f"/account/security/not-me/{failed.id}").status_code == 302
    assert signed_in(browser)
