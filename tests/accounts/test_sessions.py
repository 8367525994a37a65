"""Login history and sessions (agreement 4b): every login attempt stored with
time, IP and user agent; a session row per signed-in browser, ended by
signing out, from another device or by blocking; the security page; the
staff signal "many IP addresses or devices in a short window" (11.4)."""
from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import BlockReason, LoginEvent, PasswordResetToken, UserSession
from portal.services.accounts import blocking, password_reset, sessions
from portal.services.accounts.sessions import SESSION_KEY
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, committed_state, fails_without_change, make_user, row_count

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0 Safari/537.36")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"


def unique_ip() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{n // 250 % 250 + 1}.{n // 62500 % 250 + 1}"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def device(app):
    """A new browser (own cookies) with its own IP and user agent."""
    app.test_client_class = IsolatedClient

    def _device(user_agent: str = CHROME_WINDOWS, ip: str | None = None):
        browser = app.test_client()
        browser.environ_base.update({"REMOTE_ADDR": ip or unique_ip(), "HTTP_USER_AGENT": user_agent})
        return browser
    return _device


@pytest.fixture
def user(app):
    return make_user(app.appbuilder.sm, ("Client",), locale="ru")


def events_of(user_id) -> list[LoginEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user_id).order_by(LoginEvent.id)))


def token_of(browser) -> str | None:
    with browser.session_transaction() as sess:
        return sess.get(SESSION_KEY)


def row_of(token) -> UserSession | None:
    db.session.expire_all()
    return db.session.scalars(select(UserSession).where(UserSession.token == token)).first()


def signed_in(browser) -> bool:
    return browser.get("/account/").status_code == 200


# --- login events --------------------------------------------------------------------------------

def test_every_login_attempt_is_stored_with_time_ip_and_user_agent(app, user, device):
    browser = device(FIREFOX_LINUX, "10.9.8.7")
    before = utcnow() - dt.timedelta(seconds=1)
    assert login(browser, user.email, "Wrong-pass-1").status_code == 302
    assert login(browser, user.email.upper()).status_code == 302
    failed, success = events_of(user.id)
    assert (failed.success, success.success) == (False, True)
    for event in (failed, success):
        assert (event.ip_address, event.user_agent) == ("10.9.8.7", FIREFOX_LINUX)
        assert before <= event.created_at <= utcnow()

    ghost = f"nobody-{uuid.uuid4().hex}@example.kz"
    login(device(), ghost, "Whatever-1")
    db.session.expire_all()
    unknown = db.session.scalars(select(LoginEvent).order_by(LoginEvent.id.desc())).first()
    assert (unknown.user_id, unknown.success) == (None, False)


def test_a_blocked_accounts_attempt_is_stored_as_failed(app, user, device):
    moderator = make_user(app.appbuilder.sm, ("Moderator",))
    blocking.block(moderator, user.id, BlockReason.SUSPICIOUS, "")
    login(device(), user.email)  # the right password
    assert [e.success for e in events_of(user.id)] == [False]


# --- session rows --------------------------------------------------------------------------------

def test_login_starts_a_session_and_logout_ends_it(app, user, device):
    browser = device(SAFARI_IPHONE, "10.1.2.3")
    login(browser, user.email)
    token = token_of(browser)
    row = row_of(token)
    assert (row.user_id, row.ip_address, row.user_agent, row.ended_at) == (user.id, "10.1.2.3", SAFARI_IPHONE, None)
    assert signed_in(browser)
    browser.post("/logout/")
    row = row_of(token)
    assert row.ended_at is not None and row.ended_reason == sessions.EndReason.LOGOUT
    assert token_of(browser) is None


