"""Notifications: what happened that a user should know about, in-app and by
email, with per-kind preferences.

* ``notify`` adds a row in the caller's transaction (a rollback loses it with
  the change it reports) and, unless the user switched email off, either puts
  a rendered email into the mail outbox (``portal.services.notifications.mailer``) or, for
  batched kinds, leaves it for the digest that ``send_digests`` sends.
* Rows keep the kind and its parameters, not the text: the title is rendered
  in the reader's language when shown. A parameter may be a dict of
  translations (``{"kk": ..., "ru": ...}``); ``category`` and ``region`` may
  be reference codes, shown as the reference name in the reader's language.
* Emails are rendered in the recipient's language (``user.locale``).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.core.i18n import FALLBACK_ORDER, current_locale, is_supported
from portal.core.paging import Page
from portal.models.accounts import AccountStatus, PortalUser
from portal.models.catalog import Category, Region
from portal.models.notifications import EmailState, Notification, NotificationPreference
from portal.services.notifications import mailer

SETTINGS_PATH = "/notifications/settings"


@dataclass(frozen=True)
class KindSpec:
    title: object        # lazy string with %(param)s placeholders
    description: object  # lazy string for the settings page
    audience: str            # role that receives it (settings show only what a user can get), or "any"
    mandatory: bool = False  # needed for a running request: cannot be switched off
    batched: bool = False    # email goes out in the digest, not one by one


KINDS: dict[str, KindSpec] = {
    "new_request": KindSpec(
        _l('New request "%(title)s": %(category)s, %(region)s'),
        _l("A client published a request that matches your practice"), "Practitioner", batched=True),
    "new_offer": KindSpec(
        _l('New offer on "%(title)s" from %(name)s: %(price)s ₸'),
        _l("A practitioner sent an offer on your request"), "Client"),
    "offer_edited": KindSpec(
        _l('%(name)s changed the offer on "%(title)s"'),
        _l("A practitioner changed an offer on your request"), "Client"),
    "offer_withdrawn": KindSpec(
        _l('%(name)s withdrew the offer on "%(title)s"'),
        _l("A practitioner withdrew an offer on your request"), "Client"),
    "offer_selected": KindSpec(
        _l('%(client)s selected your offer on "%(title)s"'),
        _l("A client selected your offer"), "Practitioner", mandatory=True),
    "offer_declined": KindSpec(
        _l('Your offer on "%(title)s" was not selected'),
        _l("A client chose another offer"), "Practitioner"),
    "request_cancelled": KindSpec(
        _l('The request "%(title)s" is no longer open'),
        _l("A request you made an offer on was cancelled or expired"), "Practitioner"),
    "request_expired": KindSpec(
        _l('Your request "%(title)s" has expired'),
        _l("Your request expired without a selected offer"), "Client"),
    "new_message": KindSpec(
        _l('New message from %(name)s about "%(title)s"'),
        _l("Someone wrote to you in a conversation"), "any"),
    "completion_requested": KindSpec(
        _l('%(name)s reports that "%(title)s" is done: please confirm'),
        _l("The practitioner asks you to confirm the work is done"), "Client", mandatory=True),
    "request_completed": KindSpec(
        _l('The client confirmed that "%(title)s" is completed'),
        _l("The client confirmed the work is done"), "Practitioner", mandatory=True),
    "new_review": KindSpec(
        _l('New review on "%(title)s": %(rating)s of 5'),
        _l("A client reviewed your work"), "Practitioner"),
    "review_reply": KindSpec(
        _l("%(name)s replied to your review"),
        _l("A practitioner replied to your review"), "Client"),
    # becoming and staying a practitioner (services.verification): about the account itself
    "application_submitted": KindSpec(
        _l("Your application to become a practitioner has been received and is under review"),
        _l("Your application was submitted"), "Practitioner", mandatory=True),
    "interview_scheduled": KindSpec(
        _l("Your identity interview is scheduled for %(when)s (%(mode)s)"),
        _l("Staff scheduled your identity interview"), "Practitioner", mandatory=True),
    "application_approved": KindSpec(
        _l("Your application is approved: you are a verified practitioner"),
        _l("Your application was approved"), "Practitioner", mandatory=True),
    "application_rejected": KindSpec(
        _l("Your application to become a practitioner was not approved"),
        _l("Your application was not approved"), "Practitioner", mandatory=True),
    "practice_warned": KindSpec(
        _l("You have received a strict warning about your practice"),
        _l("Staff issued a strict warning about your practice"), "Practitioner", mandatory=True),
    "practice_suspended": KindSpec(
        _l("Your practice on the portal is suspended"),
        _l("Staff suspended your practice"), "Practitioner", mandatory=True),
    "practice_revoked": KindSpec(
        _l("Your practitioner status has been revoked"),
        _l("Staff revoked your practitioner status"), "Practitioner", mandatory=True),
    "practice_reinstated": KindSpec(
        _l("Your practice on the portal is reinstated"),
        _l("Staff reinstated your practice"), "Practitioner", mandatory=True),
    "reapply_allowed": KindSpec(
        _l("You may apply again to become a practitioner"),
        _l("Staff allowed you to apply again"), "Practitioner", mandatory=True),
    "review_hidden": KindSpec(
        _l('Your review on "%(title)s" was hidden by a moderator'),
        _l("A moderator hid your review"), "Client"),
    "review_restored": KindSpec(
        _l('Your review on "%(title)s" is published again'),
        _l("A moderator restored your review"), "Client"),
    # account blocking (services.blocking, agreement 11.4): sent by email only, the user cannot log in
    "account_blocked": KindSpec(
        _l("Your account is blocked: %(reason)s. If you think this is a mistake, contact support."),
        _l("Staff blocked your account"), "any", mandatory=True),
    "account_unblocked": KindSpec(
        _l("Your account is unblocked: you can sign in again"),
        _l("Staff unblocked your account"), "any", mandatory=True),
    # account security (services.password_reset, agreement 4b): to every moderator and admin
    "account_compromised": KindSpec(
        _l("%(name)s (%(email)s) reported a sign-in they did not make: all sessions ended, password reset required"),
        _l("A user reported a sign-in they did not make"), "Moderator", mandatory=True),
    # support chat (services.support, agreement 5.6, 12.1)
    "support_reply": KindSpec(
        _l("Support answered your message"),
        _l("Support replied in your chat with support"), "any"),
    # complaints and reports of inaccurate information (services.complaints): the outcome for the reporter
    "complaint_resolved": KindSpec(
        _l("Your report #%(number)s was reviewed and action was taken: %(outcome)s"),
        _l("Staff acted on your complaint or report of inaccurate information"), "Client", mandatory=True),
    "complaint_dismissed": KindSpec(
        _l("Your report #%(number)s was reviewed; no action was taken: %(outcome)s"),
        _l("Staff found no grounds to act on your complaint or report"), "Client", mandatory=True),
}


class _Params(dict):
    def __missing__(self, key):  # a missing parameter shows as empty, never breaks a page
        return ""


_REFERENCE = {"category": Category, "region": Region}


def _reference_name(model, code: str) -> str | None:
    # cached per request (a page of notifications); a worker always reads fresh names
    cache = g.setdefault("_notification_refs", {}) if has_request_context() else {}
    key = (model.__tablename__, code)
    if key not in cache:
        cache[key] = db.session.scalars(select(model).where(model.code == code)).first()
    obj = cache[key]
    return obj.tr("name") if obj is not None else None


def _value(key: str, value, locale: str) -> str:
    if isinstance(value, dict):  # {"kk": ..., "ru": ...}
        for code in (locale,) + FALLBACK_ORDER:
            if value.get(code):
                return str(value[code])
        return ""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")  # 40 000 with a no-break space: never split
    if key in _REFERENCE and isinstance(value, str):
        return _reference_name(_REFERENCE[key], value) or value
    return str(value)


def title_for(kind: str, params: dict) -> str:
    """The title of a ``kind`` notification in the current locale."""
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    locale = current_locale()
    return str(spec.title) % _Params({k: _value(k, v, locale) for k, v in params.items()})


def render(notification: Notification) -> str:
    """The notification's title in the current locale."""
    try:
        params = json.loads(notification.params or "{}")
    except ValueError:
        params = {}
    return title_for(notification.kind, params)


