"""Password reset by email and "this wasn't me" (agreement 4b).

* ``request_reset`` answers nothing to the caller: the view shows the same
  page whether the email names an active account, a blocked or closed one,
  or none (no account enumeration). Only an active account gets a token and
  an email in its language with an absolute link.
* A token is 32 random bytes in the link; the table keeps only its SHA-256.
  It expires after PASSWORD_RESET_TTL_MINUTES and works once: using it marks
  it used, voids the user's other tokens, sets the new password (checked by
  ``validation.password_problem``) and ends every session of the user.
* ``void_tokens``: every unused link of a user stops working. Called by a
  reset, by every password change (``PortalSecurityManager.reset_password``)
  and by blocking, so no link mailed earlier outlives them.
* ``check_current_password``: "Change password" (signed in) asks for the
  current password first, so a stolen session alone cannot change it.
  ``set_password`` is what every change does (links voided, the other
  sessions ended); ``change_password`` is the API's whole "Change password".
* ``report_not_me``: the user saw a login they did not make. Every session
  ends (this one too), the password becomes unusable, a reset link is
  emailed, every moderator and admin is notified in-app, and the audit trail
  records it (the login's number only: no IP or device is kept there).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_appbuilder.security.sqla.models import Role
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core import audit, links, login_limits, tx
from portal.core.clock import utcnow
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.validation import password_problem
from portal.models.accounts import STAFF_ROLES, PasswordResetToken, PortalUser
from portal.services.accounts import sessions
from portal.services.notifications import inbox, mailer

ENTITY = "user"
INVALID_LINK = _l("This password reset link is invalid, expired or already used. Ask for a new one.")
SUBJECT = _l("Set a new password on %(app)s")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config["PASSWORD_RESET_TTL_MINUTES"]))


def hash_password(password: str) -> str:
    """A password hash the way FAB makes it (FAB_PASSWORD_HASH_* settings)."""
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"],
                                  salt_length=current_app.config["FAB_PASSWORD_HASH_SALT_LENGTH"])


def check_current_password(user: PortalUser, password: str | None) -> None:
    """ServiceError on the ``current_password`` field unless ``password`` is the user's password."""
    if not password or not user.password or not check_password_hash(user.password, password):
        raise ServiceError(_l("The password is not correct."), field="current_password")


def set_password(user: PortalUser, password: str, keep_token: str | None = None,
                 now: dt.datetime | None = None) -> None:
    """A new password for ``user`` in the caller's transaction: their unused reset
    links are voided and every other session ends (``keep_token``'s stays), every API
    token too (the token version goes up)."""
    now = now or utcnow()
    void_tokens(user.id, now)
    sessions.end_all(user.id, sessions.EndReason.PASSWORD_CHANGE, now, keep_token=keep_token)
    user.password = hash_password(password)


def change_password(user: PortalUser, current_password: str | None, password: str | None,
                    keep_token: str | None = None, now: dt.datetime | None = None) -> None:
    """"Change password" through the API: the current password, then the new one by
    the registration rules; the session of ``keep_token`` stays signed in."""
    check_current_password(user, current_password)
    if not password:
        raise ServiceError(_l("Enter a password."), field="password")
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")
    set_password(user, password, keep_token, now)
    tx.commit()


# --- asking for a link ---------------------------------------------------------------------------

