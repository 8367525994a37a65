"""The agreement quiz through the JSON API (/api/v1/practice/quiz), as a mobile
client with a Bearer token: availability, starting (questions in the call's
language, never which option is correct), answering, the result, the
cool-down after a failure, and that nobody reads or answers another's attempt."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.practitioners import ProfileStatus, QuizAttempt, QuizOption, QuizQuestion
from portal.services.practitioners import quiz
from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.factories import committed_state, make_applicant, make_user, row_count

S = ProfileStatus
BASE = "/api/v1/practice/quiz"


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def auth(app, user, lang=None) -> dict:
    response = sign_in(app, user.email)
    assert response.status_code == 200, response.get_data(as_text=True)
    headers = bearer(response.get_json()["access_token"])
    if lang:
        headers["Accept-Language"] = lang
    return headers


def keys_of(value) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def chosen(attempt_json: dict, right: int) -> dict[str, int]:
    """The first ``right`` questions answered correctly, the rest wrongly (looked up in the database)."""
    out = {}
    for i, question in enumerate(attempt_json["questions"]):
        ids = [o["id"] for o in question["options"]]
        correct = set(db.session.scalars(
            select(QuizOption.id).where(QuizOption.id.in_(ids), QuizOption.is_correct.is_(True))))
        wrong = [oid for oid in ids if oid not in correct]
        out[str(question["id"])] = next(iter(correct)) if i < right else wrong[0]
    return out


@pytest.mark.parametrize("method,url", [("get", BASE), ("post", BASE + "/attempts"), ("get", BASE + "/attempts/1"),
                                        ("post", BASE + "/attempts/1/answers")])
def test_anonymous_calls_are_401(app, method, url):
    response = getattr(api(app), method)(url, json={"answers": {}} if method == "post" else None)
    assert response.status_code == 401


def test_a_user_who_has_not_applied_is_told_so(app, sm):
    headers = auth(app, make_user(sm, ("Client",)), "kk")
    for method, url in [("get", BASE), ("post", BASE + "/attempts")]:
        response = getattr(api(app), method)(url, headers=headers)
        assert response.status_code == 404
        assert response.get_json()["detail"] == "Сіз әлі маман болуға өтінім берген жоқсыз."
    assert row_count(QuizAttempt) == 0


def test_a_draft_may_not_start_and_is_told_why(app, sm):
    profile = make_applicant(sm, stage=S.DRAFT)
    headers = auth(app, profile.user, "ru")
    state = api(app).get(BASE, headers=headers).get_json()
    assert state["can_start"] is False and state["passed"] is False
    assert state["reason"] == "Сначала отправьте заявку: тест откроется после её подачи."
    response = api(app).post(BASE + "/attempts", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Сначала отправьте заявку: тест откроется после её подачи."
    assert row_count(QuizAttempt, profile_id=profile.id) == 0


def test_the_questions_come_in_the_calls_language_without_the_correct_answers(app, sm):
    profile = make_applicant(sm, stage=S.SUBMITTED)
    headers = auth(app, profile.user, "kk")
    c = api(app)
    state = c.get(BASE, headers=headers).get_json()
    assert state["can_start"] is True and state["attempts_left"] == state["max_attempts"] == 3
    response = c.post(BASE + "/attempts", headers=headers)
    assert response.status_code == 201
    attempt = response.get_json()
    assert attempt["submitted"] is False and attempt["score"] is None and attempt["lines"] == []
    assert len(attempt["questions"]) == attempt["total"] == quiz.rules().questions
    first = attempt["questions"][0]
    question = db.session.get(QuizQuestion, first["id"])
    assert first["text"] == question.text_kk
    assert [o["text"] for o in first["options"]] == [o.text_kk for o in question.options]
    # nothing says which option is right: options carry only id and text
    assert keys_of(attempt["questions"]) == {"id", "text", "clause", "options"}
    assert not {"is_correct", "correct", "correct_option_id"} & keys_of(attempt)
    # starting again gives the open attempt; reading it too, still without answers
    again = c.post(BASE + "/attempts", headers=headers).get_json()
    assert again["id"] == attempt["id"] and row_count(QuizAttempt, profile_id=profile.id) == 1
    read = c.get(f"{BASE}/attempts/{attempt['id']}", headers=headers).get_json()
    assert [q["id"] for q in read["questions"]] == [q["id"] for q in attempt["questions"]]
    assert not {"is_correct", "correct"} & keys_of(read)
    assert c.get(BASE, headers=headers).get_json()["open_attempt_id"] == attempt["id"]


def test_answering_all_right_passes_and_moves_the_application_on(app, sm):
    profile = make_applicant(sm, stage=S.SUBMITTED)
    headers = auth(app, profile.user, "ru")
    c = api(app)
    attempt = c.post(BASE + "/attempts", headers=headers).get_json()
    sent = chosen(attempt, right=attempt["total"])
    response = c.post(f"{BASE}/attempts/{attempt['id']}/answers", json={"answers": sent}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["submitted"] is True and result["passed"] is True
    assert result["score"] == result["total"] and result["percent"] == 100 and result["questions"] == []
    assert all(line["correct"] for line in result["lines"])
    assert {str(line["question_id"]): line["chosen_option_id"] for line in result["lines"]} == sent
    assert result["quiz"]["passed"] is True and result["quiz"]["can_start"] is False
    assert committed_state(profile)[0]["status"] == S.QUIZ_PASSED
    # the result reads back the same; a second submission is refused
    assert c.get(f"{BASE}/attempts/{attempt['id']}", headers=headers).get_json()["lines"] == result["lines"]
    again = c.post(f"{BASE}/attempts/{attempt['id']}/answers", json={"answers": sent}, headers=headers)
    assert again.status_code == 422 and again.get_json()["detail"] == "Эта попытка уже отправлена."


def test_a_failed_attempt_shows_the_result_without_the_right_options_and_a_cool_down(app, sm):
    profile = make_applicant(sm, stage=S.SUBMITTED)
    headers = auth(app, profile.user, "ru")
    c = api(app)
    attempt = c.post(BASE + "/attempts", headers=headers).get_json()
    sent = chosen(attempt, right=2)
    result = c.post(f"{BASE}/attempts/{attempt['id']}/answers", json={"answers": sent}, headers=headers).get_json()
    assert result["passed"] is False and result["score"] == 2
    assert [line["correct"] for line in result["lines"]] == [True, True] + [False] * (result["total"] - 2)
    wrong = result["lines"][2]
    assert wrong["chosen_option_id"] == sent[str(wrong["question_id"])]  # what was chosen, not what was right
    assert set(wrong) == {"question_id", "question", "chosen_option_id", "chosen", "correct"}
    state = c.get(BASE, headers=headers).get_json()
    assert state["can_start"] is False and state["attempts_left"] == 2 and state["next_attempt_at"]
    assert state["reason"].startswith("Повторить попытку можно после ")
    assert [a["id"] for a in state["attempts"]] == [attempt["id"]]
    refused = c.post(BASE + "/attempts", headers=headers)
    assert refused.status_code == 422 and refused.get_json()["detail"] == state["reason"]
    assert committed_state(profile)[0]["status"] == S.SUBMITTED


def test_another_applicants_attempt_is_404_and_untouched(app, sm):
    owner = make_applicant(sm, stage=S.SUBMITTED)
    intruder = make_applicant(sm, stage=S.SUBMITTED)
    c = api(app)
    attempt = c.post(BASE + "/attempts", headers=auth(app, owner.user)).get_json()
    row = db.session.get(QuizAttempt, attempt["id"])
    before = committed_state(row)
    headers = auth(app, intruder.user, "ru")
    assert c.get(f"{BASE}/attempts/{attempt['id']}", headers=headers).status_code == 404
    response = c.post(f"{BASE}/attempts/{attempt['id']}/answers", json={"answers": chosen(attempt, 10)},
                      headers=headers)
    assert response.status_code == 404 and response.get_json()["detail"] == "Страница не найдена."
    assert committed_state(row) == before
    assert c.get(f"{BASE}/attempts/{2**31 - 1}", headers=headers).status_code == 404


def test_badly_shaped_answers_are_a_400(app, sm):
    profile = make_applicant(sm, stage=S.SUBMITTED)
    headers = auth(app, profile.user, "ru")
    c = api(app)
    attempt = c.post(BASE + "/attempts", headers=headers).get_json()
    url = f"{BASE}/attempts/{attempt['id']}/answers"
    missing = c.post(url, json={}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["errors"]["answers"]
    assert c.post(url, json={"answers": {"1": "один"}}, headers=headers).status_code == 400
    assert committed_state(db.session.get(QuizAttempt, attempt["id"]))[0]["finished_at"] is None
