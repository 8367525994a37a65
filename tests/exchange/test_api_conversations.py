"""Conversations and files through the JSON API: opening a conversation on a
request, messages with files (multipart), unread counts and read marks as
the web page sets them, the download of a file (byte-identical, with its
type), refused files, and nobody else reading or writing (404, no change)."""
from __future__ import annotations

import os

import pytest

from portal.core.extensions import db
from portal.models.exchange import Attachment, Message, OfferStatus, RequestStatus, Thread
from tests.exchange.api_client import (
    PNG_BYTES,
    ApiUser,
    anonymous,
    api_practitioner,
    client_user,
    form,
    practitioner_user,
)
from tests.factories import committed_state, make_offer, make_request, make_user, row_count, stored_folder

URL = "/api/v1/conversations/"


@pytest.fixture
def client(app):
    return ApiUser(app, client_user(app, first_name="Алия"))


@pytest.fixture
def pro(app):
    return api_practitioner(app, first_name="Ерлан")


@pytest.fixture
def thread(client, pro):
    """A conversation the practitioner started on the client's open request."""
    req = make_request(client.user)
    response = pro.post(URL, json={"request_id": req.id})
    assert response.status_code == 200, response.get_json()
    return db.session.get(Thread, response.get_json()["id"])


@pytest.mark.parametrize("method,path", [
    ("GET", URL), ("POST", URL), ("GET", URL + "1"), ("POST", URL + "1/messages"), ("GET", "/api/v1/attachments/1"),
])
def test_anonymous_calls_get_401(app, method, path):
    assert anonymous(app, method, path, json={}).status_code == 401


def test_messages_with_a_file_unread_counts_and_read_marks(app, client, pro, thread):
    data = form({"body": "Здравствуйте, пришлите документы"}, files=[(PNG_BYTES, "scan.png")])
    response = pro.post(f"{URL}{thread.id}/messages", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert sent["mine"] is True and sent["body"] == "Здравствуйте, пришлите документы"
    [att] = sent["attachments"]
    assert att["content_type"] == "image/png" and att["name"] == "scan.png"

    listed = client.get(URL).get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["unread"] == 1 and listed["items"][0]["role"] == "client"
    assert listed["items"][0]["other_name"] == pro.user.display_name

    opened = client.get(f"{URL}{thread.id}").get_json()
    assert opened["can_write"] is True and opened["contacts"] is None  # no selection yet
    assert [m["body"] for m in opened["messages"]] == ["Здравствуйте, пришлите документы"]
    assert opened["messages"][0]["mine"] is False and opened["messages"][0]["read"] is None
    assert client.get(URL).get_json()["items"][0]["unread"] == 0  # reading marked it read
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).client_read_at is not None
    assert pro.get(f"{URL}{thread.id}").get_json()["messages"][0]["read"] is True

    download = client.get(att["url"])
    assert download.status_code == 200 and download.data == PNG_BYTES
    assert download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")

    reply = client.post(f"{URL}{thread.id}/messages", json={"body": "Отправляю"})
    assert reply.status_code == 201 and reply.get_json()["attachments"] == []
    assert pro.get(URL).get_json()["items"][0]["unread"] == 1


def test_nobody_else_reads_writes_or_downloads(app, client, pro, thread):
    message = pro.post(f"{URL}{thread.id}/messages", data=form({"body": "x"}, files=[(PNG_BYTES, "a.png")]),
                       content_type="multipart/form-data").get_json()
    att_id = message["attachments"][0]["id"]
    stranger = ApiUser(app, client_user(app))
    other_user, _profile = practitioner_user(app, first_name="Чужой")
    other_pro = ApiUser(app, other_user)
    before = committed_state(thread)
    for outsider in (stranger, other_pro):
        assert outsider.get(f"{URL}{thread.id}").status_code == 404
        assert outsider.post(f"{URL}{thread.id}/messages", json={"body": "Привет"}).status_code == 404
        assert outsider.get(f"/api/v1/attachments/{att_id}").status_code == 404
        assert outsider.get(URL).get_json()["total"] == 0
    assert committed_state(thread) == before
    assert row_count(Message, thread_id=thread.id) == 1
    # staff read conversations on the web (with a reason for the audit trail), not here
    moderator = ApiUser(app, make_user(app.appbuilder.sm, ("Moderator",), locale="en"))
    assert moderator.get(f"{URL}{thread.id}").status_code == 404


def test_a_refused_file_stores_nothing(app, pro, thread):
    before = set(os.listdir(stored_folder("attachments")))
    data = form({"body": "Смотрите"}, files=[(b"MZ\x90\x00 an exe", "virus.exe")])
    response = pro.post(f"{URL}{thread.id}/messages", data=data, content_type="multipart/form-data", lang="ru")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"files": ["Файл virus.exe не является файлом PDF, JPEG или PNG."]}
    assert row_count(Message, thread_id=thread.id) == 0
    assert row_count(Attachment, owner_id=pro.user.id) == 0
    assert set(os.listdir(stored_folder("attachments"))) == before


def test_an_empty_message_is_refused(app, pro, thread):
    response = pro.post(f"{URL}{thread.id}/messages", json={"body": "  "}, lang="kk")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": ["Хабарлама жазыңыз немесе файл тіркеңіз."]}


def test_opening_a_conversation(app, client, pro):
    req = make_request(client.user)
    # the client talks to a practitioner who offered (or was asked), not to anyone
    assert client.post(URL, json={"request_id": req.id, "profile_id": pro.profile.id}).status_code == 404
    make_offer(req, pro.profile)
    response = client.post(URL, json={"request_id": req.id, "profile_id": pro.profile.id})
    assert response.status_code == 200 and response.get_json()["role"] == "client"
    again = pro.post(URL, json={"request_id": req.id})
    assert again.get_json()["id"] == response.get_json()["id"]  # the same conversation
    assert row_count(Thread, request_id=req.id) == 1
    stranger = ApiUser(app, client_user(app))
    assert stranger.post(URL, json={"request_id": req.id, "profile_id": pro.profile.id}).status_code == 404
    assert client.post(URL, json={"request_id": "x"}).status_code == 400


def test_after_the_selection_contacts_are_shared(app, client, pro):
    req = make_request(client.user, status=RequestStatus.IN_PROGRESS)
    make_offer(req, pro.profile, status=OfferStatus.ACCEPTED)
    thread_id = pro.post(URL, json={"request_id": req.id}).get_json()["id"]
    opened = pro.get(f"{URL}{thread_id}").get_json()
    assert opened["contacts"]["email"] == client.user.email
    first = client.get(f"{URL}{thread_id}")
    assert client.get(f"{URL}{thread_id}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
