"""Staff decisions on a practitioner (agreement 6.3–6.6): the interview
(scheduling it, recording its result and the passport check), approve, reject,
warn, suspend, revoke, reinstate, allowing a new application and clearing a
flag, and what the practitioner sees of them (notices, interviews, history).
Every status change goes through the status machine in
services.practitioners.verification, with the same errors, audit entries and
notifications."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core import audit, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.formats import format_datetime
from portal.core.labels import label
from portal.models.accounts import PortalUser, is_staff
from portal.models.practitioners import (
    SERVICE_LANGUAGES,
    Interview,
    InterviewMode,
    InterviewOutcome,
    PracticeNotice,
    PractitionerProfile,
    QuizAttempt,
)
from portal.models.practitioners import ProfileStatus as S
from portal.services.practitioners.questionnaire import TEXT_MAX, clean_text
from portal.services.practitioners.verification import (
    ENTITY,
    NOT_NOW,
    TRANSITIONS,
    add_notice,
    can,
    check,
    move,
    tell,
)

MESSAGE_MAX = 2000
PASSPORT_DIGITS_MAX = 4


def _staff_profile(staff: PortalUser, profile_id: int, lock: bool = True) -> PractitionerProfile:
    if not is_staff(staff):
        raise ServiceError(_l("Only moderators and administrators can do this."))
    profile = db.session.get(PractitionerProfile, profile_id, with_for_update=lock or None,
                             populate_existing=lock)
    if profile is None:
        raise NotFound(_l("This practitioner profile does not exist."))
    if profile.user_id == staff.id:
        raise ServiceError(_l("You cannot decide on your own practice."))
    return profile


def _reason(reason: str, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ServiceError(_l("Give the reason (it stays internal)."), "reason")
    if len(reason) > TEXT_MAX:
        raise ServiceError(_l("The reason is too long."), "reason")
    return reason


def _message(message: str, required: bool = False) -> str:
    message = (message or "").strip()
    if required and not message:
        raise ServiceError(_l("Write the message the practitioner will see."), "message")
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_l("The message must be at most %(n)d characters long.", n=MESSAGE_MAX), "message")
    return message


def _aware_to_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is not None:
        return when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def _translations(make) -> dict:
    """{locale: text} rendered in each language (notification parameters are
    rendered in the reader's language)."""
    out = {}
    for code in SERVICE_LANGUAGES:
        with force_locale(code):
            out[code] = str(make())
    return out


def latest_interview(profile: PractitionerProfile) -> Interview | None:
    return db.session.scalars(select(Interview).where(Interview.profile_id == profile.id)
                              .order_by(Interview.id.desc()).limit(1)).first()


def _application_start(profile: PractitionerProfile) -> dt.datetime | None:
    """Since when quiz passes and interviews count: the current application's
    submission. A practitioner sent back to review by a licence edit (still
    ``verified_since``) keeps what they passed before; a re-application after a
    rejection or revocation starts afresh (verified_since is cleared then)."""
    return None if profile.verified_since is not None else profile.submitted_at


def has_passed_quiz(profile: PractitionerProfile) -> bool:
    stmt = select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.profile_id == profile.id, QuizAttempt.passed.is_(True))
    start = _application_start(profile)
    if start is not None:
        stmt = stmt.where(QuizAttempt.started_at >= start)
    return (db.session.scalar(stmt) or 0) > 0


@tx.atomic
def schedule_interview(staff: PortalUser, profile_id: int, when: dt.datetime, mode: str, notes: str = "",
                       now: dt.datetime | None = None) -> Interview:
    """quiz_passed -> interview_scheduled; while scheduled, moves the pending
    interview (or adds a new one after a recorded one). ``when`` is UTC
    (naive) or timezone-aware."""
    profile = _staff_profile(staff, profile_id)
    check("schedule_interview", profile)
    if when is None:
        raise ServiceError(_l("Choose the date and time of the interview."), "when")
    when = _aware_to_utc(when)
    if when <= (now or utcnow()):
        raise ServiceError(_l("The interview must be in the future."), "when")
    if mode not in InterviewMode.ALL:
        raise ServiceError(_l("Choose how the interview takes place."), "mode")
    notes = clean_text(notes, TEXT_MAX, "notes", _l("Notes"))
    interview = latest_interview(profile)
    if interview is not None and interview.outcome == InterviewOutcome.PENDING \
            and profile.status == S.INTERVIEW_SCHEDULED:
        previous = interview.scheduled_at.isoformat(sep=" ", timespec="minutes")
        interview.scheduled_at, interview.mode, interview.staff_id = when, mode, staff.id
        if notes:
            interview.notes = notes
    else:
        previous = None
        interview = Interview(profile_id=profile.id, scheduled_at=when, mode=mode, staff_id=staff.id,
                              notes=notes, outcome=InterviewOutcome.PENDING, created_at=utcnow())
        db.session.add(interview)
    db.session.flush()
    audit.record(ENTITY, profile.id, previous, when.isoformat(sep=" ", timespec="minutes"), staff.id,
                 reason=f"interview {interview.id} scheduled ({mode})", action="interview")
    move(profile, "schedule_interview", staff.id, reason=f"interview {interview.id}")
    tell(profile, "interview_scheduled",
          when=_translations(lambda: format_datetime(when, "medium")),
          mode=_translations(lambda: label(mode)))
    return interview


