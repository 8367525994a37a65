"""My practice through the JSON API (/api/v1/practice), as a mobile client with
a Bearer token and no cookie: the status and what to do next, the
questionnaire (the web form's rules and messages), documents uploaded as
multipart and downloaded byte for byte, submitting, a verified practitioner's
licence edit, and that nobody reaches another's document."""
from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.core.files import DOCUMENTS
from portal.models.practitioners import PractitionerProfile, ProfileDocument, ProfileStatus
from portal.services.practitioners import documents
from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.factories import (
    PDF_BYTES,
    category,
    committed_state,
    make_applicant,
    make_user,
    region,
    row_count,
    stored_folder,
    stored_path,
)

S = ProfileStatus
BASE = "/api/v1/practice"
RU = {"Accept-Language": "ru"}


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def token(app, user) -> str:
    response = sign_in(app, user.email)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def auth(app, user, lang=None) -> dict:
    headers = bearer(token(app, user))
    if lang:
        headers["Accept-Language"] = lang
    return headers


def answers(**changes) -> dict:
    """The questionnaire as JSON, complete for an advocate except the licence copy."""
    cat = category("advocate")
    data = {"category_id": cat.id, "licence_number": "LIC-2015-77", "licence_date": "2015-03-01",
            "licensor": "Министерство юстиции", "chamber": "Алматинская городская коллегия адвокатов",
            "membership_id": "M-1234", "region_ids": [region("KZ-75").id],
            "specialization_ids": [cat.specializations[0].id], "languages": ["kk", "ru"],
            "experience_years": 8, "education_ru": "КазНУ", "about_ru": "Адвокат по семейным спорам.",
            "price_from": 15000, "online_consultation": True, "city": "Алматы"}
    data.update(changes)
    return data


def upload_files(client, headers, kind, *files):
    """POST multipart: ``files`` are (name, bytes)."""
    payload = {"kind": kind, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(BASE + "/documents", data=payload, headers=headers, content_type="multipart/form-data")


def profile_of(user) -> PractitionerProfile | None:
    db.session.expire_all()
    return db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).first()


# --- who may call -------------------------------------------------------------------------------------

PRIVATE = [("get", BASE), ("get", BASE + "/questionnaire"), ("put", BASE + "/questionnaire"),
           ("post", BASE + "/documents"), ("get", BASE + "/documents/1"), ("delete", BASE + "/documents/1"),
           ("post", BASE + "/submit")]


@pytest.mark.parametrize("method,url", PRIVATE)
def test_anonymous_calls_are_401(app, method, url):
    response = getattr(api(app), method)(url, json={} if method in ("put", "post") else None, headers=RU)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_client_who_has_not_applied_is_told_so(app, sm):
    client_user = make_user(sm, ("Client",))
    headers = auth(app, client_user, "ru")
    c = api(app)
    for method, url in [("get", BASE), ("get", BASE + "/questionnaire"), ("post", BASE + "/submit")]:
        response = getattr(c, method)(url, headers=headers)
        assert response.status_code == 404, url
        assert response.get_json()["detail"] == "Вы ещё не подавали заявку на статус специалиста."
    response = upload_files(c, headers, "licence", ("l.pdf", PDF_BYTES))
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Вы ещё не подавали заявку на статус специалиста."
    assert profile_of(client_user) is None and row_count(ProfileDocument) == 0


def test_staff_are_refused_as_on_the_web(app, sm):
    moderator = make_user(sm, ("Moderator",))
    headers = auth(app, moderator, "ru")
    c = api(app)
    for method, url in [("get", BASE), ("put", BASE + "/questionnaire"), ("post", BASE + "/submit"),
                        ("get", BASE + "/quiz"), ("post", BASE + "/quiz/attempts")]:
        response = getattr(c, method)(url, json={} if method != "get" else None, headers=headers)
        assert response.status_code == 403, url
        assert response.get_json()["detail"] == "У вас нет доступа к этой странице."
    assert profile_of(moderator) is None


# --- the questionnaire ---------------------------------------------------------------------------------