def test_a_signed_in_cookie_without_a_session_row_is_signed_out_not_adopted(app, user, device):
    browser = device()
    login(browser, user.email)
    with browser.session_transaction() as sess:  # a copy of a cookie from before session rows existed
        del sess[SESSION_KEY]
        sess["locale"] = "en"
    rows = row_count(UserSession, user_id=user.id)
    response = browser.get("/account/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    assert "this session is no longer valid" in text_of(browser.get(response.headers["Location"]))
    assert not signed_in(browser) and token_of(browser) is None
    assert row_count(UserSession, user_id=user.id) == rows  # no row was made for it
    with browser.session_transaction() as sess:
        assert "_user_id" not in sess and sess.get("locale") == "en"  # only the language is kept
    login(browser, user.email)  # signing in again is a normal new session
    assert signed_in(browser) and row_of(token_of(browser)).ended_at is None


def test_last_seen_is_refreshed_at_most_once_a_minute(app, user):
    start = utcnow() - dt.timedelta(minutes=10)
    row = sessions.start(user.id, "10.0.0.1", "ua", now=start)
    assert sessions.validate(row.token, user.id, "10.0.0.2", now=start + dt.timedelta(seconds=59)) is not None
    assert row_of(row.token).last_seen_at == start
    later = start + dt.timedelta(seconds=61)
    assert sessions.validate(row.token, user.id, "10.0.0.2", now=later) is not None
    assert (row_of(row.token).last_seen_at, row_of(row.token).ip_address) == (later, "10.0.0.2")
    # a token of someone else, or an unknown one, is no session
    other = make_user(app.appbuilder.sm, ("Client",))
    assert sessions.validate(row.token, other.id, now=later) is None
    assert sessions.validate("garbage", user.id, now=later) is None


def test_the_touch_leaves_the_requests_orm_session_alone(app, user):
    """Refreshing last seen (its own connection) does not expire the loaded objects: the
    signed-in user is not read again."""
    start = utcnow() - dt.timedelta(minutes=10)
    row = sessions.start(user.id, "10.0.0.1", "ua", now=start)
    assert user.first_name and not inspect(user).expired_attributes
    assert sessions.validate(row.token, user.id, "10.0.0.3") is row
    assert not inspect(user).expired_attributes and not inspect(row).expired_attributes
    assert row.last_seen_at > start and row.ip_address == "10.0.0.3" and row not in db.session.dirty
    assert row_of(row.token).ip_address == "10.0.0.3" and row_of(row.token).last_seen_at == row.last_seen_at


def test_an_idle_session_expires(app, user):
    start = utcnow() - dt.timedelta(days=60)
    row = sessions.start(user.id, "10.0.0.1", "ua", now=start)
    assert row.id not in [s.id for s in sessions.live_sessions(user.id)]
    assert sessions.validate(row.token, user.id) is None
    assert row_of(row.token).ended_reason == sessions.EndReason.EXPIRED


def test_ending_another_device_signs_it_out_at_its_next_request(app, user, device):
    laptop, phone = device(CHROME_WINDOWS, "10.20.0.1"), device(SAFARI_IPHONE, "10.20.0.2")
    login(laptop, user.email)
    login(phone, user.email)
    page = text_of(laptop.get("/account/security/?_l_=en"))
    assert "Chrome on Windows" in page and "Safari on iPhone" in page
    assert "10.20.0.1" in page and "10.20.0.2" in page
    assert page.count("This device") == 1
    phone_row = row_of(token_of(phone))

    done = laptop.post(f"/account/security/sessions/{phone_row.id}/end")
    assert done.status_code == 302
    assert row_of(phone_row.token).ended_reason == sessions.EndReason.BY_USER
    assert signed_in(laptop)

    response = phone.get("/requests/?_l_=en")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    page = text_of(phone.get(response.headers["Location"]))
    assert "You were signed out" in page
    assert not signed_in(phone)
    # the phone signs in again: a new session
    login(phone, user.email)
    assert signed_in(phone)


def test_end_all_other_sessions_after_a_confirmation(app, user, device):
    here, *others = [device(ua) for ua in (CHROME_WINDOWS, SAFARI_IPHONE, FIREFOX_LINUX)]
    for browser in (here, *others):
        login(browser, user.email)
    confirm = here.get("/account/security/sessions/end-others?_l_=en")
    assert confirm.status_code == 200
    assert "2 other devices will be signed out" in text_of(confirm)
    assert all(signed_in(b) for b in others)  # the GET changed nothing

    assert here.post("/account/security/sessions/end-others").status_code == 302
    assert signed_in(here)
    assert not any(signed_in(b) for b in others)
    assert [s.token for s in sessions.live_sessions(user.id)] == [token_of(here)]


def test_sessions_of_others_and_the_current_one_cannot_be_ended_here(app, user):
    other = make_user(app.appbuilder.sm, ("Client",))
    theirs = sessions.start(other.id, "10.0.0.9", "ua")
    mine = sessions.start(user.id, "10.0.0.8", "ua")
    with fails_without_change(theirs, error=NotFound):
        sessions.end_one(user, theirs.id, mine.token)
    with fails_without_change(mine):
        sessions.end_one(user, mine.id, mine.token)
    sessions.end_token(mine.token)
    with fails_without_change(mine, error=NotFound):  # already ended
        sessions.end_one(user, mine.id, "another")


def test_changing_the_password_signs_the_other_devices_out(app, user, device):
    here, there = device(CHROME_WINDOWS), device(SAFARI_IPHONE)
    login(here, user.email)
    login(there, user.email)
    link = password_reset.request_reset(user.email)
    new = "Changed-pass-5"
    response = here.post("/resetmypassword/form", data={"current_password": PASSWORD, "password": new,
                                                         "conf_password": new})
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(there)
    assert row_of(token_of(here)).ended_at is None
    with pytest.raises(ServiceError):  # a reset link mailed before the change no longer works
        password_reset.check(link)
    assert "/login/" not in login(there, user.email, new).headers["Location"]


def test_changing_the_password_needs_the_current_one(app, user, device):
    here, there = device(CHROME_WINDOWS), device(SAFARI_IPHONE)
    login(here, user.email)
    login(there, user.email)
    link = password_reset.request_reset(user.email)
    [token_row] = db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    page = text_of(here.get("/resetmypassword/form?_l_=en"))
    assert "Current password" in page and 'autocomplete="current-password"' in page
    rows = [user, token_row] + [row_of(token_of(b)) for b in (here, there)]
    before = committed_state(*rows)
    new = "Changed-pass-6"
    for current, error in (("Wrong-pass-1", "The password is not correct."), ("", "Enter your current password.")):
        response = here.post("/resetmypassword/form?_l_=en", data={"current_password": current,
                                                                   "password": new, "conf_password": new})
        assert response.status_code == (400 if current else 200) and error in text_of(response)
        assert committed_state(*rows) == before  # the password, the link and both sessions as they were
    assert signed_in(here) and signed_in(there)
    assert password_reset.check(link).id == token_row.id
    assert "/login/" in login(device(), user.email, new).headers["Location"]  # the new one was never set


def test_a_failed_password_change_changes_nothing(app, user):
    """FAB's commit saves the new password, the voided links and the ended sessions together, or none."""
    row = sessions.start(user.id, "10.0.0.1", "ua")
    link = password_reset.request_reset(user.email)
    [token_row] = db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))

    def refuse(session, *args):
        raise RuntimeError("the database refused the commit")

    sa_event.listen(db.session, "before_commit", refuse, once=True)  # the next commit fails, only that one
    with fails_without_change(user, row, token_row, error=RuntimeError):
        app.appbuilder.sm.reset_password(user.id, "Changed-pass-7")
    assert password_reset.check(link).id == token_row.id and row_of(row.token).ended_at is None


