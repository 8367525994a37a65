"""The staff side of verification and reviews (agreement 6.3–6.6): what waits
for a moderator and the moderation of reviews.

* ``dashboard`` and the paged lists (``applications``, ``flagged``,
  ``reviews_queue``) only read; each loads the rows a page shows with a fixed
  number of queries (no per-row lazy loads).
* Reviews are published at once; a moderator checks them afterwards. A review
  *awaits moderation* (the dashboard's count) when no moderator has looked at
  it yet and it needs a decision: it is negative (it counts towards the flag of
  agreement 6.6) or someone reported it in an open complaint. Other unchecked
  reviews (positive, unreported) are listed after those on the review page,
  where a moderator may keep or hide them, but they are not "waiting".
* ``profile_file`` gathers everything about one applicant or practitioner for
  the staff profile page; the decisions themselves (schedule, record, approve,
  warn, suspend, ...) are ``services.practitioners.decisions``.
* ``hide_review`` / ``restore_review`` / ``keep_review`` moderate a review:
  hidden reviews leave the public profile and its rating at once, the author
  is told, and every decision is in the audit trail (entity "review").

Complaints (and their open counts on the dashboard) are services.complaints.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.core import audit, links, tx
from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser
from portal.models.exchange import NEGATIVE_RATING_MAX, Review, ReviewStatus
from portal.models.practitioners import (
    Interview,
    InterviewOutcome,
    PracticeNotice,
    PractitionerProfile,
    ProfileDocument,
    ProfileStatus,
    QuizAttempt,
)
from portal.models.trust import Complaint, ComplaintStatus, ComplaintTarget
from portal.services.notifications import inbox
from portal.services.practitioners import profiles

# Applications waiting for staff, in the order of the process.
STAGES = (ProfileStatus.SUBMITTED, ProfileStatus.QUIZ_PASSED, ProfileStatus.INTERVIEW_SCHEDULED)
SORTS = ("age", "name")
PER_PAGE = 20
DASHBOARD_ROWS = 10
DASHBOARD_AUDIT = 20
REASON_MAX = 1000
REVIEW_ACTIONS = ("keep", "hide", "restore")


@dataclass
class StageSummary:
    stage: str
    count: int
    oldest_submitted_at: dt.datetime | None
    age: dt.timedelta | None  # of the oldest application in the stage


@dataclass
class Dashboard:
    now: dt.datetime
    stages: list[StageSummary]
    flagged: list[PractitionerProfile]
    flagged_total: int
    reviews: list[Review]
    reviews_total: int
    audit: list[AuditEntry]


@dataclass
class ProfileFile:
    """Everything staff see about one applicant or practitioner."""

    profile: PractitionerProfile
    documents: list[ProfileDocument]
    attempts: list[QuizAttempt]
    interviews: list[Interview]
    pending_interview: Interview | None
    notices: list[PracticeNotice]
    history: list[AuditEntry]
    actions: list[str]
    hidden_reviews: list[Review]  # restorable from the profile page once they left the queue


def _profiles_eager(stmt: Select) -> Select:
    return stmt.options(
        selectinload(PractitionerProfile.user),
        selectinload(PractitionerProfile.category),
        selectinload(PractitionerProfile.regions),
    )


def _reviews_eager(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Review.client),
        selectinload(Review.profile).selectinload(PractitionerProfile.user),
        selectinload(Review.request),
    )


# --- queues ---------------------------------------------------------------------------------------

def _unchecked_reviews() -> Select:
    return select(Review).where(Review.status.in_(ReviewStatus.ALL), Review.moderated_at.is_(None))


def _reported_review_ids() -> Select:
    return select(Complaint.target_id).where(Complaint.target_type == ComplaintTarget.REVIEW,
                                             Complaint.status.in_(ComplaintStatus.OPEN))


def _needs_decision():
    """An unchecked review that needs a moderator: negative, or reported in an open complaint."""
    return or_(Review.rating <= NEGATIVE_RATING_MAX, Review.id.in_(_reported_review_ids()))


def _awaiting_reviews() -> Select:
    return _unchecked_reviews().where(_needs_decision())


def _flagged_profiles() -> Select:
    return select(PractitionerProfile).where(PractitionerProfile.flagged_at.is_not(None))


def dashboard(now: dt.datetime | None = None) -> Dashboard:
    now = now or utcnow()
    rows = db.session.execute(
        select(PractitionerProfile.status, func.count(), func.min(PractitionerProfile.submitted_at))
        .where(PractitionerProfile.status.in_(STAGES)).group_by(PractitionerProfile.status)
    ).all()
    found = {status: (count, oldest) for status, count, oldest in rows}
    stages = []
    for stage in STAGES:
        count, oldest = found.get(stage, (0, None))
        stages.append(StageSummary(stage, count, oldest, (now - oldest) if oldest else None))
    flagged_page = flagged(1, DASHBOARD_ROWS)
    reviews_page = paged(_reviews_eager(_awaiting_reviews()), (Review.created_at.desc(), Review.id.desc()),
                         1, DASHBOARD_ROWS)
    entries = db.session.scalars(
        select(AuditEntry).options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(DASHBOARD_AUDIT)
    ).all()
    return Dashboard(now=now, stages=stages, flagged=flagged_page.items, flagged_total=flagged_page.total,
                     reviews=reviews_page.items, reviews_total=reviews_page.total, audit=list(entries))


def applications(stage: str | None = None, sort: str = "age", page: int = 1, per_page: int = PER_PAGE,
                 category_id: int | None = None) -> Page:
    """Applications waiting for staff (all three stages, or one); ``sort`` "age"
    = oldest submission first, "name" = by the applicant's name."""
    stmt = select(PractitionerProfile)
    if stage in STAGES:
        stmt = stmt.where(PractitionerProfile.status == stage)
    else:
        stmt = stmt.where(PractitionerProfile.status.in_(STAGES))
    if category_id:
        stmt = stmt.where(PractitionerProfile.category_id == category_id)
    if sort == "name":
        stmt = stmt.join(PortalUser, PractitionerProfile.user_id == PortalUser.id)
        order = (PortalUser.last_name, PortalUser.first_name, PractitionerProfile.id)
    else:
        # NULL submission dates (not expected once submitted) sort last everywhere
        order = (PractitionerProfile.submitted_at.is_(None), PractitionerProfile.submitted_at,
                 PractitionerProfile.id)
    return paged(_profiles_eager(stmt), order, page, per_page)


