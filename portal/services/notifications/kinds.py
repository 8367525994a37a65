"""The kinds of notification (who gets each, whether it can be switched off,
whether its email waits for the digest) and their titles.

Rows keep the kind and its parameters, not the text: the title is rendered in
the reader's language when shown. A parameter may be a dict of translations
(``{"kk": ..., "ru": ...}``); ``category`` and ``region`` may be reference
codes, shown as the reference name in the reader's language.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.amounts import format_money
from portal.core.extensions import db
from portal.core.formats import format_number
from portal.core.i18n import FALLBACK_ORDER, current_locale
from portal.models.catalog import Category, Region
from portal.models.notifications import Notification


@dataclass(frozen=True)
class KindSpec:
    title: object        # lazy string with %(param)s placeholders
    description: object  # lazy string for the settings page
    audience: str            # role that receives it (settings show only what a user can get), or "any"
    mandatory: bool = False  # needed for a running request: cannot be switched off
    batched: bool = False    # email goes out in the digest, not one by one

    @property
    def push_by_default(self) -> bool:
        """Push is on by default for every kind sent one by one: it only reaches devices
        where the user switched "Enable notifications on this device" on, so they asked
        for it. Batched kinds (many new requests a day) would flood a phone: off until
        switched on. Mandatory kinds are always on, like their email."""
        return self.mandatory or not self.batched


KINDS: dict[str, KindSpec] = {
    "new_request": KindSpec(
        _l('New request "%(title)s": %(category)s, %(region)s'),
        _l("A client published a request that matches your practice"), "Practitioner", batched=True),
    "new_offer": KindSpec(
        _l('New offer on "%(title)s" from %(name)s: %(price)s'),
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
    # bookings (services.bookings.notices): ``service`` and ``when`` (Kazakhstan time) come in
    # every language; ``name`` is the other side; the link is the booking's page for the reader
    "booking_requested": KindSpec(
        _l("%(name)s asks to book %(service)s on %(when)s: please confirm or decline"),
        _l("A client asked to book your time"), "Practitioner", mandatory=True),
    "booking_auto_confirmed": KindSpec(
        _l("%(name)s booked %(service)s on %(when)s (confirmed automatically)"),
        _l("A client booked your time and it was confirmed automatically"), "Practitioner", mandatory=True),
    "booking_confirmed": KindSpec(
        _l("Your booking is confirmed: %(service)s with %(name)s on %(when)s"),
        _l("A practitioner confirmed your booking (with a calendar file)"), "Client", mandatory=True),
    "booking_declined": KindSpec(
        _l("%(name)s declined your booking: %(service)s on %(when)s"),
        _l("A practitioner declined your booking"), "Client", mandatory=True),
    "booking_cancelled": KindSpec(
        _l("%(name)s cancelled the booking %(service)s on %(when)s: %(reason)s"),
        _l("The other side cancelled a booking"), "any", mandatory=True),
    "booking_moved": KindSpec(
        _l("%(name)s moved the booking %(service)s to %(when)s: %(reason)s"),
        _l("The other side moved a booking to another time"), "any", mandatory=True),
    "booking_reminder": KindSpec(
        _l("Reminder: %(service)s with %(name)s on %(when)s"),
        _l("Reminders 24 hours and 2 hours before a booking"), "any"),
}


class _Params(dict):
    def __missing__(self, key):  # a missing parameter shows as empty, never breaks a page
        return ""


_REFERENCE = {"category": Category, "region": Region}
MONEY = {"price", "budget"}  # amounts in tenge: shown with the money formatter


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
    if key in MONEY and isinstance(value, int):
        return format_money(value, locale)  # "150 000 ₸" with no-break spaces: never split
    if isinstance(value, int):
        return format_number(value, locale)
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
