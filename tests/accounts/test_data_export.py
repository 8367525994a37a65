""""Download my data" (agreement 5.1-5.2): a JSON file with everything the
portal holds about the user, checked key by key against the rows the test
created, and nothing about other people beyond what the user already sees."""
from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.core.extensions import db
from portal.models.accounts import LoginEvent, UserSession
from portal.models.exchange import OfferStatus, RequestStatus
from portal.models.notifications import Notification
from portal.models.trust import Complaint, SupportConversation, SupportMessage
from portal.services import agreement
from portal.services.accounts import data_export
from portal.services.exchange import messages
from portal.services.exchange import offers as offers_service
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.services.notifications import mailings
from tests.factories import (
    PNG_BYTES,
    make_offer,
    make_profile,
    make_request,
    make_user,
    offer_input,
    request_input,
    upload,
)

SECTIONS = {
    "format", "generated_at", "account", "practitioner_profile", "requests", "offers", "conversations",
    "reviews_written", "reviews_received", "agreement_acceptances", "login_history", "sessions",
    "notification_consent", "notification_preferences", "notifications", "support_conversations",
    "complaints_filed",
}


def _n() -> str:
    return str(uuid.uuid4().int)


def person(sm, roles, name, ip):
    """A user with distinctive email, phone, IIN and a login from ``ip``."""
    tag = uuid.uuid4().hex[:8]
    user = make_user(sm, roles, email=f"{name.lower()}.{tag}@export-test.kz", first_name=f"{name}{tag}",
                     last_name=f"Фамилия{tag}", phone="+7700" + _n()[:7], locale="ru")
    user.iin = _n()[:12]
    db.session.add(LoginEvent(user_id=user.id, success=True, ip_address=ip, user_agent=f"UA-{tag}"))
    db.session.add(UserSession(user_id=user.id, token=uuid.uuid4().hex, ip_address=ip, user_agent=f"UA-{tag}"))
    db.session.commit()
    return user


def private_bits(user) -> list[str]:
    """What nobody else may see of ``user``: contacts, IIN, IPs and browsers of their logins."""
    events = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)).all()
    bits = [user.email, user.phone, user.iin] + [e.ip_address for e in events] + [e.user_agent for e in events]
    return [b for b in bits if b]


@pytest.fixture
def scene(app):
    sm = app.appbuilder.sm
    s = SimpleNamespace()
    s.me = person(sm, ("Client", "Practitioner"), "Мирас", "198.51.100.11")
    s.my_profile = make_profile(s.me)
    s.pr = person(sm, ("Client", "Practitioner"), "Ерлан", "198.51.100.22")
    make_profile(s.pr)
    s.client = person(sm, ("Client",), "Алия", "198.51.100.33")
    s.stranger = person(sm, ("Client",), "Чужой", "198.51.100.44")
    staff = make_user(sm, ("Moderator",), first_name="Сотрудник", last_name=uuid.uuid4().hex[:8])

    # my request with a file; the practitioner's offer, a conversation with files both ways
    s.req = requests_service.create(s.me, request_input(title="Мой запрос об аренде"), publish=True,
                                    files=[upload(name="договор.pdf")])
    s.their_offer = offers_service.make(s.pr, s.req.id, offer_input(price=45000, message="Готов помочь вам"))
    thread = messages.open_thread(s.me, s.req.id, s.pr.practitioner_profile.id)
    messages.post(s.me, thread.id, "Когда сможете?", [upload(data=PNG_BYTES, name="скан.png",
                                                             content_type="image/png")])
    messages.post(s.pr, thread.id, "Завтра в десять", [])
    s.thread = thread
    # a completed request with my review and the practitioner's reply
    s.done = make_request(s.me, status=RequestStatus.COMPLETED, title="Старый запрос")
    make_offer(s.done, s.pr.practitioner_profile, status=OfferStatus.ACCEPTED)
    s.review = reviews_service.create(s.me, s.done.id, 5, "Отличная работа")
    reviews_service.reply(s.pr, s.review.id, "Спасибо за отзыв")
    # as a practitioner: my offer on a client's request, and a review of my work
    s.their_req = requests_service.create(s.client, request_input(title="Запрос клиента"), publish=True)
    s.my_offer = offers_service.make(s.me, s.their_req.id, offer_input(price=30000, message="Моё предложение"))
    past = make_request(s.client, status=RequestStatus.COMPLETED, title="Выполненный для клиента")
    s.past_offer = make_offer(past, s.my_profile, status=OfferStatus.ACCEPTED, price=40000)
    s.received = reviews_service.create(s.client, past.id, 4, "Хороший специалист")
    # the stranger's own activity, which must never show
    stranger_req = requests_service.create(s.stranger, request_input(  # sent to the other practitioner only
        title="Чужой секретный запрос", target_profile_id=s.pr.practitioner_profile.id), publish=True)
    offers_service.make(s.pr, stranger_req.id, offer_input(message="Чужое предложение"))
    # support, complaints, consent
    chat = SupportConversation(user_id=s.me.id)
    db.session.add(chat)
    db.session.flush()
    db.session.add_all([SupportMessage(conversation_id=chat.id, author_id=s.me.id, body="Вопрос в поддержку"),
                        SupportMessage(conversation_id=chat.id, author_id=staff.id, from_staff=True,
                                       body="Ответ поддержки")])
    s.complaint = Complaint(reporter_id=s.me.id, target_type="profile", target_id=s.pr.practitioner_profile.id,
                            target_user_id=s.pr.id, reason="rude", text="Жалоба на грубость",
                            outcome="Предупредили")
    db.session.add(s.complaint)
    db.session.add(Complaint(reporter_id=s.stranger.id, target_type="profile", target_id=s.my_profile.id,
                             target_user_id=s.me.id, reason="fraud", text="Жалоба чужого"))
    db.session.commit()
    s.staff = staff
    mailings.set_consent(s.me, True, True)
    return s


