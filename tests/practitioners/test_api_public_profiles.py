"""Public profiles through the JSON API (/api/v1/practitioners/<id>), as a mobile
client reads them without a token: what the profile page shows, only for
public profiles, in the language of Accept-Language, with an ETag; the
reviews paged with their totals and the practitioner's replies."""
from __future__ import annotations

import pytest

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.exchange import RequestStatus, ReviewStatus
from portal.models.practitioners import ProfileStatus
from portal.services.practitioners import documents
from tests.accounts.test_api_tokens import api
from tests.factories import PNG_BYTES, make_practitioner, make_request, make_review, make_user, upload

URL = "/api/v1/practitioners/{}"


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def _reviewed(sm, profile, ratings, hidden=()):
    """One completed request with a review per rating (newest last); ``hidden``: indexes left unpublished."""
    reviews = []
    for i, rating in enumerate(ratings):
        client = make_user(sm, ("Client",), first_name=f"Клиент{i}")
        request = make_request(client, status=RequestStatus.COMPLETED, title=f"Запрос {i}")
        review = make_review(request, profile, rating=rating, comment=f"Отзыв {i}")
        if i in hidden:
            review.status = ReviewStatus.HIDDEN
        reviews.append(review)
    db.session.commit()
    return reviews


def test_a_public_profile_as_its_page_shows_it_in_the_language_asked(app, sm):
    profile = make_practitioner(sm, first_name="Ерлан")
    _reviewed(sm, profile, [5, 4, 4])
    from portal.services.practitioners import profiles

    profiles.recompute(profile)
    db.session.commit()

    response = api(app).get(URL.format(profile.id), headers={"Accept-Language": "kk"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == profile.id and body["name"].startswith("Ерлан")
    assert body["category"] == {"code": "advocate", "name": profile.category.name_kk}
    assert [r["code"] for r in body["regions"]] == ["KZ-75"]
    assert body["regions"][0]["name"] == profile.regions[0].name_kk
    assert body["languages"] == ["kk", "ru"]
    assert body["experience_years"] == 7 and body["price_from"] == 20000
    assert body["online_consultation"] is False
    assert body["reviews_count"] == 3 and body["rating"] == pytest.approx(4.33, abs=0.01)
    assert body["rating_distribution"] == [{"stars": 5, "count": 1}, {"stars": 4, "count": 2},
                                           {"stars": 3, "count": 0}, {"stars": 2, "count": 0},
                                           {"stars": 1, "count": 0}]
    assert body["verification"]["licence_checked"] is True
    assert body["verification"]["licence_number"] == "LIC-1"
    assert body["verification"]["verified_since"].startswith("2026-01-15")
    assert body["about"] == "Азаматтық істер бойынша адвокат."
    assert body["photo_url"] is None
    assert body["url"].endswith(f"/practitioners/{profile.id}")

    ru = api(app).get(URL.format(profile.id), headers={"Accept-Language": "ru"}).get_json()
    assert ru["category"]["name"] == profile.category.name_ru
    assert ru["about"] == "Адвокат по гражданским делам."


def test_the_photo_url_serves_the_photo(app, sm):
    profile = make_practitioner(sm)
    checked = documents.check_files(profile, {"photo": [upload(PNG_BYTES, "me.png", "image/png")]})
    documents.store_files(profile, checked)
    db.session.commit()

    body = api(app).get(URL.format(profile.id)).get_json()
    assert body["photo_url"].startswith("http://localhost/practitioners/")
    photo = api(app).get(body["photo_url"].removeprefix("http://localhost"))
    assert photo.status_code == 200 and photo.data == PNG_BYTES


@pytest.mark.parametrize("status", [ProfileStatus.DRAFT, ProfileStatus.SUBMITTED, ProfileStatus.SUSPENDED,
                                    ProfileStatus.REVOKED])
def test_a_profile_that_is_not_public_is_404_with_its_reviews(app, sm, status):
    profile = make_practitioner(sm, status=status)
    response = api(app).get(URL.format(profile.id), headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Страница не найдена."
    assert api(app).get(URL.format(profile.id) + "/reviews").status_code == 404


def test_a_blocked_account_and_a_missing_id_are_404(app, sm):
    blocked = make_practitioner(sm, blocked=True)
    assert api(app).get(URL.format(blocked.id)).status_code == 404
    assert api(app).get(URL.format(2**31 - 1)).status_code == 404


def test_a_repeated_get_answers_304_until_the_profile_changes(app, sm):
    profile = make_practitioner(sm)
    client = api(app)
    first = client.get(URL.format(profile.id))
    etag = first.headers["ETag"]
    assert etag
    again = client.get(URL.format(profile.id), headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    profile.price_from = 30000
    db.session.commit()
    changed = client.get(URL.format(profile.id), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["price_from"] == 30000


def test_reviews_are_paged_newest_first_with_replies_and_without_hidden_ones(app, sm):
    profile = make_practitioner(sm)
    reviews = _reviewed(sm, profile, [5, 4, 3, 2, 1], hidden=(4,))
    for i, review in enumerate(reviews):  # distinct times: newest last
        review.created_at = utcnow().replace(microsecond=0, second=0, minute=0, hour=i)
    reviews[3].reply, reviews[3].reply_at = "Спасибо за отзыв", utcnow()
    db.session.commit()

    client = api(app)
    first = client.get(URL.format(profile.id) + "/reviews?per_page=3").get_json()
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (4, 1, 3, 2)
    assert [r["comment"] for r in first["items"]] == ["Отзыв 3", "Отзыв 2", "Отзыв 1"]
    assert first["items"][0]["reply"] == "Спасибо за отзыв" and first["items"][0]["reply_at"]
    assert first["items"][1]["reply"] is None
    assert first["items"][0]["author"] == "Клиент3" and first["items"][0]["rating"] == 2
    second = client.get(URL.format(profile.id) + "/reviews?per_page=3&page=2").get_json()
    assert [r["comment"] for r in second["items"]] == ["Отзыв 0"] and second["total"] == 4


def test_a_bad_page_number_is_a_translated_400(app, sm):
    profile = make_practitioner(sm)
    response = api(app).get(URL.format(profile.id) + "/reviews?page=0", headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    assert "page" in response.get_json()["errors"]


def test_the_openapi_document_lists_every_practitioners_operation_and_no_correct_answer(app):
    doc = api(app).get("/api/v1/openapi.json").get_json()
    # (the bookings domain's price list, slots and practice operations: tests/bookings/test_api*.py)
    bookings = ("/services", "/slots", "/practice/bookings", "/practice/calendar", "/practice/exceptions",
                "/practice/hours", "/practice/rules")
    ours = {(path, method) for path, ops in doc["paths"].items() for method in ops
            if path.startswith(("/api/v1/practitioners/", "/api/v1/practice"))
            and not any(part in path for part in bookings)}
    assert ours == {
        ("/api/v1/practitioners/{profile_id}", "get"), ("/api/v1/practitioners/{profile_id}/reviews", "get"),
        ("/api/v1/practice", "get"), ("/api/v1/practice/questionnaire", "get"),
        ("/api/v1/practice/questionnaire", "put"), ("/api/v1/practice/documents", "post"),
        ("/api/v1/practice/documents/{document_id}", "get"), ("/api/v1/practice/documents/{document_id}", "delete"),
        ("/api/v1/practice/submit", "post"), ("/api/v1/practice/quiz", "get"),
        ("/api/v1/practice/quiz/attempts", "post"), ("/api/v1/practice/quiz/attempts/{attempt_id}", "get"),
        ("/api/v1/practice/quiz/attempts/{attempt_id}/answers", "post")}
    assert "security" not in doc["paths"]["/api/v1/practitioners/{profile_id}"]["get"]
    assert doc["paths"]["/api/v1/practice"]["get"]["security"] == [{"jwt": []}]
    download = doc["paths"]["/api/v1/practice/documents/{document_id}"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in download and "application/json" not in download
    schemas = doc["components"]["schemas"]
    assert set(schemas["QuizOptionOut"]["properties"]) == {"id", "text"}
    assert "correct" not in str(schemas["QuizQuestionOut"])