def test_saving_the_questionnaire_applies_and_reads_back(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user, "ru")
    c = api(app)
    response = c.put(BASE + "/questionnaire", json=answers(), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "draft" and body["editable"] is True
    assert body["missing"] == ["Загрузите копию лицензии."]
    profile = profile_of(user)
    assert profile.status == S.DRAFT and profile.licence_number == "LIC-2015-77"
    assert profile.language_codes == ["kk", "ru"] and profile.price_from == 15000

    # fields left out keep their values; null empties a text
    c.put(BASE + "/questionnaire", json={"about_kk": "Отбасылық даулар бойынша адвокат.", "education_ru": None},
          headers=headers)
    saved = c.get(BASE + "/questionnaire", headers=headers).get_json()
    assert saved["about_kk"] == "Отбасылық даулар бойынша адвокат." and saved["education_ru"] == ""
    assert saved["licence_number"] == "LIC-2015-77" and saved["region_ids"] == [region("KZ-75").id]

    status = c.get(BASE, headers=headers).get_json()
    assert status["status"] == "draft" and status["status_label"]
    assert status["missing"] == ["Загрузите копию лицензии."]
    assert status["steps"][0] == {"key": "questionnaire", "label": "Заполните анкету и загрузите документы",
                                  "state": "current"}
    assert status["quiz"]["can_start"] is False
    assert status["quiz"]["reason"] == "Сначала отправьте заявку: тест откроется после её подачи."


def test_the_services_rules_refuse_with_the_web_forms_messages_and_save_nothing(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user, "ru")
    c = api(app)
    response = c.put(BASE + "/questionnaire", json=answers(category_id=None), headers=headers)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"] == "Выберите категорию." and problem["errors"] == {"category_id": ["Выберите категорию."]}
    response = c.put(BASE + "/questionnaire", json=answers(licence_date="2999-01-01"), headers=auth(app, user, "kk"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["licence_date"] == ["Лицензия берілген күн болашақта бола алмайды."]
    assert profile_of(user) is None


def test_badly_typed_fields_and_unknown_ones_are_a_translated_400(app, sm):
    user = make_user(sm, ("Client",))
    response = api(app).put(BASE + "/questionnaire", json=answers(experience_years="восемь", colour="red"),
                            headers=auth(app, user, "ru"))
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors["experience_years"] == ["Введите целое число."]
    assert "colour" in errors
    assert profile_of(user) is None


def test_under_review_the_questionnaire_is_refused_and_unchanged(app, sm):
    profile = make_applicant(sm, stage=S.SUBMITTED)
    before = committed_state(profile)
    response = api(app).put(BASE + "/questionnaire", json={"about_ru": "Другой текст"},
                            headers=auth(app, profile.user, "ru"))
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Ваша заявка на проверке, сейчас изменить её нельзя."
    assert committed_state(profile) == before


# --- documents -------------------------------------------------------------------------------------------

def test_a_document_uploaded_as_multipart_downloads_byte_identical(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user)
    c = api(app)
    c.put(BASE + "/questionnaire", json=answers(), headers=headers)
    response = upload_files(c, headers, "licence", ("лицензия.pdf", PDF_BYTES))
    assert response.status_code == 201, response.get_data(as_text=True)
    [doc] = response.get_json()
    assert doc["kind"] == "licence" and doc["content_type"] == "application/pdf" and doc["size"] == len(PDF_BYTES)
    assert doc["url"] == f"{BASE}/documents/{doc['id']}"
    download = c.get(doc["url"], headers=headers)
    assert download.status_code == 200
    assert download.data == PDF_BYTES and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert c.get(BASE, headers=headers).get_json()["missing"] == []


def test_a_bad_file_is_refused_in_the_callers_language_and_nothing_is_stored(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user, "ru")
    c = api(app)
    c.put(BASE + "/questionnaire", json=answers(), headers=headers)
    folder_before = set(os.listdir(stored_folder(DOCUMENTS)))
    response = upload_files(c, headers, "licence", ("virus.pdf", b"MZ\x90\x00 not a pdf at all"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"licence": ["Файл virus.pdf не является файлом PDF, JPEG или PNG."]}
    response = upload_files(c, headers, "photo", ("me.pdf", PDF_BYTES))
    assert response.status_code == 422 and response.get_json()["errors"]["photo"]
    response = upload_files(c, headers, "licence")
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Выберите файл для загрузки."
    response = upload_files(c, headers, "passport", ("l.pdf", PDF_BYTES))
    assert response.status_code == 400 and "kind" in response.get_json()["errors"]
    assert row_count(ProfileDocument) == 0
    assert set(os.listdir(stored_folder(DOCUMENTS))) == folder_before


def test_another_practitioners_document_is_404_and_stays(app, sm):
    owner = make_applicant(sm, stage=S.DRAFT)
    [doc] = owner.documents
    intruder = make_applicant(sm, stage=S.DRAFT)
    headers = auth(app, intruder.user, "ru")
    c = api(app)
    before = committed_state(doc)
    for method in ("get", "delete"):
        response = getattr(c, method)(f"{BASE}/documents/{doc.id}", headers=headers)
        assert response.status_code == 404, method
        assert response.mimetype == "application/problem+json"
    assert committed_state(doc) == before
    assert os.path.isfile(stored_path(documents.document_key(doc)))
    # staff neither (they read documents on the moderation pages): an admin, who may call it, gets 404
    admin = make_user(sm, ("Admin",))
    assert c.get(f"{BASE}/documents/{doc.id}", headers=auth(app, admin)).status_code == 404
    # and the owner can
    own = auth(app, owner.user)
    assert c.get(f"{BASE}/documents/{doc.id}", headers=own).data == PDF_BYTES


def test_the_owner_removes_a_document_of_a_draft(app, sm):
    profile = make_applicant(sm, stage=S.DRAFT)
    [doc] = profile.documents
    path = stored_path(documents.document_key(doc))
    response = api(app).delete(f"{BASE}/documents/{doc.id}", headers=auth(app, profile.user))
    assert response.status_code == 200 and response.get_json() == []
    assert row_count(ProfileDocument, id=doc.id) == 0 and not os.path.exists(path)


# --- submitting ------------------------------------------------------------------------------------------

def test_an_incomplete_application_is_refused_with_what_is_missing(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user, "ru")
    c = api(app)
    c.put(BASE + "/questionnaire", json=answers(languages=[]), headers=headers)
    response = c.post(BASE + "/submit", headers=headers)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"].startswith("Заявка заполнена не полностью: ")
    assert "Загрузите копию лицензии." in problem["detail"]
    assert problem["errors"] == {"languages": ["Выберите языки, на которых вы работаете."],
                                 "licence": ["Загрузите копию лицензии."]}
    assert profile_of(user).status == S.DRAFT


def test_a_complete_application_is_submitted_once(app, sm):
    user = make_user(sm, ("Client",))
    headers = auth(app, user, "ru")
    c = api(app)
    c.put(BASE + "/questionnaire", json=answers(), headers=headers)
    upload_files(c, headers, "licence", ("l.pdf", PDF_BYTES))
    response = c.post(BASE + "/submit", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert body["next"] == ["Ваша заявка на проверке. Следующий шаг — пройти тест по соглашению: он проверяет, "
                            "знаете ли вы правила портала (п. 6.2 соглашения)."]
    assert body["quiz"]["can_start"] is True and body["editable"] is False
    assert profile_of(user).status == S.SUBMITTED
    again = c.post(BASE + "/submit", headers=headers)
    assert again.status_code == 422 and again.get_json()["detail"] == "Ваша заявка уже подана."


# --- a verified practitioner --------------------------------------------------------------------------------

def test_a_verified_practitioners_licence_edit_needs_confirming_and_goes_back_to_review(app, sm):
    profile = make_applicant(sm, stage=S.APPROVED)
    since = profile.verified_since
    headers = auth(app, profile.user, "ru")
    c = api(app)
    status = c.get(BASE, headers=headers).get_json()
    assert status["status"] == "approved" and status["public"] is True and status["verified_since"]
    assert status["quiz"]["passed"] is True and status["steps"] == []

    before = committed_state(profile)
    response = c.put(BASE + "/questionnaire", json={"licence_number": "LIC-NEW-1"}, headers=headers)
    assert response.status_code == 422
    problem = response.get_json()
    assert list(problem["errors"]) == ["licence_number"]
    assert problem["detail"].startswith("Эти изменения отправят ваш профиль на повторную проверку: ")
    assert committed_state(profile) == before

    # an edit that does not touch the licence stays public
    response = c.put(BASE + "/questionnaire", json={"price_from": 25000}, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "approved"

    response = c.put(BASE + "/questionnaire", json={"licence_number": "LIC-NEW-1", "confirm_review": True},
                     headers=headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "quiz_passed"
    saved = profile_of(profile.user)
    assert saved.status == S.QUIZ_PASSED and saved.licence_number == "LIC-NEW-1" and saved.price_from == 25000
    assert saved.verified_since == since
    status = c.get(BASE, headers=headers).get_json()
    assert status["next"] == ["Модераторы проверяют изменённые вами данные лицензии или категорию. Пока они "
                              "снова не одобрят профиль, он скрыт из каталога и поиска."]