def normalize_passport_digits(value: str | None) -> str | None:
    """At most the last 4 digits of the passport, digits only; None if empty."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise ServiceError(_l("Enter digits only."), "passport_last_digits")
    if len(value) > PASSPORT_DIGITS_MAX:
        raise ServiceError(_l("Enter at most the last %(n)d digits of the passport, never the full number.",
                              n=PASSPORT_DIGITS_MAX), "passport_last_digits")
    return value


@tx.atomic
def record_interview(staff: PortalUser, interview_id: int, outcome: str, notes: str, passport_checked: bool,
                     passport_last_digits: str | None = None) -> Interview:
    """The interview's result. The passport is confirmed, never stored: only
    that it was checked, by whom, when, and at most its last 4 digits."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise NotFound(_l("This interview does not exist."))
    profile = _staff_profile(staff, interview.profile_id)
    check("record_interview", profile)
    if outcome not in InterviewOutcome.ALL or outcome == InterviewOutcome.PENDING:
        raise ServiceError(_l("Choose the outcome of the interview."), "outcome")
    digits = normalize_passport_digits(passport_last_digits)
    if digits and not passport_checked:
        raise ServiceError(_l("Enter the passport digits only when the passport was checked."),
                           "passport_last_digits")
    notes = clean_text(notes, TEXT_MAX, "notes", _l("Notes"))
    previous = interview.outcome
    interview.outcome, interview.notes, interview.recorded_at = outcome, notes, utcnow()
    interview.passport_checked = bool(passport_checked)
    if passport_checked:
        interview.passport_checked_by_id, interview.passport_checked_at = staff.id, utcnow()
        interview.passport_last_digits = digits
    else:
        interview.passport_checked_by_id = interview.passport_checked_at = None
        interview.passport_last_digits = None
    audit.record(ENTITY, profile.id, previous, outcome, staff.id,
                 reason=f"interview {interview.id}; passport checked: {'yes' if passport_checked else 'no'}",
                 action="interview")
    return interview


def approval_problems(profile: PractitionerProfile) -> list:
    """Why ``approve`` would refuse (translated); [] = it may be approved."""
    if not can("approve", profile):
        return [NOT_NOW["approve"]]
    problems = []
    if not has_passed_quiz(profile):
        problems.append(_l("The applicant has not passed the agreement quiz."))
    interview = latest_interview(profile)
    start = _application_start(profile)
    if interview is not None and start is not None and interview.created_at < start:
        interview = None  # from an earlier application
    if interview is None:
        problems.append(_l("The applicant has had no interview."))
    elif interview.outcome == InterviewOutcome.PENDING:
        problems.append(_l("The result of the interview has not been recorded yet."))
    elif interview.outcome != InterviewOutcome.PASSED:
        problems.append(_l("The applicant did not pass the interview."))
    elif not interview.passport_checked:
        problems.append(_l("The applicant's passport was not checked at the interview."))
    return problems


@tx.atomic
def approve(staff: PortalUser, profile_id: int, reason: str = "", message: str = "",
            now: dt.datetime | None = None) -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason, required=False), _message(message)
    problems = approval_problems(profile)
    if problems:
        raise ServiceError(problems[0])
    move(profile, "approve", staff.id, reason)
    # back from a licence edit: still verified since the first approval
    profile.verified_since = profile.verified_since or now or utcnow()
    profile.may_reapply = False
    role = current_app.appbuilder.sm.find_role("Practitioner")
    if role is not None and role not in profile.user.roles:
        profile.user.roles.append(role)
    add_notice(profile, "approve", message, staff.id)
    tell(profile, "application_approved")
    return profile


