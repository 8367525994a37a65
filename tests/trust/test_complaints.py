"""Complaints and reports of inaccurate information (agreement 4e, 11.4c, 12.1)
through the service: who may report what (visibility and IDOR), never
oneself, the length limits and duplicates, every staff transition and every
illegal one with nothing changed, the reporter told the outcome in their
language, the queue's filters and pages, and the "many complaints" signal."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.labels import label
from portal.models.exchange import Message, OfferStatus, RequestStatus, ReviewStatus, Thread
from portal.models.notifications import MailOutbox, Notification
from portal.models.practitioners import ProfileStatus
from portal.models.trust import Complaint, ComplaintKind, ComplaintNote, ComplaintStatus
from portal.services.notifications import kinds
from portal.services.trust import complaints
from tests.factories import (
    fails_without_change,
    make_offer,
    make_practitioner,
    make_request,
    make_review,
    make_user,
    notification_count,
    row_count,
)

TEXT = "This looks like a fake: the licence number does not exist."


def scene_of(sm):
    """A client with an open request, a verified practitioner who offered and
    talks with them in a thread, a completed job with a review, a stranger
    client, a practitioner of another category, and a moderator."""
    s = SimpleNamespace()
    s.client = make_user(sm, ("Client",), first_name="Айгуль", locale="ru")
    s.stranger = make_user(sm, ("Client",), first_name="Стрейнджер", locale="kk")
    s.profile = make_practitioner(sm, first_name="Ерлан")
    s.pract = s.profile.user
    s.other_pract = make_practitioner(sm, category_code="notary").user
    s.moderator = make_user(sm, ("Moderator",), locale="ru")
    s.req = make_request(s.client, status=RequestStatus.OPEN, title="Нужен адвокат по жилью")
    s.offer = make_offer(s.req, s.profile)
    s.thread = Thread(request_id=s.req.id, profile_id=s.profile.id)
    db.session.add(s.thread)
    db.session.flush()
    s.msg_pract = Message(thread_id=s.thread.id, sender_id=s.pract.id, body="Пришлите документы")
    s.msg_client = Message(thread_id=s.thread.id, sender_id=s.client.id, body="Хорошо")
    db.session.add_all([s.msg_pract, s.msg_client])
    done = make_request(s.client, status=RequestStatus.COMPLETED, title="Готово")
    make_offer(done, s.profile, status=OfferStatus.ACCEPTED)
    s.review = make_review(done, s.profile, rating=1, comment="Плохо")
    db.session.commit()
    return s


@pytest.fixture
def s(app):
    return scene_of(app.appbuilder.sm)


def complaints_of(user) -> int:
    return row_count(Complaint, reporter_id=user.id)


# --- filing: what a user may report --------------------------------------------------------------

def test_client_reports_a_public_profile(s):
    c = complaints.file(s.client, "profile", s.profile.id, "fraud", "  " + TEXT + "  ")
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    assert (c.kind, c.target_type, c.target_id, c.target_user_id, c.reporter_id) == (
        ComplaintKind.COMPLAINT, "profile", s.profile.id, s.pract.id, s.client.id)
    assert (c.reason, c.text, c.status, c.outcome, c.handled_by_id) == ("fraud", TEXT, "new", "", None)
    assert complaints.mine(s.client).items[0].id == c.id


def test_inaccuracy_report_only_on_profiles_with_its_own_reasons(s):
    c = complaints.file(s.client, "profile", s.profile.id, "wrong_licence", TEXT, kind=ComplaintKind.INACCURACY)
    assert (c.kind, c.target_user_id) == (ComplaintKind.INACCURACY, s.pract.id)
    assert complaints.reasons("inaccuracy", "profile") == complaints.INACCURACY_REASONS
    with fails_without_change(error=ServiceError, field="reason", count_of=[(Complaint, {})]):
        complaints.file(s.stranger, "profile", s.profile.id, "fraud", TEXT, kind=ComplaintKind.INACCURACY)
    with fails_without_change(error=NotFound, count_of=[(Complaint, {})]):
        complaints.file(s.client, "review", s.review.id, "wrong_name", TEXT, kind=ComplaintKind.INACCURACY)
    # a complaint and an inaccuracy report about the same profile are different reports
    complaints.file(s.client, "profile", s.profile.id, "fake_profile", TEXT)
    assert complaints_of(s.client) == 2
    # "fake profile" is a reason for profiles only
    assert "fake_profile" not in complaints.reasons("complaint", "message")
    with fails_without_change(error=ServiceError, field="reason", count_of=[(Complaint, {})]):
        complaints.file(s.pract, "message", s.msg_client.id, "fake_profile", TEXT)


def test_parties_report_what_they_see(s):
    by_pract_request = complaints.file(s.pract, "request", s.req.id, "spam", TEXT)
    by_client_offer = complaints.file(s.client, "offer", s.offer.id, "fraud", TEXT)
    by_client_message = complaints.file(s.client, "message", s.msg_pract.id, "offensive", TEXT)
    by_pract_message = complaints.file(s.pract, "message", s.msg_client.id, "offensive", TEXT)
    by_pract_review = complaints.file(s.pract, "review", s.review.id, "offensive", TEXT)  # a review about them
    by_stranger_review = complaints.file(s.stranger, "review", s.review.id, "spam", TEXT)  # published: public
    assert [c.target_user_id for c in (by_pract_request, by_client_offer, by_client_message, by_pract_message,
                                       by_pract_review, by_stranger_review)] == [
        s.client.id, s.pract.id, s.pract.id, s.client.id, s.client.id, s.client.id]


@pytest.mark.parametrize("case", [
    "stranger_request", "other_practitioner_request", "draft_request_practitioner", "stranger_offer",
    "withdrawn_offer", "stranger_message", "hidden_review", "review_of_non_public_profile", "draft_profile",
    "blocked_profile", "staff_only_request", "staff_only_message", "missing_row", "unknown_type",
])
def test_nobody_reports_what_they_cannot_see(s, app, case):
    """IDOR: a stranger's request, offer or message, hidden or non-public things and missing rows are
    NotFound (as if they did not exist), and nothing is recorded."""
    sm = app.appbuilder.sm
    reporter, target_type, target_id = {
        "stranger_request": (s.stranger, "request", s.req.id),
        "other_practitioner_request": (s.other_pract, "request", s.req.id),
        "stranger_offer": (s.stranger, "offer", s.offer.id),
        "stranger_message": (s.stranger, "message", s.msg_pract.id),
        "staff_only_request": (s.moderator, "request", s.req.id),
        "staff_only_message": (s.moderator, "message", s.msg_pract.id),
        "missing_row": (s.client, "offer", 999999999),
        "unknown_type": (s.client, "user", s.pract.id),
    }.get(case, (None, None, None))
    if case == "draft_request_practitioner":
        draft = make_request(s.client, status=RequestStatus.DRAFT)
        make_offer(draft, s.profile)
        reporter, target_type, target_id = s.pract, "request", draft.id
    elif case == "withdrawn_offer":
        s.offer.status = OfferStatus.WITHDRAWN
        db.session.commit()
        reporter, target_type, target_id = s.client, "offer", s.offer.id
    elif case == "hidden_review":
        s.review.status = ReviewStatus.HIDDEN
        db.session.commit()
        reporter, target_type, target_id = s.stranger, "review", s.review.id
    elif case == "review_of_non_public_profile":
        s.profile.status = ProfileStatus.SUSPENDED
        db.session.commit()
        reporter, target_type, target_id = s.stranger, "review", s.review.id
    elif case in ("draft_profile", "blocked_profile"):
        profile = make_practitioner(sm, status=ProfileStatus.DRAFT if case == "draft_profile" else
                                    ProfileStatus.APPROVED, blocked=case == "blocked_profile")
        reporter, target_type, target_id = s.client, "profile", profile.id
    with fails_without_change(error=NotFound, count_of=[(Complaint, {})]):
        complaints.file(reporter, target_type, target_id, "spam", TEXT)
    with pytest.raises(NotFound):
        complaints.target_for(reporter, target_type, target_id)


@pytest.mark.parametrize("case", ["own_profile", "own_request", "own_offer", "own_message", "own_review"])
def test_nobody_reports_themselves(s, case):
    reporter, target_type, target_id = {
        "own_profile": (s.pract, "profile", s.profile.id), "own_request": (s.client, "request", s.req.id),
        "own_offer": (s.pract, "offer", s.offer.id), "own_message": (s.client, "message", s.msg_client.id),
        "own_review": (s.client, "review", s.review.id),
    }[case]
    with fails_without_change(error=ServiceError, count_of=[(Complaint, {})]) as info:
        complaints.file(reporter, target_type, target_id, "spam", TEXT)
    assert not isinstance(info.value, NotFound)
    with force_locale("en"):
        assert "your own" in str(info.value.message)


@pytest.mark.parametrize("reason, text, field", [
    ("", TEXT, "reason"), ("made_up", TEXT, "reason"), ("spam", "", "text"), ("spam", "  too short ", "text"),
    ("spam", "x" * (complaints.TEXT_MAX + 1), "text"),
])
def test_reason_and_text_limits(s, reason, text, field):
    with fails_without_change(error=ServiceError, field=field, count_of=[(Complaint, {})]):
        complaints.file(s.client, "profile", s.profile.id, reason, text)
    complaints.file(s.client, "profile", s.profile.id, "spam", "x" * complaints.TEXT_MAX)  # the limit itself


def test_one_open_report_per_reporter_and_thing(s):
    first = complaints.file(s.client, "message", s.msg_pract.id, "offensive", TEXT)
    with fails_without_change(error=ServiceError, count_of=[(Complaint, {})]) as info:
        complaints.file(s.client, "message", s.msg_pract.id, "spam", TEXT + " again")
    with force_locale("en"):
        assert "already reported" in str(info.value.message)
    assert complaints.open_duplicate(s.client, "complaint", "message", s.msg_pract.id).id == first.id
    complaints.file(s.stranger, "review", s.review.id, "spam", TEXT)  # others may report the same thing
    complaints.take(s.moderator, first.id)
    with fails_without_change(error=ServiceError, count_of=[(Complaint, {})]):  # in review is still open
        complaints.file(s.client, "message", s.msg_pract.id, "spam", TEXT)
    complaints.dismiss(s.moderator, first.id, "Nothing offensive found.")
    again = complaints.file(s.client, "message", s.msg_pract.id, "spam", TEXT)  # closed: may report again
    assert again.id != first.id


def test_a_blocked_account_cannot_report(s):
    s.stranger.status = "blocked"
    db.session.commit()
    with fails_without_change(error=ServiceError, count_of=[(Complaint, {})]):
        complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)


# --- staff decisions -----------------------------------------------------------------------------

def history_of(complaint_id) -> list[tuple]:
    db.session.expire_all()
    return [(e.action, e.from_value, e.to_value, e.actor_id) for e in reversed(complaints.history(complaint_id))]


def test_take_note_resolve_with_audit_and_notification(s):
    c = complaints.file(s.client, "offer", s.offer.id, "fraud", TEXT)
    complaints.take(s.moderator, c.id)
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    assert (c.status, c.handled_by_id, c.closed_at) == ("in_review", s.moderator.id, None)
    note = complaints.add_note(s.moderator, c.id, "  Called the practitioner.  ")
    assert db.session.get(ComplaintNote, note.id).text == "Called the practitioner."
    assert notification_count(s.client, "complaint_resolved") == 0
    complaints.resolve(s.moderator, c.id, "The offer was removed and the practitioner warned.")
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    assert (c.status, c.outcome, c.handled_by_id) == (
        "resolved", "The offer was removed and the practitioner warned.", s.moderator.id)
    assert c.closed_at is not None and [n.text for n in c.notes] == ["Called the practitioner."]
    assert history_of(c.id) == [("take", "new", "in_review", s.moderator.id), ("note", None, None, s.moderator.id),
                                ("resolve", "in_review", "resolved", s.moderator.id)]
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "complaint", AuditEntry.entity_id == c.id, AuditEntry.action == "resolve")
    ).one().reason == "The offer was removed and the practitioner warned."
    assert notification_count(s.client, "complaint_resolved") == 1


def test_dismiss_straight_from_new(s):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    complaints.dismiss(s.moderator, c.id, "No spam on this profile.")
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).status == "dismissed"
    assert history_of(c.id) == [("dismiss", "new", "dismissed", s.moderator.id)]
    assert notification_count(s.client, "complaint_dismissed") == 1


@pytest.mark.parametrize("status, action", [
    ("in_review", "take"), ("resolved", "take"), ("dismissed", "take"),
    ("resolved", "resolve"), ("resolved", "dismiss"), ("dismissed", "resolve"), ("dismissed", "dismiss"),
])
def test_illegal_transitions_change_nothing(s, status, action):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    if status == "in_review":
        complaints.take(s.moderator, c.id)
    elif status == "resolved":
        complaints.resolve(s.moderator, c.id, "Done and dusted.")
    elif status == "dismissed":
        complaints.dismiss(s.moderator, c.id, "No grounds here.")
    c = db.session.get(Complaint, c.id)
    with fails_without_change(c, error=ServiceError, count_of=[(AuditEntry, {"entity": "complaint"})]):
        if action == "take":
            complaints.take(s.moderator, c.id)
        else:
            getattr(complaints, action)(s.moderator, c.id, "Another outcome text.")


@pytest.mark.parametrize("outcome", ["", "   ", "ok", "x" * (complaints.OUTCOME_MAX + 1)])
def test_an_outcome_is_required_within_limits(s, outcome):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    for decide in (complaints.resolve, complaints.dismiss):
        with fails_without_change(c, error=ServiceError, field="outcome",
                                  count_of=[(AuditEntry, {"entity": "complaint"})]):
            decide(s.moderator, c.id, outcome)


@pytest.mark.parametrize("note", ["", "  ", "x" * (complaints.NOTE_MAX + 1)])
def test_a_note_needs_text_within_limits(s, note):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    with fails_without_change(c, error=ServiceError, field="note",
                              count_of=[(ComplaintNote, {}), (AuditEntry, {"entity": "complaint"})]):
        complaints.add_note(s.moderator, c.id, note)


def test_only_staff_work_the_queue(s):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    for user in (s.client, s.pract, s.stranger):
        with fails_without_change(c, error=NotFound, count_of=[(ComplaintNote, {}), (AuditEntry, {"entity": "complaint"})]):
            complaints.take(user, c.id)
        with fails_without_change(c, error=NotFound, count_of=[(ComplaintNote, {})]):
            complaints.add_note(user, c.id, "a note")
        with fails_without_change(c, error=NotFound):
            complaints.resolve(user, c.id, "Resolved by a stranger.")
        with fails_without_change(c, error=NotFound):
            complaints.dismiss(user, c.id, "Dismissed by a stranger.")
        with pytest.raises(NotFound):
            complaints.queue(user)
        with pytest.raises(NotFound):
            complaints.get(user, c.id)
    with pytest.raises(NotFound):
        complaints.take(s.moderator, 999999999)


def test_staff_do_not_handle_complaints_they_filed_or_about_them(app, s):
    sm = app.appbuilder.sm
    staff_client = make_user(sm, ("Client", "Moderator"))
    filed = complaints.file(staff_client, "profile", s.profile.id, "spam", TEXT)
    staff_pract = make_practitioner(sm, first_name="StaffPract")
    staff_pract.user.roles.append(sm.find_role("Moderator"))
    db.session.commit()
    about = complaints.file(s.client, "profile", staff_pract.id, "spam", TEXT)
    for who, c in ((staff_client, filed), (staff_pract.user, about)):
        with fails_without_change(c, error=ServiceError, count_of=[(AuditEntry, {"entity": "complaint"})]):
            complaints.take(who, c.id)
        with fails_without_change(c, error=ServiceError):
            complaints.resolve(who, c.id, "Resolved by myself.")
        with fails_without_change(c, error=ServiceError, count_of=[(ComplaintNote, {})]):
            complaints.add_note(who, c.id, "my note")
    complaints.take(s.moderator, about.id)  # another moderator may


# --- the reporter is told in their language ------------------------------------------------------

def test_the_reporter_is_told_the_outcome_in_their_language(s):
    kk_reporter, ru_reporter = s.stranger, s.client
    assert (kk_reporter.locale, ru_reporter.locale) == ("kk", "ru")
    c_kk = complaints.file(kk_reporter, "review", s.review.id, "spam", TEXT)
    c_ru = complaints.file(ru_reporter, "profile", s.profile.id, "fraud", TEXT)
    long_outcome = "We checked the licence with the chamber. " * 10
    complaints.resolve(s.moderator, c_kk.id, "Пікір жасырылды.")
    complaints.dismiss(s.moderator, c_ru.id, long_outcome)
    db.session.expire_all()
    for user, c, kind in ((kk_reporter, c_kk, "complaint_resolved"), (ru_reporter, c_ru, "complaint_dismissed")):
        row = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.kind == kind)).one()
        assert row.link == "/complaints/"
        mail = db.session.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id)
                                  .order_by(MailOutbox.id.desc())).first()
        assert mail.locale == user.locale and mail.recipient == user.email
        with force_locale(user.locale):
            expected = kinds.render(row)
        assert mail.subject == expected and str(c.id) in expected
    with force_locale("kk"):
        assert "Пікір жасырылды." in kinds.render(db.session.scalars(select(Notification).where(
            Notification.user_id == kk_reporter.id, Notification.kind == "complaint_resolved")).one())
    # the title carries a shortened outcome; the whole text is on "My complaints"
    ru_row = db.session.scalars(select(Notification).where(Notification.user_id == ru_reporter.id,
                                                           Notification.kind == "complaint_dismissed")).one()
    assert "…" in ru_row.params and len(ru_row.params) < len(long_outcome)
    assert db.session.get(Complaint, c_ru.id).outcome == long_outcome.strip()
    # a translation of the title must keep its placeholders (kk and ru catalogues)
    with force_locale("kk"):
        kk_title = str(kinds.KINDS["complaint_resolved"].title)
    with force_locale("ru"):
        ru_title = str(kinds.KINDS["complaint_resolved"].title)
    assert all(p in t for p in ("%(number)s", "%(outcome)s") for t in (kk_title, ru_title))


def test_labels_of_codes_exist():
    for code in (complaints.COMPLAINT_REASONS + complaints.INACCURACY_REASONS + ComplaintStatus.ALL
                 + ComplaintKind.ALL + ("profile", "review", "request", "offer", "message")):
        assert label(code) != code, code


# --- the queue -----------------------------------------------------------------------------------

def test_queue_filters_and_pages(s):
    made = [complaints.file(s.client, "message", s.msg_pract.id, "offensive", TEXT),
            complaints.file(s.client, "offer", s.offer.id, "fraud", TEXT),
            complaints.file(s.client, "profile", s.profile.id, "wrong_name", TEXT, kind="inaccuracy"),
            complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)]
    ids = [c.id for c in made]

    def q(**kw):
        return [c.id for c in complaints.queue(s.moderator, target_user_id=s.pract.id, **kw).items]

    assert q() == ids  # open ones, oldest first
    assert q(kind="inaccuracy") == [ids[2]]
    assert q(kind="complaint", target_type="profile") == [ids[3]]
    assert q(target_type="message") == [ids[0]]
    complaints.take(s.moderator, ids[0])
    complaints.dismiss(s.moderator, ids[1], "No fraud found here.")
    assert q(status="new") == [ids[2], ids[3]]
    assert q(status="in_review") == [ids[0]]
    assert q(status="dismissed") == [ids[1]]
    assert q() == [ids[0], ids[2], ids[3]]
    assert q(status=None) == list(reversed(ids))  # any status: newest first
    first = complaints.queue(s.moderator, None, target_user_id=s.pract.id, per_page=3)
    second = complaints.queue(s.moderator, None, target_user_id=s.pract.id, page=2, per_page=3)
    assert (first.total, first.pages, len(first.items), [c.id for c in second.items]) == (4, 2, 3, [ids[0]])
    assert complaints.queue(s.moderator, None, target_user_id=s.pract.id, page=99, per_page=3).page == 2


def test_open_counts_for_the_dashboard(s):
    before = complaints.open_counts()
    a = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    complaints.file(s.client, "profile", s.profile.id, "wrong_name", TEXT, kind="inaccuracy")
    b = complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)
    complaints.take(s.moderator, a.id)
    complaints.resolve(s.moderator, b.id, "The profile was corrected.")
    after = complaints.open_counts()
    assert {k: after[k] - before[k] for k in after} == {"new": 1, "in_review": 1, "inaccuracy": 1, "open": 2}


# --- the "many complaints" signal ----------------------------------------------------------------

def test_many_complaints_signal(app, s):
    sm = app.appbuilder.sm
    assert app.config["COMPLAINT_SIGNAL_THRESHOLD"] == 3
    reporters = [make_user(sm, ("Client",)) for _ in range(4)]

    def signal_of(user, **kw):
        return next((x for x in complaints.signals(**kw) if x.user.id == user.id), None)

    for r in reporters[:2]:
        complaints.file(r, "profile", s.profile.id, "fraud", TEXT)
    assert signal_of(s.pract) is None and complaints.count_about(s.pract.id) == 2
    assert signal_of(s.pract, threshold=2).count == 2
    # the third complaint (default threshold 3) makes the signal
    complaints.file(s.client, "message", s.msg_pract.id, "offensive", TEXT)
    found = signal_of(s.pract)
    assert (found.count, found.reporters) == (3, 3)
    assert signal_of(s.pract, threshold=4) is None
    # the same reporter twice counts twice as complaints, once as a reporter
    complaints.file(s.client, "offer", s.offer.id, "fraud", TEXT)
    assert (signal_of(s.pract).count, signal_of(s.pract).reporters) == (4, 3)
    # inaccuracy reports are not complaints; dismissed complaints and old ones do not count
    complaints.file(reporters[2], "profile", s.profile.id, "wrong_name", TEXT, kind="inaccuracy")
    dismissed = complaints.file(reporters[3], "profile", s.profile.id, "spam", TEXT)
    complaints.dismiss(s.moderator, dismissed.id, "Unfounded complaint.")
    old = db.session.get(Complaint, complaints.file(reporters[2], "profile", s.profile.id, "spam", TEXT).id)
    old.created_at = utcnow() - dt.timedelta(days=app.config["COMPLAINT_SIGNAL_DAYS"] + 1)
    db.session.commit()
    assert signal_of(s.pract).count == 4 and complaints.count_about(s.pract.id) == 4
    assert signal_of(s.pract, days=app.config["COMPLAINT_SIGNAL_DAYS"] + 2).count == 5
    assert signal_of(s.client) is None  # nobody complained about the client
