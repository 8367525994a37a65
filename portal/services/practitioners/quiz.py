"""The agreement quiz (agreement 6.2: "проверка ознакомленности Пользователя с
настоящим Соглашением путем прохождения тестирования").

Rules (config keys, read with defaults so no config change is needed):
- QUIZ_QUESTIONS (10) questions are drawn at random from the active, usable
  questions of the bank (usable: at least two options, exactly one correct);
  the drawn ids are stored on the attempt and shown in that order, each
  question's options in their stored order.
- Only the applicant whose profile is in status ``submitted`` may start.
- One open attempt at a time: starting again returns the open one.
- Score = correct answers / questions drawn; an unanswered question is wrong.
  The attempt passes at QUIZ_PASS_PERCENT (80) or more, and the pass moves the
  profile to ``quiz_passed`` (services.verification.quiz_passed).
- After a failed attempt the next one may start QUIZ_COOLDOWN_HOURS (24) after
  it was submitted; after QUIZ_MAX_ATTEMPTS (3) failed attempts no further
  attempt is possible for this application. Attempts are counted since the
  profile's ``submitted_at``: an application submitted again (after staff
  allowed a re-application) starts afresh.
- There is no time limit: an open attempt may be submitted whenever.

Every refusal is a ServiceError with a translated message (NotFound for an
attempt that does not exist or is not the user's). Every function that looks
at the clock takes ``now`` (naive UTC) for tests.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import random
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.formats import format_datetime
from portal.models.accounts import PortalUser
from portal.models.practitioners import (
    PractitionerProfile,
    ProfileStatus,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
)

log = logging.getLogger(__name__)

DEFAULTS = {"QUIZ_QUESTIONS": 10, "QUIZ_PASS_PERCENT": 80, "QUIZ_MAX_ATTEMPTS": 3, "QUIZ_COOLDOWN_HOURS": 24}


@dataclass(frozen=True)
class Rules:
    questions: int
    pass_percent: int
    max_attempts: int
    cooldown_hours: int

    @property
    def cooldown(self) -> dt.timedelta:
        return dt.timedelta(hours=self.cooldown_hours)

    def pass_mark(self, total: int) -> int:
        """The fewest correct answers that pass out of ``total``."""
        return -(-self.pass_percent * total // 100)  # ceil without floats


def rules() -> Rules:
    cfg = current_app.config
    return Rules(questions=max(1, int(cfg.get("QUIZ_QUESTIONS", DEFAULTS["QUIZ_QUESTIONS"]))),
                 pass_percent=int(cfg.get("QUIZ_PASS_PERCENT", DEFAULTS["QUIZ_PASS_PERCENT"])),
                 max_attempts=max(1, int(cfg.get("QUIZ_MAX_ATTEMPTS", DEFAULTS["QUIZ_MAX_ATTEMPTS"]))),
                 cooldown_hours=int(cfg.get("QUIZ_COOLDOWN_HOURS", DEFAULTS["QUIZ_COOLDOWN_HOURS"])))


# --- reading attempts ------------------------------------------------------------

def my_profile(user: PortalUser) -> PractitionerProfile | None:
    from portal.services.practitioners import verification

    return verification.my_profile(user)


def question_ids(attempt: QuizAttempt) -> list[int]:
    return [int(i) for i in json.loads(attempt.question_ids or "[]")]


def answers_of(attempt: QuizAttempt) -> dict[int, int]:
    """{question id: chosen option id} of a submitted attempt (unanswered left out)."""
    return {int(q): int(o) for q, o in json.loads(attempt.answers or "{}").items()}


def attempts_of(profile: PractitionerProfile | None) -> list[QuizAttempt]:
    """Every attempt of the profile, newest first (also those of earlier applications)."""
    if profile is None:
        return []
    return list(db.session.scalars(select(QuizAttempt).where(QuizAttempt.profile_id == profile.id)
                                   .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())))


def _of_application(profile: PractitionerProfile, attempt: QuizAttempt) -> bool:
    """Whether the attempt belongs to the current application (started after
    the profile was last submitted)."""
    return profile.submitted_at is None or attempt.started_at >= profile.submitted_at


def current_attempts(profile: PractitionerProfile | None) -> list[QuizAttempt]:
    """The attempts of the current application, newest first."""
    if profile is None:
        return []
    return [a for a in attempts_of(profile) if _of_application(profile, a)]


def open_attempt(profile: PractitionerProfile | None) -> QuizAttempt | None:
    return next((a for a in current_attempts(profile) if a.finished_at is None), None)


def failed_attempts(profile: PractitionerProfile | None) -> list[QuizAttempt]:
    """Submitted, not passed attempts of the current application, newest first."""
    return [a for a in current_attempts(profile) if a.finished_at is not None and not a.passed]


def passed_attempt(profile: PractitionerProfile | None) -> QuizAttempt | None:
    """The latest passed attempt of the profile (any application)."""
    return next((a for a in attempts_of(profile) if a.passed), None)


def attempts_left(profile: PractitionerProfile | None) -> int:
    return max(0, rules().max_attempts - len(failed_attempts(profile)))


def next_attempt_at(profile: PractitionerProfile | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the cool-down after the last failed attempt ends, if it has not
    yet (else None). None too when no attempt is left: see ``availability``."""
    now = now or utcnow()
    failed = failed_attempts(profile)
    if not failed or len(failed) >= rules().max_attempts:
        return None
    until = failed[0].finished_at + rules().cooldown
    return until if until > now else None