@tx.atomic
def reject(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """The applicant is told only that the application was not approved
    (agreement 6.3): the reason stays in the audit trail; ``message`` is
    accepted for a uniform call but never shown."""
    profile = _staff_profile(staff, profile_id)
    reason = _reason(reason)
    move(profile, "reject", staff.id, reason)
    profile.may_reapply = False
    add_notice(profile, "reject", "", staff.id)
    tell(profile, "application_rejected")
    return profile


def _decide(transition: str, kind: str, staff: PortalUser, profile_id: int, reason: str, message: str,
            message_required: bool = False) -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason), _message(message, message_required)
    move(profile, transition, staff.id, reason)
    add_notice(profile, transition, message, staff.id)
    tell(profile, kind)
    return profile


@tx.atomic
def warn(staff: PortalUser, profile_id: int, reason: str, message: str) -> PractitionerProfile:
    """A strict warning (6.6): the practitioner stays verified and sees the message."""
    return _decide("warn", "practice_warned", staff, profile_id, reason, message, message_required=True)


@tx.atomic
def suspend(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """Leaves public pages, search and the request feed until reinstated."""
    return _decide("suspend", "practice_suspended", staff, profile_id, reason, message)


@tx.atomic
def revoke(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """6.5: the status is taken away. The "Practitioner" role stays on the
    account on purpose: every practitioner action checks the profile status
    (models.practitioners.active_profile), so a revoked profile can do nothing, and the
    role keeps the practice page and past conversations reachable."""
    return _decide("revoke", "practice_revoked", staff, profile_id, reason, message)


@tx.atomic
def reinstate(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """suspended -> approved, or warned -> approved (the warning is lifted).
    A revoked status is final unless staff allow a new application."""
    return _decide("reinstate", "practice_reinstated", staff, profile_id, reason, message)


@tx.atomic
def allow_reapply(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason), _message(message)
    check("allow_reapply", profile)
    audit.record(ENTITY, profile.id, "no", "yes", staff.id, reason=reason, action="allow_reapply")
    profile.may_reapply = True
    add_notice(profile, "allow_reapply", message, staff.id)
    tell(profile, "reapply_allowed")
    return profile


@tx.atomic
def clear_flag(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """The moderator looked at a flagged profile (6.6); the practitioner is not told."""
    profile = _staff_profile(staff, profile_id)
    reason = _reason(reason)
    check("clear_flag", profile)
    audit.record(ENTITY, profile.id, profile.flag_reason, None, staff.id, reason=reason, action="unflag")
    profile.flagged_at, profile.flag_reason = None, None
    return profile


# name -> (function, statuses it applies to, label of the button)
ACTIONS = {
    "approve": (approve, TRANSITIONS["approve"][0], _l("Approve")),
    "reject": (reject, TRANSITIONS["reject"][0], _l("Reject")),
    "warn": (warn, TRANSITIONS["warn"][0], _l("Strict warning")),
    "suspend": (suspend, TRANSITIONS["suspend"][0], _l("Suspend")),
    "revoke": (revoke, TRANSITIONS["revoke"][0], _l("Revoke status")),
    "reinstate": (reinstate, TRANSITIONS["reinstate"][0], _l("Reinstate")),
    "allow_reapply": (allow_reapply, TRANSITIONS["allow_reapply"][0], _l("Allow a new application")),
    "clear_flag": (clear_flag, TRANSITIONS["clear_flag"][0], _l("Clear the flag")),
}
# whether the action takes a message shown to the practitioner / needs an internal reason
TAKES_MESSAGE = {"approve", "warn", "suspend", "revoke", "reinstate", "allow_reapply"}
MESSAGE_REQUIRED = {"warn"}
REASON_REQUIRED = set(ACTIONS) - {"approve"}


def allowed_actions(profile: PractitionerProfile) -> list[str]:
    """Actions the status table allows now (approve: also when its other
    conditions are unmet; ``approval_problems`` says which)."""
    return [name for name in ACTIONS if can(name, profile)]


def act(staff: PortalUser, profile_id: int, action: str, reason: str = "", message: str = ""):
    """Run ``ACTIONS[action]`` (for the moderation page's single form)."""
    if action not in ACTIONS:
        raise NotFound(_l("Unknown action."))
    return ACTIONS[action][0](staff, profile_id, reason=reason, message=message)


# --- what the practitioner sees ----------------------------------------------------------

def notices(profile: PractitionerProfile) -> list[PracticeNotice]:
    return list(db.session.scalars(select(PracticeNotice).where(PracticeNotice.profile_id == profile.id)
                                   .order_by(PracticeNotice.created_at.desc(), PracticeNotice.id.desc())))


def interviews(profile: PractitionerProfile) -> list[Interview]:
    return list(db.session.scalars(select(Interview).where(Interview.profile_id == profile.id)
                                   .order_by(Interview.scheduled_at.desc(), Interview.id.desc())))


def history(profile: PractitionerProfile):
    return audit.history(ENTITY, profile.id)
