"""Notifications: what happened that a user should know about, in-app, by
email and by Web Push, with per-kind preferences (the kinds and their titles: ``kinds``).

* ``notify`` adds a row in the caller's transaction (a rollback loses it with
  the change it reports) and, unless the user switched email off, either puts
  a rendered email into the mail outbox (``portal.services.notifications.mailer``) or, for
  batched kinds, leaves it for the digest that ``send_digests`` sends; unless
  push is off for the kind, one push message per device the user subscribed
  goes into the push outbox (``portal.services.notifications.push``).
* Emails and pushes are rendered in the recipient's language (``user.locale``).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.core.i18n import is_supported
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser
from portal.models.notifications import EmailState, Notification, NotificationPreference
from portal.services.notifications import kinds, mailer, push

SETTINGS_PATH = "/notifications/settings"


def is_safe_link(link: str | None) -> bool:
    """A local path (no scheme, no host): safe to redirect to."""
    return bool(link) and link.startswith("/") and not link.startswith("//") and "\\" not in link


def absolute_url(path: str) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + path


def user_locale(user: PortalUser) -> str:
    locale = getattr(user, "locale", None)
    return locale if is_supported(locale) else current_app.config["BABEL_DEFAULT_LOCALE"]


class Choice(NamedTuple):
    """What a user gets for one kind: on the site, by email, by push."""

    kind: str
    spec: kinds.KindSpec
    in_app: bool
    email: bool
    push: bool


def _with_defaults(kind: str, pref: NotificationPreference | None) -> Choice:
    spec = kinds.KINDS[kind]
    if spec.mandatory or pref is None:
        return Choice(kind, spec, True, True, spec.push_by_default)
    push_on = spec.push_by_default if pref.push is None else bool(pref.push)
    return Choice(kind, spec, bool(pref.in_app), bool(pref.email), push_on)


def _choice(user_id: int, kind: str) -> tuple[bool, bool, bool]:
    """(in_app, email, push) of the user for ``kind``."""
    pref = None if kinds.KINDS[kind].mandatory else db.session.get(NotificationPreference, (user_id, kind))
    return _with_defaults(kind, pref)[2:]


def notify(user: PortalUser, kind: str, link: str, *, attachments=None, **params) -> Notification | None:
    """Tell ``user`` that ``kind`` happened; ``link`` is the local path of the
    page it is about. Adds rows to the current session (the caller commits).
    ``attachments``: files (``mailer.MailFile``) for its email, or a function of the
    recipient's locale that returns them (kinds sent one by one only; a digest has none).
    Returns the notification when the user sees it in-app, else None."""
    spec = kinds.KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind: {kind}")
    if not is_safe_link(link) or len(link) > 255:
        raise ValueError(f"notification link must be a local path: {link!r}")
    encoded = json.dumps(params, ensure_ascii=False)  # plain values only (TypeError otherwise)
    if user is None or not user.is_active:
        return None
    in_app, email, push_on = _choice(user.id, kind)
    email = email and bool(user.email)
    if push_on:
        _queue_push(user, kind, link, params)
    if not (in_app or email):
        return None
    row = Notification(user_id=user.id, kind=kind, params=encoded, link=link, in_app=in_app,
                       email_state=EmailState.NONE, created_at=utcnow())
    if email and spec.batched:
        row.email_state = EmailState.PENDING
    elif email:
        _queue_single(user, kind, link, params, attachments)
        row.email_state = EmailState.QUEUED
    db.session.add(row)
    return row if in_app else None


def email_context(user: PortalUser) -> dict:
    return {"app_name": current_app.config["APP_NAME"], "first_name": user.first_name,
            "settings_url": absolute_url(SETTINGS_PATH)}


def render_email(name: str, **context) -> tuple[str, str]:
    """(text, html) of ``portal/notifications/email/<name>.txt|html`` (no request needed)."""
    env = current_app.jinja_env
    text = env.get_template(f"portal/notifications/email/{name}.txt").render(**context)
    html = env.get_template(f"portal/notifications/email/{name}.html").render(**context)
    return text, html


def _queue_single(user: PortalUser, kind: str, link: str, params: dict, attachments=None) -> None:
    locale = user_locale(user)
    with force_locale(locale):
        title = kinds.title_for(kind, params)
        text, html = render_email("notification", title=title, url=absolute_url(link), locale=locale,
                                   **email_context(user))
        files = attachments(locale) if callable(attachments) else attachments
    mailer.queue(user.email, title, text, html, locale=locale, user_id=user.id, attachments=files)


def _queue_push(user: PortalUser, kind: str, link: str, params: dict) -> None:
    def message() -> dict:
        with force_locale(user_locale(user)):
            text = kinds.title_for(kind, params)
        # the tag groups a page's pushes of one kind on the device (the newest replaces the older)
        return push.payload(current_app.config["APP_NAME"], text, absolute_url(link), tag=f"{kind}:{link}")

    push.queue(user.id, kind, message)


def _own(user_id: int):
    return select(Notification).where(Notification.user_id == user_id, Notification.in_app.is_(True))


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _own(user_id).where(Notification.read_at.is_(None)).subquery())) or 0


def page_for(user_id: int, page: int = 1, per_page: int = 20) -> Page:
    """The user's in-app notifications, newest first."""
    return paged(_own(user_id), (Notification.created_at.desc(), Notification.id.desc()), page, per_page)


