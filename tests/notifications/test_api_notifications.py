"""The notifications API as a mobile app calls it (JSON, Bearer token, no
cookie): the list with its unread count in the language of Accept-Language,
read marks, per-kind settings, the VAPID key and push subscriptions, with
anonymous calls refused and other users' rows out of reach."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.notifications import Notification, NotificationPreference, PushSubscription
from portal.services.notifications import inbox, kinds, push
from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.factories import make_user
from tests.notifications.push_service import Browser

LIST, READ, SETTINGS = "/api/v1/notifications", "/api/v1/notifications/read", "/api/v1/notifications/settings"
KEY, SUBS = "/api/v1/push/key", "/api/v1/push/subscriptions"
FCM = "https://fcm.googleapis.com/fcm/send/api-device"


@pytest.fixture
def people(app):
    sm = app.appbuilder.sm
    return (make_user(sm, ("Client",), first_name="Айгерім", locale="kk"),
            make_user(sm, ("Client",), first_name="Ольга", locale="ru"))


def token_of(app, user) -> str:
    response = sign_in(app, user.email)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def call(app, method: str, url: str, token: str | None = None, lang: str = "ru", **kwargs):
    headers = {"Accept-Language": lang, **(bearer(token) if token else {})}
    return getattr(api(app), method)(url, headers=headers, **kwargs)


def title_in(locale: str, row: Notification) -> str:
    with force_locale(locale):
        return kinds.render(row)


def test_anonymous_calls_are_refused(app):
    for method, url, body in (("get", LIST, None), ("post", READ, {"all": True}), ("get", SETTINGS, None),
                              ("put", SETTINGS, {"settings": []}),
                              ("post", SUBS, Browser().subscription(FCM)), ("delete", SUBS, {"endpoint": FCM})):
        response = call(app, method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.mimetype == "application/problem+json"


def test_the_list_is_mine_newest_first_in_the_language_of_the_call(app, people):
    me, other = people
    first = inbox.notify(me, "new_message", "/threads/1", title={"kk": "Мұра", "ru": "Наследство"}, name="Ерлан")
    second = inbox.notify(me, "request_expired", "/requests/2", title="Второй")
    inbox.notify(other, "new_message", "/threads/3", title="Чужое", name="N")
    db.session.commit()
    token = token_of(app, me)

    body = call(app, "get", LIST, token, lang="kk").get_json()
    assert (body["total"], body["unread"], body["page"], body["pages"]) == (2, 2, 1, 1)
    assert [item["id"] for item in body["items"]] == [second.id, first.id]
    assert body["items"][1]["text"] == title_in("kk", first) and "Мұра" in body["items"][1]["text"]
    assert body["items"][1]["link"] == "/threads/1" and body["items"][1]["read"] is False
    assert body["items"][1]["created_at"].endswith("Z")
    ru = call(app, "get", LIST, token, lang="ru").get_json()
    assert ru["items"][1]["text"] == title_in("ru", first) and "Наследство" in ru["items"][1]["text"]
    assert "Чужое" not in str(body) + str(ru)

    paged = call(app, "get", f"{LIST}?per_page=1&page=2", token).get_json()
    assert [item["id"] for item in paged["items"]] == [first.id] and paged["pages"] == 2
    assert call(app, "get", f"{LIST}?per_page=0", token).status_code == 400


def test_read_marks_only_my_own(app, people):
    me, other = people
    mine = [inbox.notify(me, "new_message", f"/threads/{n}", title="T", name="N") for n in (1, 2, 3)]
    theirs = inbox.notify(other, "new_message", "/threads/9", title="T", name="N")
    db.session.commit()
    ids = {"mine": [r.id for r in mine], "theirs": theirs.id}
    token = token_of(app, me)

    response = call(app, "post", READ, token, json={"ids": [ids["mine"][0], ids["theirs"]]})
    assert response.status_code == 200 and response.get_json() == {"marked": 1, "unread": 2}
    db.session.expire_all()
    assert db.session.get(Notification, ids["theirs"]).read_at is None  # another user's id: nothing happens
    assert call(app, "post", READ, token, json={"all": True}).get_json() == {"marked": 2, "unread": 0}
    assert inbox.unread_count(other.id) == 1
    assert call(app, "get", LIST, token).get_json()["items"][0]["read"] is True

    for bad in ({}, {"all": False}, {"ids": []}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"every": True}):
        response = call(app, "post", READ, token, json=bad)
        assert response.status_code == 400, bad


def test_settings_read_and_change_like_the_page(app, people):
    me = people[1]
    token = token_of(app, me)
    rows = call(app, "get", SETTINGS, token, lang="ru").get_json()
    by_kind = {row["kind"]: row for row in rows}
    assert "new_request" not in by_kind  # a practitioner's kind: not for a client, as on the page
    with force_locale("ru"):
        assert by_kind["new_offer"]["label"] == str(kinds.KINDS["new_offer"].description)
    assert by_kind["new_offer"]["label"] != str(kinds.KINDS["new_offer"].description)  # translated
    assert {k: by_kind["new_offer"][k] for k in ("in_app", "email", "push", "mandatory")} == \
        {"in_app": True, "email": True, "push": True, "mandatory": False}
    assert by_kind["completion_requested"]["mandatory"] is True

    response = call(app, "put", SETTINGS, token, json={"settings": [
        {"kind": "new_offer", "push": False},
        {"kind": "review_reply", "in_app": False, "email": False},
        {"kind": "completion_requested", "in_app": False, "email": False, "push": False},  # always on
        {"kind": "new_review", "in_app": False}]})  # not a client's kind: ignored
    assert response.status_code == 200
    after = {row["kind"]: row for row in response.get_json()}
    assert (after["new_offer"]["in_app"], after["new_offer"]["email"], after["new_offer"]["push"]) == \
        (True, True, False)
    assert (after["review_reply"]["in_app"], after["review_reply"]["email"], after["review_reply"]["push"]) == \
        (False, False, True)
    assert after["completion_requested"]["push"] is True and after["completion_requested"]["in_app"] is True
    db.session.expire_all()
    assert db.session.get(NotificationPreference, (me.id, "new_review")) is None
    assert {c.kind: c.push for c in inbox.preferences(me)}["new_offer"] is False  # what the page shows

    bad = call(app, "put", SETTINGS, token, lang="kk", json={"settings": [{"kind": "nope", "push": True}]})
    assert bad.status_code == 400 and "settings" in bad.get_json()["errors"]
    assert call(app, "put", SETTINGS, token, json={"settings": [{"kind": "new_offer", "sms": True}]}).status_code == 400


def test_the_key_is_public_and_absent_while_push_is_off(app, monkeypatch, vapid_pair):
    response = call(app, "get", KEY, lang="kk")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    with force_locale("kk"):
        assert response.get_json()["detail"] == str(push.NOT_SET_UP)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", vapid_pair[0])
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", vapid_pair[1])
    assert call(app, "get", KEY).get_json() == {"public_key": vapid_pair[1]}


def test_a_device_subscribes_and_unsubscribes(app, push_on, people):
    me = people[0]
    token = token_of(app, me)
    browser = Browser()
    response = api(app).post(SUBS, json=browser.subscription(FCM),
                             headers={**bearer(token), "User-Agent": "AlemTrust Android 1.0"})
    assert response.status_code == 200
    assert response.get_json()["endpoint"] == FCM and response.get_json()["last_success_at"] is None
    [sub] = push.subscriptions_of(me.id)
    assert (sub.p256dh, sub.user_agent) == (browser.keys["p256dh"], "AlemTrust Android 1.0")

    again = Browser()
    assert call(app, "post", SUBS, token, json=again.subscription(FCM)).status_code == 200  # updated, not doubled
    db.session.expire_all()
    [sub] = push.subscriptions_of(me.id)
    assert sub.auth == again.keys["auth"]

    response = call(app, "delete", SUBS, token, lang="ru", json={"endpoint": FCM})
    assert response.status_code == 200 and response.get_json()["message"] == "Уведомления на этом устройстве выключены."
    assert push.subscriptions_of(me.id) == []
    assert call(app, "delete", SUBS, token, json={"endpoint": FCM}).status_code == 404


def test_subscriptions_are_validated(app, push_on, people):
    token = token_of(app, people[0])
    keys = Browser().keys
    refused = call(app, "post", SUBS, token, lang="ru", json={"endpoint": "http://push.example.com/x", "keys": keys})
    assert refused.status_code == 422 and "endpoint" in refused.get_json()["errors"]
    assert "https" in refused.get_json()["detail"]
    bad_keys = call(app, "post", SUBS, token, json={"endpoint": FCM, "keys": {"p256dh": "x", "auth": "y"}})
    assert bad_keys.status_code == 422 and "keys" in bad_keys.get_json()["errors"]
    for body in ({"endpoint": FCM}, {"endpoint": FCM, "keys": {"p256dh": keys["p256dh"]}},
                 {"endpoint": "x" * 1025, "keys": keys}, {"endpoint": FCM, "keys": keys, "extra": 1}):
        assert call(app, "post", SUBS, token, json=body).status_code == 400, body
    assert call(app, "post", SUBS, token, json={"endpoint": "http://127.0.0.1:9/p", "keys": keys}).status_code == 200
    assert len(push.subscriptions_of(people[0].id)) == 1


def test_subscribing_while_push_is_off_is_refused(app, people):
    response = call(app, "post", SUBS, token_of(app, people[0]), json=Browser().subscription(FCM))
    assert response.status_code == 422
    assert db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == FCM)) is None


def test_another_users_subscription_cannot_be_deleted(app, push_on, people):
    owner, intruder = people
    push.subscribe(owner, FCM, **Browser().keys)
    response = call(app, "delete", SUBS, token_of(app, intruder), json={"endpoint": FCM})
    assert response.status_code == 404
    db.session.expire_all()
    assert [s.endpoint for s in push.subscriptions_of(owner.id)] == [FCM]


def test_the_operations_are_in_the_openapi_document(app):
    paths = api(app).get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths[LIST]) and {"get", "put"} <= set(paths[SETTINGS])
    assert {"post", "delete"} <= set(paths[SUBS]) and "security" not in paths[KEY]["get"]
    assert "post" in paths[READ]
