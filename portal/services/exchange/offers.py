"""Offers (the agreement's "отклик", 1.16): a verified practitioner's answer
to an open request that matches their practice.

    active -> accepted | declined   (by the client's selection, see requests)
    active -> withdrawn -> active   (the practitioner withdraws, may offer again)

One offer row per request and practitioner (a unique constraint); it can be
edited while active and the request is open."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.core import links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.paging import Page
from portal.models.accounts import PortalUser
from portal.models.exchange import Offer, OfferStatus, PriceKind, RequestStatus
from portal.models.practitioners import PractitionerProfile, active_profile
from portal.services.exchange import requests as requests_service
from portal.services.notifications import inbox

PRICE_MAX = 1_000_000_000
TERM_MAX_DAYS = 365
MESSAGE_MAX = 3000


@dataclass
class OfferInput:
    price: int | None
    price_kind: str = PriceKind.FIXED
    term_days: int | None = None
    message: str = ""


def _validate(data: OfferInput) -> None:
    if data.price is None or not 0 < data.price <= PRICE_MAX:
        raise ServiceError(_l("Enter the price in tenge (a positive whole number)."), "price")
    if data.price_kind not in PriceKind.ALL:
        raise ServiceError(_l("Choose how the price is counted."), "price_kind")
    if data.term_days is not None and not 0 < data.term_days <= TERM_MAX_DAYS:
        raise ServiceError(_l("The term must be between 1 and %(max)d days.", max=TERM_MAX_DAYS), "term_days")
    data.message = (data.message or "").strip()
    if len(data.message) > MESSAGE_MAX:
        raise ServiceError(_l("The message is too long (at most %(max)d characters).", max=MESSAGE_MAX),
                           "message")


def _acting_profile(user: PortalUser) -> PractitionerProfile:
    profile = active_profile(user)
    if profile is None:
        raise ServiceError(_l("Only verified practitioners see requests and make offers."))
    return profile


def own_offer(user: PortalUser, request_id: int) -> Offer | None:
    profile = getattr(user, "practitioner_profile", None)
    if profile is None:
        return None
    return db.session.scalar(select(Offer).where(Offer.request_id == request_id,
                                                 Offer.profile_id == profile.id))


def can_offer(user: PortalUser, req, now: dt.datetime | None = None) -> bool:
    """May ``user`` make a (new) offer on ``req`` right now?"""
    profile = active_profile(user)
    existing = own_offer(user, req.id)
    return (profile is not None and (existing is None or existing.status == OfferStatus.WITHDRAWN)
            and requests_service.is_live(req, now) and requests_service.matches(req, profile))


def get_active_own(user: PortalUser, offer_id: int) -> Offer:
    """The user's own offer, if it can still be edited or withdrawn."""
    return _own_active(user, offer_id)


def make(user: PortalUser, request_id: int, data: OfferInput, now: dt.datetime | None = None) -> Offer:
    profile = _acting_profile(user)
    req = requests_service._lock(requests_service.get_visible(user, request_id))  # vs. a selection
    if not requests_service.is_live(req, now) or not requests_service.matches(req, profile):
        raise ServiceError(_l("Offers can only be made on open requests that match your practice."))
    _validate(data)
    offer = own_offer(user, request_id)
    if offer is not None and offer.status != OfferStatus.WITHDRAWN:
        raise ServiceError(_l("You already have an offer on this request; edit it instead."))
    if offer is None:
        offer = Offer(request_id=req.id, profile_id=profile.id)
        db.session.add(offer)
    offer.price, offer.price_kind = data.price, data.price_kind
    offer.term_days, offer.message = data.term_days, data.message
    offer.status, offer.decided_at = OfferStatus.ACTIVE, None
    inbox.notify(req.client, "new_offer", links.request_page(req.id), title=req.title,
                         name=user.full_name, price=data.price)
    tx.commit()
    return offer


def is_changeable(offer: Offer | None) -> bool:
    """An offer can be edited or withdrawn while it is active and its request open."""
    return (offer is not None and offer.status == OfferStatus.ACTIVE
            and offer.request.status == RequestStatus.OPEN)


