"""The moderation pages through HTTP, as staff and as everyone else: the
dashboard and the application lists (filter, sort, pages), the interview,
every status decision with its confirmation page and audit entry, public
visibility after each decision, review moderation, and that nobody but
Moderator and Admin reaches any of it."""
from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import event, select

from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.exchange import OfferStatus, RequestStatus, Review, ReviewStatus
from portal.models.practitioners import (
    Interview,
    InterviewOutcome,
    PractitionerProfile,
    ProfileDocument,
    ProfileStatus,
    QuizAttempt,
)
from portal.services.practitioners import documents, moderation
from portal.services.practitioners import profiles as profiles_service
from tests.factories import (
    category,
    make_offer,
    make_profile,
    make_request,
    make_review,
    make_user,
    notification_count,
    stored_path,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def tr(app, message, **params) -> str:
    """``message`` as an English reader sees it in a page (HTML-escaped)."""
    with app.test_request_context(), force_locale("en"):
        return str(escape(str(_l(message, **params))))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def applicant(sm, status, submitted_at, last_name=None, category_code="advocate", locale="en"):
    tag = uuid.uuid4().hex[:8]
    user = make_user(sm, ("Client",), first_name="Applicant", last_name=last_name or f"Appl{tag}", locale=locale)
    user.iin = "900101300123"
    profile = make_profile(user, category_code=category_code, status=status)
    profile.submitted_at = submitted_at
    db.session.commit()
    return profile


@pytest.fixture
def staff(app):
    sm = app.appbuilder.sm
    s = SimpleNamespace()
    s.moderator = make_user(sm, ("Moderator",), first_name="Mira", last_name="Moderator", locale="en")
    s.admin = make_user(sm, ("Admin",), first_name="Adil", last_name="Admin", locale="en")
    s.client = make_user(sm, ("Client",), locale="en")
    s.practitioner = make_user(sm, ("Client", "Practitioner"), locale="en")
    make_profile(s.practitioner)
    return s


def pass_quiz(profile):
    # started now: only passes of the current application count
    db.session.add(QuizAttempt(profile_id=profile.id, finished_at=dt.datetime.now(dt.timezone.utc).replace(
        tzinfo=None), score=9, total=10, passed=True, question_ids="[]", answers="{}"))
    db.session.commit()


def statuses_in(body: str) -> list[str]:
    return re.findall(r'href="/moderation/profiles/(\d+)"', body)


# --- dashboard and lists -----------------------------------------------------------------------------

def test_dashboard_shows_waiting_applications_flags_reviews_and_audit(app, staff, login_as):
    now = dt.datetime.utcnow()
    sm = app.appbuilder.sm
    applicant(sm, ProfileStatus.SUBMITTED, now - dt.timedelta(days=400))
    applicant(sm, ProfileStatus.QUIZ_PASSED, now - dt.timedelta(days=2))
    applicant(sm, ProfileStatus.INTERVIEW_SCHEDULED, now - dt.timedelta(hours=5))
    flagged = applicant(sm, ProfileStatus.APPROVED, now - dt.timedelta(days=30))
    flagged.flagged_at, flagged.flag_reason, flagged.negative_reviews_count = now, "negative_reviews", 3
    db.session.commit()

    board = moderation.dashboard()
    counts = {s.stage: s.count for s in board.stages}
    assert all(counts[stage] >= 1 for stage in moderation.STAGES)
    oldest = next(s for s in board.stages if s.stage == ProfileStatus.SUBMITTED)
    assert oldest.age >= dt.timedelta(days=400)

    http = login_as(staff.moderator)
    response = http.get("/moderation/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for text in ("Moderation", "Applications", "Flagged profiles", "Complaints",
                 "Reviews awaiting moderation", "Latest audit entries"):
        assert tr(app, text) in body
    # the open complaint counts link to the complaint queue
    assert 'href="/moderation/complaints/"' in body and 'href="/moderation/complaints/?status=new"' in body
    for stage in moderation.STAGES:
        assert f'href="/moderation/applications?stage={stage}"' in body
    assert f'href="/moderation/profiles/{flagged.id}"' in body
    assert 'href="/admin/audit/list/"' in body
    # the oldest submitted application has waited over a year
    assert re.search(r"Oldest waits \d+ (year|month)", body), body
    # Admin sees it too
    assert login_as(staff.admin).get("/moderation/").status_code == 200


def test_applications_filter_sort_and_pages(app, staff, login_as):
    sm = app.appbuilder.sm
    tag = uuid.uuid4().hex[:6]
    base = dt.datetime(1991, 1, 1)
    # two quiz_passed advocates: "Aaa<tag>b" is older, "Aaa<tag>a" sorts first by name
    older = applicant(sm, ProfileStatus.QUIZ_PASSED, base, last_name=f"Aaa{tag}b")
    newer = applicant(sm, ProfileStatus.QUIZ_PASSED, base + dt.timedelta(days=1), last_name=f"Aaa{tag}a")
    other_stage = applicant(sm, ProfileStatus.SUBMITTED, base, last_name=f"Aaa{tag}c")
    http = login_as(staff.moderator)

    body = http.get("/moderation/applications?stage=quiz_passed&sort=age").get_data(as_text=True)
    ids = statuses_in(body)
    assert str(older.id) in ids and str(newer.id) in ids
    assert str(other_stage.id) not in ids
    assert ids.index(str(older.id)) < ids.index(str(newer.id))
    assert tr(app, "Quiz passed") in body  # the stage as a label
    body = http.get("/moderation/applications?stage=quiz_passed&sort=name").get_data(as_text=True)
    ids = statuses_in(body)
    assert ids.index(str(newer.id)) < ids.index(str(older.id))
    # all stages: the submitted one is listed too; another category filters them out
    assert str(other_stage.id) in statuses_in(http.get("/moderation/applications").get_data(as_text=True))
    notary = category("notary").id
    body = http.get(f"/moderation/applications?stage=quiz_passed&category={notary}").get_data(as_text=True)
    assert str(older.id) not in statuses_in(body)

    # 21 notaries with interviews scheduled, waiting since 1990: oldest first, 20 a page
    rows = [applicant(sm, ProfileStatus.INTERVIEW_SCHEDULED, dt.datetime(1990, 1, 1) + dt.timedelta(hours=i),
                      category_code="notary") for i in range(21)]
    url = f"/moderation/applications?stage=interview_scheduled&category={notary}&sort=age"
    first = statuses_in(http.get(url).get_data(as_text=True))
    assert first[:20] == [str(p.id) for p in rows[:20]]
    assert str(rows[20].id) not in first
    second = http.get(url + "&page=2")
    assert second.status_code == 200
    assert statuses_in(second.get_data(as_text=True))[0] == str(rows[20].id)
    assert "page=2" in http.get(url).get_data(as_text=True)  # the pager links on


def test_lists_load_rows_with_a_fixed_number_of_queries(app, staff):
    sm = app.appbuilder.sm
    for i in range(5):
        applicant(sm, ProfileStatus.SUBMITTED, dt.datetime(1992, 1, 1) + dt.timedelta(hours=i))
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    db.session.expire_all()
    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = moderation.applications(ProfileStatus.SUBMITTED, "age", 1)
            for p in page.items:
                _ = (p.user.full_name, p.category.name, [r.name for r in p.regions])
            for_list = len(statements)
            statements.clear()
            board = moderation.dashboard()
            for r in board.reviews:
                _ = (r.client.full_name, r.profile.user.full_name)
            for e in board.audit:
                _ = e.actor.full_name if e.actor else None
            for_board = len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(page.items) >= 5
    assert for_list <= 5, for_list      # count, rows, users, categories, regions
    assert for_board <= 14, for_board


# --- the verification journey ------------------------------------------------------------------------

def test_interview_approve_suspend_reinstate_revoke(app, staff, login_as, client):
    sm = app.appbuilder.sm
    profile = applicant(sm, ProfileStatus.QUIZ_PASSED, dt.datetime.utcnow() - dt.timedelta(days=3))
    pid, person = profile.id, profile.user
    pass_quiz(profile)
    http = login_as(staff.moderator)

    page = http.get(f"/moderation/profiles/{pid}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert person.email in body and "********0123" in body and "900101300123" not in body
    assert tr(app, "Schedule the interview") in body

    # an interview in the past is refused
    past = http.post(f"/moderation/profiles/{pid}/interview",
                     data={"date": "2020-01-01", "time": "10:00", "mode": "phone"})
    assert past.status_code == 400
    assert tr(app, "The interview must be in the future.") in past.get_data(as_text=True)
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.QUIZ_PASSED

    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = http.post(f"/moderation/profiles/{pid}/interview",
                         data={"date": day, "time": "10:30", "mode": "phone", "notes": "Call in the morning"})
    assert response.status_code == 302
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.INTERVIEW_SCHEDULED
    interview = db.session.scalars(select(Interview).where(Interview.profile_id == pid)).one()
    assert interview.mode == "phone" and interview.staff_id == staff.moderator.id
    assert interview.scheduled_at.date() in (dt.date.fromisoformat(day), dt.date.fromisoformat(day)
                                             - dt.timedelta(days=1))  # stored in UTC
    assert notification_count(person, "interview_scheduled") == 1

    # the record form: more than 4 passport digits are refused, nothing stored
    body = http.get(f"/moderation/profiles/{pid}").get_data(as_text=True)
    assert f'action="/moderation/interviews/{interview.id}"' in body
    refused = http.post(f"/moderation/interviews/{interview.id}",
                        data={"outcome": "passed", "passport_checked": "y", "passport_last_digits": "123456"})
    assert refused.status_code == 400
    assert tr(app, "Enter at most the last %(n)d digits of the passport, never the full number.", n=4) \
        in refused.get_data(as_text=True)
    interview = fresh(Interview, interview.id)
    assert interview.outcome == InterviewOutcome.PENDING and interview.passport_last_digits is None

    # approving before the interview is recorded is refused with the reason
    early = http.post(f"/moderation/profiles/{pid}/approve", data={"reason": "looks fine"})
    assert early.status_code == 400
    assert tr(app, "The result of the interview has not been recorded yet.") in early.get_data(as_text=True)
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.INTERVIEW_SCHEDULED

    recorded = http.post(f"/moderation/interviews/{interview.id}",
                         data={"outcome": "passed", "passport_checked": "y", "passport_last_digits": "1234",
                               "notes": "Identity confirmed"})
    assert recorded.status_code == 302
    interview = fresh(Interview, interview.id)
    assert interview.outcome == InterviewOutcome.PASSED and interview.passport_checked
    assert interview.passport_last_digits == "1234"
    assert interview.passport_checked_by_id == staff.moderator.id

    # not public yet
    assert client.get(f"/practitioners/{pid}", follow_redirects=True).status_code == 404

    # approve: the confirmation page first, then the decision with a reason
    confirm = http.get(f"/moderation/profiles/{pid}/approve")
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True)
    assert person.full_name in body and tr(app, "Internal reason") in body
    assert 'name="message"' in body
    missing_reason = http.post(f"/moderation/profiles/{pid}/approve", data={"reason": "  "})
    assert missing_reason.status_code == 400
    assert tr(app, "Give the reason.") in missing_reason.get_data(as_text=True)
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.INTERVIEW_SCHEDULED

    done = http.post(f"/moderation/profiles/{pid}/approve",
                     data={"reason": "R-approve: quiz and interview passed", "message": "Welcome"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/moderation/profiles/{pid}")
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.APPROVED
    assert client.get(f"/practitioners/{pid}", follow_redirects=True).status_code == 200
    assert notification_count(person, "application_approved") == 1

    def decide(action, reason, message=""):
        assert http.get(f"/moderation/profiles/{pid}/{action}").status_code == 200
        response = http.post(f"/moderation/profiles/{pid}/{action}", data={"reason": reason, "message": message})
        assert response.status_code == 302, response.get_data(as_text=True)

    decide("suspend", "R-suspend: complaint under review")
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.SUSPENDED
    assert client.get(f"/practitioners/{pid}", follow_redirects=True).status_code == 404
    decide("reinstate", "R-reinstate: complaint unfounded")
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.APPROVED
    assert client.get(f"/practitioners/{pid}", follow_redirects=True).status_code == 200
    decide("revoke", "R-revoke: licence withdrawn", "Your licence was withdrawn")
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.REVOKED
    assert client.get(f"/practitioners/{pid}", follow_redirects=True).status_code == 404

    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "practitioner_profile", AuditEntry.entity_id == pid,
        AuditEntry.action == "status")).all()
    trail = {(e.from_value, e.to_value): e for e in entries}
    for (frm, to), reason in {("interview_scheduled", "approved"): "R-approve",
                              ("approved", "suspended"): "R-suspend",
                              ("suspended", "approved"): "R-reinstate",
                              ("approved", "revoked"): "R-revoke"}.items():
        entry = trail[(frm, to)]
        assert entry.actor_id == staff.moderator.id and entry.reason.startswith(reason)

    # the profile page shows the history, the interview and what the practitioner was told
    body = http.get(f"/moderation/profiles/{pid}").get_data(as_text=True)
    assert "R-revoke: licence withdrawn" in body and "Your licence was withdrawn" in body
    assert "Identity confirmed" in body and "1234" in body
    # a decision not possible now is refused, changing nothing
    again = http.post(f"/moderation/profiles/{pid}/suspend", data={"reason": "again"})
    assert again.status_code == 400
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.REVOKED
    # unknown actions and profiles
    assert http.get(f"/moderation/profiles/{pid}/frobnicate").status_code == 404
    assert http.post(f"/moderation/profiles/{pid}/frobnicate", data={"reason": "x"}).status_code == 404
    assert http.get("/moderation/profiles/999999").status_code == 404
    assert http.get("/moderation/profiles/999999/approve").status_code == 404


def test_reject_tells_the_applicant_nothing_but_not_approved(app, staff, login_as):
    profile = applicant(app.appbuilder.sm, ProfileStatus.SUBMITTED, dt.datetime.utcnow())
    pid = profile.id
    http = login_as(staff.moderator)
    body = http.get(f"/moderation/profiles/{pid}/reject").get_data(as_text=True)
    assert "6.3" in body
    assert 'name="message"' not in body  # nothing to tell beyond "not approved"
    response = http.post(f"/moderation/profiles/{pid}/reject", data={"reason": "R-reject: forged licence"})
    assert response.status_code == 302
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.REJECTED
    assert notification_count(profile.user, "application_rejected") == 1
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "practitioner_profile", AuditEntry.entity_id == pid,
        AuditEntry.to_value == ProfileStatus.REJECTED)).one()
    assert entry.reason == "R-reject: forged licence" and entry.actor_id == staff.moderator.id