def test_blocking_ends_every_session(app, user, device):
    browser = device()
    login(browser, user.email)
    token = token_of(browser)
    blocking.block(make_user(app.appbuilder.sm, ("Moderator",)), user.id, BlockReason.MALWARE, "")
    assert row_of(token).ended_reason == sessions.EndReason.BLOCKED


# --- the security page ---------------------------------------------------------------------------

def test_security_page_shows_paged_login_history_of_the_user_only(app, user, device):
    other = make_user(app.appbuilder.sm, ("Client",))
    base = utcnow() - dt.timedelta(days=1)
    for n in range(23):
        db.session.add(LoginEvent(user_id=user.id, success=n % 4 != 0, ip_address=f"10.77.0.{n}",
                                  user_agent=FIREFOX_LINUX, created_at=base + dt.timedelta(minutes=n)))
    db.session.add(LoginEvent(user_id=other.id, success=True, ip_address="10.66.6.6", user_agent="x",
                              created_at=base))
    db.session.commit()
    browser = device()
    login(browser, user.email)  # the 24th event, the newest
    first = text_of(browser.get("/account/security/?_l_=en"))
    assert "Login history" in first and "Page 1 of 2" in first
    shown = [bool(re.search(rf"<td[^>]*>10\.77\.0\.{n}</td>", first)) for n in range(23)]
    assert shown == [False] * 4 + [True] * 19  # the newest 20: this login and 22 … 4
    assert "10.66.6.6" not in first
    assert "Firefox on Linux" in first and "Wrong password" in first
    second = text_of(browser.get("/account/security/?page=2&_l_=en"))
    assert [bool(re.search(rf"<td[^>]*>10\.77\.0\.{n}</td>", second)) for n in range(23)] == [True] * 4 + [False] * 19
    assert "This wasn't me" in first


