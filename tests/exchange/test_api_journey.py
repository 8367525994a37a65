"""The whole exchange through the JSON API alone, as two mobile apps do it: a
client who registers through /api/v1/account/register and a verified
practitioner who signs in through /api/v1/security/login go, with Bearer
tokens and no cookie, from a request with a file to the practitioner's reply
under the client's review. The database is checked at the end."""
from __future__ import annotations

from sqlalchemy import select

from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import Attachment, Message, Offer, Review, ServiceRequest, Thread
from portal.models.practitioners import PractitionerProfile
from tests.accounts.test_api_tokens import api
from tests.exchange.api_client import (
    PDF_BYTES,
    PNG_BYTES,
    ApiUser,
    form,
    practitioner_user,
    request_body,
)

MULTIPART = "multipart/form-data"


def registered_client(app) -> ApiUser:
    """A client who registers through the API (accepting the agreement in force) and uses the
    access token the registration answers with."""
    anonymous = api(app)
    version = anonymous.get("/api/v1/agreement").get_json()["version"]
    response = anonymous.post("/api/v1/account/register", headers={"Accept-Language": "ru"}, json={
        "email": "aliya.journey@example.com", "password": "Journey-pass-1", "full_name": "Алия Нурланова",
        "phone": "+77012345678", "accept_agreement": True, "agreement_version": version})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    client = ApiUser.__new__(ApiUser)
    client.app, client.lang, client.token = app, "ru", body["access_token"]
    client.user = db.session.get(PortalUser, body["account"]["id"])
    assert client.get("/api/v1/account").get_json()["agreement"]["accepted"] is True
    return client


def test_request_offer_selection_messages_completion_review_reply(app):
    client = registered_client(app)
    pro_user, profile = practitioner_user(app, first_name="Ерлан")
    pro = ApiUser(app, pro_user, lang="kk")

    # the client files a request with a file and publishes it
    created = client.post("/api/v1/requests/", content_type=MULTIPART, data=form(
        request_body(title="Спор о наследстве", publish=True, specializations=[profile.specializations[0].code]),
        files=[(PDF_BYTES, "завещание.pdf")]))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["sent_to"] == 1
    assert "1" in created.get_json()["notice"]
    request_id = created.get_json()["request"]["id"]
    file_url = created.get_json()["request"]["attachments"][0]["url"]

    # the practitioner finds it in the feed, reads the file and offers
    feed = pro.get("/api/v1/feed/").get_json()
    assert [item["request"]["id"] for item in feed["items"]] == [request_id]
    assert pro.get(file_url).data == PDF_BYTES
    offered = pro.post(f"/api/v1/requests/{request_id}/offers",
                       json={"price": 80000, "price_kind": "fixed", "term_days": 14, "message": "Помогу"})
    assert offered.status_code == 201, offered.get_json()
    offer_id = offered.get_json()["id"]

    # the client compares the offers and selects it
    offers = client.get(f"/api/v1/requests/{request_id}/offers").get_json()
    assert [(o["id"], o["price"], o["profile"]["id"]) for o in offers] == [(offer_id, 80000, profile.id)]
    selected = client.post(f"/api/v1/requests/{request_id}/offers/{offer_id}/select")
    assert selected.status_code == 200 and selected.get_json()["status"] == "accepted"
    view = client.get(f"/api/v1/requests/{request_id}").get_json()
    assert view["request"]["status"] == "in_progress" and view["next_step"]["profile"]["id"] == profile.id

    # they talk: the client opens the conversation, the practitioner answers with a file
    thread = client.post("/api/v1/conversations/", json={"request_id": request_id, "profile_id": profile.id})
    thread_id = thread.get_json()["id"]
    assert client.post(f"/api/v1/conversations/{thread_id}/messages",
                       json={"body": "Когда встретимся?"}).status_code == 201
    assert pro.get("/api/v1/conversations/").get_json()["items"][0]["unread"] == 1
    answered = pro.post(f"/api/v1/conversations/{thread_id}/messages", content_type=MULTIPART,
                        data=form({"body": "Вот проект иска"}, files=[(PNG_BYTES, "иск.png")]))
    assert answered.status_code == 201
    conversation = client.get(f"/api/v1/conversations/{thread_id}").get_json()
    assert [m["body"] for m in conversation["messages"]] == ["Когда встретимся?", "Вот проект иска"]
    assert conversation["contacts"]["email"] == pro_user.email
    assert client.get(conversation["messages"][1]["attachments"][0]["url"]).data == PNG_BYTES

    # the practitioner asks to confirm completion; the client completes and reviews
    asked = pro.post(f"/api/v1/requests/{request_id}/ask-completion", json={"work_done": True})
    assert asked.status_code == 200
    assert client.post(f"/api/v1/requests/{request_id}/complete").get_json()["status"] == "completed"
    reviewed = client.post(f"/api/v1/requests/{request_id}/review", json={"rating": 5, "comment": "Отлично"})
    assert reviewed.status_code == 201
    review_id = reviewed.get_json()["id"]
    assert client.put(f"/api/v1/reviews/{review_id}", json={"rating": 5, "comment": "Отлично, спасибо"}).status_code == 200

    # the practitioner sees it and replies
    received = pro.get("/api/v1/reviews/received").get_json()
    assert [r["id"] for r in received["items"]] == [review_id]
    assert pro.post(f"/api/v1/reviews/{review_id}/reply", json={"reply": "Рад был помочь"}).status_code == 200

    # what the database holds
    db.session.expire_all()
    req = db.session.get(ServiceRequest, request_id)
    assert (req.status, req.client_id, req.title) == ("completed", client.user.id, "Спор о наследстве")
    assert req.selected_at and req.completion_requested_at and req.closed_at
    offer = db.session.get(Offer, offer_id)
    assert (offer.status, offer.profile_id, offer.price) == ("accepted", profile.id, 80000)
    files = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.owner_id, a.request_id is not None, a.content_type) for a in files] == [
        (client.user.id, True, "application/pdf"), (pro_user.id, False, "image/png")]
    thread_row = db.session.get(Thread, thread_id)
    assert [m.sender_id for m in db.session.scalars(
        select(Message).where(Message.thread_id == thread_id).order_by(Message.id))] == [client.user.id, pro_user.id]
    assert thread_row.client_read_at is not None and thread_row.practitioner_read_at is not None
    review = db.session.get(Review, review_id)
    assert (review.rating, review.comment, review.reply) == (5, "Отлично, спасибо", "Рад был помочь")
    assert db.session.get(PractitionerProfile, profile.id).reviews_count == 1
