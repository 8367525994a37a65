"""What can be reported (services.complaints): the reason codes, and which
profile, review, request, offer or message a user may report, by the
visibility rules of services.requests and services.messages (without their
staff exception: staff act on things, they do not report them)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core import links
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import Message, Offer, OfferStatus, Review, ReviewStatus, ServiceRequest, Thread
from portal.models.practitioners import PractitionerProfile
from portal.models.trust import ComplaintKind, ComplaintTarget
from portal.services.exchange import messages as messages_service
from portal.services.exchange import requests as requests_service

COMPLAINT_REASONS = ("fraud", "fake_profile", "offensive", "spam", "illegal_content", "harmful_links", "other")
INACCURACY_REASONS = ("wrong_name", "wrong_licence", "wrong_contact", "wrong_other")

_MODELS = {ComplaintTarget.PROFILE: PractitionerProfile, ComplaintTarget.REVIEW: Review,
           ComplaintTarget.REQUEST: ServiceRequest, ComplaintTarget.OFFER: Offer,
           ComplaintTarget.MESSAGE: Message}
# what _visible, _owner_id, _link and the one-line description (complaints/_macros.html) read
_EAGER = {
    ComplaintTarget.PROFILE: (selectinload(PractitionerProfile.user), selectinload(PractitionerProfile.category)),
    ComplaintTarget.REVIEW: (selectinload(Review.client),
                             selectinload(Review.profile).selectinload(PractitionerProfile.user)),
    ComplaintTarget.REQUEST: (selectinload(ServiceRequest.specializations),),
    ComplaintTarget.OFFER: (selectinload(Offer.request),
                            selectinload(Offer.profile).selectinload(PractitionerProfile.user)),
    ComplaintTarget.MESSAGE: (selectinload(Message.sender),
                              selectinload(Message.thread).selectinload(Thread.request),
                              selectinload(Message.thread).selectinload(Thread.profile)),
}


def reasons(kind: str, target_type: str) -> tuple[str, ...]:
    """The reason codes a reporter chooses from (labels in portal.core.labels)."""
    if kind == ComplaintKind.INACCURACY:
        return INACCURACY_REASONS
    if target_type == ComplaintTarget.PROFILE:
        return COMPLAINT_REASONS
    return tuple(r for r in COMPLAINT_REASONS if r != "fake_profile")


# --- what is reported ----------------------------------------------------------------------------

@dataclass
class Target:
    type: str
    id: int
    obj: object | None   # the row; None when it no longer exists
    owner_id: int | None  # the account it belongs to (profile owner, author, sender)
    link: str | None      # the page where a party sees it


def _owner_id(target_type: str, obj) -> int | None:
    if target_type == ComplaintTarget.PROFILE:
        return obj.user_id
    if target_type in (ComplaintTarget.REVIEW, ComplaintTarget.REQUEST):
        return obj.client_id
    if target_type == ComplaintTarget.OFFER:
        return obj.profile.user_id
    return obj.sender_id


def _link(target_type: str, obj) -> str:
    if target_type == ComplaintTarget.PROFILE:
        return links.profile_page(obj.id)
    if target_type == ComplaintTarget.REVIEW:
        return links.profile_page(obj.profile_id)
    if target_type == ComplaintTarget.REQUEST:
        return links.request_page(obj.id)
    if target_type == ComplaintTarget.OFFER:
        return links.request_page(obj.request_id)
    return links.thread_page(obj.thread_id) + f"#m{obj.id}"


def _visible(user: PortalUser, target_type: str, obj) -> bool:
    """Whether ``user`` sees ``obj`` as a party or as the public does (not as staff)."""
    if target_type == ComplaintTarget.PROFILE:
        return obj.is_public
    if target_type == ComplaintTarget.REVIEW:
        return obj.status == ReviewStatus.PUBLISHED and (obj.profile.is_public or obj.profile.user_id == user.id)
    if target_type == ComplaintTarget.REQUEST:
        return requests_service.viewer_role(user, obj) in ("client", "practitioner")
    if target_type == ComplaintTarget.OFFER:  # its client compares it (withdrawn ones are hidden), or its author
        return ((obj.request.client_id == user.id and obj.status != OfferStatus.WITHDRAWN)
                or obj.profile.user_id == user.id)
    return messages_service.role_in(user, obj.thread) in ("client", "practitioner")


def describe(target_type: str, target_id: int) -> Target:
    """The reported thing as it is now (for staff and the reporter's list); no access check."""
    model = _MODELS.get(target_type)
    obj = db.session.get(model, target_id) if model is not None else None
    if obj is None:
        return Target(target_type, target_id, None, None, None)
    return Target(target_type, target_id, obj, _owner_id(target_type, obj), _link(target_type, obj))


def as_reporter_sees(user: PortalUser, complaints) -> dict[int, Target]:
    """What each of ``user``'s complaints is about (complaint id -> Target),
    loaded with one query per kind of thing. The thing is shown only while
    ``user`` may still see it; hidden, withdrawn or deleted ones have ``obj``
    None ("no longer available")."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for c in complaints:
        if c.target_type in _MODELS:
            wanted[c.target_type].add(c.target_id)
    rows = {}
    for target_type, ids in wanted.items():
        model = _MODELS[target_type]
        for obj in db.session.scalars(select(model).where(model.id.in_(ids)).options(*_EAGER[target_type])):
            rows[target_type, obj.id] = obj
    found = {}
    for c in complaints:
        obj = rows.get((c.target_type, c.target_id))
        if obj is None or not _visible(user, c.target_type, obj):
            found[c.id] = Target(c.target_type, c.target_id, None, None, None)
        else:
            found[c.id] = Target(c.target_type, c.target_id, obj, _owner_id(c.target_type, obj),
                                 _link(c.target_type, obj))
    return found


def target_for(user: PortalUser, target_type: str, target_id: int,
               kind: str = ComplaintKind.COMPLAINT) -> Target:
    """What ``user`` may report: NotFound if they cannot see it, ServiceError if it is their own."""
    if kind not in ComplaintKind.ALL or target_type not in ComplaintTarget.ALL or (
            kind == ComplaintKind.INACCURACY and target_type != ComplaintTarget.PROFILE):
        raise NotFound(_l("There is nothing to report here."))
    target = describe(target_type, target_id)
    if target.obj is None or not _visible(user, target_type, target.obj):
        raise NotFound(_l("There is nothing to report here."))
    if target.owner_id == user.id:
        raise ServiceError(_l("You cannot report yourself or your own content."))
    return target