def issue(user: PortalUser, ip: str | None = "", now: dt.datetime | None = None,
          reason: str = "request") -> str:
    """Add a token for ``user`` and queue the email with its link, in the
    caller's transaction; returns the token (it is stored only hashed)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_hash_token(token), created_at=now,
                                      expires_at=now + _ttl(), ip_address=(ip or "")[:45]))
    _queue_email(user, token, reason)
    return token


def request_reset(email: str, ip: str | None = "", now: dt.datetime | None = None) -> str | None:
    """Email a reset link if ``email`` names an active account. The view must
    answer the same in every case; the token is returned for tests only."""
    email = (email or "").strip()
    user = sessions.account_for_login(email) if len(email) <= 256 else None
    if user is None or not user.is_active:
        return None  # unknown, blocked or closed: no reset
    token = issue(user, ip, now)
    tx.commit()
    return token


def _queue_email(user: PortalUser, token: str, reason: str) -> None:
    locale = inbox.user_locale(user)
    app_name = current_app.config["APP_NAME"]
    with force_locale(locale):
        subject = str(SUBJECT % {"app": app_name})
        text, html = inbox.render_email(
            "password_reset", title=subject, url=inbox.absolute_url(links.password_reset(token)),
            minutes=int(_ttl().total_seconds() // 60), reason=reason, locale=locale,
            **inbox.email_context(user))
    mailer.queue(user.email, subject, text, html, locale=locale, user_id=user.id)


# --- using a link --------------------------------------------------------------------------------

def check(token: str | None, now: dt.datetime | None = None) -> PasswordResetToken:
    """The usable token row for ``token``, else ServiceError(INVALID_LINK)."""
    now = now or utcnow()
    if not token or not isinstance(token, str) or len(token) > 128:
        raise ServiceError(INVALID_LINK)
    row = db.session.scalars(select(PasswordResetToken).where(
        PasswordResetToken.token_hash == _hash_token(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active:
        raise ServiceError(INVALID_LINK)
    return row


def reset(token: str | None, password: str, now: dt.datetime | None = None) -> PortalUser:
    """Set a new password with ``token``: the token is used up, the user's
    other tokens are voided and every session of the user ends."""
    now = now or utcnow()
    row = check(token, now)
    problem = password_problem(password or "")
    if problem:
        raise ServiceError(problem, field="password")
    user = row.user
    # single use even when two requests race: only one UPDATE finds it unused
    claimed = db.session.execute(
        update(PasswordResetToken).where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now), execution_options={"synchronize_session": False}).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ServiceError(INVALID_LINK)
    void_tokens(user.id, now)
    user.password = hash_password(password)
    sessions.end_all(user.id, sessions.EndReason.PASSWORD_RESET, now)
    audit.record(ENTITY, user.id, None, None, user.id, action="password_reset")
    tx.commit()
    login_limits.clear_account(user.email)  # the owner is back in: guesses by others are forgotten
    return user


def void_tokens(user_id: int, now: dt.datetime | None = None) -> int:
    """Mark every unused link of the user used, in the caller's transaction;
    how many there were."""
    return db.session.execute(
        update(PasswordResetToken).where(PasswordResetToken.user_id == user_id,
                                         PasswordResetToken.used_at.is_(None))
        .values(used_at=now or utcnow()), execution_options={"synchronize_session": False}).rowcount or 0


# --- "this wasn't me" ----------------------------------------------------------------------------

def _staff() -> list[PortalUser]:
    return list(db.session.scalars(select(PortalUser).join(PortalUser.roles)
                                   .where(Role.name.in_(STAFF_ROLES)).distinct().order_by(PortalUser.id)))


def report_not_me(user: PortalUser, event_id: int, ip: str | None = "", now: dt.datetime | None = None) -> int:
    """The user did not make login ``event_id``: end every session, make the
    password unusable, email a reset link, tell staff, audit. Returns the
    number of sessions ended."""
    now = now or utcnow()
    event = sessions.own_event(user, event_id)
    if not event.success:
        raise ServiceError(_l("Nobody signed in with this attempt: it failed. "
                              "Change your password if you are worried."))
    ended = sessions.end_all(user.id, sessions.EndReason.NOT_ME, now)
    user.password = hash_password(secrets.token_urlsafe(32))  # nobody knows it: a reset is needed
    issue(user, ip, now, reason="not_me")
    for member in _staff():
        if member.id != user.id:
            inbox.notify(member, "account_compromised", links.staff_account(user.id),
                                 name=user.full_name, email=user.email or "")
    # the number only: the audit trail outlives the login events, deleted when the account closes
    audit.record(ENTITY, user.id, None, None, user.id, action="not_me", reason=f"login #{event.id}")
    tx.commit()
    return ended