def test_staff_download_documents(app, staff, login_as):
    profile = applicant(app.appbuilder.sm, ProfileStatus.SUBMITTED, dt.datetime.utcnow())
    key = uuid.uuid4().hex
    doc = ProfileDocument(profile_id=profile.id, kind="licence", original_name="licence.pdf",
                          content_type="application/pdf", size=len(PDF), storage_key=key)
    db.session.add(doc)
    db.session.commit()
    with app.test_request_context():
        path = stored_path(documents.document_key(doc))
    with open(path, "wb") as out:
        out.write(PDF)
    try:
        http = login_as(staff.moderator)
        assert f'href="/moderation/documents/{doc.id}"' in http.get(
            f"/moderation/profiles/{profile.id}").get_data(as_text=True)
        response = http.get(f"/moderation/documents/{doc.id}")
        assert response.status_code == 200 and response.data == PDF
        assert "attachment" in response.headers["Content-Disposition"]
        assert http.get("/moderation/documents/999999").status_code == 404
        assert login_as(staff.client).get(f"/moderation/documents/{doc.id}").status_code == 403
    finally:
        os.remove(path)


# --- reviews -----------------------------------------------------------------------------------------

@pytest.fixture
def reviewed(app):
    sm = app.appbuilder.sm
    tag = uuid.uuid4().hex[:6]
    s = SimpleNamespace()
    s.author = make_user(sm, ("Client",), locale="en")
    s.other = make_user(sm, ("Client",), locale="en")
    s.prac = make_user(sm, ("Client", "Practitioner"), locale="en")
    s.profile = make_profile(s.prac)
    req_a = make_request(s.author, status=RequestStatus.COMPLETED, title=f"Case A {tag}")
    req_b = make_request(s.other, status=RequestStatus.COMPLETED, title=f"Case B {tag}")
    make_offer(req_a, s.profile, status=OfferStatus.ACCEPTED)
    make_offer(req_b, s.profile, status=OfferStatus.ACCEPTED)
    s.bad = make_review(req_a, s.profile, rating=1, comment=f"Rude and late {tag}")
    s.good = make_review(req_b, s.profile, rating=5, comment=f"Excellent work {tag}")
    profiles_service.recompute(s.profile)
    db.session.commit()
    return s


