"""Requests (the agreement's "запрос", 1.15): the client's side of the
exchange: reading, drafting and publishing (draft -> open), and which
practitioners an open request goes to (matching, the practitioner's feed).

What happens after publication (selection, completion, cancellation, expiry)
is in ``request_lifecycle``; offers are in ``offers``. Only the owner moves a
request. Every function checks rows against the acting user and raises
ServiceError/NotFound; nothing changes on error.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.core import links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.files import check as check_uploads
from portal.core.paging import Page
from portal.models.accounts import PortalUser, is_staff
from portal.models.catalog import Category, Region, Specialization
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.models.practitioners import (
    PractitionerProfile,
    active_profile,
    profile_regions,
    profile_specializations,
)
from portal.services.exchange import attachments
from portal.services.notifications import inbox

TITLE_MIN, TITLE_MAX = 5, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 5000
BUDGET_MAX = 1_000_000_000
EDITABLE = (RequestStatus.DRAFT, RequestStatus.OPEN)
CLOSED = (RequestStatus.COMPLETED, RequestStatus.CANCELLED, RequestStatus.EXPIRED)


@dataclass
class RequestInput:
    category_id: int | None
    title: str
    description: str
    region_id: int | None
    city: str = ""
    specialization_ids: list[int] = field(default_factory=list)
    budget: int | None = None
    desired_date: dt.date | None = None
    target_profile_id: int | None = None


# --- reading -----------------------------------------------------------------

def _load(request_id: int) -> ServiceRequest:
    req = db.session.get(ServiceRequest, request_id)
    if req is None:
        raise NotFound(_l("This request does not exist or is not yours."))
    return req


def _lock(req: ServiceRequest) -> ServiceRequest:
    """Re-read the request under a row lock (FOR NO KEY UPDATE on PostgreSQL,
    which serializes with select_offer's UPDATE of the row), so a decision on
    its status (cancel, expire, offer) cannot race with a selection."""
    db.session.refresh(req, with_for_update={"key_share": True})
    return req


def get_own(client: PortalUser, request_id: int) -> ServiceRequest:
    req = _load(request_id)
    if req.client_id != client.id:
        raise NotFound(_l("This request does not exist or is not yours."))
    return req


def get_visible(user: PortalUser, request_id: int) -> ServiceRequest:
    """The request if ``user`` may read it (see ``viewer_role``)."""
    req = _load(request_id)
    if viewer_role(user, req) is None:
        raise NotFound(_l("This request does not exist or is not yours."))
    return req


def viewer_role(user: PortalUser, req: ServiceRequest) -> str | None:
    """"client" (its owner), "practitioner" (it was sent to them, they offered,
    or it is open and matches their verified practice), "staff", or None."""
    if req.client_id == user.id:
        return "client"
    profile = getattr(user, "practitioner_profile", None)
    if profile is not None and req.status != RequestStatus.DRAFT:
        if req.target_profile_id == profile.id or _has_offer(req.id, profile.id):
            return "practitioner"
        if req.status == RequestStatus.OPEN and matches(req, active_profile(user)):
            return "practitioner"
    return "staff" if is_staff(user) else None


def _has_offer(request_id: int, profile_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.request_id == request_id, Offer.profile_id == profile_id)) > 0


def mine(client: PortalUser, status: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    stmt = select(ServiceRequest).where(ServiceRequest.client_id == client.id)
    if status in RequestStatus.ALL:
        stmt = stmt.where(ServiceRequest.status == status)
    return _page(stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()), page, per_page)


def _page(stmt: Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = db.session.scalars(stmt.options(
        selectinload(ServiceRequest.category), selectinload(ServiceRequest.region),
        selectinload(ServiceRequest.offers), selectinload(ServiceRequest.specializations))
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


# --- matching and the practitioner's feed --------------------------------------

def is_live(req: ServiceRequest, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return req.status == RequestStatus.OPEN and (req.expires_at is None or req.expires_at > now)


def matches(req: ServiceRequest, profile: PractitionerProfile | None) -> bool:
    """Does this open request go to this (verified) practitioner?"""
    if profile is None or req.client_id == profile.user_id or req.category_id != profile.category_id:
        return False
    if req.target_profile_id is not None:
        return req.target_profile_id == profile.id
    if req.region_id not in {r.id for r in profile.regions}:
        return False
    wanted = {s.id for s in req.specializations}
    return not wanted or bool(wanted & {s.id for s in profile.specializations})


def _matching_requests(profile: PractitionerProfile, now: dt.datetime) -> Select:
    region_ids = select(profile_regions.c.region_id).where(profile_regions.c.profile_id == profile.id)
    spec_ids = select(profile_specializations.c.specialization_id).where(
        profile_specializations.c.profile_id == profile.id)
    broadcast = (ServiceRequest.target_profile_id.is_(None)
                 & ServiceRequest.region_id.in_(region_ids)
                 & or_(~ServiceRequest.specializations.any(),
                       ServiceRequest.specializations.any(Specialization.id.in_(spec_ids))))
    return select(ServiceRequest).where(
        ServiceRequest.status == RequestStatus.OPEN,
        or_(ServiceRequest.expires_at.is_(None), ServiceRequest.expires_at > now),
        ServiceRequest.category_id == profile.category_id,
        ServiceRequest.client_id != profile.user_id,
        or_(ServiceRequest.target_profile_id == profile.id, broadcast))


def feed(user: PortalUser, region_id: int | None = None, specialization_id: int | None = None,
         without_my_offer: bool = False, page: int = 1, per_page: int = 20,
         now: dt.datetime | None = None) -> Page:
    """Open requests that match the practitioner's category, regions and
    specializations, newest first. Only verified practitioners have a feed."""
    profile = active_profile(user)
    if profile is None:
        raise ServiceError(_l("Only verified practitioners see requests and make offers."))
    stmt = _matching_requests(profile, now or utcnow())
    if region_id:
        stmt = stmt.where(ServiceRequest.region_id == region_id)
    if specialization_id:
        stmt = stmt.where(ServiceRequest.specializations.any(Specialization.id == specialization_id))
    if without_my_offer:
        stmt = stmt.where(~ServiceRequest.offers.any(Offer.profile_id == profile.id))
    stmt = stmt.order_by(ServiceRequest.published_at.desc(), ServiceRequest.id.desc())
    return _page(stmt, page, per_page)


def matching_profiles(req: ServiceRequest) -> list[PractitionerProfile]:
    """Verified practitioners a published request goes to."""
    from portal.models.practitioners import public_profiles

    stmt = public_profiles().where(PractitionerProfile.category_id == req.category_id,
                                   PractitionerProfile.user_id != req.client_id)
    if req.target_profile_id is not None:
        stmt = stmt.where(PractitionerProfile.id == req.target_profile_id)
    else:
        stmt = stmt.where(PractitionerProfile.regions.any(Region.id == req.region_id))
        wanted = [s.id for s in req.specializations]
        if wanted:
            stmt = stmt.where(PractitionerProfile.specializations.any(Specialization.id.in_(wanted)))
    return list(db.session.scalars(stmt.options(selectinload(PractitionerProfile.user))))


# --- the client's actions ------------------------------------------------------

def _validate(data: RequestInput, client_id: int) -> tuple[Category, Region, list[Specialization],
                                                           PractitionerProfile | None]:
    target = None
    if data.target_profile_id:
        target = db.session.get(PractitionerProfile, data.target_profile_id)
        if target is None or not target.is_public or target.user_id == client_id:
            raise ServiceError(_l("This practitioner is not available for requests."), "target_profile_id")
        data.category_id = target.category_id
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ServiceError(_l("Choose a category."), "category_id")
    if not category.takes_requests:
        raise ServiceError(_l("Practitioners of this category do not take requests through the portal; "
                              "contact them directly or book a consultation."), "category_id")
    region = db.session.get(Region, data.region_id) if data.region_id else None
    if region is None:
        raise ServiceError(_l("Choose a region."), "region_id")
    title = (data.title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ServiceError(_l("The title must be %(min)d to %(max)d characters long.",
                              min=TITLE_MIN, max=TITLE_MAX), "title")
    description = (data.description or "").strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        raise ServiceError(_l("The description must be %(min)d to %(max)d characters long.",
                              min=DESCRIPTION_MIN, max=DESCRIPTION_MAX), "description")
    if data.budget is not None and not 0 < data.budget <= BUDGET_MAX:
        raise ServiceError(_l("The budget must be a positive amount in tenge."), "budget")
    if data.desired_date is not None and data.desired_date < utcnow().date():
        raise ServiceError(_l("The desired date cannot be in the past."), "desired_date")
    specs = []
    if data.specialization_ids:
        specs = list(db.session.scalars(select(Specialization).where(
            Specialization.id.in_(data.specialization_ids))))
        if len(specs) != len(set(data.specialization_ids)) or any(
                s.category_id != category.id for s in specs):
            raise ServiceError(_l("Choose specializations of the selected category."), "specialization_ids")
    data.title, data.description = title, description
    return category, region, specs, target


def check_input(data: RequestInput, client_id: int | None = None) -> None:
    """Every rule ``create`` applies to the fields, without saving anything (a
    visitor's request before they sign in: services.exchange.pending). Normalises
    ``data`` as ``create`` would (trimmed text, the target's category)."""
    _validate(data, client_id)


def _apply(req: ServiceRequest, data: RequestInput) -> None:
    category, region, specs, target = _validate(data, req.client_id)
    req.category_id, req.region_id = category.id, region.id
    req.title, req.description = data.title, data.description
    req.city = (data.city or "").strip()[:80]
    req.budget, req.desired_date = data.budget, data.desired_date
    req.target_profile_id = target.id if target else None
    req.specializations = specs


def create(client: PortalUser, data: RequestInput, publish: bool = False, files=(),
           now: dt.datetime | None = None) -> ServiceRequest:
    """Save a new request as a draft, or publish it at once. ``req.sent_to``:
    how many practitioners it was sent to (``_publish``), None for a draft."""
    req = ServiceRequest(client_id=client.id, status=RequestStatus.DRAFT)
    _apply(req, data)
    check_uploads(files, field="attachments")
    db.session.add(req)
    db.session.flush()
    attachments.store(client, files, request_id=req.id)
    req.sent_to = _publish(req, now) if publish else None
    tx.commit()
    return req


def edit(client: PortalUser, request_id: int, data: RequestInput, publish: bool = False, files=(),
           now: dt.datetime | None = None) -> ServiceRequest:
    """Edit a draft, or an open request until the first offer arrives.
    ``req.sent_to`` as in ``create`` (None unless this call published it)."""
    req = get_own(client, request_id)
    if req.status not in EDITABLE:
        raise ServiceError(_l("This request can no longer be edited."))
    if not can_edit(req):
        raise ServiceError(_l("The request already has offers and can no longer be edited."))
    check_uploads(files, field="attachments", already=len(req.attachments))  # before _apply changes req
    _apply(req, data)
    attachments.store(client, files, request_id=req.id)
    req.sent_to = _publish(req, now) if publish and req.status == RequestStatus.DRAFT else None
    tx.commit()
    return req


def can_edit(req: ServiceRequest) -> bool:
    """A draft, or an open request without an active offer."""
    return req.status == RequestStatus.DRAFT or (
        req.status == RequestStatus.OPEN and not any(o.status == OfferStatus.ACTIVE for o in req.offers))


def publish(client: PortalUser, request_id: int, now: dt.datetime | None = None) -> ServiceRequest:
    """Publish a draft; ``req.sent_to`` as in ``create``."""
    req = get_own(client, request_id)
    if req.status != RequestStatus.DRAFT:
        raise ServiceError(_l("Only a draft can be published."))
    _validate(RequestInput(
        category_id=req.category_id, title=req.title, description=req.description, region_id=req.region_id,
        specialization_ids=[s.id for s in req.specializations], budget=req.budget,
        desired_date=req.desired_date, target_profile_id=req.target_profile_id), req.client_id)
    req.sent_to = _publish(req, now)
    tx.commit()
    return req


def _publish(req: ServiceRequest, now: dt.datetime | None) -> int:
    """Open the request and tell every matching practitioner (in-app and by
    email, as each of them chose). Returns how many practitioners it was sent
    to: the request is in their feed whatever their notification settings."""
    now = now or utcnow()
    req.status = RequestStatus.OPEN
    req.published_at = now
    req.expires_at = now + dt.timedelta(days=current_app.config["REQUEST_TTL_DAYS"])
    db.session.flush()
    recipients = matching_profiles(req)
    for profile in recipients:
        inbox.notify(profile.user, "new_request", links.request_page(req.id), title=req.title,
                     category=req.category.code, region=req.region.code)
    return len(recipients)
