"""Mailings to many users (agreement 3.3): informational (portal news) and
advertising messages, each only to users who consented to that audience
(``set_consent``, ``mailing_recipients``). One email per user, in the user's
language: the subject and text in that language when given, the frame (greeting,
why they get it, where to switch it off) always translated.

Used by ``flask notify broadcast`` (portal/cli/notify.py)."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import AccountStatus, PortalUser
from portal.models.notifications import MailOutbox
from portal.services.notifications import inbox, mailer

AUDIENCES = ("informational", "advertising")  # portal news: on by default; advertising: off until switched on
WHY = {
    "informational": _l("You receive this because you agreed to informational messages from %(app)s."),
    "advertising": _l("You receive this because you agreed to advertising messages from %(app)s."),
}


def pick(texts: dict[str, str], locale: str) -> str:
    """The text in ``locale``, else in the default language, else any."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for code in (locale, default, *sorted(texts)):
        if texts.get(code):
            return texts[code]
    raise ValueError("no text given")


def queue(user: PortalUser, audience: str, subjects: dict[str, str], bodies: dict[str, str]) -> MailOutbox:
    """Add one mailing email to ``user`` to the outbox (the caller commits)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience: {audience!r}")
    locale = inbox.user_locale(user)
    subject, body = pick(subjects, locale), pick(bodies, locale)
    with force_locale(locale):
        context = inbox.email_context(user)
        why = str(WHY[audience] % {"app": context["app_name"]})
        text, html = inbox.render_email("mailing", subject=subject, paragraphs=_paragraphs(body),
                                                why=why, locale=locale, **context)
    return mailer.queue(user.email, subject, text, html, locale=locale, user_id=user.id)


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


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
