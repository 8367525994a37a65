"""Rows of the XSS table: the back office (review moderation, blocking, reading reasons,
the quiz bank, staff edits of users' rows, reference data)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from portal.core.extensions import db
from tests import factories
from tests.contracts.xss_fields.common import (
    NAME,
    Field,
    completed_request,
    new_thread,
    post_ok,
    security_manager,
)


def review_hidden(w, value):
    req = completed_request(w)
    review = factories.make_review(req, w.profile, rating=1, comment="Плохо")
    post_ok(w.browsers["moderator"], f"/moderation/reviews/{review.id}/hide", {"reason": value})
    return SimpleNamespace(req=req, review=review)


def hidden_review_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{w.profile.id}"), ("admin", "/admin/audit/list/")]


def block_note(w, value):
    user = factories.make_user(security_manager(), ("Client",), first_name="Заблокированный")
    post_ok(w.browsers["moderator"], f"/moderation/accounts/{user.id}/block", {"reason": "other", "note": value})
    return SimpleNamespace(user=user)


def blocked_pages(w, o, marker):
    return [("moderator", f"/moderation/accounts/{o.user.id}"), ("admin", f"/admin/users/show/{o.user.id}"),
            ("admin", "/admin/audit/list/")]


def name_in_block_flash(w, value):
    user = factories.make_user(security_manager(), ("Client",), first_name=value[:64])
    post_ok(w.browsers["moderator"], f"/moderation/accounts/{user.id}/block", {"reason": "duplicate", "note": ""})
    return SimpleNamespace(user=user)  # the next page shows "The account of <name> is blocked"


def reading_reason(w, value):
    """Staff give a reason before reading a conversation (a GET form); it goes to the audit trail."""
    thread = new_thread(w)
    response = w.browsers["moderator"].get(f"/threads/{thread.id}", query_string={"reason": value})
    assert response.status_code == 200
    return SimpleNamespace(id=thread.id)


def audit_pages(w, o, marker):
    from portal.core.audit import AuditEntry

    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    return [("admin", "/admin/audit/list/"), ("admin", f"/admin/audit/show/{entry.id}")]


def quiz_question(w, value):
    from portal.models.practitioners import QuizQuestion

    code = "xss-" + factories.unique_email("q").split("@")[0]
    post_ok(w.browsers["admin"], "/admin/quiz-questions/add", {
        "code": code, "clause": "6.6", "text_kk": value, "text_ru": value, "text_en": value, "sort_order": "9999"})
    question = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == code)).one()
    post_ok(w.browsers["admin"], "/admin/quiz-options/add", {
        "question": str(question.id), "text_kk": value, "text_ru": value, "text_en": value, "sort_order": "1"})
    return SimpleNamespace(question=question, option=question.options[0])


def quiz_pages(w, o, marker):
    order = "?_oc_QuizQuestionAdminView=sort_order&_od_QuizQuestionAdminView=desc"
    return [("admin", f"/admin/quiz-questions/show/{o.question.id}"), ("moderator", "/admin/quiz-questions/list/" + order),
            ("admin", f"/admin/quiz-options/show/{o.option.id}")]


def staff_edit_profile(w, value):
    """Staff correct a practitioner's texts in the back office (audited)."""
    profile = factories.make_practitioner(security_manager())
    post_ok(w.browsers["moderator"], f"/admin/profiles/edit/{profile.id}", {
        "city": value[:80], "about_kk": value, "about_ru": value, "education_kk": value, "education_ru": value})
    return SimpleNamespace(id=profile.id)


def staff_edit_profile_pages(w, o, marker):
    return [("visitor", f"/practitioners/{o.id}"), ("admin", f"/admin/profiles/show/{o.id}")]


def category_names(w, value):
    code = "x" + factories.unique_email("c").split("@")[0][-20:].replace("-", "")
    post_ok(w.browsers["admin"], "/admin/categories/add", {
        "code": code, "name_kk": value[:120], "name_ru": value[:120], "name_en": value[:120],
        "description_kk": value, "description_ru": value, "description_en": value, "regulator_kk": value[:255],
        "regulator_ru": value[:255], "icon": "fa-scale-balanced", "takes_requests": "y", "sort_order": "0"})
    from portal.models.catalog import Category

    return SimpleNamespace(code=code, id=db.session.scalars(select(Category.id).where(Category.code == code)).one())


def category_pages(w, o, marker):
    return [("visitor", "/"), ("visitor", "/practitioners/"), ("visitor", f"/practitioners/category/{o.code}"),
            ("client", "/requests/new"), ("admin", f"/admin/categories/show/{o.id}")]


FIELDS = [
    Field("review hidden reason", review_hidden, hidden_review_pages),
    Field("block note", block_note, blocked_pages),
    Field("account name in the staff flash after blocking", name_in_block_flash,
          lambda w, o, m: [("moderator", f"/moderation/accounts/{o.user.id}")], max_len=NAME),
    Field("reason for reading a conversation", reading_reason, audit_pages),
    Field("quiz question and option texts", quiz_question, quiz_pages),
    Field("practitioner's city and texts (staff edit)", staff_edit_profile, staff_edit_profile_pages,
          max_len=80),
    Field("category names (admin)", category_names, category_pages, max_len=120),
]
