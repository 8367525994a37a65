"""The practitioner status machine (portal.services.practitioners: verification,
questionnaire, documents, decisions): the application, documents, quiz step,
interview, staff decisions, what the practitioner is told, public visibility,
the search index and the audit trail."""
from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.notifications import Notification
from portal.models.practitioners import (
    Interview,
    PracticeNotice,
    PractitionerProfile,
    ProfileDocument,
    ProfileStatus,
    QuizAttempt,
)
from portal.search import SearchQuery, backend
from portal.services.practitioners import decisions, documents, questionnaire
from portal.services.practitioners import verification as v
from tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    application_input,
    category,
    fails_without_change,
    make_applicant,
    make_profile,
    make_user,
    notification_count,
    pass_quiz,
    region,
    row_count,
    stored_path,
    upload,
)

S = ProfileStatus
ALL_ACTIONS = ("approve", "reject", "warn", "suspend", "revoke", "reinstate", "allow_reapply")


def en(message) -> str:
    with force_locale("en"):
        return str(message)


def unique_word() -> str:
    return "Verif" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def indexed(name: str) -> list[int]:
    return backend().search(SearchQuery(text=name, with_facets=False)).ids


def audit_rows(profile, action=None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.entity == "practitioner_profile",
                                    AuditEntry.entity_id == profile.id).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def notices_of(profile) -> list[PracticeNotice]:
    return list(db.session.scalars(select(PracticeNotice).where(PracticeNotice.profile_id == profile.id)
                                   .order_by(PracticeNotice.id)))


