"""Closing an account (agreement 11.2): the user closes it themselves, and
their personal data (5.1-5.2) is erased or anonymised in one transaction.

What happens, in order (``close_account``):

1. Their draft, open and in-progress requests are cancelled through the
   requests service (practitioners with offers, and the selected one, are
   told); a practitioner's active offers are withdrawn through the offers
   service (the clients are told, naming a "closed account"), and the profile
   moves to "closed" through the verification service: it leaves the public
   pages, staff queues and, through the search outbox, the search index. Its
   personal fields and documents (photo, licence copies) are erased.
   Bookings (services.bookings.closure): the notes they wrote as a client and
   the reasons they gave are erased; their bookings that have not started yet
   (as a client, or as the practitioner) are cancelled, audited, and the other
   side is told.
2. Deleted: login events, sessions, password-reset tokens, notifications and
   preferences, mail outbox rows addressed to them, their support
   conversations (and visitor feedback sent from their email), API keys,
   pending FAB registrations, the files they uploaded (request, booking and
   message attachments; the files go once the transaction is committed).
3. Kept but anonymised, because other people rely on them:
   * reviews stay published; the author shows as "Anonymous client";
   * conversations stay with the other party: messages the user wrote keep
     their text, the sender shows as "Closed account", and the user's email,
     phone, IIN and names are masked in every message of those conversations
     (and in their requests, offers, reviews and complaints about them);
   * complaints they filed stay for the staff record, without the text;
   * agreement acceptances stay (which version, when) without IP and browser;
   * the ``ab_user`` row stays (other rows point to it) as a shell: email
     ``closed-<id>@closed.invalid`` (a reserved, undeliverable domain),
     username ``closed-<id>``, no names, phone, IIN, region, roles or usable
     password; status "closed", ``closed_at`` set, consents off.
4. The strong identifiers (email, phone, IIN, full name) are masked in every
   text column of every other table (services.redaction.sweep): the portal
   copies names into other users' notifications, emails and audit reasons.
5. One audit entry (entity "user", action "close") with counts, no personal data.

A closed account cannot sign in (its email and password are gone) and its
email can register a new account. Staff accounts are closed by an
administrator, not from the account page.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app
from flask_appbuilder import Model
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash

from portal.core import audit, links, redaction, storage, tx
from portal.core.clock import utcnow
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.accounts import (
    AccountStatus,
    LoginEvent,
    PasswordResetToken,
    PortalUser,
    UserSession,
    is_staff,
)
from portal.models.agreement import AgreementAcceptance
from portal.models.bookings import Booking
from portal.models.exchange import Attachment, Message, Offer, Review, ServiceRequest, Thread
from portal.models.notifications import (
    MailOutbox,
    Notification,
    NotificationPreference,
    PushOutbox,
    PushSubscription,
)
from portal.models.trust import Complaint, SupportConversation, SupportKind, SupportMessage
from portal.services.bookings import closure as bookings_closure
from portal.services.exchange import attachments, request_lifecycle
from portal.services.exchange import offers as offers_service
from portal.services.notifications import inbox
from portal.services.practitioners import verification

ENTITY = "user"
PLACEHOLDER_DOMAIN = "closed.invalid"  # RFC 2606: never delivered
# Other accounts' own identity columns are never masked (two accounts may share
# a phone); their notes (e.g. ab_user.blocked_note) are.
ACCOUNT_IDENTITY = tuple(f"{table}.{column}" for table in ("ab_user", "ab_register_user")
                         for column in ("email", "username", "phone", "iin", "first_name", "last_name",
                                        "password"))


@dataclass
class Closure:
    requests_cancelled: int = 0
    offers_withdrawn: int = 0
    bookings_cancelled: int = 0
    files_deleted: int = 0


def refusal(user: PortalUser) -> object | None:
    """Why ``user`` cannot close their account from the account page, or None."""
    if is_staff(user):
        return _l("Staff accounts are closed by an administrator, not from the account page.")
    if user.status != AccountStatus.ACTIVE:
        return _l("Only an active account can be closed.")
    return None


def close_account(user: PortalUser, password: str, confirmed: bool, now: dt.datetime | None = None) -> Closure:
    """Close the user's own account after they re-entered the password and
    ticked the confirmation; raises ServiceError and changes nothing otherwise."""
    problem = refusal(user)
    if problem is not None:
        raise ServiceError(problem)
    if not password or not user.password or not check_password_hash(user.password, password):
        raise ServiceError(_l("The password is not correct."), field="password")
    if not confirmed:
        raise ServiceError(_l("Tick the box to confirm that you want to close your account."), field="confirm")
    now = now or utcnow()
    db.session.refresh(user, with_for_update=True)  # a second closure in flight waits, then is refused
    if user.status != AccountStatus.ACTIVE:
        db.session.rollback()
        raise ServiceError(_l("Only an active account can be closed."))
    ids = redaction.identifiers_of(user)
    result = Closure()
    try:
        _mask_shared_texts(user, ids.pattern(names=True))  # before notifications quote request titles
        db.session.flush()  # the services below re-read rows under a lock
        result.requests_cancelled = request_lifecycle.cancel_all_of(user, now)
        bookings_closure.erase_texts_of(user)  # before the cancellations write their own reason
        result.bookings_cancelled = bookings_closure.cancel_all_of(user, now)
        paths = []
        profile = user.practitioner_profile
        if profile is not None:
            result.offers_withdrawn = offers_service.withdraw_all_of(profile, closed_name(), now)
            paths += verification.close_with_account(profile, user.id)
        paths += _delete_attachments(user)
        _delete_personal_rows(user, ids.email)
        _anonymise_kept_rows(user)
        previous = user.status
        _erase(user, now)
        db.session.flush()
        redaction.sweep(db.session, Model.metadata, ids, exclude=ACCOUNT_IDENTITY)
        db.session.expire_all()  # the sweep wrote with SQL
        result.files_deleted = len(paths)
        audit.record(ENTITY, user.id, previous, AccountStatus.CLOSED, user.id, action="close",
                     reason=f"requests cancelled {result.requests_cancelled}, offers withdrawn "
                            f"{result.offers_withdrawn}, bookings cancelled {result.bookings_cancelled}, "
                            f"files deleted {result.files_deleted}")
    except Exception:
        db.session.rollback()
        raise
    tx.commit()
    _remove_files(paths)
    return result


def closed_name() -> dict[str, str]:
    """ "Closed account" in every language (a notification parameter is shown in the reader's)."""
    names = {}
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            names[code] = str(_l("Closed account"))
    return names


# --- the steps ---------------------------------------------------------------------------------

def _mask_shared_texts(user: PortalUser, pattern) -> None:
    """Mask the user's identifiers (names too) in what stays of their exchanges."""
    profile = user.practitioner_profile
    profile_id = profile.id if profile is not None else -1
    own_requests = select(ServiceRequest.id).where(ServiceRequest.client_id == user.id)
    redaction.redact_rows(db.session.scalars(select(ServiceRequest).where(ServiceRequest.client_id == user.id)),
                          ("title", "description"), pattern)
    redaction.redact_rows(db.session.scalars(select(Offer).where(or_(
        Offer.request_id.in_(own_requests), Offer.profile_id == profile_id))), ("message",), pattern)
    own_bookings = select(Booking.id).where(Booking.client_id == user.id)
    threads = select(Thread.id).where(or_(Thread.request_id.in_(own_requests), Thread.booking_id.in_(own_bookings),
                                          Thread.profile_id == profile_id))
    redaction.redact_rows(db.session.scalars(select(Message).where(Message.thread_id.in_(threads))),
                          ("body",), pattern)
    redaction.redact_rows(db.session.scalars(select(Review).where(or_(
        Review.client_id == user.id, Review.profile_id == profile_id))), ("comment", "reply", "hidden_reason"),
        pattern)
    redaction.redact_rows(db.session.scalars(select(Complaint).where(Complaint.target_user_id == user.id)),
                          ("text", "outcome"), pattern)
    pages = [links.request_page(i) for i in db.session.scalars(own_requests)]
    pages += [links.thread_page(i) for i in db.session.scalars(threads)]
    if profile is not None:
        pages.append(links.profile_page(profile.id))
    _mask_notices_about(pages, pattern)


def _mask_notices_about(pages: list[str], pattern) -> None:
    """Notifications and emails (anyone's) about these pages quote the user's
    request titles and names: mask them too."""
    for start in range(0, len(pages), 100):
        chunk = pages[start:start + 100]
        redaction.redact_rows(db.session.scalars(select(Notification).where(Notification.link.in_(chunk))),
                              ("params",), pattern)
        urls = [inbox.absolute_url(page) for page in chunk]
        exact = re.compile("|".join(re.escape(url) + r"(?![\w/])" for url in urls))  # /requests/1 is not /requests/12
        mails = db.session.scalars(select(MailOutbox).where(or_(
            *[MailOutbox.body_text.contains(url, autoescape=True) for url in urls])))
        redaction.redact_rows([m for m in mails if exact.search(m.body_text)],
                              ("subject", "body_text", "body_html"), pattern)


def _delete_attachments(user: PortalUser) -> list[str]:
    rows = db.session.scalars(select(Attachment).where(Attachment.owner_id == user.id)).all()
    paths = [attachments.key_of(row) for row in rows]
    for row in rows:
        db.session.delete(row)
    return paths


def _delete_personal_rows(user: PortalUser, email: str) -> None:
    conversations = select(SupportConversation.id).where(or_(
        SupportConversation.user_id == user.id,
        (SupportConversation.kind == SupportKind.FEEDBACK) & (func.lower(SupportConversation.email) == email)))
    run = db.session.execute
    run(delete(SupportMessage).where(SupportMessage.conversation_id.in_(conversations)),
        execution_options={"synchronize_session": False})
    run(delete(SupportConversation).where(SupportConversation.id.in_(conversations.scalar_subquery())),
        execution_options={"synchronize_session": False})
    # the pushes queued for the user's devices go before the devices themselves
    for model in (LoginEvent, UserSession, PasswordResetToken, Notification, NotificationPreference, PushOutbox,
                  PushSubscription):
        run(delete(model).where(model.user_id == user.id), execution_options={"synchronize_session": False})
    run(delete(MailOutbox).where(or_(MailOutbox.user_id == user.id, func.lower(MailOutbox.recipient) == email)),
        execution_options={"synchronize_session": False})
    tables = Model.metadata.tables
    if "ab_api_key" in tables:
        run(delete(tables["ab_api_key"]).where(tables["ab_api_key"].c.user_id == user.id))
    if "ab_user_group" in tables:
        run(delete(tables["ab_user_group"]).where(tables["ab_user_group"].c.user_id == user.id))
    if "ab_register_user" in tables:
        registrations = tables["ab_register_user"]
        run(delete(registrations).where(func.lower(registrations.c.email) == email))


def _anonymise_kept_rows(user: PortalUser) -> None:
    run = db.session.execute
    run(update(AgreementAcceptance).where(AgreementAcceptance.user_id == user.id)
        .values(ip_address="", user_agent=""), execution_options={"synchronize_session": False})
    run(update(Complaint).where(Complaint.reporter_id == user.id).values(text=""),
        execution_options={"synchronize_session": False})


def _erase(user: PortalUser, now: dt.datetime) -> None:
    user.email = f"closed-{user.id}@{PLACEHOLDER_DOMAIN}"
    user.username = f"closed-{user.id}"
    user.first_name = user.last_name = ""
    user.phone = user.iin = user.region_id = None
    user.password = "!"  # not a hash: no password matches it
    user.blocked_reason = user.blocked_note = None
    user.last_login = None
    user.login_count = user.fail_login_count = 0
    user.roles = []
    user.active = False
    user.status = AccountStatus.CLOSED
    user.closed_at = now
    user.consent_info = user.consent_ads = False
    user.consent_changed_at = now


def _remove_files(keys: list[str]) -> None:
    storage.delete_quietly(keys)
