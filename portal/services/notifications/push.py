"""Web Push (RFC 8030/8291/8292): the browsers' subscriptions and the push
outbox, drained like the mail outbox.

* ``subscribe`` / ``unsubscribe``: a device registers the endpoint its push
  service gave it and the keys to encrypt for. One endpoint is one device: a
  second user signing in on it takes it over (and the first user's messages
  still waiting for it are dropped: they must not appear on someone else's screen).
* ``queue``: ``inbox.notify`` adds one outbox row per subscription of the
  recipient, in the transaction of the change it reports; the payload is
  rendered then, in the recipient's language.
* ``send_due``: encrypts (aes128gcm) and POSTs with a VAPID JWT; network errors,
  5xx and 429 are retried with back-off; 404/410 mean the subscription is gone
  (deleted with what waits for it); another 4xx gives up with the error kept.
  Taken with a lease (core.outbox.take: SKIP LOCKED on PostgreSQL), each outcome
  committed on its own: several workers never send a row twice, and a killed one
  sends at most the message it was posting again.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Callable
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from pywebpush import WebPusher, WebPushException
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.outbox import InlineDrain, backoff, drain_all, status_counts, take
from portal.models.accounts import PortalUser, UserSession
from portal.models.notifications import PushOutbox, PushStatus, PushSubscription
from portal.services.notifications import vapid
from portal.services.notifications.push_rules import check_endpoint, check_keys

log = logging.getLogger(__name__)
RETRY_UNIT = 15      # seconds: retries after 30 s, 1, 2, 4 … min (a late push is worth less than a late mail)
MAX_RETRY_AFTER = 3600
BODY_LIMIT = 200     # characters of the notification text in the payload (push services take ~4 kB)
JWT_HOURS = 12       # lifetime of the VAPID JWT (RFC 8292: at most 24 h)
NOT_SET_UP = _l("Push notifications are not set up on this site.")

enabled, public_key = vapid.enabled, vapid.public_key  # push is on / the key browsers subscribe with


def retry_delay(attempts: int) -> dt.timedelta:
    return backoff(attempts) * RETRY_UNIT


# --- subscriptions -----------------------------------------------------------------------------

def subscribe(user: PortalUser, endpoint: str, p256dh: str, auth: str, user_agent: str = "",
              session_id: int | None = None) -> PushSubscription:
    """Save this device's subscription for ``user`` (commits), tied to the session
    (``UserSession`` row) it was made in. The same endpoint again updates its keys
    and session; an endpoint of another user moves to ``user``."""
    if not vapid.enabled():
        raise ServiceError(NOT_SET_UP)
    check_endpoint(endpoint)
    check_keys(p256dh, auth)
    for attempt in (1, 2):  # a concurrent first subscribe of the same endpoint: the second one updates
        sub = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
        if sub is None:
            sub = PushSubscription(endpoint=endpoint, user_id=user.id, created_at=utcnow(), failure_count=0)
            db.session.add(sub)
        elif sub.user_id != user.id:
            _drop_rows(db.session, [sub.id])  # the previous owner's messages must not reach the new one
            sub.user_id, sub.created_at, sub.last_success_at, sub.failure_count = user.id, utcnow(), None, 0
        sub.p256dh, sub.auth, sub.user_agent = p256dh, auth, (user_agent or "")[:255]
        sub.session_id = session_id
        try:
            db.session.flush()
            break
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    _keep_newest(user.id)
    db.session.commit()
    return sub


def _keep_newest(user_id: int) -> None:
    limit = int(current_app.config["PUSH_MAX_SUBSCRIPTIONS"])
    old = db.session.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user_id)
                             .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
                             .offset(limit)).all()
    if old:
        _forget(db.session, old)


def unsubscribe(user: PortalUser, endpoint: str) -> None:
    """Remove the user's own subscription of this endpoint (commits); another
    user's or an unknown one: NotFound, nothing changes."""
    sub = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                            PushSubscription.user_id == user.id)).first()
    if sub is None:
        raise NotFound(_l("This device is not subscribed."))
    _forget(db.session, [sub.id])
    db.session.commit()


