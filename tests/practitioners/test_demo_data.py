"""The demo data is what the portal itself produces (issue 19): every demo
practitioner reached their status through the services (questionnaire and
documents, submission, the agreement quiz, the interview, the moderator's
decision), dated in order in the past; and every demo practitioner's "My
practice" page shows only the steps their status still needs."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal import demo
from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.bookings import BookingRules, ServiceItem, WorkingHours
from portal.models.notifications import EmailState, MailOutbox, Notification
from portal.models.practitioners import (
    DocumentKind,
    InterviewOutcome,
    PracticeNotice,
    PractitionerProfile,
    ProfileStatus,
)
from portal.services.bookings.availability import profile_free_slots
from portal.services.practitioners import decisions, documents, questionnaire, quiz
from tests.conftest import login
from tests.factories import PASSWORD, make_practitioner, stored_path

pytestmark = pytest.mark.db_per_module

S = ProfileStatus
ENTITY = "practitioner_profile"


@pytest.fixture(scope="module")
def counts(app):
    return demo.load_demo_data(app.appbuilder.sm)


def _profiles() -> list[PractitionerProfile]:
    demo_users = select(PortalUser.id).where(PortalUser.email.like(f"%@{demo.EMAIL_DOMAIN}"))
    return list(db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id.in_(demo_users))
                                   .order_by(PractitionerProfile.id)))


def _user(email: str) -> PortalUser:
    return db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one()


def _chain(profile) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == ENTITY, AuditEntry.entity_id == profile.id, AuditEntry.action == "status")
        .order_by(AuditEntry.id)))


def test_counts_statuses_and_known_logins(counts):
    assert counts == {"practitioners": 50, "approved": 45, "clients": 8, "requests": 21,
                      "offers": counts["offers"], "reviews": 11, "bookable": 19}
    profiles = _profiles()
    wanted = {}
    for code, (n, others) in demo.PLAN.items():
        for status in others + (S.APPROVED,) * (n - len(others)):
            wanted[(code, status)] = wanted.get((code, status), 0) + 1
    found = {}
    for p in profiles:
        found[(p.category.code, p.status)] = found.get((p.category.code, p.status), 0) + 1
    assert found == wanted
    client = _user(demo.CLIENT_LOGIN)
    assert [r.name for r in client.roles] == ["Client"]
    for email in demo.PRACTITIONER_LOGINS:
        profile = db.session.scalars(select(PractitionerProfile).where(
            PractitionerProfile.user_id == _user(email).id)).one()
        assert profile.status == S.APPROVED and profile.category.code == "advocate"
        assert client.region in profile.regions and profile.user.has_role("Practitioner")
    assert _user(demo.MODERATOR_LOGIN).has_role("Moderator")
    notary = db.session.scalars(select(PractitionerProfile).where(
        PractitionerProfile.user_id == _user(demo.NOTARY_LOGIN).id)).one()
    assert notary.status == S.APPROVED and notary.category.code == "notary" and notary.category.takes_bookings


def test_bookable_practitioners_have_hours_and_a_price_list(counts):
    """Every public notary and consultant can be booked at once: hours, rules, a price
    list, and free slots (9 + 10 approved in the plan)."""
    bookable = [p for p in _profiles() if p.category.takes_bookings and p.is_public]
    assert len(bookable) == counts["bookable"] == 19
    now = utcnow()
    for p in bookable:
        assert db.session.scalars(select(ServiceItem).where(ServiceItem.profile_id == p.id)).all()
        assert db.session.scalars(select(WorkingHours).where(WorkingHours.profile_id == p.id)).all()
        assert db.session.get(BookingRules, p.id) is not None
        assert profile_free_slots(p.id, now, now + dt.timedelta(days=14), now)
    others = [p for p in _profiles() if not p.category.takes_bookings]
    assert not db.session.scalars(select(ServiceItem).where(
        ServiceItem.profile_id.in_([p.id for p in others]))).all()


def test_every_verified_profile_went_through_the_verification_steps(counts):
    moderator = _user(demo.MODERATOR_LOGIN)
    now = utcnow()
    checked = 0
    for profile in _profiles():
        if profile.status not in (S.APPROVED, S.REVOKED):
            continue
        checked += 1
        assert questionnaire.missing(profile) == [], profile.id
        kinds = {d.kind for d in profile.documents}
        if "licence_document" in questionnaire.required_for(profile.category.code):
            assert DocumentKind.LICENCE in kinds, profile.id
        assert profile.documents, profile.id
        for doc in profile.documents:  # stored the way the services store uploads
            with open(stored_path(documents.document_key(doc)), "rb") as fh:
                data = fh.read()
            assert data.startswith(b"%PDF-") and doc.content_type == "application/pdf"
            assert len(data) == doc.size and doc.original_name.endswith(".pdf")
            start = int(re.search(rb"startxref\n(\d+)\n%%EOF", data).group(1))
            assert data[start:start + 4] == b"xref"  # a well-formed PDF, not just its magic bytes
        passed = quiz.passed_attempt(profile)
        assert passed is not None and decisions.has_passed_quiz(profile), profile.id
        assert quiz.score(passed, quiz.answers_of(passed)) == passed.score  # answered through the quiz
        assert passed.score * 100 >= quiz.rules().pass_percent * passed.total
        interview = decisions.latest_interview(profile)
        assert interview.outcome == InterviewOutcome.PASSED and interview.passport_checked
        assert interview.staff_id == moderator.id
        chain = _chain(profile)
        steps = [(e.from_value, e.to_value) for e in chain]
        assert steps[:5] == [(None, S.DRAFT), (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.QUIZ_PASSED),
                             (S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED), (S.INTERVIEW_SCHEDULED, S.APPROVED)]
        approval = chain[4]
        assert approval.actor_id == moderator.id
        assert [n.action for n in decisions.notices(profile)][-1] == "approve"
        # dated in order, in the past: the demo looks lived in
        times = [e.created_at for e in chain]
        assert times == sorted(times) and times[-1] < now
        assert chain[1].created_at == profile.submitted_at
        assert passed.finished_at < interview.scheduled_at <= interview.recorded_at
        assert approval.created_at == profile.verified_since < now
        if profile.status == S.REVOKED:
            assert steps[5:] == [(S.APPROVED, S.REVOKED)] and chain[5].actor_id == moderator.id
            assert profile.verified_since < chain[5].created_at
        else:
            assert len(chain) == 5
        assert profile.user.has_role("Practitioner")
    assert checked == 46


def test_applicants_have_only_the_steps_they_took(counts):
    for profile in _profiles():
        if profile.status == S.DRAFT:
            assert profile.submitted_at is None and not profile.quiz_attempts
            assert [e.to_value for e in _chain(profile)] == [S.DRAFT]
        elif profile.status == S.SUBMITTED:
            assert profile.submitted_at < utcnow() and not profile.quiz_attempts
            assert questionnaire.missing(profile) == []
            assert [e.to_value for e in _chain(profile)] == [S.DRAFT, S.SUBMITTED]
        else:
            continue
        assert not profile.user.has_role("Practitioner")  # the approval gives the role
        assert decisions.latest_interview(profile) is None


def test_the_demo_sends_no_mail(counts):
    ids = select(PortalUser.id).where(PortalUser.email.like(f"%@{demo.EMAIL_DOMAIN}"))
    assert db.session.scalar(select(func.count()).select_from(MailOutbox).where(MailOutbox.user_id.in_(ids))) == 0
    notes = db.session.scalars(select(Notification).where(Notification.user_id.in_(ids))).all()
    assert notes and all(n.read_at is not None and n.email_state != EmailState.PENDING for n in notes)
    assert db.session.scalar(select(func.count()).select_from(PracticeNotice)) >= 46


# --- "My practice" shows only the steps that apply -------------------------------------------

def _tr(app, message, locale: str) -> str:
    """``message`` (a msgid or a lazy string) as the page shows it in ``locale``."""
    with app.test_request_context(), force_locale(locale):
        return str(escape(gettext(message) if isinstance(message, str) else str(message)))


def _practice_page(client, email: str, password: str = demo.DEMO_PASSWORD) -> str:
    client.post("/logout/")
    assert login(client, email, password).status_code == 302
    response = client.get("/practice/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _current_step(page: str) -> str | None:
    found = re.search(r'data-step="(\w+)" aria-current="step"', page)
    return found.group(1) if found else None


CURRENT_STEP = {S.DRAFT: ("questionnaire", "submit"), S.SUBMITTED: ("quiz",)}


def test_every_demo_practice_page_asks_only_for_steps_its_status_needs(app, client, counts):
    seen = set()
    for profile in _profiles():
        status, locale = profile.status, profile.user.locale
        page = _practice_page(client, profile.user.email)
        missing = set(map(str, questionnaire.missing(profile))) if status == S.DRAFT else set()
        for message in questionnaire.MISSING_MESSAGES.values():
            shown = _tr(app, message, locale) in page
            assert shown == (str(message) in missing), (profile.id, status, str(message))
        steps = _current_step(page)
        no_attempts = _tr(app, "No attempts yet.", locale) in page
        take_quiz = 'href="/practice/quiz/"' in page
        if status in (S.DRAFT, S.SUBMITTED):
            assert steps in CURRENT_STEP[status], (profile.id, status)
        else:
            assert steps is None and 'id="steps-title"' not in page, (profile.id, status)
        assert ('id="missing-title"' in page) == (status == S.DRAFT)
        assert no_attempts == take_quiz == (status == S.SUBMITTED), (profile.id, status)
        if status == S.APPROVED:  # verified: what they can do, and how they were verified
            assert 'id="can-title"' in page and 'href="/feed/"' in page and 'href="/practice/edit"' in page
            assert 'id="verified-title"' in page and 'id="quiz-title"' not in page
        else:
            assert 'href="/feed/"' not in page.split('id="status-title"', 1)[1]
        seen.add(status)
    assert seen == {S.DRAFT, S.SUBMITTED, S.APPROVED, S.REVOKED}


def test_a_verified_practitioner_made_outside_the_application_is_not_asked_for_steps(app, client, counts):
    """An imported (or directly approved) profile has no licence copy and no quiz attempt:
    its page does not ask for them once the practitioner is verified."""
    user = make_practitioner(app.appbuilder.sm).user
    page = _practice_page(client, user.email, PASSWORD)
    locale = user.locale
    assert _tr(app, "Upload a copy of your licence.", locale) not in page
    assert _tr(app, "No attempts yet.", locale) not in page
    assert 'id="missing-title"' not in page and 'id="steps-title"' not in page
    assert 'id="can-title"' in page and 'href="/feed/"' in page
