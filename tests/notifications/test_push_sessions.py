"""A device gets pushes only while the sign-in it subscribed in is live: signing
out of the app or the browser (or the session going idle, or "end other
sessions") stops them, and the subscription is deleted, so a shared computer
does not show the previous user's notifications."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import UserSession
from portal.models.notifications import PushOutbox, PushSubscription
from portal.services.accounts import sessions
from portal.services.notifications import inbox
from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.notifications.push_service import Browser

FCM = "https://fcm.googleapis.com/fcm/send/"


def _queued(user) -> list[int]:
    db.session.expire_all()
    return [r.subscription_id for r in db.session.scalars(select(PushOutbox).where(PushOutbox.user_id == user.id))]


def _devices(user) -> list[PushSubscription]:
    db.session.expire_all()
    return list(db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)
                                   .order_by(PushSubscription.id)))


def _notify(user) -> None:
    inbox.notify(user, "new_message", "/threads/1", title="Привет", name="N")
    db.session.commit()


def test_signing_out_of_the_app_stops_that_phones_pushes_only(app, push_on, push_people, by_worker):
    user = push_people[1]
    phone, tablet = sign_in(app, user.email).get_json(), sign_in(app, user.email).get_json()
    for tokens, name in ((phone, "phone"), (tablet, "tablet")):
        response = api(app).post("/api/v1/push/subscriptions", headers=bearer(tokens["access_token"]),
                                 json=Browser().subscription(FCM + name))
        assert response.status_code == 200, response.get_json()
    phone_sub, tablet_sub = _devices(user)
    assert phone_sub.session_id != tablet_sub.session_id and None not in (phone_sub.session_id, tablet_sub.session_id)
    phone_id, tablet_id = phone_sub.id, tablet_sub.id

    _notify(user)
    assert sorted(_queued(user)) == [phone_id, tablet_id]

    assert api(app).post("/api/v1/security/logout", headers=bearer(phone["access_token"])).status_code == 200
    _notify(user)
    assert [s.endpoint for s in _devices(user)] == [FCM + "tablet"]  # the phone's subscription is gone
    assert _queued(user)[-1:] == [tablet_id] and phone_id not in _queued(user)


def test_signing_out_of_the_browser_stops_its_pushes(app, push_on, login_as, push_people, by_worker):
    user = push_people[0]
    http = login_as(user)
    response = http.post("/notifications/push/subscribe", json=Browser().subscription(FCM + "laptop"))
    assert response.status_code == 200
    [sub] = _devices(user)
    row = db.session.get(UserSession, sub.session_id)
    assert row is not None and row.user_id == user.id and row.kind == "web"
    _notify(user)
    assert _queued(user) == [sub.id]

    http.post("/logout/")
    assert db.session.get(UserSession, row.id).ended_at is not None
    before = len(_queued(user))
    _notify(user)
    assert _devices(user) == [] and len(_queued(user)) == before - 1  # its waiting push went with it


def test_an_idle_session_or_end_all_stops_pushes_and_a_live_one_keeps_them(app, push_on, push_people, by_worker):
    user = push_people[1]
    old = sessions.start(user.id, "10.0.0.1", "Old phone")
    live = sessions.start(user.id, "10.0.0.2", "New phone")
    from portal.services.notifications import push

    push.subscribe(user, FCM + "old", **Browser().keys, session_id=old.id)
    push.subscribe(user, FCM + "new", **Browser().keys, session_id=live.id)
    push.subscribe(user, FCM + "legacy", **Browser().keys)  # made before subscriptions had a session
    old.last_seen_at = utcnow() - app.permanent_session_lifetime - dt.timedelta(minutes=1)
    db.session.commit()
    _notify(user)
    assert sorted(s.endpoint for s in _devices(user)) == [FCM + "legacy", FCM + "new"]

    sessions.end_all(user.id, sessions.EndReason.LOGOUT)  # e.g. a password change
    db.session.commit()
    _notify(user)
    assert [s.endpoint for s in _devices(user)] == [FCM + "legacy"]
