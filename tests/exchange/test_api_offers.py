"""Offers and the feed through the JSON API: the practitioner's feed with its
filters, making, editing and withdrawing an offer, my offers; the client's
list of offers and the selection; the ask for completion. Refusals are
translated, another party's ids answer 404 and change nothing."""
from __future__ import annotations

import pytest

from portal.core.extensions import db
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.models.practitioners import ProfileStatus
from tests.exchange.api_client import ApiUser, anonymous, api_practitioner, client_user, practitioner_user
from tests.factories import committed_state, make_offer, make_request, row_count

FEED = "/api/v1/feed/"
OFFERS = "/api/v1/offers/"
REQUESTS = "/api/v1/requests/"
OFFER = {"price": 45000, "price_kind": "fixed", "term_days": 7, "message": "Помогу"}


@pytest.fixture
def client(app):
    return ApiUser(app, client_user(app))


@pytest.fixture
def pro(app):
    return api_practitioner(app, first_name="Ерлан")


@pytest.fixture
def rival(app):
    user, profile = practitioner_user(app, first_name="Другой")
    api = ApiUser(app, user)
    api.profile = profile
    return api


@pytest.mark.parametrize("method,path", [
    ("GET", FEED), ("GET", OFFERS), ("GET", OFFERS + "1"), ("PUT", OFFERS + "1"), ("POST", OFFERS + "1/withdraw"),
    ("POST", REQUESTS + "1/offers"), ("POST", REQUESTS + "1/offers/1/select"),
    ("POST", REQUESTS + "1/ask-completion"),
])
def test_anonymous_calls_get_401(app, method, path):
    assert anonymous(app, method, path, json={}).status_code == 401


# --- the feed --------------------------------------------------------------------------------

def test_feed_filters_and_pages(app, client, pro):
    spec = pro.profile.specializations[0]
    reqs = [make_request(client.user, title=f"Запрос {i}") for i in range(3)]
    reqs[0].specializations = [spec]
    db.session.commit()
    make_request(client.user, category_code="notary", title="Нотариус")  # another category
    make_offer(reqs[1], pro.profile)
    page = pro.get(FEED + "?per_page=2").get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    everything = pro.get(FEED + "?per_page=10").get_json()["items"]
    mine = {i["request"]["id"]: i["my_offer"] for i in everything}
    assert mine[reqs[1].id]["status"] == "active" and mine[reqs[0].id] is None
    by_spec = pro.get(f"{FEED}?specialization={spec.code}").get_json()
    assert [i["request"]["id"] for i in by_spec["items"]] == [reqs[0].id]
    assert pro.get(FEED + "?region=KZ-75").get_json()["total"] == 3
    assert pro.get(FEED + "?without_offer=true").get_json()["total"] == 2
    wrong = pro.get(FEED + "?region=XX-00", lang="ru")
    assert wrong.status_code == 422 and wrong.get_json()["errors"] == {"region": ["Выберите регион."]}


def test_an_unverified_practitioner_has_no_feed_and_cannot_offer(app, client):
    user, _profile = practitioner_user(app, status=ProfileStatus.SUBMITTED)
    pending = ApiUser(app, user)
    response = pending.get(FEED, lang="ru")
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Видеть запросы и откликаться на них могут только проверенные специалисты."
    req = make_request(client.user)
    response = pending.post(f"{REQUESTS}{req.id}/offers", json=OFFER, lang="kk")
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Сұрауларды тек тексерілген мамандар көріп, оларға ұсыныс бере алады."
    assert row_count(Offer, request_id=req.id) == 0


def test_a_client_has_no_feed(app, client):
    assert client.get(FEED).status_code == 403


# --- making, editing, withdrawing ---------------------------------------------------------------

def test_make_an_offer_once(app, client, pro):
    req = make_request(client.user)
    response = pro.post(f"{REQUESTS}{req.id}/offers", json=OFFER)
    assert response.status_code == 201, response.get_json()
    offer = response.get_json()
    assert offer["price"] == 45000 and offer["status"] == "active" and offer["status_label"] == "Active"
    assert offer["price_kind_label"] == "Fixed price" and offer["changeable"] is True
    assert offer["request"] == {"id": req.id, "title": req.title, "status": "open", "status_label": "Open"}
    again = pro.post(f"{REQUESTS}{req.id}/offers", json=OFFER, lang="ru")
    assert again.status_code == 422
    assert again.get_json()["detail"] == "У вас уже есть отклик на этот запрос; измените его."
    bad = pro.post(f"{REQUESTS}{make_request(client.user).id}/offers", json={**OFFER, "price": 0})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["price"]
    assert row_count(Offer, profile_id=pro.profile.id) == 1


