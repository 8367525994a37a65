"""Mailings to many users (agreement 3.3): informational (portal news) and
advertising messages, each only to users who consented to that audience
(``inbox.mailing_recipients``). One email per user, in the user's
language: the subject and text in that language when given, the frame (greeting,
why they get it, where to switch it off) always translated.

Used by ``flask notify broadcast`` (portal/cli/notify.py)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.models.accounts import PortalUser
from portal.models.notifications import MailOutbox
from portal.services.notifications import inbox, mailer

WHY = {
    "informational": _l("You receive this because you agreed to informational messages from %(app)s."),
    "advertising": _l("You receive this because you agreed to advertising messages from %(app)s."),
}


def pick(texts: dict[str, str], locale: str) -> str:
    """The text in ``locale``, else in the default language, else any."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")
    for code in (locale, default, *sorted(texts)):
        if texts.get(code):
            return texts[code]
    raise ValueError("no text given")


def queue(user: PortalUser, audience: str, subjects: dict[str, str], bodies: dict[str, str]) -> MailOutbox:
    """Add one mailing email to ``user`` to the outbox (the caller commits)."""
    if audience not in inbox.AUDIENCES:
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
