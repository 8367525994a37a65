"""Notifications: rows and emails in the recipient's language, preferences,
unread counts and ownership, the digest, the mail outbox against a real SMTP
server (aiosmtpd) with outages, retries and give-up, the development mail
folder, and the pages (list, bell, open, settings)."""
from __future__ import annotations

import datetime as dt
import email
import glob
import json
import os
import re
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.accounts import AccountStatus
from portal.models.notifications import (
    EmailState,
    MailOutbox,
    MailStatus,
    Notification,
    NotificationPreference,
)
from portal.services.notifications import inbox, kinds, mailer
from tests.factories import make_user

BASE_URL = "https://alemtrust.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A real SMTP server on a loopback port that can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def settings(app, monkeypatch):
    """Per-test configuration, restored afterwards."""
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", BASE_URL)

    def set_(**values):
        for key, value in values.items():
            monkeypatch.setitem(app.config, key, value)
    return set_


@pytest.fixture
def smtp(app, settings):
    server = SmtpServer()
    server.start()
    settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


@pytest.fixture
def people(app):
    sm = app.appbuilder.sm
    roles = ("Client", "Practitioner")
    return (make_user(sm, roles, first_name="Айгерім", locale="kk"),
            make_user(sm, roles, first_name="Ольга", locale="ru"))


def text_of(message, subtype: str) -> str:
    return message.get_body((subtype,)).get_content()


def outbox_of(user) -> list[MailOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id)
                                   .order_by(MailOutbox.id)))


def rows_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def in_locale(locale: str, kind: str, **params) -> str:
    with force_locale(locale):
        return kinds.title_for(kind, params)


# --- notify and the email ---------------------------------------------------------------------

def test_notify_adds_the_row_and_mails_each_recipient_in_their_language(app, smtp, people):
    kk_user, ru_user = people
    # A parameter may carry its translations: the language shows even where a
    # catalogue does not translate the title yet.
    title = {"kk": "Мұраны ресімдеу", "ru": "Оформление наследства"}
    for user in people:
        inbox.notify(user, "new_offer", "/requests/41", title=title, name="Ерлан Ж.", price=40000)
    db.session.commit()

    for user, locale in ((kk_user, "kk"), (ru_user, "ru")):
        [row] = rows_of(user)
        assert (row.kind, row.link, row.in_app, row.email_state) == ("new_offer", "/requests/41", True,
                                                                   EmailState.QUEUED)
        assert json.loads(row.params) == {"title": title, "name": "Ерлан Ж.", "price": 40000}
        [mail] = outbox_of(user)
        assert (mail.status, mail.attempts, mail.locale) == (MailStatus.SENT, 1, locale)
        [message] = smtp.to(user.email)
        expected = in_locale(locale, "new_offer", title=title, name="Ерлан Ж.", price=40000)
        assert title[locale] in expected and "40 000 ₸" in expected
        # the no-break space of "40 000" arrives as a plain space in the encoded header
        assert message["Subject"] == expected.replace("\u00a0", " ")
        assert message["Content-Language"] == locale
        text, html = text_of(message, "plain"), text_of(message, "html")
        with force_locale(locale):
            greeting = gettext("Hello, %(name)s!", name=user.first_name)
        assert greeting in text and greeting in html
        assert f"{BASE_URL}/requests/41" in text
        assert f'href="{BASE_URL}/requests/41"' in html
        assert f'<html lang="{locale}">' in html
        assert f"{BASE_URL}/notifications/settings" in text and f"{BASE_URL}/notifications/settings" in html


def test_rollback_loses_both_the_notification_and_the_mail(app, people):
    user = people[0]
    inbox.notify(user, "new_message", "/threads/1", title="T", name="N")
    db.session.rollback()
    assert rows_of(user) == [] and outbox_of(user) == []