def get_own(user: PortalUser, offer_id: int) -> Offer:
    """The user's own offer, in any status."""
    profile = getattr(user, "practitioner_profile", None)
    offer = db.session.get(Offer, offer_id)
    if offer is None or profile is None or offer.profile_id != profile.id:
        raise NotFound(_l("This offer does not exist."))
    return offer


def _own_active(user: PortalUser, offer_id: int) -> Offer:
    offer = get_own(user, offer_id)
    requests_service._lock(offer.request)  # a selection in flight finishes first
    db.session.refresh(offer)
    if not is_changeable(offer):
        raise ServiceError(_l("This offer can no longer be changed: the request is closed or an offer "
                              "was selected."))
    return offer


def edit(user: PortalUser, offer_id: int, data: OfferInput) -> Offer:
    _acting_profile(user)
    offer = _own_active(user, offer_id)
    _validate(data)
    offer.price, offer.price_kind = data.price, data.price_kind
    offer.term_days, offer.message = data.term_days, data.message
    req = offer.request
    inbox.notify(req.client, "offer_edited", links.request_page(req.id), title=req.title,
                         name=user.full_name)
    tx.commit()
    return offer


def withdraw(user: PortalUser, offer_id: int, now: dt.datetime | None = None) -> Offer:
    offer = _own_active(user, offer_id)
    now = now or utcnow()
    # Conditional, like select_offer: if a concurrent selection accepted (or
    # declined) this offer first, the row is no longer active and nothing changes.
    done = db.session.execute(
        update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.ACTIVE)
        .values(status=OfferStatus.WITHDRAWN, decided_at=now, updated_at=now)).rowcount
    if not done:
        db.session.rollback()
        raise ServiceError(_l("This offer can no longer be changed: the request is closed or an offer "
                              "was selected."))
    req = offer.request
    inbox.notify(req.client, "offer_withdrawn", links.request_page(req.id), title=req.title,
                         name=user.full_name)
    tx.commit()
    return offer


def withdraw_all_of(profile: PractitionerProfile, name, now: dt.datetime | None = None) -> int:
    """The practitioner closed their account (services.closure; the caller
    commits): every active offer is withdrawn and its client told; ``name`` is
    what the notification calls the practitioner. Returns how many."""
    now = now or utcnow()
    offers = db.session.scalars(select(Offer).where(Offer.profile_id == profile.id,
                                                    Offer.status == OfferStatus.ACTIVE)).all()
    withdrawn = 0
    for offer in offers:
        requests_service._lock(offer.request)  # a selection in flight finishes first
        db.session.refresh(offer)
        if offer.status != OfferStatus.ACTIVE:
            continue
        offer.status, offer.decided_at = OfferStatus.WITHDRAWN, now
        req = offer.request
        inbox.notify(req.client, "offer_withdrawn", links.request_page(req.id), title=req.title,
                             name=name)
        withdrawn += 1
    return withdrawn


def for_client(client: PortalUser, request_id: int) -> list[Offer]:
    """The offers a client compares: active and decided ones (withdrawn ones
    are hidden), cheapest first, with the practitioner's public figures loaded."""
    req = requests_service.get_own(client, request_id)
    return list(db.session.scalars(
        select(Offer).where(Offer.request_id == req.id, Offer.status != OfferStatus.WITHDRAWN)
        .options(selectinload(Offer.profile).selectinload(PractitionerProfile.user))
        .order_by(Offer.status != OfferStatus.ACCEPTED, Offer.price, Offer.id)))


def mine(user: PortalUser, status: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    profile = getattr(user, "practitioner_profile", None)
    if profile is None:
        return Page(items=[], total=0, page=1, per_page=per_page)
    stmt = select(Offer).where(Offer.profile_id == profile.id)
    if status in OfferStatus.ALL:
        stmt = stmt.where(Offer.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(stmt.options(selectinload(Offer.request))
                               .order_by(Offer.updated_at.desc(), Offer.id.desc())
                               .limit(per_page).offset((max(1, page) - 1) * per_page)).all()
    return Page(items=list(items), total=total, page=max(1, page), per_page=per_page)