def mark_read(user_id: int, ids: list[int] | None = None, link: str | None = None) -> int:
    """Mark the user's unread notifications (all, those in ``ids``, or those
    pointing to ``link``: the page the user is looking at) read."""
    stmt = (update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=utcnow()))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    if link is not None:
        stmt = stmt.where(Notification.link == link)
    count = db.session.execute(stmt, execution_options={"synchronize_session": "fetch"}).rowcount
    if count:  # a commit expires every loaded row: only pay for it when something changed
        db.session.commit()
    return count


def open(user_id: int, notification_id: int) -> str:
    """Mark one of the user's notifications read and return its link."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(_l("Notification not found."))
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return row.link


def relevant(user: PortalUser, spec: kinds.KindSpec) -> bool:
    """Whether ``user`` can get this kind (by role; admins see every kind)."""
    roles = {role.name for role in user.roles}
    return spec.audience == "any" or spec.audience in roles or "Admin" in roles


def preferences(user: PortalUser) -> list[Choice]:
    """The choice for every kind the user can get (the settings page and the API)."""
    saved = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    return [_with_defaults(kind, saved.get(kind)) for kind, spec in kinds.KINDS.items() if relevant(user, spec)]


def set_preferences(user: PortalUser, values: dict[str, tuple]) -> None:
    """Save (in_app, email) or (in_app, email, push) per kind (without push, the
    push choice stays as it was); unknown kinds are ignored, mandatory ones stay on."""
    for kind, value in values.items():
        spec = kinds.KINDS.get(kind)
        if spec is None:
            continue
        pref = db.session.get(NotificationPreference, (user.id, kind))
        in_app, email = bool(value[0]), bool(value[1])
        push_on = bool(value[2]) if len(value) > 2 else (pref.push if pref is not None else None)
        if push_on == spec.push_by_default:
            push_on = None  # the kind's default: follows it
        if spec.mandatory or (in_app and email and push_on is None):  # the default: no row
            if pref is not None:
                db.session.delete(pref)
            continue
        if pref is None:
            pref = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(pref)
        pref.in_app, pref.email, pref.push = in_app, email, push_on
    db.session.commit()


def update_preferences(user: PortalUser, changes: dict[str, dict[str, bool]]) -> list[Choice]:
    """Change the given channels ("in_app", "email", "push") of the given kinds,
    only of kinds the user can get (others are left alone, as the settings page
    shows only those); a channel not given keeps its value. Returns every choice."""
    current = {c.kind: c for c in preferences(user)}
    values = {}
    for kind, channels in changes.items():
        choice = current.get(kind)
        if choice is not None:
            values[kind] = tuple(bool(channels.get(name, getattr(choice, name)))
                                 for name in ("in_app", "email", "push"))
    set_preferences(user, values)
    return preferences(user)


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue one email per user whose oldest pending (batched) notification is
    older than NOTIFY_DIGEST_MINUTES, listing all of them. Returns emails queued."""
    now = now or utcnow()
    minutes = int(current_app.config["NOTIFY_DIGEST_MINUTES"])
    cutoff = now - dt.timedelta(minutes=minutes)
    pending = Notification.email_state == EmailState.PENDING
    user_ids = db.session.scalars(
        select(Notification.user_id).where(pending).group_by(Notification.user_id)
        .having(func.min(Notification.created_at) <= cutoff)).all()
    queued = 0
    for user_id in user_ids:
        stmt = select(Notification).where(pending, Notification.user_id == user_id).order_by(Notification.id)
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)  # another worker has them
        rows = db.session.scalars(stmt).all()
        user = db.session.get(PortalUser, user_id)
        wanted = [r for r in rows if user is not None and user.is_active and user.email
                  and _choice(user_id, r.kind)[1]]
        for row in rows:
            row.email_state = EmailState.QUEUED if row in wanted else EmailState.NONE
        if wanted:
            _queue_digest(user, wanted)
            queued += 1
        db.session.commit()
    return queued


def _queue_digest(user: PortalUser, rows: list[Notification]) -> None:
    locale = user_locale(user)
    with force_locale(locale):
        items = [(kinds.render(r), absolute_url(r.link)) for r in rows]
        subject = ngettext("%(num)d new notification on AlemTrust", "%(num)d new notifications on AlemTrust",
                           len(items))
        text, html = render_email("digest", items=items, locale=locale, **email_context(user))
    mailer.queue(user.email, subject, text, html, locale=locale, user_id=user.id)