def test_inactive_users_get_nothing_and_bad_input_is_refused(app, people):
    user = people[0]
    user.status = AccountStatus.BLOCKED
    db.session.commit()
    assert inbox.notify(user, "offer_selected", "/requests/1", title="T", client="C") is None
    db.session.commit()
    assert rows_of(user) == [] and outbox_of(user) == []
    with pytest.raises(ValueError):
        inbox.notify(people[1], "no_such_kind", "/requests/1")
    for link in ("https://evil.example/", "//evil.example/x", "requests/1"):
        with pytest.raises(ValueError):
            inbox.notify(people[1], "new_message", link, title="T", name="N")
    with pytest.raises(TypeError):
        inbox.notify(people[1], "new_message", "/threads/1", title=object(), name="N")


def test_preferences_switch_channels_off_but_not_for_mandatory_kinds(app, smtp, people):
    user = people[1]
    inbox.set_preferences(user, {
        "new_offer": (False, True), "new_message": (True, False), "offer_declined": (False, False),
        "offer_selected": (False, False), "unknown": (False, False)})
    prefs = {c.kind: (c.in_app, c.email) for c in inbox.preferences(user)}
    assert prefs["new_offer"] == (False, True) and prefs["new_message"] == (True, False)
    assert prefs["offer_declined"] == (False, False) and prefs["offer_selected"] == (True, True)
    assert prefs["review_reply"] == (True, True)

    assert inbox.notify(user, "new_offer", "/requests/1", title="A", name="N", price=1) is None
    assert inbox.notify(user, "new_message", "/threads/1", title="B", name="N") is not None
    assert inbox.notify(user, "offer_declined", "/requests/1", title="C") is None
    assert inbox.notify(user, "offer_selected", "/requests/1", title="D", client="K") is not None
    db.session.commit()

    shown = [(r.kind, r.in_app, r.email_state) for r in rows_of(user)]
    assert shown == [("new_offer", False, EmailState.QUEUED), ("new_message", True, EmailState.NONE),
                     ("offer_selected", True, EmailState.QUEUED)]
    assert inbox.unread_count(user.id) == 2
    subjects = sorted(m["Subject"] for m in smtp.to(user.email))
    # a subject is one line of plain spaces (the mailer folds whitespace: "1 ₸", not "1\u00a0₸")
    assert subjects == sorted(" ".join(in_locale("ru", kind, **params).split()) for kind, params in (
        ("new_offer", dict(title="A", name="N", price=1)), ("offer_selected", dict(title="D", client="K"))))

    inbox.set_preferences(user, {"new_offer": (True, True)})  # back to the default
    assert {c.kind: (c.in_app, c.email) for c in inbox.preferences(user)}["new_offer"] == (True, True)
    assert db.session.get(NotificationPreference, (user.id, "new_offer")) is None  # the default: no row


# --- reading ----------------------------------------------------------------------------------

def test_unread_count_paging_and_mark_read_touch_only_own_rows(app, people):
    me, other = people
    mine = [inbox.notify(me, "new_message", f"/threads/{i}", title=f"T{i}", name="N") for i in range(3)]
    theirs = inbox.notify(other, "new_message", "/threads/9", title="X", name="N")
    db.session.commit()
    assert inbox.unread_count(me.id) == 3 and inbox.unread_count(other.id) == 1

    page = inbox.page_for(me.id, page=1, per_page=2)
    assert page.total == 3 and page.pages == 2
    assert [n.id for n in page.items] == [mine[2].id, mine[1].id]  # newest first
    assert [n.id for n in inbox.page_for(me.id, 2, 2).items] == [mine[0].id]

    assert inbox.mark_read(me.id, [mine[0].id, theirs.id]) == 1  # someone else's id is ignored
    assert inbox.unread_count(me.id) == 2 and inbox.unread_count(other.id) == 1
    assert inbox.mark_read(me.id) == 2
    assert inbox.unread_count(me.id) == 0 and inbox.unread_count(other.id) == 1


