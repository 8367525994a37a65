"""Reviews through the JSON API: the client reviews the practitioner of a
completed request and edits the review within the edit window; the
practitioner lists the reviews received and replies once. Refusals are
translated; another party's ids answer 404 and change nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.core.extensions import db
from portal.models.exchange import OfferStatus, RequestStatus, Review
from portal.models.practitioners import PractitionerProfile
from tests.exchange.api_client import ApiUser, anonymous, api_practitioner, client_user, practitioner_user
from tests.factories import committed_state, make_offer, make_request, make_review, row_count

REQUESTS = "/api/v1/requests/"
REVIEWS = "/api/v1/reviews/"


@pytest.fixture
def client(app):
    return ApiUser(app, client_user(app, first_name="Алия"))


@pytest.fixture
def pro(app):
    return api_practitioner(app, first_name="Ерлан")


@pytest.fixture
def done(client, pro):
    """The client's completed request, done by ``pro``."""
    req = make_request(client.user, status=RequestStatus.COMPLETED)
    make_offer(req, pro.profile, status=OfferStatus.ACCEPTED)
    return req


@pytest.mark.parametrize("method,path", [
    ("POST", REQUESTS + "1/review"), ("GET", REVIEWS + "1"), ("PUT", REVIEWS + "1"), ("GET", REVIEWS + "received"),
    ("POST", REVIEWS + "1/reply"),
])
def test_anonymous_calls_get_401(app, method, path):
    assert anonymous(app, method, path, json={}).status_code == 401


def test_review_a_completed_request_once(app, client, pro, done):
    stranger = ApiUser(app, client_user(app))
    assert stranger.post(f"{REQUESTS}{done.id}/review", json={"rating": 1, "comment": "Плохо"}).status_code == 404
    response = client.post(f"{REQUESTS}{done.id}/review", json={"rating": 5, "comment": "Спасибо!"})
    assert response.status_code == 201, response.get_json()
    review = response.get_json()
    assert (review["rating"], review["comment"], review["profile_id"]) == (5, "Спасибо!", pro.profile.id)
    assert review["editable"] is True and review["editable_until"].endswith("Z")
    assert review["author_name"] == "Алия"
    again = client.post(f"{REQUESTS}{done.id}/review", json={"rating": 4}, lang="kk")
    assert again.status_code == 422
    assert again.get_json()["detail"] == ("Бұл сұрау бойынша пікір қалдырып қойдыңыз; оның орнына пікіріңізді "
                                          "өңдей аласыз.")
    assert row_count(Review, request_id=done.id) == 1
    db.session.expire_all()
    assert db.session.get(PractitionerProfile, pro.profile.id).reviews_count == 1


def test_no_review_before_completion_or_with_a_bad_rating(app, client, pro):
    req = make_request(client.user, status=RequestStatus.IN_PROGRESS)
    make_offer(req, pro.profile, status=OfferStatus.ACCEPTED)
    assert client.post(f"{REQUESTS}{req.id}/review", json={"rating": 5}).status_code == 422
    req.status = RequestStatus.COMPLETED
    db.session.commit()
    bad = client.post(f"{REQUESTS}{req.id}/review", json={"rating": 7}, lang="ru")
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["rating"]
    assert row_count(Review, request_id=req.id) == 0


def test_edit_within_the_window_only_and_only_mine(app, client, pro, done):
    review = make_review(done, pro.profile, rating=3, comment="Нормально")
    stranger = ApiUser(app, client_user(app))
    before = committed_state(review)
    assert stranger.put(f"{REVIEWS}{review.id}", json={"rating": 1, "comment": "x"}).status_code == 404
    assert stranger.get(f"{REVIEWS}{review.id}").status_code == 404
    assert committed_state(review) == before
    shown = client.get(f"{REVIEWS}{review.id}").get_json()
    assert shown["editable"] is True
    response = client.put(f"{REVIEWS}{review.id}", json={"rating": 4, "comment": "Хорошо"})
    assert response.status_code == 200 and response.get_json()["rating"] == 4
    review.created_at = dt.datetime.utcnow() - dt.timedelta(hours=app.config["REVIEW_EDIT_HOURS"] + 1)
    db.session.commit()
    before = committed_state(review)
    late = client.put(f"{REVIEWS}{review.id}", json={"rating": 1, "comment": "Плохо"}, lang="ru")
    assert late.status_code == 422
    assert late.get_json()["detail"] == "Время, когда можно было изменить этот отзыв, истекло."
    assert committed_state(review) == before
    assert client.get(f"{REVIEWS}{review.id}").get_json()["editable"] is False


def test_the_practitioner_lists_and_replies_once(app, client, pro, done):
    review = make_review(done, pro.profile)
    for i in range(2):
        req = make_request(client_user(app), status=RequestStatus.COMPLETED, title=f"R{i}")
        make_review(req, pro.profile, rating=4)
    page = pro.get(REVIEWS + "received?per_page=2").get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    rival_user, rival_profile = practitioner_user(app, first_name="Соперник")
    rival = ApiUser(app, rival_user)
    assert rival.get(REVIEWS + "received").get_json()["total"] == 0
    before = committed_state(review)
    assert rival.post(f"{REVIEWS}{review.id}/reply", json={"reply": "Не мой"}).status_code == 404
    assert client.post(f"{REVIEWS}{review.id}/reply", json={"reply": "Я клиент"}).status_code == 404
    assert committed_state(review) == before
    blank = pro.post(f"{REVIEWS}{review.id}/reply", json={"reply": "  "}, lang="ru")
    assert blank.status_code == 422 and blank.get_json()["errors"] == {"reply": ["Напишите ответ."]}
    response = pro.post(f"{REVIEWS}{review.id}/reply", json={"reply": "Спасибо за отзыв"})
    assert response.status_code == 200
    assert response.get_json()["reply"] == "Спасибо за отзыв" and response.get_json()["reply_at"].endswith("Z")
    again = pro.post(f"{REVIEWS}{review.id}/reply", json={"reply": "Ещё раз"}, lang="ru")
    assert again.status_code == 422 and again.get_json()["detail"] == "Вы уже ответили на этот отзыв."
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply == "Спасибо за отзыв"
