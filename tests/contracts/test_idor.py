"""IDOR: a user reaches only their own requests, offers and reviews, through
every web view and API, whatever id they put in the URL."""
from __future__ import annotations

import pytest

from portal.core.extensions import db
from portal.models.exchange import Review, ServiceRequest


def test_client_a_cannot_see_client_b_rows_in_web_views(client, login_as, world):
    login_as(world.client_a)
    assert client.get(f"/my/requests/show/{world.request_a.id}").status_code == 200
    assert client.get(f"/my/requests/show/{world.request_b.id}").status_code == 404
    assert client.get(f"/my/reviews/show/{world.review_a.id}").status_code == 200
    assert client.get(f"/my/reviews/show/{world.review_b.id}").status_code == 404
    listing = client.get("/my/requests/list/").get_data(as_text=True)
    assert "Запрос A" in listing and "Запрос B" not in listing
    reviews = client.get("/my/reviews/list/").get_data(as_text=True)
    assert "Отзыв A" in reviews and "Отзыв B" not in reviews


@pytest.mark.parametrize("path", [
    "/my/requests/edit/{request_b}", "/my/requests/delete/{request_b}",
    "/my/reviews/edit/{review_b}", "/my/reviews/delete/{review_b}",
    "/my/offers/show/{offer_b}", "/admin/requests/edit/{request_b}",
    "/admin/reviews/edit/{review_b}", "/admin/offers/show/{offer_b}",
])
def test_client_a_cannot_edit_or_delete_b_rows(client, login_as, world, path):
    login_as(world.client_a)
    url = path.format(request_b=world.request_b.id, review_b=world.review_b.id, offer_b=world.offer_b.id)
    for method in ("get", "post"):
        response = getattr(client, method)(url, data={"title": "hacked", "comment": "hacked"})
        assert response.status_code in (403, 404, 405), (method, url, response.status_code)
    db.session.expire_all()
    assert db.session.get(ServiceRequest, world.request_b.id).title == "Запрос B"
    assert db.session.get(Review, world.review_b.id).comment == "Отзыв B"


def _bearer(app, user) -> dict:
    from portal.services.accounts import api_tokens

    with app.test_request_context():
        return {"Authorization": f"Bearer {api_tokens.sign_in(user, '10.2.0.1', 'pytest')['access_token']}"}


def test_client_a_cannot_read_b_rows_through_the_api(app, client, world):
    """The API's own sweep over every id operation is tests/contracts/test_api_matrix.py."""
    a = _bearer(app, world.client_a)
    assert client.get(f"/api/v1/requests/{world.request_a.id}", headers=a).status_code == 200
    assert client.get(f"/api/v1/requests/{world.request_b.id}", headers=a).status_code == 404
    assert client.get(f"/api/v1/reviews/{world.review_b.id}", headers=a).status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/requests/", headers=a).get_json()["items"]}
    assert world.request_a.id in ids and world.request_b.id not in ids
    assert {r["id"] for r in client.get("/api/v1/reviews/", headers=a).get_json()["items"]} == {world.review_a.id}
    assert client.get(f"/api/v1/offers/{world.offer_b.id}", headers=a).status_code in (403, 404)
    for method in ("put", "delete"):
        response = getattr(client, method)(f"/api/v1/requests/{world.request_b.id}", json={"title": "x"},
                                           headers=a)
        assert response.status_code in (400, 404, 405)
    assert db.session.get(ServiceRequest, world.request_b.id).title == "Запрос B"


def test_practitioner_sees_only_own_offers(app, client, login_as, world):
    from tests.factories import make_offer, make_profile, make_request, make_user

    other = make_user(app.appbuilder.sm, ("Client", "Practitioner"))
    other_profile = make_profile(other)
    other_offer = make_offer(make_request(world.client_b), other_profile)
    login_as(world.practitioner)
    assert client.get(f"/my/offers/show/{world.offer_a.id}").status_code == 200
    assert client.get(f"/my/offers/show/{other_offer.id}").status_code == 404
    token = _bearer(app, world.practitioner)
    assert client.get(f"/api/v1/offers/{other_offer.id}", headers=token).status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/offers/", headers=token).get_json()["items"]}
    assert ids == {world.offer_a.id, world.offer_b.id}