def test_open_marks_read_and_refuses_someone_elses_notification(app, people):
    me, other = people
    mine = inbox.notify(me, "review_reply", "/practitioners/5", name="N")
    theirs = inbox.notify(other, "review_reply", "/practitioners/6", name="N")
    db.session.commit()
    assert inbox.open(me.id, mine.id) == "/practitioners/5"
    assert rows_of(me)[0].read_at is not None
    with pytest.raises(NotFound):
        inbox.open(me.id, theirs.id)
    with pytest.raises(NotFound):
        inbox.open(me.id, 10 ** 9)
    assert rows_of(other)[0].read_at is None


def test_render_uses_the_readers_language_for_reference_codes(app, people):
    row = inbox.notify(people[0], "new_request", "/requests/3", title="Сенімхат", category="notary",
                               region="KZ-75")
    db.session.commit()
    with force_locale("kk"):
        assert "Жеке нотариус" in kinds.render(row) and "Алматы қаласы" in kinds.render(row)
    with force_locale("ru"):
        assert "Частный нотариус" in kinds.render(row) and "г. Алматы" in kinds.render(row)


# --- digest -----------------------------------------------------------------------------------

def test_digest_sends_new_requests_as_one_mail_per_user_after_the_delay(app, smtp, settings, people):
    kk_user, ru_user = people
    settings(NOTIFY_DIGEST_MINUTES=15)
    for user in people:
        for i in range(3):
            inbox.notify(user, "new_request", f"/requests/{700 + i}", title=f"Запрос {i}",
                                 category="notary", region="KZ-75")
    db.session.commit()
    assert all(r.email_state == EmailState.PENDING for u in people for r in rows_of(u))
    assert smtp.to(kk_user.email) == [] and outbox_of(kk_user) == []

    created = rows_of(kk_user)[0].created_at
    inbox.send_digests(now=created + dt.timedelta(minutes=5))
    assert smtp.to(kk_user.email) == [] and smtp.to(ru_user.email) == []

    settings(NOTIFY_DIGEST_MINUTES=60)
    inbox.send_digests(now=created + dt.timedelta(minutes=20))
    assert smtp.to(kk_user.email) == []

    settings(NOTIFY_DIGEST_MINUTES=15)
    assert inbox.send_digests(now=created + dt.timedelta(minutes=20)) >= 2
    for user, locale, category, region in ((kk_user, "kk", "Жеке нотариус", "Алматы қаласы"),
                                           (ru_user, "ru", "Частный нотариус", "г. Алматы")):
        [message] = smtp.to(user.email)
        assert message["Content-Language"] == locale
        text, html = text_of(message, "plain"), text_of(message, "html")
        for i in range(3):
            assert f"Запрос {i}" in text and f"{BASE_URL}/requests/{700 + i}" in text
            assert f'href="{BASE_URL}/requests/{700 + i}"' in html
        assert category in text and region in html
        assert all(r.email_state == EmailState.QUEUED for r in rows_of(user))
        assert len(outbox_of(user)) == 1

    inbox.send_digests(now=created + dt.timedelta(hours=2))  # nothing pending any more
    assert len(smtp.to(kk_user.email)) == 1


def test_digest_skips_kinds_whose_email_was_switched_off_meanwhile(app, smtp, settings, people):
    user = people[1]
    inbox.notify(user, "new_request", "/requests/801", title="R", category="notary", region="KZ-75")
    db.session.commit()
    inbox.set_preferences(user, {"new_request": (True, False)})
    inbox.send_digests(now=utcnow() + dt.timedelta(hours=1))
    assert [r.email_state for r in rows_of(user)] == [EmailState.NONE]
    assert smtp.to(user.email) == [] and outbox_of(user) == []


# --- the outbox: outages, retries, give-up, transports ----------------------------------------