@dataclass
class Availability:
    """What the applicant may do now, for the quiz start page."""

    can_start: bool                      # start() would give an attempt (new or the open one)
    reason: object = None                # lazy message why not, when can_start is False
    open_attempt: QuizAttempt | None = None
    next_at: dt.datetime | None = None   # end of the cool-down, when waiting for it
    attempts_left: int = 0
    passed: QuizAttempt | None = None
    rules: Rules | None = field(default=None)


def availability(profile: PractitionerProfile | None, now: dt.datetime | None = None) -> Availability:
    now = now or utcnow()
    r = rules()
    if profile is None:
        return Availability(False, _l("Apply to become a practitioner first: the quiz opens once your "
                                      "application is submitted."), rules=r)
    passed = passed_attempt(profile)
    left = attempts_left(profile)
    if profile.status != ProfileStatus.SUBMITTED:
        if profile.status == ProfileStatus.DRAFT:
            reason = _l("Submit your application first: the quiz opens once it is submitted.")
        elif passed is not None and profile.status in (ProfileStatus.QUIZ_PASSED,
                                                       ProfileStatus.INTERVIEW_SCHEDULED,
                                                       *ProfileStatus.PUBLIC):
            reason = _l("You have passed the quiz.")
        else:
            reason = _l("The quiz is not available at this stage of your application.")
        return Availability(False, reason, passed=passed, attempts_left=left, rules=r)
    current = current_attempts(profile)
    opened = next((a for a in current if a.finished_at is None), None)
    if opened is not None:
        return Availability(True, open_attempt=opened, attempts_left=left, rules=r)
    current_pass = next((a for a in current if a.passed), None)
    if current_pass is not None:  # only if the status change failed: never offer a second pass
        return Availability(False, _l("You have passed the quiz."), passed=current_pass, rules=r)
    if left <= 0:
        return Availability(False, _l("You have used all %(max)d attempts. The moderators will review "
                                      "your application.", max=r.max_attempts), attempts_left=0, rules=r)
    until = next_attempt_at(profile, now)
    if until is not None:
        return Availability(False, _l("You can try again after %(when)s.", when=format_datetime(until, "short")),
                            next_at=until, attempts_left=left, rules=r)
    return Availability(True, attempts_left=left, rules=r)


def questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """The questions of the attempt in the order drawn, with their options
    (in stored order). A question deleted since the draw is left out."""
    ids = question_ids(attempt)
    rows = {q.id: q for q in db.session.scalars(
        select(QuizQuestion).where(QuizQuestion.id.in_(ids)).options(selectinload(QuizQuestion.options)))}
    return [rows[i] for i in ids if i in rows]


