"""Reviews (agreement 1.21): only the client of a completed request may leave
one, about the practitioner whose offer was selected; it can be edited for
REVIEW_EDIT_HOURS; the practitioner may publish one public reply. Ratings of
2 or less are negative; the third negative review flags the profile for the
moderators (6.6).

After an appointment the same holds for a booking (Review.booking_id): its
client may leave one review once the practitioner marked the booking
attended. Only "attended" opens it: a confirmed booking whose time has passed
without a mark is not enough (the client may not have come, and a no-show mark
may still follow), and a no-show, declined or cancelled booking never is. The
edit window, the reply, moderation, the rating and the 6.6 flag
(profiles.recompute counts every published review of the profile) are the
same for both kinds."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core import links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser
from portal.models.bookings import Booking, BookingStatus
from portal.models.exchange import RequestStatus, Review, ReviewStatus
from portal.services.bookings import conversation as booking_subject
from portal.services.exchange import requests as requests_service
from portal.services.notifications import inbox
from portal.services.practitioners.profiles import profile_reviews, recompute

COMMENT_MAX = 3000
REPLY_MAX = 3000


def _validate(rating, comment: str) -> str:
    if rating not in (1, 2, 3, 4, 5):
        raise ServiceError(_l("Choose a rating from 1 to 5."), "rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(_l("The comment is too long (at most %(max)d characters).", max=COMMENT_MAX),
                           "comment")
    return comment


def can_review(client: PortalUser, request_id: int) -> bool:
    req = requests_service.get_own(client, request_id)
    return req.status == RequestStatus.COMPLETED and req.review is None and req.accepted_offer is not None


def create(client: PortalUser, request_id: int, rating: int, comment: str,
           now: dt.datetime | None = None) -> Review:
    req = requests_service.get_own(client, request_id)
    if req.status != RequestStatus.COMPLETED or req.accepted_offer is None:
        raise ServiceError(_l("You can review a practitioner once the request is completed."))
    if req.review is not None:
        raise ServiceError(_l("You have already reviewed this request; you can edit your review instead."))
    comment = _validate(rating, comment)
    profile = req.accepted_offer.profile
    review = Review(request_id=req.id, client_id=client.id, profile_id=profile.id, rating=rating,
                    comment=comment, created_at=now or utcnow())
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent second review of the same request
        db.session.rollback()
        raise ServiceError(_l("You have already reviewed this request; you can edit your review instead."))
    recompute(profile, now)
    inbox.notify(profile.user, "new_review", links.profile_page(profile.id), title=req.title,
                         rating=rating)
    tx.commit()
    return review


# --- after a booking ------------------------------------------------------------------------------

_ALREADY_BOOKING = _l("You have already reviewed this appointment; you can edit your review instead.")


def get_own_booking(client: PortalUser, booking_id: int) -> Booking:
    """The client's own booking (NotFound for anyone else's, the practitioner's too)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.client_id != client.id:
        raise NotFound(_l("This booking does not exist or is not yours."))
    return booking


def booking_reviewable(booking: Booking) -> bool:
    """The appointment took place: the practitioner marked it attended."""
    return booking.status == BookingStatus.ATTENDED


def can_review_booking(client: PortalUser, booking_id: int) -> bool:
    booking = get_own_booking(client, booking_id)
    return booking_reviewable(booking) and booking.review is None


def create_for_booking(client: PortalUser, booking_id: int, rating: int, comment: str,
                       now: dt.datetime | None = None) -> Review:
    """The client's one review after an attended appointment (the rules of ``create``)."""
    booking = get_own_booking(client, booking_id)
    if not booking_reviewable(booking):
        raise ServiceError(_l("You can review the practitioner once the appointment is marked attended."))
    if booking.review is not None:
        raise ServiceError(_ALREADY_BOOKING)
    comment = _validate(rating, comment)
    profile = booking.profile
    review = Review(booking_id=booking.id, client_id=client.id, profile_id=profile.id, rating=rating,
                    comment=comment, created_at=now or utcnow())
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent second review of the same booking
        db.session.rollback()
        raise ServiceError(_ALREADY_BOOKING) from None
    recompute(profile, now)
    inbox.notify(profile.user, "new_review", links.profile_page(profile.id),
                 title=booking_subject.booking_title_param(booking), rating=rating)
    tx.commit()
    return review


def editable_until(review: Review) -> dt.datetime:
    return review.created_at + dt.timedelta(hours=current_app.config["REVIEW_EDIT_HOURS"])


def can_edit(review: Review, now: dt.datetime | None = None) -> bool:
    return review.status == ReviewStatus.PUBLISHED and (now or utcnow()) <= editable_until(review)


def get_own(client: PortalUser, review_id: int) -> Review:
    """The client's own review."""
    review = db.session.get(Review, review_id)
    if review is None or review.client_id != client.id:
        raise NotFound(_l("This review does not exist or is not yours."))
    return review


def edit(client: PortalUser, review_id: int, rating: int, comment: str,
         now: dt.datetime | None = None) -> Review:
    review = get_own(client, review_id)
    if not can_edit(review, now):
        raise ServiceError(_l("The time to edit this review has passed."))
    review.comment = _validate(rating, comment)
    review.rating = rating
    db.session.flush()
    recompute(review.profile, now)
    tx.commit()
    return review


def reply(user: PortalUser, review_id: int, text: str, now: dt.datetime | None = None) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.profile.user_id != user.id:
        raise NotFound(_l("This review does not exist or is not yours."))
    if review.reply:
        raise ServiceError(_l("You have already replied to this review."))
    if review.status != ReviewStatus.PUBLISHED:
        raise ServiceError(_l("This review is hidden and cannot be replied to."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_l("Write the reply."), "reply")
    if len(text) > REPLY_MAX:
        raise ServiceError(_l("The reply is too long (at most %(max)d characters).", max=REPLY_MAX), "reply")
    review.reply, review.reply_at = text, now or utcnow()
    inbox.notify(review.client, "review_reply", links.profile_page(review.profile_id),
                         name=user.full_name)
    tx.commit()
    return review


def written(client: PortalUser, page: int = 1, per_page: int = 20) -> Page:
    """The reviews the client wrote (any status: the client sees a hidden one too), newest first."""
    stmt = select(Review).where(Review.client_id == client.id)
    return paged(stmt, (Review.created_at.desc(), Review.id.desc()), page, per_page)


def received(user: PortalUser, page: int = 1, per_page: int = 20) -> Page:
    """Reviews of the user's own practice (for replying), newest first."""
    profile = getattr(user, "practitioner_profile", None)
    if profile is None:
        return Page(items=[], total=0, page=1, per_page=per_page)
    return profile_reviews(profile.id, page, per_page)