def kinds_of(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.fixture
def staff(sm):
    return make_user(sm, ("Moderator",), first_name="Мира", last_name="Модератор")


@pytest.fixture
def applicant(sm):
    return make_user(sm, ("Client",), first_name="Айдана", last_name="Заявитель", locale="kk")


def at(sm, staff, stage, **kw):
    return make_applicant(sm, stage, staff=staff, **kw)


def approved(sm, staff, name=None):
    return at(sm, staff, S.APPROVED, last_name=name or unique_word())


# --- the questionnaire ----------------------------------------------------------------------

def test_save_draft_creates_a_draft_with_normalized_answers_and_an_audit_entry(applicant):
    data = application_input(languages=["ru", "kk", "ru"], licence_number="  ЛИЦ-7 ")
    profile = v.save_draft(applicant, data)
    assert v.my_profile(applicant).id == profile.id
    assert profile.status == S.DRAFT and profile.submitted_at is None
    assert profile.languages == "kk,ru" and profile.licence_number == "ЛИЦ-7"
    assert [r.code for r in profile.regions] == ["KZ-75"]
    assert [(e.from_value, e.to_value, e.actor_id) for e in audit_rows(profile)] == [
        (None, S.DRAFT, applicant.id)]
    again = v.save_draft(applicant, application_input(about_ru="Новый текст", region_ids=[region("KZ-71").id]))
    assert again.id == profile.id and again.about_ru == "Новый текст"
    assert [r.code for r in again.regions] == ["KZ-71"]
    assert again.status == S.DRAFT


@pytest.mark.parametrize("fields, field", [
    ({"category_id": None}, "category_id"),
    ({"licence_date": dt.date.today() + dt.timedelta(days=2)}, "licence_date"),
    ({"price_from": 0}, "price_from"),
    ({"price_from": -100}, "price_from"),
    ({"experience_years": 71}, "experience_years"),
    ({"experience_years": -1}, "experience_years"),
    ({"languages": ["ru", "de"]}, "languages"),
    ({"region_ids": [987654]}, "region_ids"),
    ({"licence_number": "x" * 65}, "licence_number"),
    ({"about_ru": "x" * 5001}, "about_ru"),
])
def test_save_draft_rejects_bad_formats_on_the_right_field(applicant, fields, field):
    with fails_without_change(field=field, count_of=[(PractitionerProfile, {"user_id": applicant.id})]):
        v.save_draft(applicant, application_input(**fields))


def test_specializations_must_belong_to_the_category(applicant):
    notary_spec = category("notary").specializations[0].id
    with fails_without_change(field="specialization_ids",
                              count_of=[(PractitionerProfile, {"user_id": applicant.id})]):
        v.save_draft(applicant, application_input("advocate", specialization_ids=[notary_spec]))


def test_a_draft_is_saved_incomplete_and_missing_lists_what_the_category_requires(applicant):
    empty = application_input("advocate", licence_number="", licence_date=None, licensor="", chamber="",
                              membership_id="", region_ids=[], languages=[], about_kk="", about_ru="")
    profile = v.save_draft(applicant, empty)
    assert profile.status == S.DRAFT
    assert [f for f, _m in questionnaire.missing_fields(profile)] == [
        "licence_number", "licence_date", "licensor", "chamber", "membership_id", "region_ids", "languages",
        "about_ru", "licence"]
    assert en(questionnaire.missing(profile)[0]) == "Enter the licence number."
    assert en(questionnaire.missing(profile)[-1]) == "Upload a copy of your licence."


@pytest.mark.parametrize("code, required", [
    ("notary", {"licence_number", "licence_date", "licensor", "chamber", "licence"}),
    ("bailiff", {"licence_number", "licence_date", "licensor", "chamber", "licence"}),
    ("advocate", {"licence_number", "licence_date", "licensor", "chamber", "membership_id", "licence"}),
    ("expert", {"licence_number", "licence_date", "licensor", "licence"}),
    ("consultant", set()),
])
def test_required_fields_depend_on_the_category(applicant, code, required):
    common = {"region_ids", "languages", "about_ru"}
    empty = application_input(code, licence_number="", licence_date=None, licensor="", chamber="",
                              membership_id="", region_ids=[], languages=[], about_kk="", about_ru="")
    profile = v.save_draft(applicant, empty)
    assert {f for f, _m in questionnaire.missing_fields(profile)} == required | common
    # about in either language is enough
    v.save_draft(applicant, application_input(code, about_ru="", about_kk="Заңгер"))
    assert {f for f, _m in questionnaire.missing_fields(profile)} == ({"licence"} & required)


def test_submit_refuses_an_incomplete_application_and_changes_nothing(applicant):
    profile = v.save_draft(applicant, application_input())  # no licence copy uploaded
    with fails_without_change(profile, field="licence") as info:
        v.submit(applicant)
    assert "Upload a copy of your licence." in en(info.value.message)


def test_submit_moves_a_complete_draft_to_review_and_tells_the_applicant(applicant):
    profile = v.save_draft(applicant, application_input(), {"licence": [upload()]})
    assert questionnaire.missing(profile) == []
    v.submit(applicant)
    db.session.refresh(profile)
    assert profile.status == S.SUBMITTED and profile.submitted_at is not None
    entry = audit_rows(profile)[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id, entry.action) == (
        S.DRAFT, S.SUBMITTED, applicant.id, "status")
    assert kinds_of(applicant) == ["application_submitted"]
    note = db.session.scalars(select(Notification).where(Notification.user_id == applicant.id)).one()
    assert note.link == "/practice/"
    with fails_without_change(profile) as info:
        v.submit(applicant)
    assert en(info.value.message) == "Your application has already been submitted."
    with fails_without_change(profile):  # under review: the questionnaire is frozen
        v.save_draft(applicant, application_input(about_ru="Другое"))


def test_functions_of_the_applicant_need_an_application(applicant):
    with pytest.raises(NotFound):
        v.submit(applicant)
    with pytest.raises(NotFound):
        v.update_public_profile(applicant, application_input())


# --- documents ------------------------------------------------------------------------------

def test_documents_are_stored_privately_under_instance_uploads_profiles(app, applicant):
    profile = v.save_draft(applicant, application_input(),
                           {"licence": [upload()], "photo": [upload(PNG_BYTES, "me.png", "image/png")]})
    kinds = sorted((d.kind, d.content_type) for d in profile.documents)
    assert kinds == [("licence", "application/pdf"), ("photo", "image/png")]
    for doc in profile.documents:
        path = stored_path(documents.document_key(doc))
        assert path.startswith(os.path.join(app.instance_path, "uploads", "profiles"))
        assert os.path.isfile(path)
        assert "static" not in path


@pytest.mark.parametrize("files, field, text", [
    ({"licence": [upload(b"just some text, not a pdf", "licence.pdf")]}, "licence",
     "The file licence.pdf is not a PDF, JPEG or PNG file."),
    ({"photo": [upload(PDF_BYTES, "photo.png", "image/png")]}, "photo", "The photo must be a JPEG or PNG image."),
    ({"photo": [upload(PNG_BYTES, "a.png"), upload(PNG_BYTES, "b.png")]}, "photo", "Upload one photo."),
    ({"licence": [upload(b"", "empty.pdf")]}, "licence", "The file empty.pdf is empty."),
    ({"passport": [upload()]}, "passport", "Unknown kind of document."),
])
def test_document_type_is_checked_by_content(applicant, files, field, text):
    with fails_without_change(field=field, count_of=[(PractitionerProfile, {"user_id": applicant.id}),
                                                     (ProfileDocument, {})]) as info:
        v.save_draft(applicant, application_input(), files)
    assert en(info.value.message) == text


def test_document_size_and_count_limits(app, applicant, monkeypatch):
    profile = v.save_draft(applicant, application_input(), {"licence": [upload()]})
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    with fails_without_change(field="other", count_of=[(ProfileDocument, {"profile_id": profile.id})]) as info:
        v.save_draft(applicant, application_input(), {"other": [upload(PDF_BYTES + b"0" * 2000, "big.pdf")]})
    assert "is larger than" in en(info.value.message)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_COUNT", 2)
    v.save_draft(applicant, application_input(), {"licence": [upload()]})  # the second one: fine
    with fails_without_change(field="licence", count_of=[(ProfileDocument, {"profile_id": profile.id})]):
        v.save_draft(applicant, application_input(), {"licence": [upload()]})


def test_a_new_photo_replaces_the_old_one_and_its_file(applicant):
    profile = v.save_draft(applicant, application_input(), {"photo": [upload(PNG_BYTES, "a.png")]})
    old = documents.photo_of(profile)
    old_path = stored_path(documents.document_key(old))
    v.save_draft(applicant, application_input(), {"photo": [upload(JPEG_BYTES, "b.jpg", "image/jpeg")]})
    photos = [d for d in profile.documents if d.kind == "photo"]
    assert [(p.original_name, p.content_type) for p in photos] == [("b.jpg", "image/jpeg")]
    assert not os.path.exists(old_path)
    assert row_count(ProfileDocument, profile_id=profile.id, kind="photo") == 1


def test_a_rolled_back_upload_leaves_no_file(sm, staff, tmp_path):
    profile = approved(sm, staff)
    folder = os.path.dirname(stored_path(documents.document_key(profile.documents[0])))
    before = set(os.listdir(folder))
    bad = application_input(region_ids=[])  # a public profile must stay complete
    with fails_without_change(profile, field="region_ids", count_of=[(ProfileDocument, {})]):
        v.update_public_profile(profile.user, bad, {"other": [upload()]})
    assert set(os.listdir(folder)) == before


def test_who_may_read_a_document(sm, staff, applicant):
    profile = v.save_draft(applicant, application_input(),
                           {"licence": [upload()], "photo": [upload(PNG_BYTES, "me.png")]})
    licence = next(d for d in profile.documents if d.kind == "licence")
    photo = documents.photo_of(profile)
    stranger = make_user(sm, ("Client",))
    assert documents.document_for(applicant, licence.id).id == licence.id
    for user in (stranger, None):
        with pytest.raises(NotFound):
            documents.document_for(user, licence.id)
        with pytest.raises(NotFound):  # not public yet: the photo is private too
            documents.document_for(user, photo.id)
    assert documents.document_for(staff, licence.id).id == licence.id
    staff_reads = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "profile_document", AuditEntry.entity_id == licence.id)).all()
    assert [(e.action, e.actor_id) for e in staff_reads] == [("staff_download", staff.id)]
    with pytest.raises(NotFound):
        documents.document_for(staff, 10 ** 9)


