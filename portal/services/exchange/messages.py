"""Conversations between a client and a practitioner: one thread per request
and practitioner, or one per booking (services.bookings.conversation says when
a booking's thread is open for writing and what it is called). Before a
selection a request's thread is for questions (the practitioner must still be
able to offer, or have an offer); after it only the selected practitioner's
thread stays open, for the work. Nobody else reads a thread; staff may, and
every such reading is written to the audit trail."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.core import audit, links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.files import check as check_uploads
from portal.core.files import uploaded
from portal.core.paging import Page
from portal.models.accounts import PortalUser, is_staff
from portal.models.bookings import Booking
from portal.models.exchange import Message, OfferStatus, RequestStatus, ServiceRequest, Thread
from portal.models.practitioners import PractitionerProfile
from portal.services.bookings import conversation as booking_threads
from portal.services.exchange import attachments
from portal.services.exchange import requests as requests_service
from portal.services.notifications import inbox

BODY_MAX = 5000


@dataclass
class ThreadView:
    thread: Thread
    role: str  # "client", "practitioner" or "staff"
    can_write: bool
    contacts_visible: bool
    other_read_at: dt.datetime | None


def _not_found() -> NotFound:
    return NotFound(_l("This conversation does not exist or is not yours."))


def role_in(user: PortalUser, thread: Thread) -> str | None:
    if booking_threads.client_id_of(thread) == user.id:
        return "client"
    if thread.profile.user_id == user.id:
        return "practitioner"
    return "staff" if is_staff(user) else None


def get_thread(user: PortalUser, thread_id: int, audit_reason: str = "", audit: bool = True) -> Thread:
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        raise _not_found()
    role = role_in(user, thread)
    if role is None:
        raise _not_found()
    if role == "staff" and audit:
        _audit_staff_read(user, thread, audit_reason)
    return thread


def party_role(user: PortalUser, thread_id: int) -> str:
    """"client" or "practitioner": the user's side of a thread they take part in.
    NotFound for anyone else, staff too (the JSON API is for the parties; staff
    read on the web, giving the reason the audit trail records)."""
    role = role_in(user, get_thread(user, thread_id, audit=False))
    if role not in ("client", "practitioner"):
        raise _not_found()
    return role


def _audit_staff_read(user: PortalUser, thread: Thread, reason: str) -> None:
    audit.record("thread", thread.id, None, None, user.id, reason=reason, action="staff_read")
    db.session.commit()


def is_selected(thread: Thread) -> bool:
    """The parties may see each other's contacts: the practitioner's offer was selected
    (a request), the booking was confirmed (a booking)."""
    if thread.booking_id is not None:
        return booking_threads.contacts_visible(thread.booking)
    return _is_selected(thread.request, thread.profile_id)


def _is_selected(req: ServiceRequest, profile_id: int) -> bool:
    offer = req.accepted_offer
    return offer is not None and offer.profile_id == profile_id


def can_write(thread: Thread, role: str) -> bool:
    if thread.booking_id is not None:
        booking = thread.booking
        return (role in ("client", "practitioner") and booking_threads.writable(booking)
                and not booking.client.is_closed and not thread.profile.user.is_closed)
    return _can_write(thread.request, thread.profile, role)


def _can_write(req: ServiceRequest, profile: PractitionerProfile, role: str) -> bool:
    if role == "staff" or req.status in (RequestStatus.CANCELLED, RequestStatus.EXPIRED, RequestStatus.DRAFT):
        return False
    if req.status in (RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED):
        return _is_selected(req, profile.id)
    # open: questions while the practitioner may still offer or has an active offer
    if not profile.is_public:  # revoked, suspended or blocked: no new questions or answers
        return False
    offer = next((o for o in req.offers if o.profile_id == profile.id), None)
    if offer is not None:
        return offer.status == OfferStatus.ACTIVE
    return requests_service.matches(req, profile)


def view(user: PortalUser, thread_id: int, audit_reason: str = "") -> ThreadView:
    """Open a thread for reading: marks it read for the reader's side."""
    thread = get_thread(user, thread_id, audit_reason)
    role = role_in(user, thread)
    now = utcnow()
    if role == "client":
        thread.client_read_at, other = now, thread.practitioner_read_at
    elif role == "practitioner":
        thread.practitioner_read_at, other = now, thread.client_read_at
    else:
        other = None
    db.session.commit()
    if role != "staff":  # what this page is about is now seen
        inbox.mark_read(user.id, link=links.thread_page(thread.id))
    return ThreadView(thread=thread, role=role, can_write=can_write(thread, role),
                      contacts_visible=is_selected(thread) and role != "staff", other_read_at=other)


def open_thread(user: PortalUser, request_id: int, profile_id: int | None = None) -> Thread:
    """Get or start the thread on ``request_id``: a practitioner opens their
    own; the client opens one with a practitioner who offered or was asked."""
    req = requests_service.get_visible(user, request_id)
    if req.client_id == user.id:
        profile = db.session.get(PractitionerProfile, profile_id or 0)
        if profile is None or not (req.target_profile_id == profile.id
                                   or any(o.profile_id == profile.id for o in req.offers)):
            raise _not_found()
    else:
        profile = getattr(user, "practitioner_profile", None)
        if profile is None:
            raise _not_found()
    thread = db.session.scalar(select(Thread).where(Thread.request_id == req.id,
                                                    Thread.profile_id == profile.id))
    if thread is None:
        role = "client" if req.client_id == user.id else "practitioner"
        if not _can_write(req, profile, role):
            raise ServiceError(_l("This conversation can no longer be started."))
        thread = Thread(request_id=req.id, profile_id=profile.id)
        db.session.add(thread)
        tx.commit()
    return thread


