"""How a published request moves on: the client selects an offer (agreement
1.17), the work is completed, or the request is cancelled or expires.

    open -> in_progress -> completed
    draft/open -> cancelled;  open -> expired
    in_progress -> cancelled  (only when the client closes their account)

Drafting and publishing are in ``requests``. Every function checks rows against
the acting user and raises ServiceError/NotFound; nothing changes on error.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.core import links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest, Thread
from portal.models.practitioners import PractitionerProfile
from portal.services.exchange import requests as requests_service
from portal.services.notifications import inbox


def cancel(client: PortalUser, request_id: int, now: dt.datetime | None = None) -> ServiceRequest:
    """Cancel until an offer is selected; active offers are declined."""
    req = requests_service._lock(requests_service.get_own(client, request_id))
    if req.status not in requests_service.EDITABLE:
        raise ServiceError(_l("Only a draft or an open request can be cancelled."))
    _close(req, RequestStatus.CANCELLED, "request_cancelled", now)
    tx.commit()
    return req


def cancel_all_of(client: PortalUser, now: dt.datetime | None = None) -> int:
    """The client closed their account (services.closure; the caller commits):
    drafts, open requests and requests in progress are cancelled; practitioners
    with an active offer (and the selected one) are told. Returns how many."""
    now = now or utcnow()
    reqs = db.session.scalars(select(ServiceRequest).where(
        ServiceRequest.client_id == client.id,
        ServiceRequest.status.in_(requests_service.EDITABLE + (RequestStatus.IN_PROGRESS,)))).all()
    cancelled = 0
    for req in reqs:
        requests_service._lock(req)  # a selection in flight finishes first
        if req.status == RequestStatus.IN_PROGRESS:
            selected = req.accepted_offer
            req.status, req.closed_at = RequestStatus.CANCELLED, now
            if selected is not None:
                inbox.notify(selected.profile.user, "request_cancelled", links.request_page(req.id),
                                     title=req.title)
        elif req.status in requests_service.EDITABLE:
            _close(req, RequestStatus.CANCELLED, "request_cancelled", now)
        else:
            continue
        cancelled += 1
    return cancelled


def expire_due(now: dt.datetime | None = None) -> int:
    """Move open requests past their expiry date to expired (run by the worker)."""
    now = now or utcnow()
    # rows a concurrent selection holds are skipped (expired on the next run if still open)
    due = db.session.scalars(select(ServiceRequest).where(
        ServiceRequest.status == RequestStatus.OPEN, ServiceRequest.expires_at <= now)
        .with_for_update(key_share=True, skip_locked=True)
        .execution_options(populate_existing=True)).all()
    for req in due:
        _close(req, RequestStatus.EXPIRED, "request_cancelled", now)
        inbox.notify(req.client, "request_expired", links.request_page(req.id), title=req.title)
    tx.commit()
    return len(due)


def _close(req: ServiceRequest, status: str, kind: str, now: dt.datetime | None) -> None:
    req.status, req.closed_at = status, now or utcnow()
    for offer in req.offers:
        if offer.status == OfferStatus.ACTIVE:
            offer.status, offer.decided_at = OfferStatus.DECLINED, req.closed_at
            inbox.notify(offer.profile.user, kind, links.request_page(req.id), title=req.title)


def select_offer(client: PortalUser, request_id: int, offer_id: int,
                 now: dt.datetime | None = None) -> Offer:
    """The client's acceptance (agreement 1.17): in one transaction the request
    moves to in progress, the offer is accepted and every other active offer
    declined. Conditional UPDATEs make two concurrent selections safe: only
    the one that still finds the request open wins."""
    now = now or utcnow()
    req = requests_service.get_own(client, request_id)
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.request_id != req.id:
        raise NotFound(_l("This offer does not exist."))
    # closed, or past its expiry date though the worker has not run yet
    if not requests_service.is_live(req, now):
        raise ServiceError(_l("An offer can only be selected while the request is open."))
    if offer.status != OfferStatus.ACTIVE:
        raise ServiceError(_l("This offer is no longer available."))
    won = db.session.execute(
        update(ServiceRequest).where(ServiceRequest.id == req.id, ServiceRequest.status == RequestStatus.OPEN)
        .values(status=RequestStatus.IN_PROGRESS, selected_at=now, updated_at=now)).rowcount
    accepted = won and db.session.execute(
        update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.ACTIVE)
        .values(status=OfferStatus.ACCEPTED, decided_at=now, updated_at=now)).rowcount
    if not (won and accepted):
        db.session.rollback()
        raise ServiceError(_l("Another offer was selected or this one was withdrawn in the meantime."))
    losers = db.session.scalars(select(Offer).where(
        Offer.request_id == req.id, Offer.status == OfferStatus.ACTIVE, Offer.id != offer.id)).all()
    db.session.execute(update(Offer).where(Offer.id.in_([o.id for o in losers]))
                       .values(status=OfferStatus.DECLINED, decided_at=now, updated_at=now))
    db.session.expire_all()
    link = links.request_page(req.id)
    inbox.notify(offer.profile.user, "offer_selected", link, title=req.title,
                         client=client.full_name)
    for loser in losers:
        inbox.notify(loser.profile.user, "offer_declined", link, title=req.title)
    tx.commit()
    return offer


@dataclass
class NextStep:
    """What a party does after the selection (request in progress): talk to the
    other side, whose contacts are now shared. ``other`` is None when that
    account is closed; ``thread`` when a conversation exists already."""

    role: str  # "client" or "practitioner": who reads it
    profile: PractitionerProfile
    other: PortalUser | None
    thread: Thread | None


def next_step(user: PortalUser, req: ServiceRequest) -> NextStep | None:
    """The next step of ``user`` (the client or the selected practitioner) on a
    request in progress; None for anyone else or any other status."""
    offer = req.accepted_offer
    if req.status != RequestStatus.IN_PROGRESS or offer is None:
        return None
    profile = offer.profile
    if req.client_id == user.id:
        role, other = "client", profile.user
    elif profile.user_id == user.id:
        role, other = "practitioner", req.client
    else:
        return None
    thread = db.session.scalar(select(Thread).where(Thread.request_id == req.id,
                                                    Thread.profile_id == profile.id))
    return NextStep(role=role, profile=profile, other=None if other.is_closed else other, thread=thread)


def may_ask_completion(user: PortalUser, req: ServiceRequest) -> bool:
    """Is ``user`` the selected practitioner of a request in progress who has not asked yet?"""
    offer = req.accepted_offer
    return (req.status == RequestStatus.IN_PROGRESS and offer is not None
            and offer.profile.user_id == user.id and req.completion_requested_at is None)


def request_completion(user: PortalUser, request_id: int, *, work_done: bool,
                       now: dt.datetime | None = None) -> ServiceRequest:
    """The selected practitioner asks the client to confirm the work is done;
    ``work_done``: they confirmed themselves first that it is (a ticked box)."""
    req = requests_service._load(request_id)
    offer = req.accepted_offer
    if offer is None or offer.profile.user_id != user.id:
        raise NotFound(_l("This request does not exist or is not yours."))
    if req.status != RequestStatus.IN_PROGRESS:
        raise ServiceError(_l("Only a request in progress can be completed."))
    if req.completion_requested_at is not None:
        raise ServiceError(_l("You have already asked the client to confirm completion."))
    if not work_done:
        raise ServiceError(_l("Tick \"I confirm the work is done\" before asking the client to confirm "
                              "completion."), "work_done")
    req.completion_requested_at = now or utcnow()
    inbox.notify(req.client, "completion_requested", links.request_page(req.id), title=req.title,
                         name=user.full_name)
    tx.commit()
    return req


def complete(client: PortalUser, request_id: int, now: dt.datetime | None = None) -> ServiceRequest:
    """The client marks the request completed (or confirms the practitioner's ask)."""
    req = requests_service.get_own(client, request_id)
    if req.status != RequestStatus.IN_PROGRESS:
        raise ServiceError(_l("Only a request in progress can be completed."))
    req.status, req.closed_at = RequestStatus.COMPLETED, now or utcnow()
    offer = req.accepted_offer
    inbox.notify(offer.profile.user, "request_completed", links.request_page(req.id), title=req.title)
    tx.commit()
    return req
