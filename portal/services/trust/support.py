"""Support (agreement 5.6 and 12.1): the channel through which users raise
questions and claims with the operator.

* Visitors use the feedback form (an email and a message): each submission is
  a ``feedback`` conversation, answered by email in the language the visitor
  wrote in.
* A logged-in user has one personal ``chat`` conversation with support; it is
  created on their first message and reopened when they write again after
  staff closed it. A staff reply notifies them in-app and by email in their
  language (notification kind ``support_reply``).
* Read marks: ``user_read_at`` / ``staff_read_at`` say up to when each side
  has seen the conversation. The user's unread count is the staff messages
  newer than their mark; the staff count is the conversations holding a user
  message newer than the staff mark.
* Closing and reopening are staff decisions recorded in the audit trail
  (entity ``support_conversation``); a user's new message reopens too (audited
  with the user as the actor).
"""
from __future__ import annotations

from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.core import audit, links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.i18n import is_supported
from portal.core.paging import Page, paged
from portal.core.validation import normalize_email
from portal.models.accounts import PortalUser, is_staff
from portal.models.trust import SupportConversation, SupportKind, SupportMessage
from portal.services.notifications import inbox as notifications
from portal.services.notifications import mailer

ENTITY = "support_conversation"
OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
MESSAGE_MAX = 5000
FEEDBACK_MIN = 10  # a visitor's first (and only) message must say something
REPLY_KIND = "support_reply"


# --- input ---------------------------------------------------------------------------------------

def _body(text: str | None, minimum: int = 1, field: str = "body") -> str:
    body = (text or "").strip()
    if not body:
        raise ServiceError(_l("Write your message."), field=field)
    if len(body) < minimum:
        raise ServiceError(_l("Write at least %(min)d characters.", min=minimum), field=field)
    if len(body) > MESSAGE_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=MESSAGE_MAX), field=field)
    return body


def _email(value: str | None) -> str:
    if not (value or "").strip():
        raise ServiceError(_l("Enter your email address: we answer there."), field="email")
    try:
        return normalize_email(value)
    except ValueError:
        raise ServiceError(_l("Enter a valid email address, for example name@mail.kz."), field="email") from None


def _locale(code: str | None) -> str:
    return code if is_supported(code) else current_app.config["BABEL_DEFAULT_LOCALE"]


def _add_message(conv: SupportConversation, body: str, author: PortalUser | None, from_staff: bool):
    now = utcnow()
    message = SupportMessage(conversation=conv, author_id=author.id if author else None,
                             from_staff=from_staff, body=body, created_at=now)
    db.session.add(message)
    conv.last_message_at = now
    if from_staff:
        conv.staff_read_at = now
    else:
        conv.user_read_at = now
    return message


# --- visitors and users --------------------------------------------------------------------------

