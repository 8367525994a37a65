"""Blocking and unblocking accounts (agreement 11.4), and the signals that
suggest it: other accounts sharing a phone, an email or an IIN; accounts
signed in from many IP addresses or devices (``frequent_changes``); accounts
with many complaints (``many_complaints``).

* ``block`` / ``unblock`` are staff decisions with a reason code from
  ``BlockReason.ALL`` and a note; each writes an audit entry (entity "user")
  and queues an email in the user's language (an in-app notification is
  useless to someone who cannot log in). A blocked practitioner leaves the
  public pages and the search index at once: ``PractitionerProfile.is_public``
  requires an active account and the search outbox reacts to the status change.
* ``refusal_message`` is what a blocked user is told at login (correct
  password only) or when a running session ends.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from portal.core import audit, confusables, links
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.i18n import current_locale, is_supported
from portal.core.labels import label
from portal.core.paging import Page, paged
from portal.core.validation import normalize_phone
from portal.models.accounts import AccountStatus, BlockReason, PortalUser, is_staff
from portal.services.accounts import password_reset, sessions
from portal.services.notifications import inbox, kinds, mailer
from portal.services.trust import complaints

NOTE_MAX = 2000
ENTITY = "user"

BLOCKED_MESSAGE = _l("Your account is blocked: %(reason)s. If you think this is a mistake, contact support.")


# --- decisions -----------------------------------------------------------------------------------

def _target(staff: PortalUser, user_id: int) -> PortalUser:
    if not is_staff(staff):
        raise ServiceError(_l("Only staff can block or unblock accounts."))
    user = db.session.get(PortalUser, user_id)
    if user is None:
        raise NotFound(_l("Account not found."))
    if user.id == staff.id:
        raise ServiceError(_l("You cannot block or unblock your own account."))
    if user.has_role("Admin") and not staff.has_role("Admin"):
        raise ServiceError(_l("Only an administrator can block or unblock an administrator's account."))
    return user


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=NOTE_MAX), field="note")
    return note


def block(staff: PortalUser, user_id: int, reason_code: str, note: str = "") -> PortalUser:
    """Block an active account with a reason from agreement 11.4."""
    user = _target(staff, user_id)
    if reason_code not in BlockReason.ALL:
        raise ServiceError(_l("Choose a reason from the list."), field="reason")
    note = _note(note)
    if reason_code == BlockReason.OTHER and not note:
        raise ServiceError(_l("Describe the reason in the note."), field="note")
    if user.status != AccountStatus.ACTIVE:
        raise ServiceError(_l("Only an active account can be blocked."))
    user.status = AccountStatus.BLOCKED
    user.blocked_reason = reason_code
    user.blocked_note = note or None
    sessions.end_all(user.id, sessions.EndReason.BLOCKED)  # no old session comes back after an unblock
    password_reset.void_tokens(user.id)  # nor a reset link mailed before the block
    audit.record(ENTITY, user.id, AccountStatus.ACTIVE, AccountStatus.BLOCKED, staff.id,
                 reason=_audit_reason(reason_code, note), action="block")
    _queue_email(user, "account_blocked", reason=reason_code)
    db.session.commit()
    return user


def unblock(staff: PortalUser, user_id: int, note: str = "") -> PortalUser:
    """Make a blocked account active again."""
    user = _target(staff, user_id)
    note = _note(note)
    if user.status != AccountStatus.BLOCKED:
        raise ServiceError(_l("This account is not blocked."))
    previous = user.blocked_reason
    user.status = AccountStatus.ACTIVE
    user.blocked_reason = None
    user.blocked_note = None
    audit.record(ENTITY, user.id, AccountStatus.BLOCKED, AccountStatus.ACTIVE, staff.id,
                 reason=_audit_reason(previous, note), action="unblock")
    _queue_email(user, "account_unblocked")
    db.session.commit()
    return user


def _audit_reason(code: str | None, note: str) -> str:
    return f"{code}: {note}" if code and note else (code or note or "")


def user_locale(user: PortalUser) -> str:
    return user.locale if is_supported(getattr(user, "locale", None)) else current_locale()


def _queue_email(user: PortalUser, kind: str, reason: str | None = None) -> None:
    """Email in the user's language (``notify`` skips inactive users on purpose)."""
    if not user.email:
        return
    locale = user_locale(user)
    with force_locale(locale):
        params = {"reason": label(reason)} if reason else {}
        title = str(kinds.KINDS[kind].title) % params
        text, html = inbox.render_email(
            "notification", title=title, url=inbox.absolute_url(links.support_feedback_page()), locale=locale,
            **inbox.email_context(user))
    mailer.queue(user.email, title, text, html, locale=locale, user_id=user.id)


# --- telling the blocked user --------------------------------------------------------------------

def refusal_message(user: PortalUser) -> str:
    """'Your account is blocked: <reason>' in the user's language."""
    with force_locale(user_locale(user)):
        return str(BLOCKED_MESSAGE % {"reason": label(user.blocked_reason or BlockReason.OTHER)})


def blocked_login(username: str | None, password: str | None) -> PortalUser | None:
    """The blocked account these credentials open (correct password only), else None:
    a wrong password reveals nothing."""
    if not username or not password:
        return None
    user = db.session.scalars(select(PortalUser).where(
        or_(PortalUser.username == username, PortalUser.email == username))).first()
    if user is None or user.status != AccountStatus.BLOCKED or not user.password:
        return None
    return user if check_password_hash(user.password, password) else None


