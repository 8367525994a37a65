"""The agreement quiz (portal.services.practitioners.quiz, portal.views.practitioners.quiz): the question
bank and its loading, the draw, scoring and pass mark, attempts, cool-down,
who may start, the pass moving the profile on, the pages and the back office."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.content import quiz_bank
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.practitioners import ProfileStatus, QuizAttempt, QuizOption, QuizQuestion
from portal.services import catalog
from portal.services.practitioners import decisions, quiz
from portal.services.practitioners import verification as v
from tests.factories import (
    committed_state,
    fails_without_change,
    make_applicant,
    make_profile,
    make_user,
    row_count,
)

S = ProfileStatus
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def en(message) -> str:
    with force_locale("en"):
        return str(message)


def applicant(sm, **kw):
    profile = make_applicant(sm, **kw)
    return profile.user, profile


def answers(attempt, right: int, skip: int = 0) -> dict[int, int]:
    """The first ``right`` questions answered correctly, the next ``skip`` left
    unanswered, the rest answered wrongly."""
    out = {}
    for i, q in enumerate(quiz.questions(attempt)):
        if right <= i < right + skip:
            continue
        wanted = i < right
        out[q.id] = next(o for o in q.options if o.is_correct == wanted).id
    return out


def take(user, right: int, now=None, skip: int = 0):
    attempt = quiz.start(user, now=now)
    return quiz.submit(user, attempt.id, answers(attempt, right, skip), now=now)


def status_in_db(profile) -> str:
    return committed_state(profile)[0]["status"]


# --- the bank --------------------------------------------------------------------------------------

def test_the_bank_file_has_enough_questions_each_with_one_correct_option_in_kk_ru_en():
    bank = quiz_bank.QUESTIONS
    assert len(bank) >= 18
    codes = [q.code for q in bank]
    assert len(set(codes)) == len(codes)
    for q in bank:
        assert q.code.startswith("q-") and len(q.code) <= 40, q.code
        assert q.clause and len(q.clause) <= 20, q.code
        assert q.ru.strip() and q.kk.strip() and q.en.strip(), q.code
        assert q.kk != q.ru and KAZAKH_LETTERS.search(q.kk + "".join(o.kk for o in q.options)), q.code
        assert 3 <= len(q.options) <= 4, q.code
        assert sum(o.correct for o in q.options) == 1, q.code
        for o in q.options:
            assert o.ru.strip() and o.kk.strip() and o.en.strip(), q.code
        assert len({o.ru for o in q.options}) == len(q.options), q.code
    # the rules the issue names are all asked about
    clauses = {q.clause.split()[0] for q in bank}
    assert {"1.15", "1.16", "1.17", "1.21", "3.1", "4.1", "6.2", "6.3", "6.4", "6.5", "6.6", "8.2",
            "11.4"} <= clauses


def test_the_bank_is_in_the_database_with_its_options(app):
    rows = {q.code: q for q in db.session.scalars(select(QuizQuestion))}
    for item in quiz_bank.QUESTIONS:
        row = rows[item.code]
        assert row.text_kk and row.text_ru and row.clause == item.clause
        assert [o.text_ru for o in row.options] == [o.ru for o in item.options]  # stored order
        assert sum(o.is_correct for o in row.options) == 1
    assert len(quiz.usable_question_ids()) >= 15


def test_reference_loading_is_idempotent_and_keeps_admin_edits(app, monkeypatch):
    first = quiz_bank.QUESTIONS[0]
    row = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == first.code)).one()
    option = row.options[0]
    saved = (row.text_ru, row.active, option.text_kk)
    extra = quiz_bank.Question(
        "q-test-" + uuid.uuid4().hex[:8], "2.1", "Новый вопрос?", "Жаңа сұрақ?", "A new question?",
        (quiz_bank.Option(True, "Да", "Иә", "Yes"), quiz_bank.Option(False, "Нет", "Жоқ", "No"),
         quiz_bank.Option(False, "Не знаю", "Білмеймін", "Not sure")))
    try:
        row.text_ru, row.active, option.text_kk = "Отредактировано админом", False, "Админ түзетті"
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(QuizQuestion))
        assert catalog.ensure_reference_data() is False  # nothing missing: nothing written
        assert db.session.scalar(select(func.count()).select_from(QuizQuestion)) == count

        monkeypatch.setattr(quiz_bank, "QUESTIONS", quiz_bank.QUESTIONS + (extra,))
        assert catalog.ensure_reference_data() is True  # the new code is inserted ...
        assert catalog.ensure_reference_data() is False  # ... once
        new = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == extra.code)).one()
        assert [(o.text_kk, o.is_correct) for o in new.options] == [("Иә", True), ("Жоқ", False),
                                                                    ("Білмеймін", False)]
        db.session.expire_all()
        state = committed_state(row, option)
        assert (state[0]["text_ru"], state[0]["active"]) == ("Отредактировано админом", False)
        assert state[1]["text_kk"] == "Админ түзетті"
    finally:
        db.session.rollback()
        row = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == first.code)).one()
        row.text_ru, row.active, row.options[0].text_kk = saved
        for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == extra.code)):
            db.session.delete(q)
        db.session.commit()


# --- the draw -------------------------------------------------------------------------------------

def test_start_draws_the_configured_number_of_distinct_active_questions(app, sm):
    user, profile = applicant(sm)
    attempt = quiz.start(user)
    ids = quiz.question_ids(attempt)
    assert len(ids) == len(set(ids)) == 10 == attempt.total
    assert attempt.finished_at is None and attempt.profile_id == profile.id
    questions = quiz.questions(attempt)
    assert [q.id for q in questions] == ids
    assert all(q.active for q in questions)
    for q in questions:  # options in their stored order
        assert [o.sort_order for o in q.options] == sorted(o.sort_order for o in q.options)


def test_only_active_questions_with_exactly_one_correct_option_are_drawn(app, sm):
    usable = quiz.usable_question_ids()
    retired = usable[:2]
    broken = QuizQuestion(code="q-test-broken-" + uuid.uuid4().hex[:6], clause="1.1", text_kk="Сұрақ?",
                          text_ru="Вопрос?", text_en="Question?", active=True,
                          options=[QuizOption(text_kk="А", text_ru="А", is_correct=True, sort_order=1),
                                   QuizOption(text_kk="Б", text_ru="Б", is_correct=True, sort_order=2)])
    db.session.add(broken)
    for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.id.in_(retired))):
        q.active = False
    db.session.commit()
    old = app.config.get("QUIZ_QUESTIONS")
    try:
        pool = set(usable) - set(retired)
        assert set(quiz.usable_question_ids()) == pool
        app.config["QUIZ_QUESTIONS"] = len(pool)  # the whole pool is drawn: exactly the usable ones
        user, _profile = applicant(sm)
        drawn = quiz.question_ids(quiz.start(user))
        assert set(drawn) == pool and broken.id not in drawn and not set(retired) & set(drawn)

        app.config["QUIZ_QUESTIONS"] = len(pool) + 1  # too few questions: refused, nothing stored
        other, other_profile = applicant(sm)
        with fails_without_change(other_profile, count_of=[(QuizAttempt, {"profile_id": other_profile.id})]):
            quiz.start(other)
    finally:
        if old is None:
            app.config.pop("QUIZ_QUESTIONS", None)
        else:
            app.config["QUIZ_QUESTIONS"] = old
        db.session.rollback()
        for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.id.in_(retired))):
            q.active = True
        db.session.delete(db.session.get(QuizQuestion, broken.id))
        db.session.commit()


def test_an_open_attempt_is_reused(app, sm):
    user, profile = applicant(sm)
    first = quiz.start(user)
    again = quiz.start(user)
    assert again.id == first.id
    assert row_count(QuizAttempt, profile_id=profile.id) == 1
    assert quiz.availability(profile).open_attempt.id == first.id


# --- scoring --------------------------------------------------------------------------------------

def test_all_right_passes_and_moves_the_profile_to_quiz_passed(app, sm):
    user, profile = applicant(sm)
    attempt = take(user, right=10)
    state = committed_state(attempt)[0]
    assert (state["score"], state["total"], state["passed"]) == (10, 10, True)
    assert state["finished_at"] is not None
    assert len(json.loads(state["answers"])) == 10
    assert status_in_db(profile) == S.QUIZ_PASSED
    assert decisions.has_passed_quiz(profile)
    # passed: no further attempt
    with fails_without_change(profile, count_of=[(QuizAttempt, {"profile_id": profile.id})]) as err:
        quiz.start(user)
    assert "passed" in en(err.value.message)


def test_exactly_the_pass_mark_passes_and_one_less_fails(app, sm):
    user, profile = applicant(sm)
    attempt = take(user, right=8)  # 8 of 10 = 80 %
    assert (attempt.score, attempt.passed) == (8, True)
    assert status_in_db(profile) == S.QUIZ_PASSED

    user2, profile2 = applicant(sm)
    attempt2 = take(user2, right=7)
    assert (attempt2.score, attempt2.passed) == (7, False)
    assert status_in_db(profile2) == S.SUBMITTED
    assert quiz.rules().pass_mark(10) == 8 and quiz.rules().pass_mark(7) == 6


def test_all_wrong_scores_zero(app, sm):
    user, profile = applicant(sm)
    attempt = take(user, right=0)
    assert (attempt.score, attempt.total, attempt.passed) == (0, 10, False)
    assert status_in_db(profile) == S.SUBMITTED
    assert attempt in quiz.failed_attempts(profile)


def test_unanswered_questions_and_foreign_options_count_as_wrong(app, sm):
    user, profile = applicant(sm)
    attempt = quiz.start(user)
    given = answers(attempt, right=7, skip=3)  # 7 right, 3 unanswered: 70 %
    assert len(given) == 7
    questions = quiz.questions(attempt)
    # an option of another question, a made-up question and garbage are ignored
    given[questions[7].id] = next(o for o in questions[0].options if o.is_correct).id
    given[999999] = 1
    given["x"] = "y"
    done = quiz.submit(user, attempt.id, {str(k): str(val) for k, val in given.items()})
    assert (done.score, done.passed) == (7, False)
    assert set(quiz.answers_of(done)) == {q.id for q in questions[:7]}
    assert status_in_db(profile) == S.SUBMITTED


def test_submitting_twice_or_someone_elses_attempt_is_refused(app, sm):
    user, profile = applicant(sm)
    attempt = take(user, right=3)
    with fails_without_change(attempt) as err:
        quiz.submit(user, attempt.id, {})
    assert "already" in en(err.value.message)

    intruder, _other = applicant(sm)
    mine = quiz.start(intruder)
    with fails_without_change(mine, error=NotFound):
        quiz.submit(user, mine.id, answers(mine, right=10))
    with pytest.raises(NotFound):
        quiz.get_own(user, mine.id)
    with pytest.raises(NotFound):
        quiz.submit(user, 10**9, {})


# --- who may start, attempts and cool-down ---------------------------------------------------------

@pytest.mark.parametrize("stage", [S.DRAFT, S.QUIZ_PASSED, S.APPROVED])
def test_only_a_submitted_application_may_start(app, sm, stage):
    user, profile = applicant(sm, stage=stage)
    before = row_count(QuizAttempt, profile_id=profile.id)
    with fails_without_change(profile, count_of=[(QuizAttempt, {"profile_id": profile.id})]):
        quiz.start(user)
    assert row_count(QuizAttempt, profile_id=profile.id) == before
    assert not quiz.availability(profile).can_start


def test_a_user_without_an_application_or_a_plain_practitioner_cannot_start(app, sm):
    nobody = make_user(sm, ("Client",))
    with pytest.raises(ServiceError):
        quiz.start(nobody)
    assert not quiz.availability(None).can_start
    imported = make_user(sm, ("Client", "Practitioner"))
    profile = make_profile(imported, status=S.REJECTED)
    with fails_without_change(profile, count_of=[(QuizAttempt, {"profile_id": profile.id})]):
        quiz.start(imported)


def test_an_open_attempt_cannot_be_submitted_once_the_application_left_submitted(app, sm):
    user, profile = applicant(sm)
    attempt = quiz.start(user)
    staff = make_user(sm, ("Moderator",))
    decisions.reject(staff, profile.id, reason="incomplete licence")
    with fails_without_change(attempt):
        quiz.submit(user, attempt.id, answers(attempt, right=10))
    assert status_in_db(profile) == S.REJECTED


def test_cool_down_and_attempt_limit_then_a_new_application_starts_afresh(app, sm):
    user, profile = applicant(sm)
    t0 = profile.submitted_at
    assert quiz.attempts_left(profile) == 3

    take(user, right=5, now=t0 + HOUR)  # first failure at t0 + 1h
    assert quiz.attempts_left(profile) == 2
    assert quiz.next_attempt_at(profile, now=t0 + 2 * HOUR) == t0 + 25 * HOUR
    with fails_without_change(profile, count_of=[(QuizAttempt, {"profile_id": profile.id})]) as err:
        quiz.start(user, now=t0 + 24 * HOUR)  # 23 hours later: still cooling down
    assert "try again after" in en(err.value.message)
    state = quiz.availability(profile, now=t0 + 24 * HOUR)
    assert not state.can_start and state.next_at == t0 + 25 * HOUR

    assert quiz.availability(profile, now=t0 + 25 * HOUR).can_start
    take(user, right=6, now=t0 + 25 * HOUR)  # second failure
    take(user, right=7, now=t0 + 49 * HOUR)  # third failure
    assert quiz.attempts_left(profile) == 0
    assert quiz.next_attempt_at(profile, now=t0 + 500 * HOUR) is None
    with fails_without_change(profile, count_of=[(QuizAttempt, {"profile_id": profile.id})]) as err:
        quiz.start(user, now=t0 + 500 * HOUR)
    assert "used all 3 attempts" in en(err.value.message)
    assert status_in_db(profile) == S.SUBMITTED

    # staff reject, allow a new application; the applicant submits again: three new attempts
    staff = make_user(sm, ("Moderator",))
    decisions.reject(staff, profile.id, reason="quiz failed three times")
    decisions.allow_reapply(staff, profile.id, reason="second chance")
    v.submit(user, now=t0 + 600 * HOUR)
    assert quiz.attempts_left(profile) == 3
    assert len(quiz.attempts_of(profile)) == 3 and quiz.current_attempts(profile) == []
    attempt = take(user, right=9, now=t0 + 601 * HOUR)
    assert attempt.passed and status_in_db(profile) == S.QUIZ_PASSED


def test_the_limits_come_from_the_config(app, sm):
    keys = ("QUIZ_MAX_ATTEMPTS", "QUIZ_COOLDOWN_HOURS", "QUIZ_QUESTIONS", "QUIZ_PASS_PERCENT")
    old = {k: app.config.get(k) for k in keys}
    app.config.update(QUIZ_MAX_ATTEMPTS=1, QUIZ_COOLDOWN_HOURS=0, QUIZ_QUESTIONS=5, QUIZ_PASS_PERCENT=100)
    try:
        user, profile = applicant(sm)
        attempt = take(user, right=4, now=profile.submitted_at + HOUR)
        assert (attempt.score, attempt.total, attempt.passed) == (4, 5, False)
        assert not quiz.availability(profile, now=profile.submitted_at + 2 * HOUR).can_start
    finally:
        for k, value in old.items():
            if value is None:
                app.config.pop(k, None)
            else:
                app.config[k] = value


# --- pages ----------------------------------------------------------------------------------------

def test_taking_the_quiz_through_the_pages(app, client, login_as, sm):
    user, profile = applicant(sm, locale="kk")
    login_as(user)
    page = client.get("/practice/quiz/")
    assert page.status_code == 200
    assert 'action="/practice/quiz/start"' in page.get_data(as_text=True)

    started = client.post("/practice/quiz/start")
    assert started.status_code == 302
    attempt_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.profile_id == profile.id

    html = client.get(f"/practice/quiz/{attempt_id}").get_data(as_text=True)
    questions = quiz.questions(attempt)
    for q in questions:  # in the user's language (kk), with one radio group per question
        assert q.text_kk in html and q.text_ru not in html
        assert html.count(f'name="q-{q.id}"') == len(q.options)
        assert all(o.text_kk in html for o in q.options)

    form = {f"q-{q}": str(o) for q, o in answers(attempt, right=9).items()}
    done = client.post(f"/practice/quiz/{attempt_id}", data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/practice/quiz/result/{attempt_id}")
    assert status_in_db(profile) == S.QUIZ_PASSED
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).score == 9

    result = client.get(f"/practice/quiz/result/{attempt_id}")
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and "90%" in text
    assert text.count("quiz-review-item quiz-right") == 9 and text.count("quiz-review-item quiz-wrong") == 1
    # the finished attempt cannot be taken again: the page sends to the result
    again = client.get(f"/practice/quiz/{attempt_id}")
    assert again.status_code == 302 and "/result/" in again.headers["Location"]
    index = client.get("/practice/quiz/").get_data(as_text=True)
    assert f"/practice/quiz/result/{attempt_id}" in index and 'action="/practice/quiz/start"' not in index


def test_a_refused_start_is_shown_on_the_page(app, client, login_as, sm):
    user, profile = applicant(sm, stage=S.DRAFT)
    login_as(user)
    response = client.post("/practice/quiz/start", follow_redirects=True)
    assert response.status_code == 200
    assert row_count(QuizAttempt, profile_id=profile.id) == 0
    assert 'action="/practice/quiz/start"' not in response.get_data(as_text=True)


def test_someone_elses_attempt_is_404(app, client, login_as, sm):
    owner, profile = applicant(sm)
    attempt = quiz.start(owner)
    finished = take(applicant(sm)[0], right=2)
    intruder, _p = applicant(sm)
    login_as(intruder)
    assert client.get(f"/practice/quiz/{attempt.id}").status_code == 404
    assert client.post(f"/practice/quiz/{attempt.id}",
                       data={f"q-{q}": str(o) for q, o in answers(attempt, right=10).items()}).status_code == 404
    assert client.get(f"/practice/quiz/result/{finished.id}").status_code == 404
    assert client.get("/practice/quiz/999999999").status_code == 404
    assert committed_state(attempt)[0]["finished_at"] is None
    assert status_in_db(profile) == S.SUBMITTED


def test_anonymous_visitors_are_sent_to_the_login(app, client, sm):
    _user, _profile = applicant(sm)
    for method, url in (("get", "/practice/quiz/"), ("post", "/practice/quiz/start"), ("get", "/practice/quiz/1"),
                        ("post", "/practice/quiz/1"), ("get", "/practice/quiz/result/1")):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


# --- back office ------------------------------------------------------------------------------------

def test_admins_edit_the_bank_and_moderators_only_read_it(app, client, login_as, sm):
    admin = make_user(sm, ("Admin",))
    moderator = make_user(sm, ("Moderator",))
    code = quiz_bank.QUESTIONS[0].code

    login_as(moderator)
    listing = client.get("/admin/quiz-questions/list/")
    assert listing.status_code == 200 and code in listing.get_data(as_text=True)
    assert "/admin/quiz-questions/add" not in listing.get_data(as_text=True)
    assert client.get("/admin/quiz-options/list/").status_code == 200
    count = row_count(QuizQuestion)
    response = client.post("/admin/quiz-questions/add", data={
        "code": "q-test-mod", "clause": "1.1", "text_kk": "Сұрақ", "text_ru": "Вопрос", "active": "y"})
    assert response.status_code in (302, 403) and row_count(QuizQuestion) == count

    login_as(admin)
    listing = client.get("/admin/quiz-questions/list/").get_data(as_text=True)
    assert "/admin/quiz-questions/add" in listing
    new_code = "q-test-" + uuid.uuid4().hex[:8]
    client.post("/admin/quiz-questions/add", data={
        "code": new_code, "clause": "6.6", "text_kk": "Жаңа сұрақ", "text_ru": "Новый вопрос",
        "text_en": "New question", "active": "y", "sort_order": "99"})
    question = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == new_code)).one()
    try:
        for i, correct in enumerate((True, False), 1):
            client.post("/admin/quiz-options/add", data={
                "question": str(question.id), "text_kk": f"Жауап {i}", "text_ru": f"Ответ {i}",
                "is_correct": "y" if correct else "", "sort_order": str(i)})
        assert row_count(QuizOption, question_id=question.id) == 2
        # a second correct option is refused
        client.post("/admin/quiz-options/add", data={
            "question": str(question.id), "text_kk": "Тағы", "text_ru": "Ещё", "is_correct": "y",
            "sort_order": "3"})
        assert row_count(QuizOption, question_id=question.id) == 2
        assert question.id in quiz.usable_question_ids()
        # the checkboxes can be unticked: the question is retired
        client.post(f"/admin/quiz-questions/edit/{question.id}", data={
            "code": new_code, "clause": "6.6", "text_kk": "Жаңа сұрақ", "text_ru": "Новый вопрос",
            "text_en": "", "sort_order": "99"})
        assert committed_state(question)[0]["active"] is False
        assert question.id not in quiz.usable_question_ids()
        # questions are retired, not deleted
        assert client.post(f"/admin/quiz-questions/delete/{question.id}").status_code in (302, 403, 404, 405)
        assert row_count(QuizQuestion, id=question.id) == 1
    finally:
        db.session.rollback()
        db.session.delete(db.session.get(QuizQuestion, question.id))
        db.session.commit()


def test_after_a_failure_the_pages_say_when_to_try_again(app, client, login_as, sm):
    user, profile = applicant(sm, locale="en")
    failed = take(user, right=3)
    login_as(user)
    result = client.get(f"/practice/quiz/result/{failed.id}").get_data(as_text=True)
    assert "30%" in result and "You did not pass" in result and "You can try again after" in result
    index = client.get("/practice/quiz/").get_data(as_text=True)
    assert "quiz-reason" in index and "You can try again after" in index
    assert 'action="/practice/quiz/start"' not in index
    assert "Attempts left: 2 of 3" in index
    assert client.post("/practice/quiz/start").status_code == 302
    assert row_count(QuizAttempt, profile_id=profile.id) == 1