def test_the_photo_of_a_public_profile_is_public_the_licence_is_not(sm, staff):
    profile = approved(sm, staff)
    v.update_public_profile(profile.user, questionnaire.input_from(profile), {"photo": [upload(PNG_BYTES, "me.png")]})
    photo = documents.photo_of(profile)
    licence = next(d for d in profile.documents if d.kind == "licence")
    assert documents.document_for(None, photo.id).id == photo.id
    with pytest.raises(NotFound):
        documents.document_for(None, licence.id)
    decisions.suspend(staff, profile.id, reason="check")
    with pytest.raises(NotFound):
        documents.document_for(None, photo.id)


def test_remove_document_rules(sm, staff, applicant):
    profile = v.save_draft(applicant, application_input(), {"licence": [upload()], "other": [upload()]})
    other = next(d for d in profile.documents if d.kind == "other")
    path = stored_path(documents.document_key(other))
    with pytest.raises(NotFound):  # not the owner
        v.remove_document(make_user(sm, ("Client",)), other.id)
    v.remove_document(applicant, other.id)
    assert row_count(ProfileDocument, id=other.id) == 0 and not os.path.exists(path)
    v.submit(applicant)
    licence = next(d for d in profile.documents if d.kind == "licence")
    with fails_without_change(count_of=[(ProfileDocument, {"id": licence.id})]) as info:
        v.remove_document(applicant, licence.id)
    assert en(info.value.message) == "The application cannot be changed while it is under review."
    public = approved(sm, staff)
    licence = next(d for d in public.documents if d.kind == "licence")
    with fails_without_change(count_of=[(ProfileDocument, {"id": licence.id})]):
        v.remove_document(public.user, licence.id)


# --- quiz and interview -----------------------------------------------------------------------

def test_quiz_passed_moves_submitted_to_quiz_passed_only_with_a_passed_attempt(sm, staff):
    profile = at(sm, staff, S.SUBMITTED)
    failed = QuizAttempt(profile_id=profile.id, score=3, total=10, passed=False, finished_at=utcnow())
    db.session.add(failed)
    db.session.commit()
    with fails_without_change(profile) as info:
        v.quiz_passed(profile, failed)
    assert en(info.value.message) == "The applicant has not passed the agreement quiz."
    attempt = pass_quiz(profile)
    assert profile.status == S.QUIZ_PASSED
    entry = audit_rows(profile)[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id) == (S.SUBMITTED, S.QUIZ_PASSED, profile.user_id)
    with fails_without_change(profile):  # only once
        v.quiz_passed(profile, attempt)
    draft = at(sm, staff, S.DRAFT)
    attempt = QuizAttempt(profile_id=draft.id, score=9, total=10, passed=True)
    db.session.add(attempt)
    db.session.commit()
    with fails_without_change(draft):
        v.quiz_passed(draft, attempt)