def flagged(page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Profiles flagged for a moderator's look (6.6: three negative reviews),
    longest-waiting first."""
    return paged(_profiles_eager(_flagged_profiles()),
                  (PractitionerProfile.flagged_at, PractitionerProfile.id), page, per_page)


def reviews_queue(page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Reviews no moderator has looked at yet: those awaiting moderation (negative
    or reported) first, then the other unchecked ones; newest first in each."""
    waiting_first = case((_needs_decision(), 0), else_=1)
    return paged(_reviews_eager(_unchecked_reviews()), (waiting_first, Review.created_at.desc(), Review.id.desc()),
                  page, per_page)


def awaiting_reviews_total() -> int:
    """How many reviews await moderation (negative or reported, not yet checked)."""
    return db.session.scalar(select(func.count()).select_from(_awaiting_reviews().subquery())) or 0


def reported_review_ids(review_ids) -> set[int]:
    """Which of these reviews are reported in an open complaint."""
    ids = [i for i in review_ids]
    if not ids:
        return set()
    return set(db.session.scalars(_reported_review_ids().where(Complaint.target_id.in_(ids))).all())


# --- one profile ----------------------------------------------------------------------------------

def profile_file(profile_id: int) -> ProfileFile:
    from portal.services.practitioners import decisions  # staff decisions (they never need us)

    profile = db.session.scalars(
        _profiles_eager(select(PractitionerProfile).where(PractitionerProfile.id == profile_id))
        .options(selectinload(PractitionerProfile.specializations))
    ).first()
    if profile is None:
        raise NotFound(_l("This profile does not exist."))
    documents = db.session.scalars(
        select(ProfileDocument).where(ProfileDocument.profile_id == profile.id)
        .order_by(ProfileDocument.created_at, ProfileDocument.id)).all()
    attempts = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.profile_id == profile.id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())).all()
    interviews = db.session.scalars(
        select(Interview).where(Interview.profile_id == profile.id)
        .options(selectinload(Interview.staff), selectinload(Interview.passport_checked_by))
        .order_by(Interview.scheduled_at.desc(), Interview.id.desc())).all()
    notices = db.session.scalars(
        select(PracticeNotice).where(PracticeNotice.profile_id == profile.id)
        .order_by(PracticeNotice.created_at.desc(), PracticeNotice.id.desc())).all()
    pending = next((i for i in interviews if i.outcome == InterviewOutcome.PENDING), None)
    hidden = db.session.scalars(
        _reviews_eager(select(Review).where(Review.profile_id == profile.id,
                                            Review.status == ReviewStatus.HIDDEN))
        .order_by(Review.created_at.desc(), Review.id.desc())).all()
    return ProfileFile(
        profile=profile, documents=list(documents), attempts=list(attempts), interviews=list(interviews),
        pending_interview=pending, notices=list(notices),
        history=audit.history("practitioner_profile", profile.id),
        actions=list(decisions.allowed_actions(profile)), hidden_reviews=list(hidden),
    )


