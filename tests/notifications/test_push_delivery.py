"""Web Push delivery against a push service on loopback (tests/notifications/push_service.py):
the POST carries a VAPID JWT that verifies and an aes128gcm body that only the
subscribed browser decrypts, with the text in its owner's language; 404/410
remove the subscription; an outage is retried with back-off and delivered once;
another refusal gives up with the error kept; the worker drains the push outbox."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.cli.worker import run_once
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.notifications import PushOutbox, PushStatus, PushSubscription
from portal.services.notifications import inbox, kinds, push
from tests.notifications.conftest import PUSH_BASE_URL
from tests.notifications.push_service import Browser, check_vapid

TITLE = {"kk": "Мұраны ресімдеу", "ru": "Оформление наследства"}
SECONDS = dt.timedelta(seconds=1)


def text_in(locale: str, kind: str, **params) -> str:
    with force_locale(locale):
        return kinds.title_for(kind, params)


def rows_of(user) -> list[PushOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(PushOutbox).where(PushOutbox.user_id == user.id).order_by(PushOutbox.id)))


def subscription(endpoint: str) -> PushSubscription | None:
    db.session.expire_all()
    return db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


def subscribed(user, service, name: str) -> Browser:
    browser = Browser()
    push.subscribe(user, service.endpoint(name), **browser.keys)
    return browser


def test_each_device_gets_its_owners_language_encrypted_and_signed(app, push_on, push_service, push_people):
    kk_user, ru_user = push_people
    kk_browser = subscribed(kk_user, push_service, "kk")
    ru_browser = subscribed(ru_user, push_service, "ru")
    for user in push_people:
        inbox.notify(user, "new_message", "/threads/7", title=TITLE, name="Ерлан Ж.")
    db.session.commit()  # NOTIFY_SYNC=inline: sent as soon as the change is committed

    [kk_post], [ru_post] = push_service.delivered("kk"), push_service.delivered("ru")
    for post, browser, locale in ((kk_post, kk_browser, "kk"), (ru_post, ru_browser, "ru")):
        claims = check_vapid(post, push_on.public, push_service.origin, push_on.subject)
        assert claims["aud"] == push_service.origin
        assert post.headers["content-encoding"] == "aes128gcm"
        assert int(post.headers["ttl"]) == app.config["PUSH_TTL"]
        assert browser.decrypt(post.body) == {
            "title": "AlemTrust", "body": text_in(locale, "new_message", title=TITLE, name="Ерлан Ж."),
            "url": f"{PUSH_BASE_URL}/threads/7", "tag": "new_message:/threads/7"}
    assert "Мұраны ресімдеу" in kk_browser.decrypt(kk_post.body)["body"]
    assert "хабарлама" in kk_browser.decrypt(kk_post.body)["body"]
    assert ru_browser.decrypt(ru_post.body)["body"].startswith("Новое сообщение от Ерлан Ж.")
    with pytest.raises(Exception):  # encrypted for that browser only
        ru_browser.decrypt(kk_post.body)

    for user in push_people:
        [row] = rows_of(user)
        assert (row.status, row.attempts, row.last_error) == (PushStatus.SENT, 1, None) and row.sent_at
    sub = subscription(push_service.endpoint("kk"))
    assert sub.last_success_at is not None and sub.failure_count == 0


def test_a_long_text_is_cut_on_a_word(app, push_on, push_service, push_people, by_worker):
    browser = subscribed(push_people[1], push_service, "long")
    inbox.notify(push_people[1], "new_message", "/threads/8", title="слово " * 80, name="N")
    db.session.commit()
    assert push.send_due(app) == (1, 0)
    body = browser.decrypt(push_service.delivered("long")[0].body)["body"]
    assert len(body) <= push.BODY_LIMIT and body.endswith("слово…")


def test_every_device_of_the_user_gets_it(app, push_on, push_service, push_people, by_worker):
    user = push_people[0]
    phone, laptop = subscribed(user, push_service, "phone"), subscribed(user, push_service, "laptop")
    inbox.notify(user, "offer_selected", "/requests/3", title="T", client="K")
    db.session.commit()
    assert len(rows_of(user)) == 2 and not push_service.received  # waiting for the worker

    done = run_once(app)
    assert (done.pushed, done.push_failed) == (2, 0)
    assert phone.decrypt(push_service.delivered("phone")[0].body)["url"] == f"{PUSH_BASE_URL}/requests/3"
    assert laptop.decrypt(push_service.delivered("laptop")[0].body)["url"] == f"{PUSH_BASE_URL}/requests/3"
    assert run_once(app).pushed == 0  # nothing twice


@pytest.mark.parametrize("status", [410, 404])
def test_a_gone_subscription_is_removed_with_what_waits_for_it(app, push_on, push_service, push_people,
                                                               by_worker, status):
    user = push_people[1]
    subscribed(user, push_service, "gone")
    kept = subscribed(user, push_service, "kept")
    for n in (1, 2):
        inbox.notify(user, "new_message", f"/threads/{n}", title="T", name="N")
    db.session.commit()
    push_service.answers = [status]  # the first POST (to "gone", subscribed first)

    sent, failed = push.send_due(app)
    assert (sent, failed) == (2, 2)  # both messages to the gone device are dropped
    assert subscription(push_service.endpoint("gone")) is None
    assert [r.path for r in push_service.received].count("/push/gone") == 1  # its second message not tried
    assert {r.subscription_id for r in rows_of(user)} == {subscription(push_service.endpoint("kept")).id}
    assert all(r.status == PushStatus.SENT for r in rows_of(user))
    assert len(push_service.delivered("kept")) == 2 and kept.decrypt(push_service.delivered("kept")[0].body)


def test_an_outage_is_retried_with_backoff_and_delivered_once(app, push_on, push_service, push_people, by_worker):
    user = push_people[0]
    browser = subscribed(user, push_service, "o")
    inbox.notify(user, "new_message", "/threads/9", title=TITLE, name="Ерлан")
    db.session.commit()
    start = utcnow() + SECONDS

    push_service.answers = [503]  # the push service is overloaded
    assert push.send_due(app, now=start) == (0, 1)
    [row] = rows_of(user)
    assert (row.status, row.attempts) == (PushStatus.PENDING, 1) and row.last_error.startswith("HTTP 503")
    assert row.next_attempt_at == start + 30 * SECONDS
    assert push.send_due(app, now=start + 29 * SECONDS) == (0, 0)  # not due yet: nothing posted
    assert len(push_service.received) == 1

    push_service.stop()  # now it is down: connection refused
    assert push.send_due(app, now=start + 31 * SECONDS) == (0, 1)
    [row] = rows_of(user)
    assert row.attempts == 2 and "ConnectionError" in row.last_error
    assert row.next_attempt_at == start + 91 * SECONDS  # the wait doubles
    assert subscription(push_service.endpoint("o")).failure_count == 2

    push_service.start()  # back
    assert push.send_due(app, now=start + 90 * SECONDS) == (0, 0)
    assert push.send_due(app, now=start + 91 * SECONDS) == (1, 0)
    assert push.send_due(app, now=start + dt.timedelta(days=1)) == (0, 0)
    [post] = push_service.delivered()
    assert browser.decrypt(post.body)["body"] == text_in("kk", "new_message", title=TITLE, name="Ерлан")
    [row] = rows_of(user)
    assert (row.status, row.attempts, row.last_error) == (PushStatus.SENT, 3, None)
    assert subscription(push_service.endpoint("o")).failure_count == 0


def test_retry_after_of_a_busy_service_is_respected(app, push_on, push_service, push_people, by_worker):
    subscribed(push_people[1], push_service, "busy")
    inbox.notify(push_people[1], "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    now = utcnow() + SECONDS
    push_service.answers, push_service.retry_after = [429], "120"
    assert push.send_due(app, now=now) == (0, 1)
    [row] = rows_of(push_people[1])
    assert row.next_attempt_at == now + 120 * SECONDS and row.status == PushStatus.PENDING


def test_it_gives_up_after_the_last_attempt(app, push_on, push_service, push_people, by_worker, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 2)
    subscribed(push_people[1], push_service, "down")
    inbox.notify(push_people[1], "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    push_service.answers = [500, 502]
    now = utcnow() + SECONDS
    assert push.send_due(app, now=now) == (0, 1)
    assert push.send_due(app, now=now + dt.timedelta(hours=1)) == (0, 1)
    [row] = rows_of(push_people[1])
    assert (row.status, row.attempts) == (PushStatus.FAILED, 2) and "HTTP 502" in row.last_error
    assert push.send_due(app, now=now + dt.timedelta(days=1)) == (0, 0)
    assert push.backlog()["failed"] == 1


def test_another_refusal_gives_up_at_once_and_keeps_the_error(app, push_on, push_service, push_people, by_worker):
    subscribed(push_people[1], push_service, "bad")
    inbox.notify(push_people[1], "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    push_service.answers = [403]  # e.g. a VAPID key the browser did not subscribe with
    assert push.send_due(app) == (0, 1)
    [row] = rows_of(push_people[1])
    assert (row.status, row.attempts) == (PushStatus.FAILED, 1) and row.last_error.startswith("HTTP 403")
    assert subscription(push_service.endpoint("bad")) is not None  # kept: the device may still be fine


def test_without_keys_nothing_is_queued_or_sent(app, push_on, push_service, push_people, by_worker, monkeypatch):
    user = push_people[1]
    subscribed(user, push_service, "k")
    inbox.notify(user, "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", "")
    assert push.send_due(app) == (0, 0)  # the waiting row stays for when push is back
    inbox.notify(user, "new_message", "/threads/2", title="T", name="N")
    db.session.commit()
    assert len(rows_of(user)) == 1 and not push_service.received