def test_no_offer_on_a_request_i_cannot_see(app, pro):
    req = make_request(client_user(app), category_code="notary")
    assert pro.post(f"{REQUESTS}{req.id}/offers", json=OFFER).status_code == 404
    assert row_count(Offer, request_id=req.id) == 0


def test_edit_and_withdraw_my_offer_only(app, client, pro, rival):
    req = make_request(client.user)
    offer = make_offer(req, pro.profile)
    before = committed_state(offer)
    assert rival.put(f"{OFFERS}{offer.id}", json=OFFER).status_code == 404
    assert rival.post(f"{OFFERS}{offer.id}/withdraw").status_code == 404
    assert rival.get(f"{OFFERS}{offer.id}").status_code == 404
    assert client.put(f"{OFFERS}{offer.id}", json=OFFER).status_code == 422  # not a practitioner at all
    assert committed_state(offer) == before
    response = pro.put(f"{OFFERS}{offer.id}", json={**OFFER, "price": 55000})
    assert response.status_code == 200 and response.get_json()["price"] == 55000
    response = pro.post(f"{OFFERS}{offer.id}/withdraw")
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    again = pro.post(f"{OFFERS}{offer.id}/withdraw", lang="ru")
    assert again.status_code == 422 and again.get_json()["detail"].startswith("Этот отклик больше нельзя изменить")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.WITHDRAWN


def test_my_offers_are_paged_and_filtered(app, client, pro, rival):
    for i in range(3):
        make_offer(make_request(client.user, title=f"R{i}"), pro.profile,
                   status=OfferStatus.WITHDRAWN if i == 0 else OfferStatus.ACTIVE)
    make_offer(make_request(client.user), rival.profile)
    page = pro.get(OFFERS + "?per_page=2").get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
    assert pro.get(OFFERS + "?status=withdrawn").get_json()["total"] == 1
    assert rival.get(OFFERS).get_json()["total"] == 1
    first = page["items"][0]
    shown = pro.get(f"{OFFERS}{first['id']}")
    assert shown.status_code == 200 and shown.get_json()["id"] == first["id"]
    assert pro.get(OFFERS, headers={"If-None-Match": pro.get(OFFERS).headers["ETag"]}).status_code == 304


# --- the client compares and selects -------------------------------------------------------------

def test_client_lists_and_selects(app, client, pro, rival):
    req = make_request(client.user)
    mine = make_offer(req, pro.profile, price=50000)
    other = make_offer(req, rival.profile, price=30000)
    offers = client.get(f"{REQUESTS}{req.id}/offers").get_json()
    assert [o["id"] for o in offers] == [other.id, mine.id]  # cheapest first
    assert offers[1]["profile"]["name"] == pro.user.display_name
    stranger = ApiUser(app, client_user(app))
    assert stranger.get(f"{REQUESTS}{req.id}/offers").status_code == 404
    before = committed_state(req, mine, other)
    assert stranger.post(f"{REQUESTS}{req.id}/offers/{mine.id}/select").status_code == 404
    other_req = make_request(client.user)
    assert client.post(f"{REQUESTS}{other_req.id}/offers/{mine.id}/select").status_code == 404
    assert pro.post(f"{REQUESTS}{req.id}/offers/{mine.id}/select").status_code == 404
    assert committed_state(req, mine, other) == before
    response = client.post(f"{REQUESTS}{req.id}/offers/{mine.id}/select")
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.IN_PROGRESS
    assert db.session.get(Offer, other.id).status == OfferStatus.DECLINED
    again = client.post(f"{REQUESTS}{req.id}/offers/{other.id}/select", lang="ru")
    assert again.status_code == 422
    assert again.get_json()["detail"] == "Выбрать отклик можно, только пока запрос открыт."


def test_ask_completion(app, client, pro, rival):
    req = make_request(client.user, status=RequestStatus.IN_PROGRESS)
    make_offer(req, pro.profile, status=OfferStatus.ACCEPTED)
    before = committed_state(req)
    assert rival.post(f"{REQUESTS}{req.id}/ask-completion", json={"work_done": True}).status_code == 404
    unticked = pro.post(f"{REQUESTS}{req.id}/ask-completion", json={}, lang="ru")
    assert unticked.status_code == 422 and list(unticked.get_json()["errors"]) == ["work_done"]
    assert committed_state(req) == before
    view = pro.get(f"{REQUESTS}{req.id}").get_json()
    assert view["practitioner"]["can_ask_completion"] is True
    assert view["next_step"]["role"] == "practitioner"
    assert view["next_step"]["contacts"]["email"] == client.user.email
    response = pro.post(f"{REQUESTS}{req.id}/ask-completion", json={"work_done": True})
    assert response.status_code == 200 and response.get_json()["completion_requested_at"].endswith("Z")
    assert pro.post(f"{REQUESTS}{req.id}/ask-completion", json={"work_done": True}).status_code == 422