def test_download_is_a_json_attachment_only_for_the_signed_in_user(app, client, login_as, scene):
    assert client.get("/account/export").status_code == 302  # visitors: the login page
    response = login_as(scene.me).get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".json" in disposition
    data = json.loads(response.get_data(as_text=True))
    assert set(data) == SECTIONS
    assert data["account"]["email"] == scene.me.email
    assert "Download my data" in login_as(scene.me).get("/account/?_l_=en").get_data(as_text=True)


def past_request_id(s) -> int:
    return s.past_offer.request_id


def test_every_section_holds_exactly_the_users_rows(app, scene):
    s = scene
    data = json.loads(data_export.to_json(data_export.export(s.me)))
    assert data["format"] == data_export.FORMAT
    assert data["account"] == {
        "id": s.me.id, "email": s.me.email, "first_name": s.me.first_name, "last_name": s.me.last_name,
        "phone": s.me.phone, "iin": s.me.iin, "language": "ru", "region": None, "status": "active",
        "roles": ["Client", "Practitioner"], "registered_at": s.me.created_on.isoformat(),
        "last_login_at": None, "login_count": s.me.login_count or 0}
    assert data["practitioner_profile"]["id"] == s.my_profile.id
    assert data["practitioner_profile"]["licence_number"] == s.my_profile.licence_number

    requests = {r["id"]: r for r in data["requests"]}
    assert set(requests) == {s.req.id, s.done.id}
    mine = requests[s.req.id]
    assert (mine["title"], mine["status"]) == ("Мой запрос об аренде", "open")
    assert [a["name"] for a in mine["attachments"]] == ["договор.pdf"]
    assert [(o["id"], o["price"], o["message"], o["practitioner"]) for o in mine["offers_received"]] == [
        (s.their_offer.id, 45000, "Готов помочь вам", s.pr.full_name)]

    assert [(o["id"], o["request_id"], o["price"], o["message"], o["status"]) for o in data["offers"]] == [
        (s.my_offer.id, s.their_req.id, 30000, "Моё предложение", "active"),
        (s.past_offer.id, past_request_id(s), 40000, s.past_offer.message, "accepted")]

    [conversation] = data["conversations"]
    assert (conversation["id"], conversation["my_role"], conversation["with"]) == (
        s.thread.id, "client", s.pr.full_name)
    assert [(m["text"], m["from_me"], [a["name"] for a in m["attachments"]])
            for m in conversation["messages"]] == [("Когда сможете?", True, ["скан.png"]),
                                                   ("Завтра в десять", False, [])]

    assert [(r["id"], r["rating"], r["comment"], r["reply"]) for r in data["reviews_written"]] == [
        (s.review.id, 5, "Отличная работа", "Спасибо за отзыв")]
    assert [(r["id"], r["comment"]) for r in data["reviews_received"]] == [(s.received.id, "Хороший специалист")]

    [acceptance] = data["agreement_acceptances"]
    assert acceptance["version"] == agreement.current_agreement().version

    events = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == s.me.id)).all()
    assert sorted((e["ip_address"], e["user_agent"]) for e in data["login_history"]) == sorted(
        (e.ip_address, e.user_agent) for e in events)
    assert "198.51.100.11" in {e["ip_address"] for e in data["login_history"]}
    assert len(data["sessions"]) == db.session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == s.me.id))
    assert all("token" not in row for row in data["sessions"])

    consent = data["notification_consent"]
    assert (consent["informational"], consent["advertising"]) == (True, True) and consent["changed_at"]
    assert len(data["notifications"]) == db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == s.me.id,
                                                             Notification.in_app.is_(True)))

    [chat] = data["support_conversations"]
    assert [(m["from"], m["text"]) for m in chat["messages"]] == [("me", "Вопрос в поддержку"),
                                                                  ("support", "Ответ поддержки")]
    assert [(c["id"], c["text"], c["outcome"], c["reason"]) for c in data["complaints_filed"]] == [
        (s.complaint.id, "Жалоба на грубость", "Предупредили", "rude")]


def test_nothing_about_other_people_beyond_what_the_user_sees(app, scene):
    s = scene
    text = data_export.to_json(data_export.export(s.me))
    for other in (s.pr, s.client, s.stranger, s.staff):
        for bit in private_bits(other):
            assert bit not in text, (other.first_name, bit)
    # the stranger does not appear at all; staff appear as "support"
    for bit in (s.stranger.first_name, s.stranger.last_name, "Чужой секретный запрос", "Чужое предложение",
                "Жалоба чужого", s.staff.last_name):
        assert bit not in text
    # and the other way round: the practitioner's export holds none of my private data
    theirs = data_export.to_json(data_export.export(s.pr))
    for bit in private_bits(s.me):
        assert bit not in theirs
    assert "Жалоба на грубость" not in theirs