def test_account_page_links_to_security(app, user, device):
    browser = device()
    login(browser, user.email)
    assert "/account/security/" in browser.get("/account/").get_data(as_text=True)
    assert device().get("/account/security/").status_code == 302  # visitors: to the login page


@pytest.mark.parametrize("agent, summary", [
    (CHROME_WINDOWS, "Chrome on Windows"), (SAFARI_IPHONE, "Safari on iPhone"),
    (FIREFOX_LINUX, "Firefox on Linux"),
    ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/24.0 Chrome/117.0 Mobile Safari/537.36", "Samsung Internet on Android"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0 Safari/537.36 Edg/124.0", "Edge on macOS"),
    ("curl/8.5.0", "Unknown device"), ("", "Unknown device"),
])
def test_device_summary(app, agent, summary):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert sessions.device_summary(agent) == summary


# --- the staff signal ----------------------------------------------------------------------------

def _logins(user, ips, agents, when, success=True):
    for ip, agent in zip(ips, agents):
        db.session.add(LoginEvent(user_id=user.id, success=success, ip_address=ip, user_agent=agent,
                                  created_at=when))
    db.session.commit()


def test_many_ips_or_devices_in_the_window_flag_the_account(app):
    sm = app.appbuilder.sm
    now = utcnow() + dt.timedelta(days=400)  # a window no other test writes into
    threshold = app.config["SIGNAL_IP_THRESHOLD"]
    hours = app.config["SIGNAL_IP_WINDOW_HOURS"]
    recent = now - dt.timedelta(hours=hours - 1)
    many_ips, many_agents, few, stale, failing = (make_user(sm, ("Client",)) for _ in range(5))
    _logins(many_ips, [unique_ip() for _ in range(threshold)], ["same"] * threshold, recent)
    _logins(many_agents, ["10.5.5.5"] * threshold, [f"agent {n}" for n in range(threshold)], recent)
    _logins(few, [unique_ip() for _ in range(threshold - 1)], ["same"] * (threshold - 1), recent)
    _logins(stale, [unique_ip() for _ in range(threshold)], ["same"] * threshold,
            now - dt.timedelta(hours=hours + 1))
    _logins(failing, [unique_ip() for _ in range(threshold)], ["same"] * threshold, recent, success=False)

    found = {s.user.id: s for s in blocking.frequent_changes(now)}
    assert many_ips.id in found and many_agents.id in found
    assert (found[many_ips.id].ips, found[many_ips.id].devices) == (threshold, 1)
    assert (found[many_agents.id].ips, found[many_agents.id].devices) == (1, threshold)
    assert not {few.id, stale.id, failing.id} & set(found)


def test_staff_see_the_signal_with_links_to_the_accounts(app, device):
    sm = app.appbuilder.sm
    flagged = make_user(sm, ("Client",), last_name="Много-IP")
    threshold = app.config["SIGNAL_IP_THRESHOLD"]
    _logins(flagged, [unique_ip() for _ in range(threshold)], [f"agent {n}" for n in range(threshold)],
            utcnow() - dt.timedelta(minutes=5))
    staff = device()
    login(staff, make_user(sm, ("Moderator",)).email)
    page = text_of(staff.get("/moderation/accounts/?_l_=en"))
    assert "Many IP addresses or devices" in page
    assert f'href="/moderation/accounts/{flagged.id}"' in page
    assert PASSWORD not in page
