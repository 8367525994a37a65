"""Web Push on the portal's side: subscriptions (upsert, takeover of an endpoint,
validation), what ``notify`` queues by the push preferences, the settings page
with its push column and device switch in kk and ru, the switch's JSON route
(session + CSRF), and ``flask portal vapid-keys``."""
from __future__ import annotations

import html
import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import force_locale, gettext
from py_vapid import Vapid
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.notifications import NotificationPreference, PushOutbox, PushSubscription
from portal.services.notifications import inbox, push
from tests.notifications.push_service import Browser, b64url, unb64url

FCM = "https://fcm.googleapis.com/fcm/send/dXNlcjE"


def outbox_of(user) -> list[PushOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(PushOutbox).where(PushOutbox.user_id == user.id).order_by(PushOutbox.id)))


def subs_of(user) -> list[PushSubscription]:
    db.session.expire_all()
    return push.subscriptions_of(user.id)


def tr(locale: str, text: str) -> str:
    with force_locale(locale):
        return gettext(text)


# --- subscriptions -----------------------------------------------------------------------------

def test_subscribe_is_an_upsert_and_an_endpoint_moves_to_whoever_signs_in(app, push_on, push_people, by_worker):
    first, second = push_people
    browser = Browser()
    push.subscribe(first, FCM, **browser.keys, user_agent="Firefox")
    renewed = Browser()
    push.subscribe(first, FCM, **renewed.keys, user_agent="Firefox 2")  # same device, new keys
    [sub] = subs_of(first)
    assert (sub.p256dh, sub.auth, sub.user_agent) == (renewed.keys["p256dh"], renewed.keys["auth"], "Firefox 2")

    inbox.notify(first, "new_message", "/threads/1", title="For the first user", name="N")
    db.session.commit()
    assert len(outbox_of(first)) == 1

    push.subscribe(second, FCM, **renewed.keys)  # another account signs in on that browser
    assert subs_of(first) == [] and [s.id for s in subs_of(second)] == [sub.id]
    assert outbox_of(first) == []  # the first user's message never reaches the second one's screen
    inbox.notify(first, "new_message", "/threads/2", title="T", name="N")
    inbox.notify(second, "new_message", "/threads/3", title="T", name="N")
    db.session.commit()
    assert outbox_of(first) == [] and len(outbox_of(second)) == 1