def get_own(user: PortalUser, attempt_id: int) -> QuizAttempt:
    """The user's own attempt; someone else's or a missing one is NotFound."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.profile is None or attempt.profile.user_id != getattr(user, "id", None):
        raise NotFound(_l("This quiz attempt does not exist."))
    return attempt


def usable_question_ids() -> list[int]:
    """Active questions with at least two options and exactly one correct one."""
    rows = db.session.execute(
        select(QuizQuestion.id, QuizOption.is_correct)
        .join(QuizOption, QuizOption.question_id == QuizQuestion.id)
        .where(QuizQuestion.active.is_(True))).all()
    options: dict[int, list[bool]] = {}
    for qid, correct in rows:
        options.setdefault(qid, []).append(bool(correct))
    return sorted(qid for qid, marks in options.items() if len(marks) >= 2 and sum(marks) == 1)


# --- changing ----------------------------------------------------------------------

def start(user: PortalUser, now: dt.datetime | None = None, rng: random.Random | None = None) -> QuizAttempt:
    """A new attempt with freshly drawn questions, or the open one. ``rng``
    draws them (a seeded one gives the demo data the same draw every time)."""
    now = now or utcnow()
    profile = my_profile(user)
    if profile is None:
        raise ServiceError(_l("Apply to become a practitioner first: the quiz opens once your application "
                              "is submitted."))
    # Serialize concurrent starts of one applicant (PostgreSQL; SQLite writes one at a time anyway).
    db.session.refresh(profile, with_for_update={"key_share": True})
    state = availability(profile, now)
    if state.open_attempt is not None:
        db.session.commit()
        return state.open_attempt
    if not state.can_start:
        db.session.rollback()
        raise ServiceError(state.reason)
    r = state.rules
    pool = usable_question_ids()
    if len(pool) < r.questions:
        db.session.rollback()
        log.error("Quiz bank too small: %d usable questions, QUIZ_QUESTIONS=%d", len(pool), r.questions)
        raise ServiceError(_l("The quiz is not available right now. Please try again later."))
    drawn = (rng or random.SystemRandom()).sample(pool, r.questions)
    attempt = QuizAttempt(profile_id=profile.id, started_at=now, question_ids=json.dumps(drawn),
                          answers="{}", score=0, total=len(drawn), passed=False)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _clean_answers(attempt: QuizAttempt, answers: dict) -> dict[int, int]:
    """Only answers to the attempt's questions, each with an option of that question."""
    valid = {o.id: q.id for q in questions(attempt) for o in q.options}
    asked = set(question_ids(attempt))
    clean: dict[int, int] = {}
    for raw_q, raw_o in (answers or {}).items():
        try:
            qid, oid = int(raw_q), int(raw_o)
        except (TypeError, ValueError):
            continue
        if qid in asked and valid.get(oid) == qid:
            clean[qid] = oid
    return clean


def score(attempt: QuizAttempt, answers: dict[int, int]) -> int:
    correct = {o.id for q in questions(attempt) for o in q.options if o.is_correct}
    return sum(1 for oid in answers.values() if oid in correct)


def submit(user: PortalUser, attempt_id: int, answers: dict, now: dt.datetime | None = None) -> QuizAttempt:
    """Score the user's open attempt. ``answers`` maps question id to option
    id (strings are accepted); anything else is ignored, unanswered is wrong.
    A pass moves the profile to ``quiz_passed``."""
    now = now or utcnow()
    attempt = get_own(user, attempt_id)
    if attempt.finished_at is not None:
        raise ServiceError(_l("This attempt has already been submitted."))
    profile = attempt.profile
    if profile.status != ProfileStatus.SUBMITTED:
        raise ServiceError(_l("The quiz is not available at this stage of your application."))
    if not _of_application(profile, attempt):
        raise ServiceError(_l("This attempt belongs to an earlier application. Please start the quiz again."))
    clean = _clean_answers(attempt, answers)
    total = attempt.total or len(question_ids(attempt))
    right = score(attempt, clean)
    passed = total > 0 and right * 100 >= rules().pass_percent * total
    # Conditional UPDATE: of two concurrent submissions only one finds the attempt open.
    done = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.finished_at.is_(None))
        .values(finished_at=now, answers=json.dumps({str(q): o for q, o in clean.items()}),
                score=right, total=total, passed=passed)).rowcount
    if not done:
        db.session.rollback()
        raise ServiceError(_l("This attempt has already been submitted."))
    db.session.expire(attempt)
    if passed:
        from portal.services.practitioners import verification

        try:
            verification.quiz_passed(profile, attempt)  # commits, audits and notifies
        except Exception:
            db.session.rollback()
            raise
    else:
        db.session.commit()
    return attempt


@dataclass
class ResultLine:
    """One question of a submitted attempt, for the result page: whether the
    answer was right (the right option itself is not shown)."""

    question: QuizQuestion
    chosen: QuizOption | None
    correct: bool


def result_lines(attempt: QuizAttempt) -> list[ResultLine]:
    chosen = answers_of(attempt)
    lines = []
    for q in questions(attempt):
        option = next((o for o in q.options if o.id == chosen.get(q.id)), None)
        lines.append(ResultLine(q, option, bool(option is not None and option.is_correct)))
    return lines