def is_safe_link(link: str | None) -> bool:
    """A local path (no scheme, no host): safe to redirect to."""
    return bool(link) and link.startswith("/") and not link.startswith("//") and "\\" not in link


def absolute_url(path: str) -> str:
    return current_app.config.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/") + path


def user_locale(user: PortalUser) -> str:
    locale = getattr(user, "locale", None)
    return locale if is_supported(locale) else current_app.config["BABEL_DEFAULT_LOCALE"]


def _choice(user_id: int, kind: str) -> tuple[bool, bool]:
    if KINDS[kind].mandatory:
        return True, True
    pref = db.session.get(NotificationPreference, (user_id, kind))
    return (pref.in_app, pref.email) if pref is not None else (True, True)


def notify(user: PortalUser, kind: str, link: str, **params) -> Notification | None:
    """Tell ``user`` that ``kind`` happened; ``link`` is the local path of the
    page it is about. Adds rows to the current session (the caller commits).
    Returns the notification when the user sees it in-app, else None."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind: {kind}")
    if not is_safe_link(link) or len(link) > 255:
        raise ValueError(f"notification link must be a local path: {link!r}")
    encoded = json.dumps(params, ensure_ascii=False)  # plain values only (TypeError otherwise)
    if user is None or not user.is_active:
        return None
    in_app, email = _choice(user.id, kind)
    email = email and bool(user.email)
    if not (in_app or email):
        return None
    row = Notification(user_id=user.id, kind=kind, params=encoded, link=link, in_app=in_app,
                       email_state=EmailState.NONE, created_at=utcnow())
    if email and spec.batched:
        row.email_state = EmailState.PENDING
    elif email:
        _queue_single(user, kind, link, params)
        row.email_state = EmailState.QUEUED
    db.session.add(row)
    return row if in_app else None


def email_context(user: PortalUser) -> dict:
    return {"app_name": current_app.config.get("APP_NAME", "AlemTrust"), "first_name": user.first_name,
            "settings_url": absolute_url(SETTINGS_PATH)}


def render_email(name: str, **context) -> tuple[str, str]:
    """(text, html) of ``portal/notifications/email/<name>.txt|html`` (no request needed)."""
    env = current_app.jinja_env
    text = env.get_template(f"portal/notifications/email/{name}.txt").render(**context)
    html = env.get_template(f"portal/notifications/email/{name}.html").render(**context)
    return text, html


def _queue_single(user: PortalUser, kind: str, link: str, params: dict) -> None:
    locale = user_locale(user)
    with force_locale(locale):
        title = title_for(kind, params)
        text, html = render_email("notification", title=title, url=absolute_url(link), locale=locale,
                                   **email_context(user))
    mailer.queue(user.email, title, text, html, locale=locale, user_id=user.id)


def _own(user_id: int):
    return select(Notification).where(Notification.user_id == user_id, Notification.in_app.is_(True))


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(
        _own(user_id).where(Notification.read_at.is_(None)).subquery())) or 0


def page_for(user_id: int, page: int = 1, per_page: int = 20) -> Page:
    """The user's in-app notifications, newest first."""
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(_own(user_id).subquery())) or 0
    items = db.session.scalars(_own(user_id).order_by(Notification.created_at.desc(), Notification.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), total, page, per_page)


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


