"""Login history and signed-in sessions (agreement 4b), and the staff signal
"many IP addresses or devices in a short window" (agreement 11.4).

* ``record_login`` stores every login attempt, successful or not, with time,
  IP and user agent; ``user_id`` stays empty when the email matched no account.
* A signed-in browser is a ``UserSession`` row; the Flask session cookie holds
  its random token. ``validate`` is asked on every request: an ended, missing,
  foreign or idle-expired row means the browser is signed out; a live row has
  its ``last_seen_at`` (and IP) refreshed at most once per ``TOUCH_EVERY``, on
  a connection of its own (the request's ORM session is left alone).
* Ending sessions: one other session, all others, or all (password reset,
  "this wasn't me", account closure) with a reason code.
* ``ip_signals`` lists accounts that signed in from at least
  SIGNAL_IP_THRESHOLD distinct IPs or user agents within SIGNAL_IP_WINDOW_HOURS.

No request globals: callers pass the IP, user agent and token.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import LoginEvent, PortalUser, UserSession

SESSION_KEY = "portal_sid"           # key of the token in the Flask session
TOUCH_EVERY = dt.timedelta(minutes=1)


class EndReason:
    LOGOUT = "logout"
    BY_USER = "ended_by_user"        # ended from another of the user's sessions
    NOT_ME = "not_me"                # "this wasn't me": every session ended
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGE = "password_changed"  # the other sessions, when a password is changed
    EXPIRED = "expired"              # idle longer than the session lifetime
    CLOSED = "account_closed"
    BLOCKED = "blocked"


def _clip(ip: str | None, user_agent: str | None) -> tuple[str, str]:
    return (ip or "")[:45], (user_agent or "")[:512]


def idle_limit() -> dt.timedelta:
    return current_app.permanent_session_lifetime


# --- login events --------------------------------------------------------------------------------

def account_for_login(username: str | None) -> PortalUser | None:
    """The account a login form's username names (username or email, any case)."""
    name = (username or "").strip().lower()
    if not name:
        return None
    return db.session.scalars(select(PortalUser).where(or_(
        func.lower(PortalUser.username) == name, func.lower(PortalUser.email) == name))
        .order_by(PortalUser.id)).first()


def record_login(username: str | None, user: PortalUser | None, ip: str | None, user_agent: str | None,
                 now: dt.datetime | None = None) -> LoginEvent:
    """Store one login attempt: ``user`` is the authenticated account (success)
    or None (failure: the account is looked up by ``username``, if any)."""
    account = user if user is not None else account_for_login(username)
    ip, user_agent = _clip(ip, user_agent)
    event = LoginEvent(user_id=account.id if account is not None else None, success=user is not None,
                       ip_address=ip, user_agent=user_agent, created_at=now or utcnow())
    db.session.add(event)
    db.session.commit()
    return event


def history(user_id: int, page: int = 1, per_page: int = 20) -> Page:
    """The user's login attempts, newest first (a page past the last shows the last)."""
    return paged(select(LoginEvent).where(LoginEvent.user_id == user_id),
                 (LoginEvent.created_at.desc(), LoginEvent.id.desc()), page, per_page)


def own_event(user: PortalUser, event_id: int) -> LoginEvent:
    event = db.session.get(LoginEvent, event_id)
    if event is None or event.user_id != user.id:
        raise NotFound(_l("Login not found."))
    return event


# --- sessions ------------------------------------------------------------------------------------

def start(user_id: int, ip: str | None, user_agent: str | None, now: dt.datetime | None = None,
          kind: str = "web", commit: bool = True) -> UserSession:
    """A new session row for a browser that just signed in (its token goes into
    the cookie), or for an API sign-in (``kind="api"``, see services.api_tokens)."""
    now = now or utcnow()
    ip, user_agent = _clip(ip, user_agent)
    row = UserSession(user_id=user_id, token=secrets.token_urlsafe(32), ip_address=ip,
                      user_agent=user_agent, created_at=now, last_seen_at=now, kind=kind)
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def _by_token(token: str | None) -> UserSession | None:
    if not token or not isinstance(token, str) or len(token) > 64:
        return None
    return db.session.scalars(select(UserSession).where(UserSession.token == token)).first()


def row_id(token: str | None, user_id: int) -> int | None:
    """The id of ``user_id``'s session row of this browser token (what a push subscription
    made in this browser is tied to), or None."""
    row = _by_token(token)
    return row.id if row is not None and row.user_id == user_id else None


def validate(token: str | None, user_id: int, ip: str | None = None,
             now: dt.datetime | None = None) -> UserSession | None:
    """The live session row of ``token`` for ``user_id`` (last seen refreshed
    at most once a minute), or None: the browser must be signed out."""
    now = now or utcnow()
    row = _by_token(token)
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle_limit():
        _end(row, EndReason.EXPIRED, now)
        db.session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        _touch(row, now, ip)
    return row


def _touch(row: UserSession, now: dt.datetime, ip: str | None) -> None:
    """Refresh last seen (and the IP) on a connection of its own: committing the
    request's ORM session would expire every loaded object (the signed-in user
    would be read again) and commit whatever else the request has pending."""
    values = {"last_seen_at": now, **({"ip_address": _clip(ip, None)[0]} if ip else {})}
    with db.engine.begin() as conn:
        conn.execute(update(UserSession).where(UserSession.id == row.id).values(**values))
    for name, value in values.items():
        set_committed_value(row, name, value)  # the loaded row agrees, without a reload or a flush