# --- reviews --------------------------------------------------------------------------------------

def _review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound(_l("This review does not exist."))
    return review


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(message, "reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("The reason is too long (at most %(max)d characters).", max=REASON_MAX), "reason")
    return reason


def _moderate(review: Review, staff: PortalUser, now: dt.datetime | None) -> None:
    review.moderated_at = now or utcnow()
    review.moderated_by_id = staff.id


def _tell_author(review: Review, kind: str) -> None:
    if review.request is not None:
        title = review.request.title
    elif review.booking is not None and review.booking.service_item is not None:  # the service, in each language
        item = review.booking.service_item
        title = {code: getattr(item, f"name_{code}", "") or item.name for code in ("kk", "ru", "en")}
    else:
        title = ""
    inbox.notify(review.client, kind, links.profile_page(review.profile_id), title=title,
                         name=review.profile.name)


def hide_review(staff: PortalUser, review_id: int, reason: str, now: dt.datetime | None = None) -> Review:
    """Take a review off the public profile (and out of its rating); the author is told."""
    return _set_review_status(staff, review_id, reason, now, ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN,
                              _l("Give the reason for hiding the review."), _l("This review is already hidden."),
                              "hide", "review_hidden")


def restore_review(staff: PortalUser, review_id: int, reason: str, now: dt.datetime | None = None) -> Review:
    """Put a hidden review back on the public profile and into its rating."""
    return _set_review_status(staff, review_id, reason, now, ReviewStatus.HIDDEN, ReviewStatus.PUBLISHED,
                              _l("Give the reason for restoring the review."), _l("This review is not hidden."),
                              "restore", "review_restored")


def _set_review_status(staff: PortalUser, review_id: int, reason: str, now: dt.datetime | None, source: str,
                       target: str, no_reason, wrong_status, action: str, kind: str) -> Review:
    review = _review(review_id)
    reason = _reason(reason, no_reason)
    if review.status != source:
        raise ServiceError(wrong_status)
    review.status = target
    review.hidden_reason = reason if target == ReviewStatus.HIDDEN else None
    _moderate(review, staff, now)
    db.session.flush()
    profiles.recompute(review.profile, now)
    audit.record("review", review.id, source, target, staff.id, reason=reason, action=action)
    _tell_author(review, kind)
    tx.commit()
    return review


def keep_review(staff: PortalUser, review_id: int, now: dt.datetime | None = None) -> Review:
    """A moderator looked at the review and leaves it as it is: it leaves the queue."""
    review = _review(review_id)
    _moderate(review, staff, now)
    audit.record("review", review.id, review.status, review.status, staff.id, action="keep")
    tx.commit()
    return review
