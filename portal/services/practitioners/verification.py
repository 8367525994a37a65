"""Becoming and staying a verified practitioner (agreement section 6): the
status machine every status change goes through, and what the practitioner
does (the application, submitting it, editing the public profile, closing the
account). The questionnaire's fields are in ``questionnaire``, the documents
in ``documents``, staff decisions in ``decisions``.

    draft -> submitted -> quiz_passed -> interview_scheduled -> approved
    submitted / quiz_passed / interview_scheduled -> rejected
    approved / warned -> warned                  (a strict warning, 6.6)
    approved / warned -> suspended -> approved   (reinstate; warned -> approved lifts a warning)
    approved / warned / suspended -> revoked     (6.5: final unless staff allow a new application)
    rejected / revoked (+ may_reapply) -> draft / submitted
    approved / warned -> submitted               (the practitioner changed licence data or category)

``TRANSITIONS`` is the table every status change goes through. Every
function raises ``ServiceError`` (a translated message, optionally the form
field it belongs to) or ``NotFound`` and then changes nothing; on success it
writes audit entries, tells the practitioner (a ``PracticeNotice`` row and a
notification in their language) and commits. The search index follows by
itself (portal.search.sync: the profile's status change writes an outbox row).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import audit, links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.labels import label
from portal.models.accounts import PortalUser
from portal.models.practitioners import (
    DocumentKind,
    InterviewOutcome,
    PracticeNotice,
    PractitionerProfile,
    ProfileDocument,
    QuizAttempt,
)
from portal.models.practitioners import ProfileStatus as S
from portal.services.notifications import inbox
from portal.services.practitioners import documents, questionnaire

ENTITY = "practitioner_profile"

# --- the status machine -----------------------------------------------------------

# transition -> (statuses it may start from, status it leads to; None = the status stays)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "reopen": ((S.REJECTED, S.REVOKED), S.DRAFT),             # editing again after allow_reapply
    "submit": ((S.DRAFT, S.REJECTED, S.REVOKED), S.SUBMITTED),  # rejected/revoked: only with may_reapply
    "quiz_passed": ((S.SUBMITTED,), S.QUIZ_PASSED),
    "schedule_interview": ((S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED), S.INTERVIEW_SCHEDULED),
    "record_interview": ((S.INTERVIEW_SCHEDULED,), None),
    # quiz_passed too: a practitioner sent back to review by a licence edit keeps
    # the quiz and the interview they passed (approval_problems checks both)
    "approve": ((S.INTERVIEW_SCHEDULED, S.QUIZ_PASSED), S.APPROVED),
    "reject": ((S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED), S.REJECTED),
    "warn": ((S.APPROVED, S.WARNED), S.WARNED),
    "suspend": ((S.APPROVED, S.WARNED), S.SUSPENDED),
    "revoke": ((S.APPROVED, S.WARNED, S.SUSPENDED), S.REVOKED),
    "reinstate": ((S.SUSPENDED, S.WARNED), S.APPROVED),
    "allow_reapply": ((S.REJECTED, S.REVOKED), None),
    "clear_flag": (S.ALL, None),
    # licence data or category edited: the moderators look again (the quiz
    # passed before stays valid; they may approve or schedule a new interview)
    "back_to_review": ((S.APPROVED, S.WARNED), S.QUIZ_PASSED),
    "edit_public": ((S.APPROVED, S.WARNED), None),
    # the practitioner closed their account (services.closure): from any status, final
    "close_account": (S.ALL, S.CLOSED),
}

# statuses in which the applicant edits the questionnaire (plus rejected/revoked with may_reapply)
DRAFT_EDITABLE = (S.DRAFT,)
PUBLIC_EDITABLE = S.PUBLIC

NOT_NOW = {
    "submit": _l("Your application has already been submitted."),
    "quiz_passed": _l("The quiz can only be passed while the application is under review."),
    "schedule_interview": _l("An interview can only be scheduled after the applicant has passed the quiz."),
    "record_interview": _l("The interview can only be recorded while it is scheduled."),
    "approve": _l("Only an application that passed the quiz and the interview can be approved."),
    "reject": _l("Only an application under review can be rejected."),
    "warn": _l("Only a verified practitioner can be warned."),
    "suspend": _l("Only a verified practitioner can be suspended."),
    "revoke": _l("Only a verified or suspended practitioner's status can be revoked."),
    "reinstate": _l("Only a suspended or warned practitioner can be reinstated."),
    "allow_reapply": _l("Only a rejected or revoked practitioner can be allowed to apply again."),
    "back_to_review": _l("Only a verified practitioner edits the public profile."),
    "edit_public": _l("Only a verified practitioner edits the public profile."),
}


def can(transition: str, profile: PractitionerProfile) -> bool:
    """Whether the table allows ``transition`` from the profile's status (with
    may_reapply for a new application after a rejection or revocation)."""
    allowed, _to = TRANSITIONS[transition]
    if profile.status not in allowed:
        return False
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        return profile.may_reapply
    if transition == "allow_reapply":
        return not profile.may_reapply
    if transition == "clear_flag":
        return profile.flagged_at is not None
    return True


def check(transition: str, profile: PractitionerProfile) -> None:
    """Raise ``ServiceError`` (why not now) unless ``can(transition, profile)``."""
    if can(transition, profile):
        return
    if transition == "allow_reapply" and profile.status in (S.REJECTED, S.REVOKED):
        raise ServiceError(_l("This practitioner may already apply again."))
    if transition == "clear_flag":
        raise ServiceError(_l("This profile is not flagged."))
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        raise ServiceError(_l("You cannot apply again unless the moderators allow it."))
    message = NOT_NOW.get(transition)
    if message is None:
        message = _l("This is not possible while the profile is %(status)s.", status=label(profile.status))
    raise ServiceError(message)


def move(profile: PractitionerProfile, transition: str, actor_id: int | None, reason: str = "") -> None:
    """Apply a checked transition and write its audit entry."""
    check(transition, profile)
    to = TRANSITIONS[transition][1]
    if to is None or to == profile.status and transition != "warn":
        return
    audit.record(ENTITY, profile.id, profile.status, to, actor_id, reason=reason, action="status")
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        profile.verified_since = None  # a new application: "verified since" starts again
    profile.status = to


# --- the applicant's actions ---------------------------------------------------------

def my_profile(user: PortalUser) -> PractitionerProfile | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).first()


def _own(user: PortalUser) -> PractitionerProfile:
    profile = my_profile(user)
    if profile is None:
        raise NotFound(_l("You have not applied to become a practitioner yet."))
    return profile


def draft_editable(profile: PractitionerProfile) -> bool:
    """The applicant may still change the questionnaire as a draft (a draft, or one it may reopen)."""
    return profile.status in DRAFT_EDITABLE or can("reopen", profile)


APPLICATION_STEPS = 5  # questionnaire, submit, quiz, interview, decision


def application_step(profile: PractitionerProfile, missing: list, interview) -> int | None:
    """Which of the APPLICATION_STEPS the applicant is at (0-based), or None when none applies
    (verified, suspended, refused, or a verified practitioner's changes under review)."""
    if draft_editable(profile):
        return 0 if missing else 1
    if profile.status == S.SUBMITTED:
        return 2
    if profile.status == S.QUIZ_PASSED and profile.verified_since is None:
        return 3
    if profile.status == S.INTERVIEW_SCHEDULED:
        recorded = interview is not None and interview.outcome != InterviewOutcome.PENDING
        return 4 if recorded else 3
    return None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def add_notice(profile: PractitionerProfile, action: str, message: str,
               actor_id: int | None) -> PracticeNotice:
    """A notice on the practitioner's practice page (the caller commits)."""
    notice = PracticeNotice(profile_id=profile.id, action=action, message=message or "", actor_id=actor_id,
                            created_at=utcnow())
    db.session.add(notice)
    return notice


def tell(profile: PractitionerProfile, kind: str, **params) -> None:
    """A notification to the practitioner, linking to their practice page."""
    inbox.notify(profile.user, kind, links.practice_page(), **params)


def save_draft(user: PortalUser, data: questionnaire.ApplicationInput,
               files: dict | None = None) -> PractitionerProfile:
    """Create the application (a draft) or edit it while it is a draft (or
    after a rejection/revocation once staff allowed a new application: it
    becomes a draft again). Checks formats, not completeness."""
    profile = my_profile(user)
    if profile is not None and not draft_editable(profile):
        if profile.status in PUBLIC_EDITABLE:
            raise ServiceError(_l("You are verified: edit your public profile instead."))
        if profile.status in (S.REJECTED, S.REVOKED):
            check("reopen", profile)
        raise ServiceError(_l("The application cannot be changed while it is under review."))
    values = questionnaire.validate(data)
    checked = documents.check_files(profile, files)
    obsolete: list[str] = []
    try:
        if profile is None:
            profile = PractitionerProfile(user_id=user.id, status=S.DRAFT, languages="")
            questionnaire.apply(profile, values)
            db.session.add(profile)
            db.session.flush()
            audit.record(ENTITY, profile.id, None, S.DRAFT, user.id, action="status")
        else:
            if profile.status != S.DRAFT:  # a new application after a rejection or revocation
                move(profile, "reopen", user.id)
                profile.may_reapply = False
            questionnaire.apply(profile, values)
        obsolete = documents.store_files(profile, checked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    documents.remove_files(obsolete)
    return profile


@tx.atomic
def submit(user: PortalUser, now: dt.datetime | None = None) -> PractitionerProfile:
    """draft (or rejected/revoked with may_reapply) -> submitted, when complete."""
    profile = _own(user)
    check("submit", profile)
    gaps = questionnaire.missing_fields(profile)
    if gaps:
        # rendered when shown, so the list is in the reader's language too
        raise ServiceError(LazyString(lambda: gettext("The application is not complete yet: %(what)s",
                                                      what=" ".join(str(m) for _f, m in gaps))), gaps[0][0])
    move(profile, "submit", user.id)
    profile.submitted_at = _now(now)
    profile.may_reapply = False
    tell(profile, "application_submitted")
    return profile


def quiz_passed(profile: PractitionerProfile, attempt: QuizAttempt) -> PractitionerProfile:
    """Called by services.quiz when ``attempt`` passed: submitted -> quiz_passed.
    Commits (with the caller's attempt); on error nothing of this is changed."""
    if attempt is None or not attempt.passed or attempt.profile_id != profile.id:
        raise ServiceError(_l("The applicant has not passed the agreement quiz."))
    check("quiz_passed", profile)
    move(profile, "quiz_passed", profile.user_id, reason=f"quiz attempt {attempt.id}: "
                                                           f"{attempt.score}/{attempt.total}")
    db.session.commit()
    return profile


_PUBLIC_REVIEW_FIELDS = ("licence_number", "licence_date", "licensor", "licensor_id")


def review_changes(profile: PractitionerProfile, data: questionnaire.ApplicationInput) -> list[str]:
    """The answers whose change would send a public profile back to review
    (ApplicationInput field names), for the page to ask before saving."""
    changed = ["category_id"] if data.category_id != profile.category_id else []
    for name in _PUBLIC_REVIEW_FIELDS:
        old, new = getattr(profile, name), getattr(data, name)
        if isinstance(new, str):
            old, new = (old or "").strip(), new.strip()
        if old != new:
            changed.append(name)
    return changed


def update_public_profile(user: PortalUser, data: questionnaire.ApplicationInput, files: dict | None = None,
                          now: dt.datetime | None = None) -> PractitionerProfile:
    """A verified (or warned) practitioner edits the public profile. Changing
    the licence number, date, licensor or the category sends it back to review
    (status quiz_passed: it leaves public pages and search until a moderator
    approves again); other edits stay
    public and are re-indexed."""
    profile = _own(user)
    check("edit_public", profile)
    values = questionnaire.validate(data)
    checked = documents.check_files(profile, files)
    back = values["category"].id != profile.category_id or any(
        values[name] != getattr(profile, name) for name in _PUBLIC_REVIEW_FIELDS)
    obsolete: list[str] = []
    try:
        questionnaire.apply(profile, values)
        obsolete = documents.store_files(profile, checked)
        db.session.flush()
        gaps = questionnaire.missing_fields(profile)
        if gaps:
            raise ServiceError(gaps[0][1], gaps[0][0])
        if back:
            move(profile, "back_to_review", user.id, reason="licence data or category changed")
            profile.submitted_at = _now(now)
            add_notice(profile, "back_to_review", "", user.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    documents.remove_files(obsolete)
    return profile


def remove_document(user: PortalUser, document_id: int) -> None:
    """The owner removes a document while editing the application; a verified
    practitioner may remove the photo and other documents, not the licence."""
    profile = my_profile(user)
    doc = db.session.get(ProfileDocument, document_id)
    if profile is None or doc is None or doc.profile_id != profile.id:
        raise NotFound(_l("This file does not exist or is not available to you."))
    if draft_editable(profile):
        pass
    elif profile.status in PUBLIC_EDITABLE and doc.kind != DocumentKind.LICENCE:
        pass
    elif profile.status in PUBLIC_EDITABLE:
        raise ServiceError(_l("The licence copy of a verified practitioner cannot be removed."))
    else:
        raise ServiceError(_l("The application cannot be changed while it is under review."))
    paths = documents.files_of(doc)
    profile.documents.remove(doc)
    db.session.delete(doc)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    documents.remove_files(paths)


def close_with_account(profile: PractitionerProfile, actor_id: int | None) -> list[str]:
    """The owner closed their account (services.closure; the caller commits): the
    profile moves to "closed" (off public pages, search and staff queues), its
    personal fields are emptied and its documents deleted. Returns the paths of
    the documents' files, to delete once the transaction is committed."""
    move(profile, "close_account", actor_id, reason="account closed")
    for name in ("licence_number", "licensor", "chamber", "membership_id", "city",
                 "education_kk", "education_ru", "about_kk", "about_ru"):
        setattr(profile, name, "")
    profile.licence_date = profile.external_id = profile.flagged_at = profile.flag_reason = None
    profile.city_ref = profile.licensor_ref = profile.chamber_ref = None
    profile.may_reapply = False
    paths = [path for doc in profile.documents for path in documents.files_of(doc)]
    for doc in list(profile.documents):
        profile.documents.remove(doc)
        db.session.delete(doc)
    for notice in list(profile.notices):  # what staff told this practitioner
        db.session.delete(notice)
    for interview in profile.interviews:  # the fact and date of the check stay, the details go
        interview.notes, interview.passport_last_digits = "", None
    return paths