def _end(row: UserSession, reason: str, now: dt.datetime) -> None:
    row.ended_at = now
    row.ended_reason = reason


def end_token(token: str | None, reason: str = EndReason.LOGOUT, now: dt.datetime | None = None) -> bool:
    """End the session of ``token`` (signing out); False if there was none to end."""
    row = _by_token(token)
    if row is None or row.ended_at is not None:
        return False
    _end(row, reason, now or utcnow())
    db.session.commit()
    return True


def _live(user_id: int, now: dt.datetime):
    return select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None),
                                     UserSession.last_seen_at > now - idle_limit())


def live_sessions(user_id: int, now: dt.datetime | None = None) -> list[UserSession]:
    """The user's open sessions, most recently seen first."""
    return list(db.session.scalars(_live(user_id, now or utcnow())
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_one(user: PortalUser, session_id: int, current_token: str | None,
            now: dt.datetime | None = None) -> UserSession:
    """End another of the user's own open sessions."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        raise NotFound(_l("This session is already ended."))
    if row.token == current_token:
        raise ServiceError(_l("This is the session you are using: sign out to end it."))
    _end(row, EndReason.BY_USER, now or utcnow())
    db.session.commit()
    return row


def end_others(user: PortalUser, current_token: str | None, now: dt.datetime | None = None) -> int:
    """End every open session of the user but the current one; how many were ended."""
    count = end_all(user.id, EndReason.BY_USER, now, keep_token=current_token)
    db.session.commit()
    return count


def end_all(user_id: int, reason: str, now: dt.datetime | None = None, keep_token: str | None = None) -> int:
    """End the user's open sessions (but ``keep_token``'s) in the caller's transaction.
    Every API token of the user ends too: the user's token version goes up, and
    access tokens carry the version they were issued under (services.api_tokens)."""
    stmt = (update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(ended_at=now or utcnow(), ended_reason=reason))
    if keep_token:
        stmt = stmt.where(UserSession.token != keep_token)
    ended = db.session.execute(stmt, execution_options={"synchronize_session": "fetch"}).rowcount or 0
    db.session.execute(update(PortalUser).where(PortalUser.id == user_id)
                       .values(token_version=PortalUser.token_version + 1),
                       execution_options={"synchronize_session": "fetch"})
    return ended


# --- what a person sees of a user agent ----------------------------------------------------------

_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("YaBrowser", "Yandex Browser"),
             ("SamsungBrowser", "Samsung Internet"), ("FxiOS", "Firefox"), ("Firefox", "Firefox"),
             ("CriOS", "Chrome"), ("Chromium", "Chromium"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"))


def _find(table, user_agent: str) -> str | None:
    return next((name for token, name in table if token in user_agent), None)


def device_summary(user_agent: str | None) -> str:
    """'Chrome on Windows', 'Safari on iPhone', … or 'Unknown device'."""
    user_agent = user_agent or ""
    browser, system = _find(_BROWSERS, user_agent), _find(_SYSTEMS, user_agent)
    if browser and system:
        return str(_l("%(browser)s on %(system)s", browser=browser, system=system))
    return browser or system or str(_l("Unknown device"))


# --- staff signal: many IPs or devices ------------------------------------------------------------

@dataclass
class IpSignal:
    user: PortalUser
    ips: int          # distinct IP addresses of successful logins in the window
    devices: int      # distinct user agents
    logins: int
    last_at: dt.datetime


def ip_signals(now: dt.datetime | None = None, limit: int = 50) -> list[IpSignal]:
    """Accounts with successful logins from >= SIGNAL_IP_THRESHOLD distinct IPs
    or user agents within the last SIGNAL_IP_WINDOW_HOURS, most IPs first."""
    now = now or utcnow()
    threshold = int(current_app.config["SIGNAL_IP_THRESHOLD"])
    since = now - dt.timedelta(hours=float(current_app.config["SIGNAL_IP_WINDOW_HOURS"]))
    ips, devices = func.count(distinct(LoginEvent.ip_address)), func.count(distinct(LoginEvent.user_agent))
    rows = db.session.execute(
        select(LoginEvent.user_id, ips, devices, func.count(), func.max(LoginEvent.created_at))
        .where(LoginEvent.success.is_(True), LoginEvent.user_id.is_not(None),
               LoginEvent.created_at >= since, LoginEvent.created_at <= now)
        .group_by(LoginEvent.user_id).having(or_(ips >= threshold, devices >= threshold))
        .order_by(ips.desc(), devices.desc(), LoginEvent.user_id).limit(limit)).all()
    users = {u.id: u for u in db.session.scalars(select(PortalUser).where(
        PortalUser.id.in_([r[0] for r in rows])))} if rows else {}
    return [IpSignal(users[r[0]], r[1], r[2], r[3], r[4]) for r in rows if r[0] in users]


def token_id(token: str | None) -> str:
    """A short, non-secret id of a session token (for rate-limit keys and logs)."""
    import hashlib

    return "s" + hashlib.sha256((token or "").encode()).hexdigest()[:16]