def relevant(user: PortalUser, spec: KindSpec) -> bool:
    """Whether ``user`` can get this kind (by role; admins see every kind)."""
    roles = {role.name for role in user.roles}
    return spec.audience == "any" or spec.audience in roles or "Admin" in roles


def preferences(user: PortalUser) -> list[tuple[str, KindSpec, bool, bool]]:
    """(kind, spec, in_app, email) for every kind the user can get."""
    saved = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    rows = []
    for kind, spec in KINDS.items():
        if not relevant(user, spec):
            continue
        pref = saved.get(kind)
        if spec.mandatory or pref is None:
            rows.append((kind, spec, True, True))
        else:
            rows.append((kind, spec, pref.in_app, pref.email))
    return rows


def set_preferences(user: PortalUser, values: dict[str, tuple[bool, bool]]) -> None:
    """Save (in_app, email) per kind; unknown kinds are ignored, mandatory ones stay on."""
    for kind, (in_app, email) in values.items():
        spec = KINDS.get(kind)
        if spec is None:
            continue
        pref = db.session.get(NotificationPreference, (user.id, kind))
        if spec.mandatory or (in_app and email):  # the default: no row
            if pref is not None:
                db.session.delete(pref)
            continue
        if pref is None:
            pref = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(pref)
        pref.in_app, pref.email = bool(in_app), bool(email)
    db.session.commit()


# --- mailings (agreement 3.3): informational and advertising, consented to separately --------------

AUDIENCES = ("informational", "advertising")  # portal news: on by default; advertising: off until switched on


def _consent_code(info: bool, ads: bool) -> str:
    return f"info={'on' if info else 'off'},ads={'on' if ads else 'off'}"


def set_consent(user: PortalUser, informational: bool, advertising: bool, now: dt.datetime | None = None) -> bool:
    """Save the user's two mailing consents; a change is dated and audited. Returns whether it changed."""
    from portal.core import audit

    before = (bool(user.consent_info), bool(user.consent_ads))
    after = (bool(informational), bool(advertising))
    if before == after:
        return False
    user.consent_info, user.consent_ads = after
    user.consent_changed_at = now or utcnow()
    audit.record("user", user.id, _consent_code(*before), _consent_code(*after), user.id, action="consent")
    db.session.commit()
    return True


def mailing_recipients(audience: str):
    """SELECT of the users a mailing to ``audience`` may reach: consented, active
    (not blocked or closed), with an email; by id."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience: {audience!r} (one of {', '.join(AUDIENCES)})")
    consent = PortalUser.consent_info if audience == "informational" else PortalUser.consent_ads
    return (select(PortalUser)
            .where(consent.is_(True), PortalUser.status == AccountStatus.ACTIVE, PortalUser.active.is_(True),
                   PortalUser.email.is_not(None), PortalUser.email != "")
            .order_by(PortalUser.id))


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue one email per user whose oldest pending (batched) notification is
    older than NOTIFY_DIGEST_MINUTES, listing all of them. Returns emails queued."""
    now = now or utcnow()
    minutes = int(current_app.config.get("NOTIFY_DIGEST_MINUTES", 15))
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
        items = [(render(r), absolute_url(r.link)) for r in rows]
        subject = ngettext("%(num)d new notification on AlemTrust", "%(num)d new notifications on AlemTrust",
                           len(items))
        text, html = render_email("digest", items=items, locale=locale, **email_context(user))
    mailer.queue(user.email, subject, text, html, locale=locale, user_id=user.id)
