"""API tokens (JWT, flask-jwt-extended through FAB) that end when they should.

* Signing in through the API starts a ``UserSession`` row of kind "api": the
  user sees it among their sessions and can end it like a browser's.
* Every token names its session (``sid``) and the user's token version
  (``tv``). ``is_revoked`` refuses a token whose session is ended, missing,
  another user's or idle too long, or whose version is older than the user's:
  the version goes up whenever every session of a user ends ("This wasn't me",
  a password change or reset, blocking, "end all other sessions"), and closing
  the account deletes the rows. Access tokens live minutes
  (``JWT_ACCESS_TOKEN_EXPIRES``).
* The refresh token is stored only as the SHA-256 of its ``jti``, and rotated
  at each use: an old refresh token presented again means it was copied, and
  the whole session ends.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser, UserSession
from portal.services.accounts import sessions

KIND = "api"
REUSED = "token_reuse"  # the end reason when an old refresh token comes back


def _hash(jti: str) -> str:
    return hashlib.sha256(jti.encode()).hexdigest()


def _claims(user: PortalUser, row: UserSession) -> dict:
    return {"sid": row.id, "tv": user.token_version or 0}


def _pair(user: PortalUser, row: UserSession) -> dict[str, str]:
    claims = _claims(user, row)
    access = create_access_token(identity=str(user.id), fresh=True, additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    row.refresh_hash = _hash(decode_token(refresh)["jti"])
    return {"access_token": access, "refresh_token": refresh}


def sign_in(user: PortalUser, ip: str | None, user_agent: str | None,
            now: dt.datetime | None = None) -> dict[str, str]:
    """A new API session for ``user`` (whose password was just checked): an access and a refresh token."""
    row = sessions.start(user.id, ip, user_agent, now, kind=KIND, commit=False)
    db.session.flush()
    tokens = _pair(user, row)
    db.session.commit()
    return tokens


def session_of(payload: dict) -> UserSession | None:
    """The API session row a (verified) token's payload names."""
    sid = payload.get("sid")
    return db.session.get(UserSession, sid) if isinstance(sid, int) else None


def refresh(payload: dict, now: dt.datetime | None = None) -> dict[str, str] | None:
    """A new access token and a new refresh token for a valid refresh token's
    payload (``is_revoked`` has already accepted it); the old one stops working.
    Also after the user's token version went up while this session stays (a password
    change, "end all other sessions"): the payload of this call's access token."""
    row = db.session.get(UserSession, payload.get("sid"))
    if row is None:
        return None
    row.last_seen_at = now or utcnow()
    tokens = _pair(row.user, row)
    db.session.commit()
    return tokens


def sign_out(payload: dict, now: dt.datetime | None = None) -> bool:
    """End the session of a token's payload (its refresh token stops working at once)."""
    row = db.session.get(UserSession, payload.get("sid"))
    if row is None or row.ended_at is not None or row.kind != KIND:
        return False
    row.ended_at, row.ended_reason = now or utcnow(), sessions.EndReason.LOGOUT
    row.refresh_hash = None
    db.session.commit()
    return True


def is_revoked(payload: dict, now: dt.datetime | None = None) -> bool:
    """True unless the token's session is live, belongs to its user, the user
    is active with the same token version, and (for a refresh token) it is the
    session's current refresh token. A replayed old refresh token ends the session."""
    sid, version = payload.get("sid"), payload.get("tv")
    if not isinstance(sid, int) or not isinstance(version, int) or not 0 < sid < 2**31:
        return True  # not one of ours (a token with only a subject, as FAB's own login mints)
    row = db.session.get(UserSession, sid)
    if row is None or row.kind != KIND or row.ended_at is not None or str(row.user_id) != str(payload.get("sub")):
        return True
    user = db.session.get(PortalUser, row.user_id)
    if user is None or not user.is_active or (user.token_version or 0) != version:
        return True
    now = now or utcnow()
    if now - row.last_seen_at > sessions.idle_limit():
        return True
    if payload.get("type") == "refresh" and row.refresh_hash != _hash(str(payload.get("jti"))):
        row.ended_at, row.ended_reason, row.refresh_hash = now, REUSED, None
        db.session.commit()
        return True
    return False