def test_smtp_outage_keeps_the_mail_and_delivers_it_exactly_once_later(app, smtp, people):
    user = people[1]
    smtp.stop()
    inbox.notify(user, "request_completed", "/requests/5", title="Done")
    db.session.commit()  # inline sending fails: the commit does not
    [row] = outbox_of(user)
    assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
    assert row.next_attempt_at > utcnow() and "Connection" in row.last_error

    mailer.send_due(now=utcnow())  # not due yet: untouched
    assert outbox_of(user)[0].attempts == 1

    smtp.start()
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    sent, failed = mailer.send_due(now=later)
    assert sent >= 1
    mailer.send_due(now=later)
    mailer.drain(now=later + dt.timedelta(days=1))
    [row] = outbox_of(user)
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 2, None)
    assert len(smtp.to(user.email)) == 1


def test_backoff_grows_and_the_mail_fails_after_max_attempts(app, settings, people):
    user = people[0]
    settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=3)  # nothing listens
    inbox.notify(user, "offer_selected", "/requests/6", title="T", client="C")
    db.session.commit()
    [row] = outbox_of(user)
    first_delay = row.next_attempt_at - utcnow()
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    mailer.send_due(now=later)
    [row] = outbox_of(user)
    assert (row.status, row.attempts) == (MailStatus.PENDING, 2)
    assert row.next_attempt_at - later > first_delay  # backs off further
    mailer.send_due(now=row.next_attempt_at)
    [row] = outbox_of(user)
    assert (row.status, row.attempts) == (MailStatus.FAILED, 3)
    mailer.send_due(now=row.next_attempt_at + dt.timedelta(days=30))
    assert outbox_of(user)[0].attempts == 3


def test_without_a_mail_server_mails_are_written_to_the_instance_folder(app, settings, people):
    user = people[1]
    settings(MAIL_SERVER="")
    inbox.notify(user, "request_expired", "/requests/77", title="Истёкший")
    db.session.commit()
    [row] = outbox_of(user)
    assert row.status == MailStatus.SENT
    files = glob.glob(os.path.join(app.instance_path, "mail", f"*outbox.{row.id}.*.eml"))
    assert len(files) == 1
    with open(files[0], "rb") as fh:
        message = email.message_from_bytes(fh.read(), policy=policy.default)
    assert message["To"] == user.email and message["Subject"] == row.subject
    assert f"{BASE_URL}/requests/77" in text_of(message, "plain")


def test_worker_mode_leaves_sending_to_the_worker(app, smtp, settings, people):
    user = people[1]
    settings(NOTIFY_SYNC="worker")
    inbox.notify(user, "review_reply", "/practitioners/1", name="N")
    db.session.commit()
    assert [r.status for r in outbox_of(user)] == [MailStatus.PENDING] and smtp.to(user.email) == []
    runner = app.test_cli_runner()
    user_id = user.id
    result = runner.invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output
    user = db.session.get(type(user), user_id)  # the worker ends its session: load the user again
    assert [r.status for r in outbox_of(user)] == [MailStatus.SENT] and len(smtp.to(user.email)) == 1
    result = runner.invoke(args=["notify", "status"])
    assert result.exit_code == 0 and "Mail failed:" in result.output


# --- pages ------------------------------------------------------------------------------------

@pytest.fixture
def reader(app):
    sm = app.appbuilder.sm
    return make_user(sm, first_name="Reader", locale="en"), make_user(sm, first_name="Other", locale="en")


def test_notifications_page_lists_own_items_and_the_bell_counts_unread(client, login_as, reader):
    me, other = reader
    inbox.notify(me, "new_message", "/threads/1", title="Mine one", name="N")
    inbox.notify(me, "request_expired", "/requests/2", title="Mine two <script>x()</script>")
    inbox.notify(other, "new_message", "/threads/3", title="Not mine", name="N")
    db.session.commit()
    login_as(me)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Mine one" in page and "Mine two &lt;script&gt;" in page and "Not mine" not in page
    assert page.count("notification-unread") == 2
    assert 'aria-label="Notifications: 2 unread"' in page
    assert re.search(r'class="badge notification-count"[^>]*>2<', page)
    assert "Mark all as read" in page

    client.post("/notifications/read")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "notification-unread" not in page and "notification-count" not in page
    assert inbox.unread_count(other.id) == 1


