"""The client's requests through the JSON API (/api/v1/requests), as a mobile
app sends them: JSON or multipart with files, a Bearer token, no cookie.
Success and refusal of every endpoint, translated errors, IDOR (another
client's id: 404 and the row unchanged), anonymous calls, paging and ETags."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.exchange import Attachment, OfferStatus, RequestStatus, ServiceRequest
from portal.models.notifications import Notification
from tests.exchange.api_client import (
    PDF_BYTES,
    ApiUser,
    anonymous,
    client_user,
    form,
    practitioner_user,
    request_body,
)
from tests.factories import committed_state, make_offer, make_request, make_user, row_count, stored_folder

URL = "/api/v1/requests/"


@pytest.fixture
def alice(app):
    return ApiUser(app, client_user(app, first_name="Алия"))


@pytest.fixture
def bob(app):
    return ApiUser(app, client_user(app, first_name="Болат"))


def _stored_files() -> set[str]:
    return set(os.listdir(stored_folder("attachments")))


# --- anonymous ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", URL), ("POST", URL), ("GET", URL + "1"), ("PUT", URL + "1"), ("POST", URL + "1/publish"),
    ("POST", URL + "1/cancel"), ("POST", URL + "1/complete"), ("GET", URL + "1/offers"),
])
def test_anonymous_calls_get_401(app, method, path):
    response = anonymous(app, method, path, json={})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


# --- create --------------------------------------------------------------------------------------

def test_create_a_draft_from_json(app, alice):
    response = alice.post(URL, json=request_body(specializations=[]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sent_to"] is None
    assert body["notice"] == "Your request was saved as a draft. Publish it when it is ready."
    req = body["request"]
    assert req["status"] == "draft" and req["status_label"] == "Draft"
    assert req["category"]["code"] == "advocate" and req["region"]["code"] == "KZ-75"
    assert req["budget"] == 150000 and req["attachments"] == []
    assert req["created_at"].endswith("Z") and req["published_at"] is None
    row = db.session.get(ServiceRequest, req["id"])
    assert row.client_id == alice.user.id and row.status == RequestStatus.DRAFT
    assert row.title == "Нужна помощь адвоката"


def test_create_and_publish_says_how_many_practitioners_were_told(app, alice):
    user, profile = practitioner_user(app)
    spec = profile.specializations[0].code
    response = alice.post(URL, json=request_body(publish=True, specializations=[spec]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sent_to"] == 1
    assert body["notice"].startswith("Your request was published and sent to 1 practitioner")
    assert body["request"]["status"] == "open" and body["request"]["specializations"][0]["code"] == spec
    assert row_count(Notification, user_id=user.id, kind="new_request") == 1


def test_multipart_create_with_a_file_and_download_it_back(app, alice):
    data = form(request_body(publish=True), files=[(PDF_BYTES, "договор.pdf")])
    response = alice.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    req = response.get_json()["request"]
    assert req["status"] == "open"
    [att] = req["attachments"]
    assert att["name"] == "договор.pdf" and att["content_type"] == "application/pdf"
    assert att["size"] == len(PDF_BYTES)
    download = alice.get(att["url"])
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert db.session.get(Attachment, att["id"]).request_id == req["id"]


def test_blank_optional_numbers_in_a_form_are_no_value_not_a_crash(app, alice):
    """A multipart form sends an empty budget as "": no budget (schemathesis found a 500 here)."""
    response = alice.post(URL, data=form(request_body(budget="")), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["request"]["budget"] is None
    missing = alice.post(URL, data={"budget": " "}, content_type="multipart/form-data")
    assert missing.status_code == 400 and set(missing.get_json()["errors"]) >= {"title", "description"}


def test_a_refused_file_type_stores_nothing(app, alice):
    before = _stored_files()
    data = form(request_body(), files=[(b"<html>not a pdf</html>", "page.pdf")])
    response = alice.post(URL, data=data, content_type="multipart/form-data", lang="ru")
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"] == "Файл page.pdf не является файлом PDF, JPEG или PNG."
    assert problem["errors"] == {"files": [problem["detail"]]}
    assert row_count(ServiceRequest, client_id=alice.user.id) == 0
    assert row_count(Attachment, owner_id=alice.user.id) == 0
    assert _stored_files() == before


def test_a_file_too_large_stores_nothing(app, alice, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    before = _stored_files()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    data = form(request_body(), files=[(big, "big.pdf")])
    response = alice.post(URL, data=data, content_type="multipart/form-data", lang="kk")
    assert response.status_code == 422
    assert response.get_json()["detail"] == "big.pdf файлының көлемі 1 МБ шегінен асады."
    assert row_count(ServiceRequest, client_id=alice.user.id) == 0
    assert _stored_files() == before


def test_refusals_are_translated_and_name_the_field(app, alice):
    response = alice.post(URL, json=request_body(title="Ой"), lang="ru")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"title": ["Заголовок должен содержать от 5 до 200 символов."]}
    response = alice.post(URL, json=request_body(category="no-such-category"), lang="kk")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"category": ["Санатты таңдаңыз."]}
    response = alice.post(URL, json=request_body(specializations=["no-such"]))
    assert response.get_json()["errors"] == {"specializations": ["Choose specializations of the selected category."]}
    assert row_count(ServiceRequest, client_id=alice.user.id) == 0


def test_bad_types_and_unknown_fields_are_a_400(app, alice):
    response = alice.post(URL, json=request_body(budget="a lot", colour="red"), lang="ru")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors["colour"] == ["Неизвестное поле."] and "budget" in errors
    assert row_count(ServiceRequest, client_id=alice.user.id) == 0


def test_a_moderator_cannot_file_a_request(app):
    moderator = ApiUser(app, make_user(app.appbuilder.sm, ("Moderator",), locale="en"))
    assert moderator.post(URL, json=request_body()).status_code == 403
    assert row_count(ServiceRequest, client_id=moderator.user.id) == 0


# --- list, show, paging, ETag ---------------------------------------------------------------------

def test_list_is_paged_filtered_and_mine_only(app, alice, bob):
    for i in range(3):
        make_request(alice.user, title=f"Запрос {i}")
    make_request(alice.user, status=RequestStatus.DRAFT, title="Черновик")
    make_request(bob.user, title="Чужой")
    page = alice.get(URL + "?per_page=2&page=2").get_json()
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (4, 2, 2, 2)
    assert len(page["items"]) == 2
    drafts = alice.get(URL + "?status=draft").get_json()
    assert [r["title"] for r in drafts["items"]] == ["Черновик"] and drafts["total"] == 1
    assert alice.get(URL + "?status=nonsense").status_code == 400
    titles = {r["title"] for r in alice.get(URL + "?per_page=100").get_json()["items"]}
    assert "Чужой" not in titles


def test_a_repeated_get_is_304_with_the_etag(app, alice):
    make_request(alice.user)
    first = alice.get(URL)
    etag = first.headers["ETag"]
    again = alice.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    make_request(alice.user, title="Ещё один")
    assert alice.get(URL, headers={"If-None-Match": etag}).status_code == 200


def test_show_my_request_and_not_someone_elses(app, alice, bob):
    req = make_request(alice.user)
    view = alice.get(f"{URL}{req.id}").get_json()
    assert view["role"] == "client" and view["request"]["description"] == "Описание запроса"
    assert view["client"]["can_edit"] is True and view["client"]["can_cancel"] is True
    assert view["practitioner"] is None
    response = bob.get(f"{URL}{req.id}", lang="ru")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Страница не найдена."
    assert bob.get(f"{URL}999999").status_code == 404


def test_a_matching_practitioner_reads_the_request_and_may_offer(app, alice):
    user, _profile = practitioner_user(app)
    req = make_request(alice.user)
    view = ApiUser(app, user).get(f"{URL}{req.id}").get_json()
    assert view["role"] == "practitioner" and view["client"] is None
    assert view["practitioner"]["may_offer"] is True and view["practitioner"]["my_offer"] is None


# --- edit, publish, cancel, complete ----------------------------------------------------------

def test_edit_with_json_and_add_a_file(app, alice, bob):
    req = make_request(alice.user, status=RequestStatus.DRAFT)
    response = alice.put(f"{URL}{req.id}", json=request_body(title="Новый заголовок"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["notice"] == "Your changes were saved."
    data = form(request_body(title="С файлом", publish=True), files=[(PDF_BYTES, "a.pdf")])
    response = alice.put(f"{URL}{req.id}", data=data, content_type="multipart/form-data")
    body = response.get_json()
    assert body["request"]["status"] == "open" and body["sent_to"] == 0
    assert len(body["request"]["attachments"]) == 1
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).title == "С файлом"
    before = committed_state(req)
    assert bob.put(f"{URL}{req.id}", json=request_body(title="Взлом")).status_code == 404
    assert committed_state(req) == before


def test_an_open_request_with_an_offer_cannot_be_edited(app, alice):
    _user, profile = practitioner_user(app)
    req = make_request(alice.user)
    make_offer(req, profile)
    response = alice.put(f"{URL}{req.id}", json=request_body(), lang="ru")
    assert response.status_code == 422
    assert response.get_json()["detail"] == "На запрос уже есть отклики, поэтому изменить его нельзя."


def test_publish_a_draft(app, alice, bob):
    draft = alice.post(URL, json=request_body()).get_json()["request"]
    req = db.session.get(ServiceRequest, draft["id"])
    before = committed_state(req)
    assert bob.post(f"{URL}{req.id}/publish").status_code == 404
    assert committed_state(req) == before
    response = alice.post(f"{URL}{req.id}/publish")
    assert response.status_code == 200
    assert response.get_json()["request"]["status"] == "open" and response.get_json()["sent_to"] == 0
    again = alice.post(f"{URL}{req.id}/publish", lang="kk")
    assert again.status_code == 422 and again.get_json()["detail"] == "Тек қараламаны жариялауға болады."


def test_cancel(app, alice, bob):
    _user, profile = practitioner_user(app)
    req = make_request(alice.user)
    offer = make_offer(req, profile)
    before = committed_state(req, offer)
    assert bob.post(f"{URL}{req.id}/cancel").status_code == 404
    assert committed_state(req, offer) == before
    response = alice.post(f"{URL}{req.id}/cancel")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(type(offer), offer.id).status == OfferStatus.DECLINED
    assert alice.post(f"{URL}{req.id}/cancel").status_code == 422


def test_complete(app, alice, bob):
    _user, profile = practitioner_user(app)
    req = make_request(alice.user, status=RequestStatus.IN_PROGRESS)
    make_offer(req, profile, status=OfferStatus.ACCEPTED)
    before = committed_state(req)
    assert bob.post(f"{URL}{req.id}/complete").status_code == 404
    assert committed_state(req) == before
    response = alice.post(f"{URL}{req.id}/complete")
    assert response.status_code == 200 and response.get_json()["status"] == "completed"
    assert response.get_json()["closed_at"].endswith("Z")
    assert alice.post(f"{URL}{req.id}/complete").status_code == 422
    assert db.session.scalar(select(ServiceRequest.status).where(ServiceRequest.id == req.id)) == "completed"