def post(user: PortalUser, thread_id: int, body: str, files=(), now: dt.datetime | None = None) -> Message:
    thread = get_thread(user, thread_id, audit=False)
    role = role_in(user, thread)
    if not can_write(thread, role):
        raise ServiceError(_l("This conversation is closed for new messages."))
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise ServiceError(_l("The message is too long (at most %(max)d characters).", max=BODY_MAX), "body")
    if not body and not uploaded(files):
        raise ServiceError(_l("Write a message or attach a file."), "body")
    check_uploads(files, field="files")
    now = now or utcnow()
    message = Message(thread_id=thread.id, sender_id=user.id, body=body, created_at=now)
    db.session.add(message)
    db.session.flush()
    attachments.store(user, files, message_id=message.id)
    thread.last_message_at = now
    if role == "client":
        thread.client_read_at, recipient = now, thread.profile.user
    else:
        thread.practitioner_read_at, recipient = now, booking_threads.client_of(thread)
    inbox.notify(recipient, "new_message", links.thread_page(thread.id),
                 title=booking_threads.title_param(thread), name=user.full_name)
    tx.commit()
    return message


def unread_count(thread: Thread, role: str) -> int:
    return unread_counts(booking_threads.client_id_of(thread) if role == "client" else thread.profile.user_id,
                         [thread.id]).get(thread.id, 0)


def unread_counts(user_id: int, thread_ids: list[int]) -> dict[int, int]:
    """Messages from the other side that ``user_id`` has not seen, per thread, in one query."""
    if not thread_ids:
        return {}
    is_client = _client_id() == user_id
    seen = case((is_client, Thread.client_read_at), else_=Thread.practitioner_read_at)
    rows = db.session.execute(
        _with_subjects(select(Message.thread_id, func.count()).join(Thread, Thread.id == Message.thread_id))
        .where(Message.thread_id.in_(thread_ids), Message.sender_id != user_id,
               or_(seen.is_(None), Message.created_at > seen))
        .group_by(Message.thread_id))
    return dict(rows.all())


def _client_id():
    """The SQL expression of a thread's client (of its request or of its booking);
    the statement needs ``_with_subjects``."""
    return func.coalesce(ServiceRequest.client_id, Booking.client_id)


def _with_subjects(stmt):
    return (stmt.outerjoin(ServiceRequest, ServiceRequest.id == Thread.request_id)
            .outerjoin(Booking, Booking.id == Thread.booking_id))


def threads_of_request(client: PortalUser, request_id: int) -> list[tuple[Thread, int]]:
    req = requests_service.get_own(client, request_id)
    threads = db.session.scalars(select(Thread).where(Thread.request_id == req.id,
                                                      Thread.last_message_at.is_not(None))
                                 .options(selectinload(Thread.profile).selectinload(PractitionerProfile.user))
                                 .order_by(Thread.last_message_at.desc().nullslast(), Thread.id)).all()
    unread = unread_counts(client.id, [t.id for t in threads])
    return [(t, unread.get(t.id, 0)) for t in threads]


def my_thread(user: PortalUser, request_id: int) -> Thread | None:
    profile = getattr(user, "practitioner_profile", None)
    if profile is None:
        return None
    return db.session.scalar(select(Thread).where(Thread.request_id == request_id,
                                                  Thread.profile_id == profile.id))


def mine(user: PortalUser, page: int = 1, per_page: int = 20) -> Page:
    """The threads the user takes part in that have a message, latest activity
    first, paged; items are (thread, "client" or "practitioner", unread count)."""
    profile = getattr(user, "practitioner_profile", None)
    cond = _client_id() == user.id
    if profile is not None:
        cond = or_(cond, Thread.profile_id == profile.id)
    stmt = _with_subjects(select(Thread)).where(cond, Thread.last_message_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    threads = db.session.scalars(
        stmt.options(selectinload(Thread.request).selectinload(ServiceRequest.client),
                     selectinload(Thread.booking).selectinload(Booking.client),
                     selectinload(Thread.booking).selectinload(Booking.service_item),
                     selectinload(Thread.profile).selectinload(PractitionerProfile.user))
        .order_by(Thread.last_message_at.desc(), Thread.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    unread = unread_counts(user.id, [t.id for t in threads])
    items = [(t, "client" if booking_threads.client_id_of(t) == user.id else "practitioner", unread.get(t.id, 0))
             for t in threads]
    return Page(items=items, total=total, page=page, per_page=per_page)


# --- a booking's conversation ------------------------------------------------------------------

def _own_booking(user: PortalUser, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not (booking.client_id == user.id or booking.profile.user_id == user.id):
        raise _not_found()
    return booking


def booking_thread(user: PortalUser, booking_id: int) -> Thread | None:
    """The conversation of a booking the user is a party to, if it was started (nothing is created)."""
    return booking_threads.find(_own_booking(user, booking_id).id)


def open_booking_thread(user: PortalUser, booking_id: int) -> Thread:
    """Get or start the conversation of a booking: its client or the practitioner only.
    A new one is started only while it can be written in."""
    booking = _own_booking(user, booking_id)
    thread = booking_threads.find(booking.id)
    if thread is None:
        if not booking_threads.writable(booking):
            raise ServiceError(_l("This conversation can no longer be started."))
        thread = booking_threads.thread_for(booking)
        tx.commit()
    return thread