def test_empty_state(client, login_as, reader):
    login_as(reader[0])
    page = client.get("/notifications/").get_data(as_text=True)
    assert "No notifications yet" in page and "Mark all as read" not in page


def test_open_redirects_to_the_link_and_marks_read(client, login_as, reader):
    me, other = reader
    mine = inbox.notify(me, "new_message", "/threads/12", title="T", name="N")
    unsafe = inbox.notify(me, "new_message", "/threads/13", title="T", name="N")
    theirs = inbox.notify(other, "new_message", "/threads/14", title="T", name="N")
    db.session.commit()
    unsafe.link = "//evil.example/phish"  # a bad row must not make an open redirect
    db.session.commit()
    login_as(me)
    response = client.get(f"/notifications/open/{mine.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/threads/12")
    assert rows_of(me)[0].read_at is not None
    response = client.get(f"/notifications/open/{unsafe.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications/")
    assert client.get(f"/notifications/open/{theirs.id}").status_code == 404
    assert rows_of(other)[0].read_at is None


def test_settings_page_saves_choices_and_keeps_mandatory_on(client, login_as, reader):
    me = reader[0]  # a client: practitioners' kinds are not offered, and a POST leaves them alone
    inbox.set_preferences(me, {"new_review": (False, True)})
    login_as(me)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert re.search(r'name="in_app_completion_requested"[^>]*checked[^>]*disabled', page)
    assert "Always on" in page
    assert 'name="email_new_offer"' in page and 'name="email_new_request"' not in page
    form = {f"{channel}_{k}": "1" for k in kinds.KINDS for channel in ("in_app", "email", "push")}
    del form["email_new_offer"], form["in_app_review_reply"], form["email_review_reply"]
    del form["in_app_completion_requested"], form["email_completion_requested"]  # disabled: not posted
    del form["in_app_new_review"], form["email_new_review"]  # not on the page
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    prefs = {c.kind: (c.in_app, c.email) for c in inbox.preferences(me)}
    assert prefs["new_offer"] == (True, False)
    assert prefs["review_reply"] == (False, False)
    assert prefs["completion_requested"] == (True, True)
    assert prefs["new_message"] == (True, True)
    assert "new_review" not in prefs
    assert db.session.get(NotificationPreference, (me.id, "new_review")).in_app is False  # untouched
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert re.search(r'name="email_new_offer"(?![^>]*checked)[^>]*>', page)


def test_visitors_are_sent_to_login(client):
    for url in ("/notifications/", "/notifications/settings", "/notifications/open/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.headers["Location"]
    response = client.post("/notifications/read")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


@pytest.mark.parametrize("subject", [
    "AlemTrust қолдау қызметінің жауабы",
    "Жаңа сұрау «Мұрагерлік бойынша кеңес керек, өте ұзын тақырып қосымша сөздер»: адвокат, Алматы",
    "Новый отклик на «Раздел имущества супругов после развода, срочно» от Ерлан Жұмабеков: 40 000 ₸",
    "Plain ASCII subject",
])
def test_long_kk_and_ru_subjects_arrive_with_every_space(app, smtp, subject):
    """Python's header folding dropped a space where it folded between two
    encoded words ("қызметініңжауабы"); the outbox encodes subjects itself."""
    address = f"subject-{abs(hash(subject))}@example.kz"
    mailer.queue(address, subject, "text", "", locale="kk")
    db.session.commit()
    mailer.drain()
    [message] = smtp.to(address)
    assert message["Subject"] == subject
    raw = message.as_bytes().decode("ascii")  # every header line is 7-bit and at most 78 characters
    start = raw.index("Subject:")
    end = raw.index("\n", start)
    while raw[end + 1] in " \t":
        end = raw.index("\n", end + 1)
    assert all(len(line.rstrip("\r")) <= 78 for line in raw[start:end].split("\n"))