def subscriptions_of(user_id: int) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user_id)
                                   .order_by(PushSubscription.id)))


def _drop_rows(session: Session, subscription_ids: list[int], pending_only: bool = True) -> None:
    stmt = delete(PushOutbox).where(PushOutbox.subscription_id.in_(subscription_ids))
    if pending_only:
        stmt = stmt.where(PushOutbox.status == PushStatus.PENDING)
    session.execute(stmt, execution_options={"synchronize_session": False})


def _forget(session: Session, subscription_ids: list[int]) -> None:
    """Delete subscriptions with their outbox rows (SQLite does not cascade)."""
    _drop_rows(session, subscription_ids, pending_only=False)
    session.execute(delete(PushSubscription).where(PushSubscription.id.in_(subscription_ids)),
                    execution_options={"synchronize_session": False})


# --- queueing ----------------------------------------------------------------------------------

def payload(title: str, body: str, url: str, tag: str) -> dict:
    """The message a service worker shows: short, the body cut on a word boundary."""
    body = " ".join(body.split())
    if len(body) > BODY_LIMIT:
        cut = body[:BODY_LIMIT - 1]
        body = (cut.rsplit(" ", 1)[0] if " " in cut[BODY_LIMIT // 2:] else cut).rstrip(" ,.;:") + "…"
    return {"title": title, "body": body, "url": url, "tag": tag[:64]}


def queue(user_id: int, kind: str, message: Callable[[], dict]) -> int:
    """One outbox row per subscription of the user, in the caller's transaction;
    ``message()`` renders the payload (only called when the user has a device).
    Returns rows added."""
    if not vapid.enabled():
        return 0
    ids = _live_devices(user_id)
    if not ids:
        return 0
    now, encoded = utcnow(), json.dumps(message(), ensure_ascii=False)
    for sub_id in ids:
        db.session.add(PushOutbox(subscription_id=sub_id, user_id=user_id, kind=kind, payload=encoded,
                                  status=PushStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now))
    return len(ids)


def _live_devices(user_id: int) -> list[int]:
    """The user's subscriptions whose sign-in is still live. Those of an ended or idle
    session are deleted here: a device that signed out gets nothing more, and a
    shared browser does not show the previous user's notifications."""
    now = utcnow()
    idle_since = now - current_app.permanent_session_lifetime  # as services.accounts.sessions.idle_limit
    rows = db.session.execute(
        select(PushSubscription.id, UserSession.ended_at, UserSession.last_seen_at)
        .outerjoin(UserSession, UserSession.id == PushSubscription.session_id)
        .where(PushSubscription.user_id == user_id)).all()
    live, dead = [], []
    for sub_id, ended_at, last_seen_at in rows:
        ended = last_seen_at is not None and (ended_at is not None or last_seen_at < idle_since)
        (dead if ended else live).append(sub_id)
    if dead:
        _forget(db.session, dead)
    return live


# --- sending -----------------------------------------------------------------------------------

GONE, RETRY, REFUSED = "gone", "retry", "refused"


def _post(app: Flask, sub: PushSubscription, row: PushOutbox, http: requests.Session) -> tuple[str | None, str, int]:
    """POST one message. Returns (outcome or None when delivered, error, seconds the service asked to wait)."""
    url = urlsplit(sub.endpoint)
    claims = {"sub": app.config["VAPID_SUBJECT"], "aud": f"{url.scheme}://{url.netloc}",
              "exp": int(time.time()) + JWT_HOURS * 3600}
    try:
        headers = vapid.signer(app).sign(claims)
        pusher = WebPusher({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                           requests_session=http)
        response = pusher.send(row.payload, headers, ttl=int(app.config["PUSH_TTL"]),
                               content_encoding="aes128gcm", timeout=float(app.config["PUSH_TIMEOUT"]))
    except WebPushException as exc:  # the subscription's keys cannot be used
        return REFUSED, _describe(exc), 0
    except Exception as exc:  # noqa: BLE001  (network, TLS, a bad VAPID_SUBJECT: try again later)
        return RETRY, _describe(exc), 0
    status = response.status_code
    if status < 300:
        return None, "", 0
    error = f"HTTP {status}: {response.text[:300]}"
    if status in (404, 410):
        return GONE, error, 0
    if status >= 500 or status in (408, 425, 429):
        return RETRY, error, _retry_after(response.headers.get("Retry-After"))
    return REFUSED, error, 0


def _retry_after(value: str | None) -> int:
    try:
        return max(0, min(MAX_RETRY_AFTER, int(value or 0)))
    except ValueError:
        return 0  # an HTTP date: our own back-off applies


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def send_due(app: Flask | None = None, now: dt.datetime | None = None, limit: int = 100,
             lease: float | None = None) -> tuple[int, int]:
    """Send the pending rows that are due. Returns (sent, not sent).

    Rows are taken with a lease (core.outbox.take) and each outcome is committed right
    after its POST: a worker killed mid-batch sends at most its current row again."""
    app = app or current_app._get_current_object()
    if not has_app_context():
        with app.app_context():
            return send_due(app, now, limit, lease)
    if not vapid.enabled(app):
        return 0, 0
    now = now or utcnow()
    max_attempts = int(app.config["PUSH_MAX_ATTEMPTS"])
    sent = failed = 0
    gone: set[int] = set()
    with Session(db.engine, expire_on_commit=False) as session, requests.Session() as http:
        batch = take(session, PushOutbox, (PushOutbox.status == PushStatus.PENDING,), now, limit, lease,
                     margin=float(app.config["PUSH_TIMEOUT"]))
        if batch is None:
            return 0, 0
        with batch:
            subs = {s.id: s for s in session.scalars(select(PushSubscription).where(
                PushSubscription.id.in_({r.subscription_id for r in batch.rows})))}
            session.commit()
            for row in batch.rows:
                if batch.expired():
                    break
                sub = subs.get(row.subscription_id)
                if sub is None:  # removed meanwhile
                    batch.drop([row.id])
                    continue
                if sub.id in gone:  # deleted with its subscription (below)
                    failed += 1
                    continue
                outcome, error, wait = _post(app, sub, row, http)
                if outcome == GONE:
                    gone.add(sub.id)
                    batch.forget(r.id for r in batch.rows if r.subscription_id == sub.id)
                    _forget(session, [sub.id])
                    session.commit()
                    failed += 1
                    continue
                attempts = row.attempts + 1
                if outcome is None:
                    sent += 1
                    if batch.finish(row.id, commit=False, status=PushStatus.SENT, sent_at=utcnow(),
                                    last_error=None, attempts=attempts):
                        _subscription(session, sub.id, last_success_at=utcnow(), failure_count=0)
                    session.commit()
                    continue
                failed += 1
                gave_up = outcome == REFUSED or attempts >= max_attempts
                later = now + max(retry_delay(attempts), dt.timedelta(seconds=wait))
                if batch.finish(row.id, commit=False, attempts=attempts, last_error=error,
                                **({"status": PushStatus.FAILED} if gave_up else {"next_attempt_at": later})):
                    _subscription(session, sub.id, failure_count=PushSubscription.__table__.c.failure_count + 1)
                session.commit()
    if failed:
        log.warning("push: %d of %d not delivered (%d subscriptions gone); retrying the others later",
                    failed, len(batch), len(gone))
    return sent, failed


def _subscription(session: Session, sub_id: int, **values) -> None:
    table = PushSubscription.__table__
    session.execute(update(table).where(table.c.id == sub_id).values(**values))


def drain(app: Flask | None = None, now: dt.datetime | None = None, lease: float | None = None) -> tuple[int, int]:
    """Send batch after batch until nothing is due or a batch sends nothing."""
    return drain_all(send_due, app, now, lease=lease)


def backlog(session: Session | None = None) -> dict[str, int]:
    """Counts by status, plus how many pending rows have failed at least once."""
    return status_counts(session or db.session, PushOutbox, PushStatus.ALL, PushStatus.PENDING)


# --- inline sending after commit ---------------------------------------------------------------

_inline = InlineDrain("push", "NOTIFY_SYNC", lambda app: drain(app))


def register(app: Flask) -> None:
    _inline.register(watch=PushOutbox)
    vapid.announce(app)