class FormErrors(ServiceError):
    """More than one field is wrong: ``errors`` holds one ServiceError per field."""

    def __init__(self, errors: list[ServiceError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


@tx.atomic
def submit_feedback(email: str | None, body: str | None, locale: str | None) -> SupportConversation:
    """A visitor's feedback form: a new ``feedback`` conversation answered by
    email. Every wrong field is reported at once (FormErrors)."""
    values, errors = {}, []
    for name, check in (("email", lambda: _email(email)), ("body", lambda: _body(body, FEEDBACK_MIN))):
        try:
            values[name] = check()
        except ServiceError as err:
            errors.append(err)
    if errors:
        raise errors[0] if len(errors) == 1 else FormErrors(errors)
    conv = SupportConversation(kind=SupportKind.FEEDBACK, email=values["email"], locale=_locale(locale),
                               status=OPEN, created_at=utcnow())
    db.session.add(conv)
    _add_message(conv, values["body"], None, from_staff=False)
    return conv


def chat_of(user: PortalUser) -> SupportConversation | None:
    """The user's personal chat with support (None before their first message)."""
    return db.session.scalars(select(SupportConversation).where(
        SupportConversation.kind == SupportKind.CHAT, SupportConversation.user_id == user.id)
        .order_by(SupportConversation.id)).first()


@tx.atomic
def write(user: PortalUser, body: str | None) -> SupportMessage:
    """The user writes to support: creates their chat, or reopens it when closed."""
    if user is None or not user.is_active:
        raise ServiceError(_l("Sign in to write to support."))
    body = _body(body)
    conv = chat_of(user)
    if conv is None:
        conv = SupportConversation(kind=SupportKind.CHAT, user_id=user.id, email="",
                                   locale=notifications.user_locale(user), status=OPEN, created_at=utcnow())
        db.session.add(conv)
    elif conv.status == CLOSED:
        conv.status = OPEN  # the actor (the user) says why: they wrote again
        audit.record(ENTITY, conv.id, CLOSED, OPEN, user.id, action="reopen")
    conv.locale = notifications.user_locale(user)
    return _add_message(conv, body, user, from_staff=False)


def mark_read_by_user(user: PortalUser) -> None:
    """The user opened their chat: staff messages up to now are read (and the
    notifications that pointed here)."""
    conv = chat_of(user)
    if conv is not None and unread_for_user(user.id):
        conv.user_read_at = utcnow()
        tx.commit()
    notifications.mark_read(user.id, link=links.support_page())


def unread_for_user(user_id: int) -> int:
    """Staff messages in the user's chat newer than their read mark."""
    conv = SupportConversation
    return db.session.scalar(
        select(func.count(SupportMessage.id)).join(conv, SupportMessage.conversation_id == conv.id)
        .where(conv.kind == SupportKind.CHAT, conv.user_id == user_id, SupportMessage.from_staff.is_(True),
               or_(conv.user_read_at.is_(None), SupportMessage.created_at > conv.user_read_at))) or 0


# --- staff ---------------------------------------------------------------------------------------

def _unread_by_staff():
    """Condition: the conversation holds a user message newer than the staff mark."""
    conv = SupportConversation
    return exists().where(SupportMessage.conversation_id == conv.id, SupportMessage.from_staff.is_(False),
                          or_(conv.staff_read_at.is_(None), SupportMessage.created_at > conv.staff_read_at))


def unread_for_staff() -> int:
    """Conversations waiting for staff to read them."""
    return db.session.scalar(select(func.count(SupportConversation.id)).where(_unread_by_staff())) or 0


class InboxRow(NamedTuple):
    conversation: SupportConversation
    unread: int                   # user messages staff have not read
    last: SupportMessage | None   # the newest message, for the snippet


def inbox(status: str | None = None, kind: str | None = None, unread: bool = False, page: int = 1,
          per_page: int = 20) -> Page:
    """Conversations, the latest activity first; items are InboxRow."""
    stmt = select(SupportConversation).options(selectinload(SupportConversation.user))
    if status in STATUSES:
        stmt = stmt.where(SupportConversation.status == status)
    if kind in SupportKind.ALL:
        stmt = stmt.where(SupportConversation.kind == kind)
    if unread:
        stmt = stmt.where(_unread_by_staff())
    found = paged(stmt, (SupportConversation.last_message_at.desc(), SupportConversation.id.desc()),
                  page, per_page)
    ids = [c.id for c in found.items]
    counts, last = _staff_unread_counts(ids), _last_messages(ids)
    found.items = [InboxRow(c, counts.get(c.id, 0), last.get(c.id)) for c in found.items]
    return found


def _last_messages(ids: list[int]) -> dict[int, SupportMessage]:
    """The newest message of each conversation (messages are numbered in order), in one query."""
    if not ids:
        return {}
    newest = (select(func.max(SupportMessage.id)).where(SupportMessage.conversation_id.in_(ids))
              .group_by(SupportMessage.conversation_id))
    return {m.conversation_id: m for m in db.session.scalars(
        select(SupportMessage).where(SupportMessage.id.in_(newest)))}


def _staff_unread_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    conv = SupportConversation
    found = db.session.execute(
        select(SupportMessage.conversation_id, func.count(SupportMessage.id))
        .join(conv, SupportMessage.conversation_id == conv.id)
        .where(conv.id.in_(ids), SupportMessage.from_staff.is_(False),
               or_(conv.staff_read_at.is_(None), SupportMessage.created_at > conv.staff_read_at))
        .group_by(SupportMessage.conversation_id))
    return dict(found.all())


def get_for_staff(staff: PortalUser, conversation_id: int) -> SupportConversation:
    if not is_staff(staff):
        raise NotFound(_l("Conversation not found."))
    conv = db.session.get(SupportConversation, conversation_id)
    if conv is None:
        raise NotFound(_l("Conversation not found."))
    return conv


def mark_read_by_staff(conv: SupportConversation) -> None:
    if unread_staff_messages(conv):
        conv.staff_read_at = utcnow()
        tx.commit()


def unread_staff_messages(conv: SupportConversation) -> int:
    return _staff_unread_counts([conv.id]).get(conv.id, 0)


@tx.atomic
def reply(staff: PortalUser, conversation_id: int, body: str | None) -> SupportMessage:
    """Staff answer: by email to a visitor (in their language), in-app and by
    email to a user (the ``support_reply`` notification)."""
    conv = get_for_staff(staff, conversation_id)
    body = _body(body)
    if conv.status == CLOSED:
        raise ServiceError(_l("This conversation is closed: reopen it to reply."))
    if conv.kind == SupportKind.CHAT and (conv.user is None or not conv.user.is_active):
        raise ServiceError(_l("This account is not active: the user cannot read a reply."))
    message = _add_message(conv, body, staff, from_staff=True)
    if conv.kind == SupportKind.FEEDBACK:
        _mail_visitor(conv, body)
    else:
        notifications.notify(conv.user, REPLY_KIND, links.support_page())
    return message


def _mail_visitor(conv: SupportConversation, body: str) -> None:
    asked = next((m.body for m in reversed(conv.messages) if not m.from_staff), "")
    with force_locale(conv.locale):
        subject = _("Reply from %(app)s support", app=current_app.config["APP_NAME"])
        text, html = notifications.render_email(
            "support_reply", title=subject, reply=body, asked=asked, locale=conv.locale,
            app_name=current_app.config["APP_NAME"],
            feedback_url=notifications.absolute_url(links.support_feedback_page()))
    mailer.queue(conv.email, subject, text, html, locale=conv.locale)


def _set_status(staff: PortalUser, conversation_id: int, to: str, action: str, note: str) -> SupportConversation:
    conv = get_for_staff(staff, conversation_id)
    if conv.status == to:
        raise ServiceError(_l("This conversation is already closed.") if to == CLOSED
                           else _l("This conversation is already open."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise ServiceError(_l("At most %(max)d characters.", max=1000), field="note")
    audit.record(ENTITY, conv.id, conv.status, to, staff.id, reason=note, action=action)
    conv.status = to
    return conv


@tx.atomic
def close(staff: PortalUser, conversation_id: int, note: str = "") -> SupportConversation:
    return _set_status(staff, conversation_id, CLOSED, "close", note)


@tx.atomic
def reopen(staff: PortalUser, conversation_id: int, note: str = "") -> SupportConversation:
    return _set_status(staff, conversation_id, OPEN, "reopen", note)


def history(conversation_id: int):
    return audit.history(ENTITY, conversation_id)