def test_hide_and_restore_review(app, staff, login_as, client, reviewed):
    s = reviewed
    pid = s.profile.id
    assert fresh(PractitionerProfile, pid).rating_avg == 3.0
    http = login_as(staff.moderator)

    queue = http.get("/moderation/reviews").get_data(as_text=True)
    assert s.bad.comment in queue and s.good.comment in queue

    # a reason is required
    response = http.post(f"/moderation/reviews/{s.bad.id}/hide", data={"reason": ""}, follow_redirects=True)
    assert tr(app, "Give the reason for hiding the review.") in response.get_data(as_text=True)
    assert fresh(Review, s.bad.id).status == ReviewStatus.PUBLISHED

    response = http.post(f"/moderation/reviews/{s.bad.id}/hide", data={"reason": "R-hide: insults"})
    assert response.status_code == 302
    review = fresh(Review, s.bad.id)
    assert review.status == ReviewStatus.HIDDEN and review.hidden_reason == "R-hide: insults"
    assert review.moderated_by_id == staff.moderator.id and review.moderated_at is not None
    profile = fresh(PractitionerProfile, pid)
    assert (profile.rating_avg, profile.reviews_count, profile.negative_reviews_count) == (5.0, 1, 0)
    public = client.get(f"/practitioners/{pid}", follow_redirects=True).get_data(as_text=True)
    assert s.bad.comment not in public and s.good.comment in public
    assert notification_count(s.author, "review_hidden") == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "review",
                                                        AuditEntry.entity_id == s.bad.id)).one()
    assert (entry.action, entry.actor_id, entry.reason) == ("hide", staff.moderator.id, "R-hide: insults")
    # moderated: it left the queue, and the profile page offers to restore it
    queue = http.get("/moderation/reviews").get_data(as_text=True)
    assert s.bad.comment not in queue and s.good.comment in queue
    body = http.get(f"/moderation/profiles/{pid}").get_data(as_text=True)
    assert s.bad.comment in body and f"/moderation/reviews/{s.bad.id}/restore" in body
    # hiding twice is refused
    http.post(f"/moderation/reviews/{s.bad.id}/hide", data={"reason": "again"})
    assert notification_count(s.author, "review_hidden") == 1

    response = http.post(f"/moderation/reviews/{s.bad.id}/restore", data={"reason": "R-restore: appeal upheld"})
    assert response.status_code == 302
    assert fresh(Review, s.bad.id).status == ReviewStatus.PUBLISHED
    assert fresh(PractitionerProfile, pid).rating_avg == 3.0
    assert s.bad.comment in client.get(f"/practitioners/{pid}", follow_redirects=True).get_data(as_text=True)
    assert notification_count(s.author, "review_restored") == 1
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "review", AuditEntry.entity_id == s.bad.id,
        AuditEntry.action == "restore")).one().reason == "R-restore: appeal upheld"

    # keep: the good review leaves the queue unchanged
    assert http.post(f"/moderation/reviews/{s.good.id}/keep").status_code == 302
    kept = fresh(Review, s.good.id)
    assert kept.status == ReviewStatus.PUBLISHED and kept.moderated_at is not None
    assert s.good.comment not in http.get("/moderation/reviews").get_data(as_text=True)
    assert http.post(f"/moderation/reviews/{s.good.id}/delete").status_code == 404
    assert http.post("/moderation/reviews/999999/hide", data={"reason": "x"}).status_code == 404