def test_unsubscribe_removes_only_ones_own(app, push_on, push_people, by_worker):
    owner, other = push_people
    push.subscribe(owner, FCM, **Browser().keys)
    inbox.notify(owner, "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    with pytest.raises(ServiceError):
        push.unsubscribe(other, FCM)
    assert len(subs_of(owner)) == 1 and len(outbox_of(owner)) == 1
    push.unsubscribe(owner, FCM)
    assert subs_of(owner) == [] and outbox_of(owner) == []


def test_a_user_keeps_the_newest_devices(app, push_on, push_people, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_SUBSCRIPTIONS", 2)
    user = push_people[0]
    for n in range(3):
        push.subscribe(user, f"{FCM}{n}", **Browser().keys)
    assert [s.endpoint for s in subs_of(user)] == [f"{FCM}1", f"{FCM}2"]


@pytest.mark.parametrize("endpoint", [
    "ftp://push.example.com/x", "http://push.example.com/x", "https://10.0.0.5/push", "https://[fd00::1]/p",
    "https://169.254.169.254/latest", "https://user:pw@push.example.com/x", "https:///nohost", "push.example.com",
])
def test_endpoints_must_be_https_on_a_public_host(app, push_on, push_people, endpoint):
    with pytest.raises(ServiceError) as err:
        push.subscribe(push_people[0], endpoint, **Browser().keys)
    assert err.value.field == "endpoint"
    assert subs_of(push_people[0]) == []


def test_loopback_http_only_in_tests_or_when_allowed(app, push_on, push_people, monkeypatch):
    user = push_people[0]
    push.subscribe(user, "http://127.0.0.1:9/push/a", **Browser().keys)  # TESTING
    monkeypatch.setitem(app.config, "TESTING", False)
    for endpoint in ("http://127.0.0.1:9/push/b", "https://localhost/push/b", "https://127.0.0.1/b"):
        with pytest.raises(ServiceError):
            push.subscribe(user, endpoint, **Browser().keys)
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP_LOOPBACK", True)
    push.subscribe(user, "http://localhost:9/push/c", **Browser().keys)
    assert len(subs_of(user)) == 2


@pytest.mark.parametrize("keys", [
    {"p256dh": "abc", "auth": b64url(b"0" * 16)},
    {"p256dh": b64url(b"\x04" + b"\x00" * 64), "auth": b64url(b"0" * 16)},  # not a point of the curve
    {"p256dh": Browser().keys["p256dh"], "auth": b64url(b"short")},
    {"p256dh": Browser().keys["p256dh"], "auth": "!!!"},
])
def test_keys_must_be_a_p256_point_and_a_16_byte_secret(app, push_on, push_people, keys):
    with pytest.raises(ServiceError) as err:
        push.subscribe(push_people[0], FCM, **keys)
    assert err.value.field == "keys"


def test_without_vapid_keys_push_is_off(app, push_people):
    assert app.config["VAPID_PRIVATE_KEY"] == "" and push.public_key() is None
    with pytest.raises(ServiceError):
        push.subscribe(push_people[0], FCM, **Browser().keys)


def test_keys_that_are_not_a_pair_switch_push_off_with_a_log_line(app, push_on, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", Browser().keys["p256dh"])
    assert push.public_key() is None and not push.enabled()
    assert "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY" in caplog.text


# --- what notify queues ------------------------------------------------------------------------

def test_preferences_decide_what_is_queued(app, push_on, push_people, by_worker):
    user = push_people[1]
    push.subscribe(user, FCM, **Browser().keys)
    choices = {c.kind: c for c in inbox.preferences(user)}
    assert choices["new_message"].push is True          # sent one by one: on by default
    assert choices["new_request"].push is False         # batched (many a day): off by default
    assert choices["offer_selected"].push is True       # mandatory: always on

    inbox.set_preferences(user, {"new_message": (True, True, False), "offer_selected": (True, True, False),
                                 "new_request": (True, True, True)})
    assert db.session.get(NotificationPreference, (user.id, "new_message")).push is False
    assert db.session.get(NotificationPreference, (user.id, "offer_selected")) is None
    inbox.notify(user, "new_message", "/threads/1", title="off", name="N")
    inbox.notify(user, "offer_selected", "/requests/1", title="mandatory", client="K")
    inbox.notify(user, "new_request", "/requests/2", title="switched on", category="advocate", region="KZ-75")
    db.session.commit()
    assert [r.kind for r in outbox_of(user)] == ["offer_selected", "new_request"]

    inbox.set_preferences(user, {"new_message": (False, False)})  # without push: push stays as it was
    assert db.session.get(NotificationPreference, (user.id, "new_message")).push is False
    inbox.set_preferences(user, {"new_message": (True, True, True), "new_request": (True, True, False)})
    assert db.session.get(NotificationPreference, (user.id, "new_message")) is None  # defaults again: no row
    assert db.session.get(NotificationPreference, (user.id, "new_request")) is None


def test_push_off_for_a_kind_queues_nothing_even_with_the_other_channels_off(app, push_on, push_people, by_worker):
    user = push_people[1]
    push.subscribe(user, FCM, **Browser().keys)
    inbox.set_preferences(user, {"new_message": (False, False, True), "review_reply": (False, False, False)})
    assert inbox.notify(user, "new_message", "/threads/1", title="T", name="N") is None  # not in the list
    inbox.notify(user, "review_reply", "/requests/1", name="N")
    db.session.commit()
    assert [r.kind for r in outbox_of(user)] == ["new_message"]  # push alone still reaches the device


def test_a_user_without_devices_costs_no_rendering(app, push_on, push_people, by_worker, monkeypatch):
    calls = []
    monkeypatch.setattr(push, "payload", lambda *a, **k: calls.append(a) or {})
    inbox.notify(push_people[0], "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    assert calls == [] and outbox_of(push_people[0]) == []


# --- the settings page -------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_settings_page_has_the_push_column_and_the_device_switch(app, push_on, login_as, push_people, locale):
    user = push_people[0]
    inbox.set_preferences(user, {"new_offer": (True, True, False)})
    http = login_as(user)
    page = html.unescape(http.get(f"/notifications/settings?_l_={locale}").get_data(as_text=True))
    assert f'<th scope="col" class="text-center">{tr(locale, "Push")}</th>' in page
    assert f'<th scope="col" class="text-center">{tr(locale, "By email")}</th>' in page
    assert tr(locale, "By email") != "By email"  # the page is translated ("Push" is Push in every language)
    assert re.search(r'name="push_new_message"[^>]*checked', page)
    assert re.search(r'name="push_new_offer"(?![^>]*checked)[^>]*>', page)
    assert re.search(r'name="push_offer_selected"[^>]*checked[^>]*disabled', page)
    assert tr(locale, "Enable notifications on this device") in page and 'id="push-switch"' in page
    assert f'data-key="{push_on.public}"' in page and "js/push.js" in page
    assert tr(locale, "Notifications are blocked for this site in the browser settings. Allow them there, "
                      "then come back to this page.") in page
    assert tr(locale, "Notifications on devices are not set up on this site yet.") not in page


def test_without_keys_the_switch_is_hidden_with_a_note(app, login_as, push_people):
    page = html.unescape(login_as(push_people[1]).get("/notifications/settings?_l_=ru").get_data(as_text=True))
    assert "Уведомления на устройства на этом сайте пока не настроены." in page
    assert 'id="push-switch"' not in page and "js/push.js" not in page
    assert 'name="push_new_message"' in page  # the choices are kept for when it is set up


def test_settings_form_saves_the_push_column(app, push_on, login_as, push_people):
    user = push_people[1]
    rows = inbox.preferences(user)
    form = {f"{channel}_{c.kind}": "1" for c in rows for channel in ("in_app", "email", "push")
            if not c.spec.mandatory}
    del form["push_new_message"]
    form["push_new_request"] = "1"
    assert login_as(user).post("/notifications/settings", data=form).status_code == 302
    choices = {c.kind: c for c in inbox.preferences(user)}
    assert (choices["new_message"].in_app, choices["new_message"].email, choices["new_message"].push) == \
        (True, True, False)
    assert choices["new_request"].push is True and choices["offer_selected"].push is True


def test_the_switch_route_saves_this_browsers_subscription_with_csrf(app, push_on, login_as, push_people,
                                                                      monkeypatch):
    user = push_people[0]
    http = login_as(user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = http.get("/notifications/settings").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    body = Browser().subscription(FCM)

    assert http.post("/notifications/push/subscribe", json=body).status_code == 400  # no token
    assert subs_of(user) == []
    response = http.post("/notifications/push/subscribe", json=body, headers={"X-CSRFToken": token,
                                                                             "User-Agent": "Test browser"})
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    [sub] = subs_of(user)
    assert sub.endpoint == FCM and sub.user_agent == "Test browser"

    bad = http.post("/notifications/push/subscribe", json={**body, "endpoint": "http://push.example.com/x"},
                    headers={"X-CSRFToken": token, "Accept-Language": "ru"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "endpoint"
    assert "https" in bad.get_json()["message"]
    invalid = http.post("/notifications/push/subscribe", json={"endpoint": FCM}, headers={"X-CSRFToken": token})
    assert invalid.status_code == 400 and "keys" in invalid.get_json()["errors"]

    response = http.post("/notifications/push/unsubscribe", json={"endpoint": FCM}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and subs_of(user) == []
    again = http.post("/notifications/push/unsubscribe", json={"endpoint": FCM}, headers={"X-CSRFToken": token})
    assert again.status_code == 404


def test_the_switch_route_is_for_signed_in_users(app, client, push_on):
    response = client.post("/notifications/push/subscribe", json=Browser().subscription(FCM))
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    assert db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == FCM)) is None


def test_the_script_is_a_static_file(app, client):
    script = client.get("/static/js/push.js")
    assert script.status_code == 200 and b"pushManager.subscribe" in script.data
    assert b"X-CSRFToken" in script.data


# --- flask portal vapid-keys ---------------------------------------------------------------------

def test_vapid_keys_command_prints_a_pair_that_signs_a_verifiable_jwt(app, monkeypatch):
    result = app.test_cli_runner().invoke(args=["portal", "vapid-keys"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.splitlines() if line.startswith("VAPID_") and "=" in line)
    private, public = lines["VAPID_PRIVATE_KEY"], lines["VAPID_PUBLIC_KEY"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", private) and re.fullmatch(r"[A-Za-z0-9_-]{87}", public)
    assert unb64url(public)[0] == 4 and len(unb64url(public)) == 65  # what a browser's subscribe() takes

    claims = {"sub": "mailto:ops@alemtrust.kz", "aud": "https://fcm.googleapis.com", "exp": int(time.time()) + 600}
    header = Vapid.from_string(private_key=private).sign(claims)["Authorization"]
    token = dict(p.split("=", 1) for p in header.split(" ", 1)[1].split(","))["t"]
    verifying = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public))
    assert jwt.decode(token, key=verifying, algorithms=["ES256"], audience=claims["aud"])["sub"] == claims["sub"]

    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    assert push.public_key() == public  # accepted as a pair by the portal
    second = app.test_cli_runner().invoke(args=["portal", "vapid-keys"]).output
    assert private not in second  # a new pair every time


def test_notify_status_counts_pushes(app, push_on, push_people, by_worker):
    push.subscribe(push_people[0], FCM, **Browser().keys)
    inbox.notify(push_people[0], "new_message", "/threads/1", title="T", name="N")
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["notify", "status"]).output
    assert re.search(r"Push pending:\s+1 \(0 retrying", output)