def test_schedule_interview_after_the_quiz_notifies_and_audits(sm, staff):
    profile = at(sm, staff, S.QUIZ_PASSED)
    when = utcnow().replace(microsecond=0) + dt.timedelta(days=3)
    interview = decisions.schedule_interview(staff, profile.id, when, "phone", notes="позвонить утром")
    db.session.refresh(profile)
    assert profile.status == S.INTERVIEW_SCHEDULED
    assert (interview.scheduled_at, interview.mode, interview.staff_id, interview.outcome) == (
        when, "phone", staff.id, "pending")
    statuses = audit_rows(profile, "status")
    assert (statuses[-1].from_value, statuses[-1].to_value, statuses[-1].actor_id) == (
        S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED, staff.id)
    assert audit_rows(profile, "interview")[-1].actor_id == staff.id
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == profile.user_id, Notification.kind == "interview_scheduled")).one()
    params = json.loads(note.params)
    assert set(params["mode"]) == {"kk", "ru", "en"} and params["mode"]["en"] == "By phone"
    assert str(when.year) in params["when"]["ru"]
    # re-scheduling moves the pending interview instead of adding one
    later = when + dt.timedelta(days=1)
    again = decisions.schedule_interview(staff, profile.id, later, "in_person")
    assert again.id == interview.id and again.scheduled_at == later
    assert row_count(Interview, profile_id=profile.id) == 1
    assert kinds_of(profile.user).count("interview_scheduled") == 2