# --- duplicates and the staff list ---------------------------------------------------------------

def _email_key(email: str | None) -> tuple[str, str] | None:
    """(local part without a +tag, domain), folded like ``PortalUser.email_skeleton``:
    case, fullwidth forms and look-alike letters (Cyrillic "а" for "a": the TR39
    skeleton of portal.core.confusables) do not count."""
    text = confusables.fold((email or "").strip())
    if "@" not in text:
        return None
    local, _, domain = text.rpartition("@")
    return confusables.tr39_skeleton(local.split("+", 1)[0]), confusables.tr39_skeleton(domain)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phone_key(phone: str | None) -> str | None:
    if not phone:
        return None
    try:
        return normalize_phone(phone)
    except Exception:  # a stored value that is not a valid number: compare as stored
        return phone.strip() or None


@dataclass
class Duplicate:
    user: PortalUser
    signals: list[str]  # "phone", "email", "iin"


SIGNALS = {"phone": _l("Same phone"), "email": _l("Same email (ignoring case, +tags and look-alike letters)"),
           "iin": _l("Same IIN")}


def frequent_changes(now=None) -> list[sessions.IpSignal]:
    """Accounts signed in from many IP addresses or devices lately (reason
    "frequent IP/device changes"): SIGNAL_IP_THRESHOLD within SIGNAL_IP_WINDOW_HOURS."""
    return sessions.ip_signals(now)


def many_complaints(now=None) -> list[complaints.Signal]:
    """Accounts with many complaints (reason "many complaints", 11.4c):
    COMPLAINT_SIGNAL_THRESHOLD (not dismissed) within COMPLAINT_SIGNAL_DAYS."""
    return complaints.signals(now)


def duplicates(user: PortalUser) -> list[Duplicate]:
    """Other accounts sharing the normalised phone, email (local part without
    +tag, domain; look-alike letters folded) or the IIN; the signals each one shares."""
    return duplicates_of([user])[user.id]


def duplicates_of(users: list[PortalUser]) -> dict[int, list[Duplicate]]:
    """``duplicates`` for a page of accounts with one query: the database
    finds every account sharing a phone, email or IIN with any of them, and
    each account's own matches are picked from those."""
    phones = {u.id: {_phone_key(u.phone), u.phone.strip()} - {None, ""} if u.phone else set() for u in users}
    emails = {u.id: _email_key(u.email) for u in users}
    conditions = []
    if any(phones.values()):
        conditions.append(PortalUser.phone.in_(set().union(*phones.values())))
    skeleton = PortalUser.email_skeleton  # look-alike emails (the key of services.confusables)
    for local, domain in {key for key in emails.values() if key}:
        conditions += [skeleton == f"{local}@{domain}"[:confusables.SKELETON_MAX],
                       skeleton.like(f"{_like_escape(local)}+%@{_like_escape(domain)}", escape="\\")]
    email = func.lower(PortalUser.email)  # and by the address itself (an account without a skeleton yet)
    for address in {u.email.strip().lower() for u in users if u.email and "@" in u.email}:
        local, _, domain = address.rpartition("@")
        local = local.split("+", 1)[0]
        conditions += [email == f"{local}@{domain}",
                       email.like(f"{_like_escape(local)}+%@{_like_escape(domain)}", escape="\\")]
    iins = {u.iin for u in users if u.iin}
    if iins:
        conditions.append(PortalUser.iin.in_(iins))
    candidates = db.session.scalars(select(PortalUser).where(or_(*conditions))).all() if conditions else []
    result = {}
    for user in users:
        found = []
        for other in candidates:
            signals = [name for name, shared in (
                ("phone", bool(other.phone) and other.phone in phones[user.id]),
                ("email", emails[user.id] is not None and _email_key(other.email) == emails[user.id]),
                ("iin", bool(user.iin) and other.iin == user.iin)) if shared]
            if signals and other.id != user.id:
                found.append(Duplicate(other, signals))
        result[user.id] = sorted(found, key=lambda d: d.user.id)
    return result


def search_users(text: str = "", status: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    """Accounts matching ``text`` in name, email or phone, newest first."""
    stmt = select(PortalUser)
    text = (text or "").strip()
    if text:
        like = f"%{_like_escape(text.lower())}%"
        conditions = [func.lower(PortalUser.first_name + " " + PortalUser.last_name).like(like, escape="\\"),
                      func.lower(PortalUser.email).like(like, escape="\\"),
                      PortalUser.phone.like(like, escape="\\")]
        phone = _phone_key(text)
        if phone and phone != text:
            conditions.append(PortalUser.phone == phone)
        stmt = stmt.where(or_(*conditions))
    if status in AccountStatus.ALL:
        stmt = stmt.where(PortalUser.status == status)
    return paged(stmt, (PortalUser.id.desc(),), page, per_page)


def get_user(staff: PortalUser, user_id: int) -> PortalUser:
    if not is_staff(staff):
        raise NotFound(_l("Account not found."))
    user = db.session.get(PortalUser, user_id)
    if user is None:
        raise NotFound(_l("Account not found."))
    return user


def history(user_id: int):
    return audit.history(ENTITY, user_id)