# --- who may reach it --------------------------------------------------------------------------------

def test_only_moderators_and_admins_reach_moderation(app, staff, login_as, client, reviewed):
    profile = applicant(app.appbuilder.sm, ProfileStatus.QUIZ_PASSED, dt.datetime.utcnow())
    pid = profile.id
    interview = Interview(profile_id=pid, scheduled_at=dt.datetime.utcnow() + dt.timedelta(days=1),
                          mode="phone", staff_id=staff.moderator.id)
    db.session.add(interview)
    db.session.commit()
    gets = ["/moderation/", "/moderation/applications", "/moderation/flagged", "/moderation/reviews",
            f"/moderation/profiles/{pid}", f"/moderation/profiles/{pid}/approve", "/moderation/documents/1"]
    posts = [(f"/moderation/profiles/{pid}/interview", {"date": "2099-01-01", "time": "10:00", "mode": "phone"}),
             (f"/moderation/interviews/{interview.id}", {"outcome": "passed", "passport_checked": "y"}),
             (f"/moderation/profiles/{pid}/reject", {"reason": "x"}),
             (f"/moderation/reviews/{reviewed.bad.id}/hide", {"reason": "x"})]

    for user in (staff.client, staff.practitioner):
        http = login_as(user)
        for url in gets:
            assert http.get(url).status_code == 403, (user.email, url)
        for url, data in posts:
            assert http.post(url, data=data).status_code == 403, (user.email, url)
    client.post("/logout/")
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert fresh(PractitionerProfile, pid).status == ProfileStatus.QUIZ_PASSED
    assert fresh(Interview, interview.id).outcome == InterviewOutcome.PENDING
    assert fresh(Review, reviewed.bad.id).status == ReviewStatus.PUBLISHED


def test_moderation_is_first_in_back_office(app):
    back_office = next(item for item in app.appbuilder.menu.get_list() if item.name == "Back office")
    assert back_office.childs[0].name == "Moderation"
    assert back_office.childs[0].href == "/moderation/"