def test_schedule_interview_takes_a_timezone_aware_time_as_utc(sm, staff):
    profile = at(sm, staff, S.QUIZ_PASSED)
    almaty = dt.timezone(dt.timedelta(hours=5))
    local = dt.datetime.now(almaty).replace(microsecond=0, second=0) + dt.timedelta(days=1)
    interview = decisions.schedule_interview(staff, profile.id, local, "in_person")
    assert interview.scheduled_at == local.astimezone(dt.timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize("stage", [S.DRAFT, S.SUBMITTED, S.APPROVED])
def test_no_interview_before_the_quiz_or_after_approval(sm, staff, stage):
    profile = at(sm, staff, stage)
    with fails_without_change(profile, count_of=[(Interview, {"profile_id": profile.id})]):
        decisions.schedule_interview(staff, profile.id, utcnow() + dt.timedelta(days=1), "phone")


@pytest.mark.parametrize("when, mode, field", [
    (dt.timedelta(hours=-1), "phone", "when"),
    (dt.timedelta(days=1), "video", "mode"),
])
def test_schedule_interview_checks_time_and_mode(sm, staff, when, mode, field):
    profile = at(sm, staff, S.QUIZ_PASSED)
    with fails_without_change(profile, field=field, count_of=[(Interview, {"profile_id": profile.id})]):
        decisions.schedule_interview(staff, profile.id, utcnow() + when, mode)


def test_only_staff_and_never_on_their_own_profile(sm, staff):
    profile = at(sm, staff, S.QUIZ_PASSED)
    client = make_user(sm, ("Client", "Practitioner"))
    with fails_without_change(profile) as info:
        decisions.schedule_interview(client, profile.id, utcnow() + dt.timedelta(days=1), "phone")
    assert en(info.value.message) == "Only moderators and administrators can do this."
    own = make_applicant(sm, S.QUIZ_PASSED, staff=staff)
    own.user.roles.append(sm.find_role("Moderator"))
    db.session.commit()
    with fails_without_change(own) as info:
        decisions.schedule_interview(own.user, own.id, utcnow() + dt.timedelta(days=1), "phone")
    assert en(info.value.message) == "You cannot decide on your own practice."
    with pytest.raises(NotFound):
        decisions.approve(staff, 10 ** 9)


def _scheduled(sm, staff):
    profile = at(sm, staff, S.INTERVIEW_SCHEDULED, interview_outcome="pending")
    return profile, decisions.latest_interview(profile)


@pytest.mark.parametrize("digits, stored", [("1234", "1234"), (" 56 ", "56"), ("", None), (None, None)])
def test_record_interview_keeps_at_most_four_passport_digits(sm, staff, digits, stored):
    profile, interview = _scheduled(sm, staff)
    decisions.record_interview(staff, interview.id, "passed", "паспорт проверен", True, digits)
    db.session.refresh(interview)
    assert interview.outcome == "passed" and interview.passport_checked
    assert interview.passport_last_digits == stored
    assert interview.passport_checked_by_id == staff.id and interview.passport_checked_at is not None
    assert interview.recorded_at is not None
    entry = audit_rows(profile, "interview")[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id) == ("pending", "passed", staff.id)
    assert "1234" not in entry.reason


@pytest.mark.parametrize("digits", ["12345", "123456789012", "12a4", "12-4", "١٢٣", "N1234"])
def test_record_interview_rejects_more_than_four_digits_or_non_digits(sm, staff, digits):
    profile, interview = _scheduled(sm, staff)
    with fails_without_change(interview, profile, field="passport_last_digits"):
        decisions.record_interview(staff, interview.id, "passed", "", True, digits)


def test_record_interview_other_rules(sm, staff):
    profile, interview = _scheduled(sm, staff)
    with fails_without_change(interview, field="passport_last_digits"):  # digits of an unchecked passport
        decisions.record_interview(staff, interview.id, "passed", "", False, "1234")
    with fails_without_change(interview, field="outcome"):
        decisions.record_interview(staff, interview.id, "pending", "", True, None)
    with fails_without_change(interview, field="outcome"):
        decisions.record_interview(staff, interview.id, "great", "", True, None)
    with pytest.raises(NotFound):
        decisions.record_interview(staff, 10 ** 9, "passed", "", True, None)
    decisions.record_interview(staff, interview.id, "no_show", "не пришёл", False, None)
    assert interview.passport_checked_by_id is None and interview.passport_last_digits is None
    # after a recorded interview a new one may be scheduled: a second row
    second = decisions.schedule_interview(staff, profile.id, utcnow() + dt.timedelta(days=5), "phone")
    assert second.id != interview.id and decisions.latest_interview(profile).id == second.id
    decisions.reject(staff, profile.id, reason="не явился дважды")
    with fails_without_change(second):
        decisions.record_interview(staff, second.id, "passed", "", True, None)


# --- approval -----------------------------------------------------------------------------

def _no_quiz(sm, staff):
    """An interview_scheduled profile with a passed interview but no passed quiz attempt."""
    profile = at(sm, staff, S.INTERVIEW_SCHEDULED)
    db.session.query(QuizAttempt).filter_by(profile_id=profile.id).delete()
    db.session.commit()
    return profile


def _no_interview(sm, staff):
    profile = at(sm, staff, S.INTERVIEW_SCHEDULED)
    db.session.query(Interview).filter_by(profile_id=profile.id).delete()
    db.session.commit()
    return profile


@pytest.mark.parametrize("make, text", [
    (_no_quiz, "The applicant has not passed the agreement quiz."),
    (_no_interview, "The applicant has had no interview."),
    (lambda sm, st: at(sm, st, S.INTERVIEW_SCHEDULED, interview_outcome="pending"),
     "The result of the interview has not been recorded yet."),
    (lambda sm, st: at(sm, st, S.INTERVIEW_SCHEDULED, interview_outcome="failed"),
     "The applicant did not pass the interview."),
    (lambda sm, st: at(sm, st, S.INTERVIEW_SCHEDULED, interview_outcome="no_show"),
     "The applicant did not pass the interview."),
    (lambda sm, st: at(sm, st, S.INTERVIEW_SCHEDULED, passport_checked=False),
     "The applicant's passport was not checked at the interview."),
    (lambda sm, st: at(sm, st, S.QUIZ_PASSED), "The applicant has had no interview."),
    (lambda sm, st: at(sm, st, S.SUBMITTED), "Only an application that passed the quiz and the interview can be approved."),
])
def test_approve_refuses_without_every_check(sm, staff, make, text):
    profile = make(sm, staff)
    user = profile.user
    with fails_without_change(profile, user, count_of=[(PracticeNotice, {"profile_id": profile.id}),
                                                       (AuditEntry, {"entity_id": profile.id,
                                                                     "entity": "practitioner_profile"})]) as info:
        decisions.approve(staff, profile.id, reason="ok")
    assert en(info.value.message) == text
    db.session.refresh(user)
    assert not user.has_role("Practitioner")
    assert en(decisions.approval_problems(profile)[0]) == text


def test_approve_needs_the_latest_interview_passed(sm, staff):
    profile = at(sm, staff, S.INTERVIEW_SCHEDULED)  # passed
    decisions.schedule_interview(staff, profile.id, utcnow() + dt.timedelta(days=1), "phone")  # a second, pending
    with fails_without_change(profile) as info:
        decisions.approve(staff, profile.id)
    assert en(info.value.message) == "The result of the interview has not been recorded yet."


def test_approve_makes_a_public_verified_practitioner(sm, staff, client):
    name = unique_word()
    profile = at(sm, staff, S.INTERVIEW_SCHEDULED, last_name=name)
    assert not profile.is_public and indexed(name) == []
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert decisions.approval_problems(profile) == []
    decisions.approve(staff, profile.id, reason="все проверки пройдены", message="Добро пожаловать!")
    db.session.refresh(profile)
    assert profile.status == S.APPROVED and profile.is_public
    assert profile.verified_since is not None and profile.verified_since <= utcnow()
    assert profile.user.has_role("Practitioner") and profile.user.has_role("Client")
    entry = audit_rows(profile, "status")[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id, entry.reason) == (
        S.INTERVIEW_SCHEDULED, S.APPROVED, staff.id, "все проверки пройдены")
    assert [(n.action, n.message, n.actor_id) for n in notices_of(profile)] == [
        ("approve", "Добро пожаловать!", staff.id)]
    assert kinds_of(profile.user)[-1] == "application_approved"
    assert indexed(name) == [profile.id]
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 200


# --- decisions on verified practitioners -------------------------------------------------------

def test_reject_tells_nothing_but_the_decision(sm, staff):
    for stage in (S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED):
        profile = at(sm, staff, stage)
        with fails_without_change(profile, field="reason"):
            decisions.reject(staff, profile.id, reason="  ")
        decisions.reject(staff, profile.id, reason="сомнения в лицензии", message="секрет")
        db.session.refresh(profile)
        assert profile.status == S.REJECTED and not profile.may_reapply
        assert [(n.action, n.message) for n in notices_of(profile)] == [("reject", "")]
        entry = audit_rows(profile, "status")[-1]
        assert (entry.from_value, entry.to_value, entry.reason, entry.actor_id) == (
            stage, S.REJECTED, "сомнения в лицензии", staff.id)
        assert kinds_of(profile.user)[-1] == "application_rejected"
        note = db.session.scalars(select(Notification).where(
            Notification.user_id == profile.user_id, Notification.kind == "application_rejected")).one()
        assert "сомнения" not in note.params and "секрет" not in note.params


def test_warn_keeps_the_practitioner_public_and_shows_the_message(sm, staff, client):
    name = unique_word()
    profile = approved(sm, staff, name)
    with fails_without_change(profile, field="message"):
        decisions.warn(staff, profile.id, reason="жалоба", message="")
    decisions.warn(staff, profile.id, reason="грубость в переписке", message="Соблюдайте правила 6.6.")
    decisions.warn(staff, profile.id, reason="снова", message="Последнее предупреждение.")
    db.session.refresh(profile)
    assert profile.status == S.WARNED and profile.is_public
    assert [(e.from_value, e.to_value) for e in audit_rows(profile, "status")][-2:] == [
        (S.APPROVED, S.WARNED), (S.WARNED, S.WARNED)]
    assert [(n.action, n.message) for n in notices_of(profile)][-2:] == [
        ("warn", "Соблюдайте правила 6.6."), ("warn", "Последнее предупреждение.")]
    assert kinds_of(profile.user).count("practice_warned") == 2
    assert indexed(name) == [profile.id]
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 200
    decisions.reinstate(staff, profile.id, reason="исправился")  # lifts the warning
    db.session.refresh(profile)
    assert profile.status == S.APPROVED and indexed(name) == [profile.id]


def test_suspend_hides_and_reinstate_shows_again(sm, staff, client):
    name = unique_word()
    profile = approved(sm, staff, name)
    since = profile.verified_since
    decisions.suspend(staff, profile.id, reason="проверка жалоб", message="Временно приостановлено.")
    db.session.refresh(profile)
    assert profile.status == S.SUSPENDED and not profile.is_public
    assert indexed(name) == []
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert [(n.action, n.message) for n in notices_of(profile)][-1] == ("suspend", "Временно приостановлено.")
    assert kinds_of(profile.user)[-1] == "practice_suspended"
    decisions.reinstate(staff, profile.id, reason="жалобы не подтвердились", message="Вы снова в каталоге.")
    db.session.refresh(profile)
    assert profile.status == S.APPROVED and profile.is_public and profile.verified_since == since
    assert indexed(name) == [profile.id]
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 200
    assert kinds_of(profile.user)[-1] == "practice_reinstated"
    entries = [(e.from_value, e.to_value, e.reason) for e in audit_rows(profile, "status")][-2:]
    assert entries == [(S.APPROVED, S.SUSPENDED, "проверка жалоб"),
                       (S.SUSPENDED, S.APPROVED, "жалобы не подтвердились")]


@pytest.mark.parametrize("before", [S.APPROVED, S.WARNED, S.SUSPENDED])
def test_revoke_hides_for_good_but_keeps_the_role(sm, staff, client, before):
    name = unique_word()
    profile = approved(sm, staff, name)
    if before == S.WARNED:
        decisions.warn(staff, profile.id, reason="r", message="m")
    elif before == S.SUSPENDED:
        decisions.suspend(staff, profile.id, reason="r")
    decisions.revoke(staff, profile.id, reason="нарушение 6.6", message="")
    db.session.refresh(profile)
    assert profile.status == S.REVOKED and not profile.is_public
    assert indexed(name) == []
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert profile.user.has_role("Practitioner")  # the status decides, see models.practitioners.active_profile
    assert kinds_of(profile.user)[-1] == "practice_revoked"
    entry = audit_rows(profile, "status")[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id) == (before, S.REVOKED, staff.id)
    with fails_without_change(profile):
        decisions.reinstate(staff, profile.id, reason="передумали")


# every action from every status the table does not allow: an error and no change
ALLOWED = {
    "approve": {S.INTERVIEW_SCHEDULED, S.QUIZ_PASSED},
    "reject": {S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED},
    "warn": {S.APPROVED, S.WARNED},
    "suspend": {S.APPROVED, S.WARNED},
    "revoke": {S.APPROVED, S.WARNED, S.SUSPENDED},
    "reinstate": {S.SUSPENDED, S.WARNED},
    "allow_reapply": {S.REJECTED, S.REVOKED},
}


def _profile_in(sm, staff, status):
    if status in (S.DRAFT, S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED, S.APPROVED):
        return at(sm, staff, status)
    profile = approved(sm, staff)
    if status == S.REJECTED:
        profile = at(sm, staff, S.SUBMITTED)
        decisions.reject(staff, profile.id, reason="r")
    elif status == S.WARNED:
        decisions.warn(staff, profile.id, reason="r", message="m")
    elif status == S.SUSPENDED:
        decisions.suspend(staff, profile.id, reason="r")
    elif status == S.REVOKED:
        decisions.revoke(staff, profile.id, reason="r")
    db.session.refresh(profile)
    return profile


@pytest.mark.parametrize("status", S.ALL)
def test_every_illegal_transition_raises_and_changes_nothing(sm, staff, status):
    profile = _profile_in(sm, staff, status)
    assert profile.status == status
    illegal = [name for name in ALL_ACTIONS if status not in ALLOWED[name]]
    for name in illegal:
        with fails_without_change(profile, profile.user,
                                  count_of=[(PracticeNotice, {"profile_id": profile.id}),
                                            (AuditEntry, {"entity": "practitioner_profile",
                                                          "entity_id": profile.id})]):
            decisions.act(staff, profile.id, name, reason="причина", message="сообщение")
    assert sorted(a for a in decisions.allowed_actions(profile) if a != "clear_flag") == sorted(
        name for name in ALL_ACTIONS if status in ALLOWED[name])
    db.session.refresh(profile)
    assert profile.status == status


def test_actions_table_matches_the_transitions():
    for name, (function, statuses, label) in decisions.ACTIONS.items():
        assert callable(function) and en(label)
        if name in ALLOWED:
            assert set(statuses) == ALLOWED[name]
    with pytest.raises(NotFound):
        decisions.act(None, 1, "delete_everything")


def test_decisions_need_an_internal_reason(sm, staff):
    profile = approved(sm, staff)
    for name in ("warn", "suspend", "revoke"):
        with fails_without_change(profile, field="reason"):
            decisions.act(staff, profile.id, name, reason="", message="m")


# --- reapplying and flags --------------------------------------------------------------------------

def test_reapply_after_rejection(sm, staff):
    profile = at(sm, staff, S.SUBMITTED)
    user = profile.user
    decisions.reject(staff, profile.id, reason="неполные документы")
    with fails_without_change(profile) as info:
        v.save_draft(user, application_input(about_ru="Исправил"))
    assert en(info.value.message) == "You cannot apply again unless the moderators allow it."
    with fails_without_change(profile):
        v.submit(user)
    decisions.allow_reapply(staff, profile.id, reason="прислал новые документы", message="Подайте заново.")
    db.session.refresh(profile)
    assert profile.may_reapply and profile.status == S.REJECTED
    assert [(n.action, n.message) for n in notices_of(profile)][-1] == ("allow_reapply", "Подайте заново.")
    assert kinds_of(user)[-1] == "reapply_allowed"
    assert audit_rows(profile, "allow_reapply")[-1].actor_id == staff.id
    with fails_without_change(profile) as info:
        decisions.allow_reapply(staff, profile.id, reason="ещё раз")
    assert en(info.value.message) == "This practitioner may already apply again."
    v.save_draft(user, application_input(about_ru="Исправил"))
    db.session.refresh(profile)
    assert profile.status == S.DRAFT and not profile.may_reapply and profile.about_ru == "Исправил"
    assert (audit_rows(profile, "status")[-1].from_value, audit_rows(profile, "status")[-1].to_value) == (
        S.REJECTED, S.DRAFT)
    v.submit(user)
    db.session.refresh(profile)
    assert profile.status == S.SUBMITTED


def test_reapply_after_revocation_submits_directly(sm, staff):
    name = unique_word()
    profile = approved(sm, staff, name)
    decisions.revoke(staff, profile.id, reason="r")
    decisions.allow_reapply(staff, profile.id, reason="срок истёк")
    v.submit(profile.user)
    db.session.refresh(profile)
    assert profile.status == S.SUBMITTED and not profile.may_reapply
    assert indexed(name) == []


def test_clear_flag(sm, staff):
    profile = approved(sm, staff)
    with fails_without_change(profile) as info:
        decisions.clear_flag(staff, profile.id, reason="посмотрела")
    assert en(info.value.message) == "This profile is not flagged."
    assert "clear_flag" not in decisions.allowed_actions(profile)
    profile.flagged_at, profile.flag_reason = utcnow(), "negative_reviews"
    db.session.commit()
    assert "clear_flag" in decisions.allowed_actions(profile)
    notes = notification_count(profile.user)
    decisions.clear_flag(staff, profile.id, reason="отзывы необоснованны")
    db.session.refresh(profile)
    assert profile.flagged_at is None and profile.flag_reason is None
    entry = audit_rows(profile, "unflag")[-1]
    assert (entry.from_value, entry.actor_id, entry.reason) == ("negative_reviews", staff.id,
                                                                "отзывы необоснованны")
    assert notification_count(profile.user) == notes


# --- the verified practitioner edits the public profile ---------------------------------------------

def test_ordinary_edits_stay_public_and_are_reindexed(sm, staff):
    name, word = unique_word(), unique_word()
    profile = approved(sm, staff, name)
    assert indexed(word) == []
    v.update_public_profile(profile.user, application_input(about_ru=f"Специализируюсь: {word}.",
                                                            price_from=30000, city="Астана"))
    db.session.refresh(profile)
    assert profile.status == S.APPROVED and profile.price_from == 30000 and profile.city == "Астана"
    assert indexed(word) == [profile.id]


@pytest.mark.parametrize("change", [
    {"licence_number": "ЛИЦ-9999"},
    {"licence_date": dt.date(2016, 5, 5)},
    {"licensor": "Другой орган"},
    {"category": "consultant"},
])
def test_licence_or_category_changes_go_back_to_review(sm, staff, client, change):
    name = unique_word()
    profile = approved(sm, staff, name)
    if "category" in change:
        data = application_input(change["category"])
    else:
        data = application_input(**change)
    v.update_public_profile(profile.user, data)
    db.session.refresh(profile)
    assert profile.status == S.QUIZ_PASSED and not profile.is_public
    assert indexed(name) == []
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    entry = audit_rows(profile, "status")[-1]
    assert (entry.from_value, entry.to_value, entry.actor_id) == (S.APPROVED, S.QUIZ_PASSED, profile.user_id)
    assert notices_of(profile)[-1].action == "back_to_review"
    # the quiz and the interview passed before still count: a moderator approves again
    decisions.approve(staff, profile.id, reason="licence checked")
    db.session.refresh(profile)
    assert profile.status == S.APPROVED and indexed(name) != []


def test_public_edits_keep_the_profile_complete_and_only_verified_may_edit(sm, staff, applicant):
    profile = approved(sm, staff)
    with fails_without_change(profile, field="chamber"):
        v.update_public_profile(profile.user, application_input(chamber=""))
    v.save_draft(applicant, application_input())
    with fails_without_change() as info:
        v.update_public_profile(applicant, application_input())
    assert en(info.value.message) == "Only a verified practitioner edits the public profile."
    with fails_without_change(profile) as info:
        v.save_draft(profile.user, application_input())
    assert en(info.value.message) == "You are verified: edit your public profile instead."


def test_input_from_round_trips(sm, staff):
    profile = approved(sm, staff)
    data = questionnaire.input_from(profile)
    assert data.languages == ["kk", "ru"] and data.region_ids == [r.id for r in profile.regions]
    v.update_public_profile(profile.user, data)
    db.session.refresh(profile)
    assert profile.status == S.APPROVED


def test_imported_profiles_without_documents_can_still_be_decided(sm, staff):
    """Profiles made outside the application (import, demo) take staff decisions too."""
    user = make_user(sm, ("Client", "Practitioner"))
    profile = make_profile(user)
    decisions.suspend(staff, profile.id, reason="проверка")
    decisions.reinstate(staff, profile.id, reason="ok")
    db.session.refresh(profile)
    assert profile.status == S.APPROVED


def test_notifications_are_rendered_for_the_practitioner(sm, staff):
    profile = approved(sm, staff)
    rows = db.session.scalars(select(Notification).where(Notification.user_id == profile.user_id)
                              .order_by(Notification.id)).all()
    assert [r.kind for r in rows] == ["application_submitted", "interview_scheduled", "application_approved"]
    from portal.services.notifications import kinds

    for row in rows:
        assert all(r.link == "/practice/" for r in rows)
        with force_locale("en"):
            title = kinds.render(row)
        assert title and "%(" not in title
    assert kinds.KINDS["application_approved"].mandatory
    count = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == profile.user_id))
    assert count == 3


def test_a_new_application_needs_a_new_quiz_and_interview(sm, staff):
    profile = approved(sm, staff)
    decisions.revoke(staff, profile.id, reason="6.6")
    decisions.allow_reapply(staff, profile.id, reason="appeal accepted")
    v.submit(profile.user)
    db.session.refresh(profile)
    assert profile.status == S.SUBMITTED and profile.verified_since is None
    assert not decisions.has_passed_quiz(profile)  # the pass of the first application no longer counts
    pass_quiz(profile)
    db.session.commit()
    db.session.refresh(profile)
    assert profile.status == S.QUIZ_PASSED
    problems = [en(p) for p in decisions.approval_problems(profile)]
    assert problems == ["The applicant has had no interview."]  # the old interview no longer counts
