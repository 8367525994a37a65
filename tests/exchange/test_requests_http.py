"""Requests, offers, the feed and reviews through the HTTP client, as real
users: the whole journey, form errors, confirmations and the IDOR cases."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from portal.core.amounts import format_money
from portal.core.extensions import db
from portal.models.exchange import Attachment, Offer, OfferStatus, RequestStatus, Review, ServiceRequest
from portal.models.practitioners import ProfileStatus
from tests import factories
from tests.factories import make_offer, make_profile, make_request, make_user

MULTIPART = "multipart/form-data"


def _uid() -> str:
    return factories.unique_email("t").split("@")[0]


def _pdf(name: str = "brief.pdf"):
    return (io.BytesIO(b"%PDF-1.4 a small test document\n%%EOF"), name)


def _request_by_title(title: str) -> ServiceRequest:
    db.session.expire_all()
    return db.session.scalars(select(ServiceRequest).where(ServiceRequest.title == title)).one()


def _form(title: str, category="advocate", region="KZ-62", **extra) -> dict:
    cat = factories.category(category)
    data = {
        "category_id": str(cat.id), "region_id": str(factories.region(region).id), "title": title,
        "description": "Нужна помощь по спору о наследстве, документы приложены.",
        "city": "Жезказган", "budget": "150000",
        "desired_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(), "action": "publish",
    }
    data.update(extra)
    return data


def _user(sm, roles=("Client",), **kwargs):
    """Users read English pages here: the assertions use the English source strings."""
    return make_user(sm, roles, locale="en", **kwargs)


def _practitioner(app, category="advocate", region="KZ-62", status=ProfileStatus.APPROVED, name="Практик"):
    user = _user(app.appbuilder.sm, ("Client", "Practitioner"), first_name=name, last_name=_uid())
    return user, make_profile(user, category_code=category, region_code=region, status=status)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


# --- the whole journey -------------------------------------------------------------


def test_whole_journey_from_request_to_reply(app, client, login_as, sm):
    customer = _user(sm, first_name="Динара", last_name=_uid())
    p1_user, p1 = _practitioner(app, name="Алмас")
    p2_user, p2 = _practitioner(app, name="Бауыржан")
    notary_user, _ = _practitioner(app, category="notary", name="Нотариус")
    far_user, _ = _practitioner(app, region="KZ-47", name="Далёкий")
    title = f"Наследство {_uid()}"

    # the client files a request with a PDF
    login_as(customer)
    assert "New request" in _text(client.get("/requests/new"))
    spec = p1.specializations[0]
    response = client.post("/requests/new", content_type=MULTIPART,
                           data=_form(title, specialization_ids=[str(spec.id)], attachments=[_pdf()]))
    assert response.status_code == 302
    req = _request_by_title(title)
    assert response.headers["Location"].endswith(f"/requests/{req.id}")
    assert req.status == RequestStatus.OPEN and req.budget == 150000 and [s.id for s in req.specializations] == [spec.id]
    attachment = db.session.scalars(select(Attachment).where(Attachment.request_id == req.id)).one()
    assert attachment.content_type == "application/pdf" and attachment.original_name == "brief.pdf"
    page = _text(client.get(f"/requests/{req.id}"))
    assert f"/attachments/{attachment.id}" in page and "No offers yet" in page
    assert title in _text(client.get("/requests/"))

    # two matching practitioners see it in their feed and offer
    for user, price, kind in ((p1_user, "120000", "fixed"), (p2_user, "90000", "from")):
        login_as(user)
        assert title in _text(client.get("/feed/"))
        assert "Send offer" in _text(client.get(f"/requests/{req.id}"))
        response = client.post(f"/requests/{req.id}/offer", data={
            "price": price, "price_kind": kind, "term_days": "10", "message": f"Готов помочь, {user.first_name}"})
        assert response.status_code == 302
        assert "You offered" in _text(client.get("/feed/"))
    # others do not: another category, another region
    for user in (notary_user, far_user):
        login_as(user)
        assert title not in _text(client.get("/feed/"))
        assert client.get(f"/requests/{req.id}").status_code == 404
        assert client.post(f"/requests/{req.id}/offer", data={"price": "1000", "price_kind": "fixed"}).status_code == 404

    # the client compares and selects
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Алмас" in page and "Бауыржан" in page and format_money(120000, "en") in page and format_money(90000, "en") in page
    o1 = db.session.scalars(select(Offer).where(Offer.request_id == req.id, Offer.profile_id == p1.id)).one()
    o2 = db.session.scalars(select(Offer).where(Offer.request_id == req.id, Offer.profile_id == p2.id)).one()
    assert f"/threads/open?request={req.id}&amp;profile={p1.id}" in page
    confirm = _text(client.get(f"/requests/{req.id}/select/{o1.id}"))
    assert "will be declined" in confirm and "Алмас" in confirm
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.OPEN  # GET changes nothing
    assert client.post(f"/requests/{req.id}/select/{o1.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Offer, o1.id).status == OfferStatus.ACCEPTED
    assert db.session.get(Offer, o2.id).status == OfferStatus.DECLINED
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.IN_PROGRESS
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Declined" in page and "Accepted" in page and "Mark completed" in page
    assert client.get(f"/requests/{req.id}/select/{o2.id}").status_code == 302  # nothing left to confirm
    assert client.get(f"/requests/{req.id}/cancel").status_code == 302

    # the declined practitioner sees it; the selected one asks for completion
    login_as(p2_user)
    assert "The client selected another offer" in _text(client.get(f"/requests/{req.id}"))
    assert client.post(f"/requests/{req.id}/ask-completion").status_code == 404
    login_as(p1_user)
    assert "The client selected your offer" in _text(client.get(f"/requests/{req.id}"))
    assert client.post(f"/requests/{req.id}/ask-completion", data={"work_done": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).completion_requested_at is not None

    # the client confirms completion and reviews
    login_as(customer)
    assert "asked you to confirm" in _text(client.get(f"/requests/{req.id}"))
    assert "Mark this request completed?" in _text(client.get(f"/requests/{req.id}/complete"))
    assert client.post(f"/requests/{req.id}/complete").status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.COMPLETED
    assert "Publish review" in _text(client.get(f"/requests/{req.id}"))
    comment = f"Отличная работа {_uid()}"
    assert client.post(f"/requests/{req.id}/review", data={"rating": "5", "comment": comment}).status_code == 302
    review = db.session.scalars(select(Review).where(Review.request_id == req.id)).one()
    assert review.rating == 5 and review.profile_id == p1.id
    page = _text(client.get(f"/requests/{req.id}"))
    assert comment in page and "Edit my review" in page
    assert client.post(f"/requests/{req.id}/review", data={"rating": "1"}).status_code == 200  # second review refused
    assert db.session.scalar(select(Review.rating).where(Review.request_id == req.id)) == 5

    # the practitioner replies
    login_as(p1_user)
    received = _text(client.get("/requests/reviews/received"))
    assert comment in received and "Publish reply" in received
    reply = f"Спасибо {_uid()}"
    assert client.post(f"/requests/reviews/{review.id}/reply", data={"reply": reply}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply == reply
    assert "Publish reply" not in _text(client.get("/requests/reviews/received"))

    # the review shows on the public profile
    client.post("/logout/")
    profile_page = _text(client.get(f"/practitioners/{p1.id}?_l_=en", follow_redirects=True))
    assert comment in profile_page and reply in profile_page and "Verified engagement" in profile_page


# --- the request form ------------------------------------------------------------------


def test_form_errors_keep_the_input_and_save_nothing(app, client, login_as, sm):
    customer = _user(sm)
    login_as(customer)
    description = f"Описание, которое не должно потеряться {_uid()}"
    response = client.post("/requests/new", content_type=MULTIPART,
                           data=_form("abc", description=description, attachments=[_pdf()]))
    page = _text(response)
    assert response.status_code == 200
    assert "The title must be 5 to 200 characters long." in page
    assert description in page and 'value="abc"' in page and 'value="Жезказган"' in page
    assert "please attach your files again" in page
    assert db.session.scalar(select(ServiceRequest).where(ServiceRequest.description == description)) is None

    response = client.post("/requests/new", data=_form(f"Заголовок {_uid()}", budget="много"))
    page = _text(response)
    assert "Enter the amount in tenge as digits, for example 70 000." in page and 'value="много"' in page

    bailiff = factories.category("bailiff")
    page = _text(client.post("/requests/new", data=_form(f"Приставу {_uid()}", category_id=str(bailiff.id))))
    assert "do not take requests through the portal" in page

    notary_spec = factories.category("notary").specializations[0]
    title = f"Чужая специализация {_uid()}"
    page = _text(client.post("/requests/new", data=_form(title, specialization_ids=[str(notary_spec.id)])))
    assert "Choose specializations of the selected category." in page

    page = _text(client.post("/requests/new", content_type=MULTIPART, data=_form(
        f"Файл не тот {_uid()}", attachments=[(io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")])))
    assert "is not a PDF, JPEG or PNG file" in page
    assert db.session.scalar(select(ServiceRequest).where(ServiceRequest.title == title)) is None


def test_new_request_page_lists_categories_and_limits(client, login_as, sm):
    login_as(_user(sm))
    page = _text(client.get("/requests/new"))
    assert "contact and consultation only" in page  # bailiffs: listed but disabled
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in page and "up to 5 files, at most 5 MB each" in page
    assert "Save draft" in page and "Publish" in page


def test_draft_edit_publish_and_cancel(app, client, login_as, sm):
    customer = _user(sm)
    login_as(customer)
    title = f"Черновик {_uid()}"
    assert client.post("/requests/new", data=_form(title, action="draft")).status_code == 302
    req = _request_by_title(title)
    assert req.status == RequestStatus.DRAFT and req.published_at is None
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Publish" in page and "Edit" in page and "Cancel request" in page
    edit_page = _text(client.get(f"/requests/{req.id}/edit"))
    assert title in edit_page and 'value="150 000"' in edit_page

    new_title = f"Исправленный {_uid()}"
    assert client.post(f"/requests/{req.id}/edit", data=_form(new_title, action="draft")).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).title == new_title
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.DRAFT
    assert client.post(f"/requests/{req.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.OPEN
    assert new_title in _text(client.get("/requests/?status=open"))
    assert new_title not in _text(client.get("/requests/?status=draft"))

    # an offer arrives: no more editing
    _, profile = _practitioner(app)
    make_offer(db.session.get(ServiceRequest, req.id), profile)
    response = client.get(f"/requests/{req.id}/edit")
    assert response.status_code == 302
    assert "can no longer be edited" in _text(client.get(f"/requests/{req.id}"))

    assert "Cancel this request?" in _text(client.get(f"/requests/{req.id}/cancel"))
    assert client.post(f"/requests/{req.id}/cancel").status_code == 302
    db.session.expire_all()
    req = db.session.get(ServiceRequest, req.id)
    assert req.status == RequestStatus.CANCELLED and req.offers[0].status == OfferStatus.DECLINED
    assert new_title in _text(client.get("/requests/?status=cancelled"))
    assert new_title not in _text(client.get("/requests/?status=open"))


def test_request_this_practitioner(app, client, login_as, sm):
    target_user, target = _practitioner(app, name="Избранный")
    other_user, _ = _practitioner(app, name="Другой")
    customer = _user(sm)

    page = _text(client.get(f"/practitioners/{target.id}?_l_=en", follow_redirects=True))
    assert "Request this practitioner" in page and f"/requests/new?profile={target.id}" in page
    response = client.get(f"/requests/new?profile={target.id}&_l_=en")  # a visitor fills it in first
    assert response.status_code == 200 and "This request goes only to Избранный" in _text(response)

    login_as(customer)
    page = _text(client.get(f"/requests/new?profile={target.id}"))
    assert "This request goes only to Избранный" in page
    title = f"Лично вам {_uid()}"
    notary = factories.category("notary")
    response = client.post(f"/requests/new?profile={target.id}",
                           data=_form(title, category_id=str(notary.id), target_profile_id=str(target.id)))
    assert response.status_code == 302
    req = _request_by_title(title)
    assert req.target_profile_id == target.id and req.category_id == target.category_id

    # a practitioner who is not public cannot be targeted, and the request does not go to everyone instead
    _, hidden = _practitioner(app, status=ProfileStatus.SUBMITTED)
    assert "not available for requests" in _text(client.get(f"/requests/new?profile={hidden.id}"))
    hidden_title = f"Скрытому {_uid()}"
    page = _text(client.post(f"/requests/new?profile={hidden.id}",
                             data=_form(hidden_title, target_profile_id=str(hidden.id))))
    assert "This practitioner is not available for requests." in page
    assert db.session.scalar(select(ServiceRequest).where(ServiceRequest.title == hidden_title)) is None

    login_as(target_user)
    feed = _text(client.get("/feed/"))
    assert title in feed and "Targeted to you" in feed
    login_as(other_user)
    assert title not in _text(client.get("/feed/"))
    assert client.get(f"/requests/{req.id}").status_code == 404


def test_profile_of_a_category_without_requests_shows_contact_block(app, client):
    _, bailiff = _practitioner(app, category="bailiff")
    page = _text(client.get(f"/practitioners/{bailiff.id}?_l_=en", follow_redirects=True))
    assert "Contact and consultation" in page and "takes clients directly" in page
    assert "Request this practitioner" not in page and bailiff.user.email not in page


# --- offers ------------------------------------------------------------------------------


def test_practitioner_edits_and_withdraws_own_offer(app, client, login_as, sm):
    customer = _user(sm)
    user, profile = _practitioner(app, region="KZ-75")
    req = make_request(customer)
    req.published_at = dt.datetime.utcnow()
    db.session.commit()
    offer = make_offer(req, profile, price=40000)
    login_as(user)
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Edit my offer" in page and "Withdraw offer" in page
    assert client.post(f"/requests/offers/{offer.id}/edit", data={
        "price": "35000", "price_kind": "hourly", "term_days": "3", "message": "Дешевле"}).status_code == 302
    db.session.expire_all()
    assert (db.session.get(Offer, offer.id).price, db.session.get(Offer, offer.id).price_kind) == (35000, "hourly")

    page = _text(client.post(f"/requests/offers/{offer.id}/edit", data={"price": "-5", "price_kind": "fixed"}))
    assert "The amount cannot be negative." in page and 'value="-5"' in page
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).price == 35000

    assert "Withdraw your offer?" in _text(client.get(f"/requests/offers/{offer.id}/withdraw"))
    assert client.post(f"/requests/offers/{offer.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.WITHDRAWN
    page = _text(client.get(f"/requests/{req.id}"))
    assert "You withdrew your earlier offer" in page and "Send offer" in page


def test_unverified_and_revoked_practitioners_cannot_offer(app, client, login_as, sm):
    customer = _user(sm)
    pending_user, _ = _practitioner(app, status=ProfileStatus.SUBMITTED)
    login_as(pending_user)
    response = client.get("/feed/")
    assert response.status_code == 200
    assert "Only verified practitioners see requests and make offers." in _text(response)

    # targeted to a verified practitioner who is revoked afterwards
    revoked_user, revoked = _practitioner(app)
    login_as(customer)
    title = f"Отозванному {_uid()}"
    client.post(f"/requests/new?profile={revoked.id}", data=_form(title, target_profile_id=str(revoked.id)))
    req = _request_by_title(title)
    revoked.status = ProfileStatus.REVOKED
    db.session.commit()
    login_as(revoked_user)
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Only verified practitioners see requests and make offers." in page and "Send offer" not in page
    response = client.post(f"/requests/{req.id}/offer", data={"price": "1000", "price_kind": "fixed"})
    assert "Only verified practitioners see requests and make offers." in _text(response)
    assert db.session.scalar(select(Offer).where(Offer.request_id == req.id)) is None

    pending_req = make_request(customer)
    login_as(pending_user)
    assert client.post(f"/requests/{pending_req.id}/offer", data={"price": "1000"}).status_code == 404
    assert db.session.scalar(select(Offer).where(Offer.request_id == pending_req.id)) is None


def test_client_only_user_has_no_feed(client, login_as, sm):
    login_as(_user(sm))
    assert client.get("/feed/").status_code == 403


# --- IDOR ----------------------------------------------------------------------------------


def test_other_client_gets_404_everywhere(app, client, login_as, sm):
    owner, intruder = _user(sm), _user(sm)
    _, profile = _practitioner(app, region="KZ-75")
    req = make_request(owner, title=f"Чужой {_uid()}")
    offer = make_offer(req, profile)
    draft = make_request(owner, status=RequestStatus.DRAFT)
    login_as(intruder)
    for path in (f"/requests/{req.id}", f"/requests/{req.id}/edit", f"/requests/{req.id}/select/{offer.id}",
                 f"/requests/{req.id}/cancel", f"/requests/{req.id}/complete", f"/requests/{draft.id}"):
        assert client.get(path).status_code == 404, path
    for path in (f"/requests/{req.id}/edit", f"/requests/{req.id}/select/{offer.id}", f"/requests/{req.id}/cancel",
                 f"/requests/{req.id}/complete", f"/requests/{draft.id}/publish", f"/requests/{req.id}/review"):
        assert client.post(path, data=_form("Взломано", rating="1")).status_code == 404, path
    assert req.title not in _text(client.get("/requests/"))
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.OPEN
    assert db.session.get(ServiceRequest, draft.id).status == RequestStatus.DRAFT
    assert db.session.get(Offer, offer.id).status == OfferStatus.ACTIVE


def test_practitioner_cannot_touch_another_practitioners_offer(app, client, login_as, sm):
    customer = _user(sm)
    _, owner_profile = _practitioner(app, region="KZ-75")
    other_user, _ = _practitioner(app, region="KZ-75")
    req = make_request(customer)
    offer = make_offer(req, owner_profile, price=40000)
    login_as(other_user)
    assert client.get(f"/requests/offers/{offer.id}/withdraw").status_code == 404
    assert client.post(f"/requests/offers/{offer.id}/withdraw").status_code == 404
    assert client.post(f"/requests/offers/{offer.id}/edit", data={"price": "1", "price_kind": "fixed"}).status_code == 404
    assert client.post(f"/requests/offers/{offer.id}/edit", data={"price": "x"}).status_code == 404
    assert client.post(f"/requests/{req.id}/select/{offer.id}").status_code == 404
    assert client.post(f"/requests/{req.id}/complete").status_code == 404
    db.session.expire_all()
    assert (db.session.get(Offer, offer.id).status, db.session.get(Offer, offer.id).price) == (OfferStatus.ACTIVE, 40000)


def test_review_and_reply_belong_to_their_owners(app, client, login_as, sm, world):
    login_as(world.client_b)
    assert client.post(f"/requests/reviews/{world.review_a.id}/edit", data={"rating": "1"}).status_code == 404
    other_user, _ = _practitioner(app)
    login_as(other_user)
    assert client.post(f"/requests/reviews/{world.review_a.id}/reply", data={"reply": "Не моё"}).status_code == 404
    assert world.review_a.comment not in _text(client.get("/requests/reviews/received"))
    db.session.expire_all()
    review = db.session.get(Review, world.review_a.id)
    assert review.rating == 5 and review.reply is None


def test_staff_read_only(app, client, login_as, sm, world):
    _, profile = _practitioner(app, region="KZ-75")
    req = make_request(world.client_a, title=f"Для модератора {_uid()}")
    make_offer(req, profile, price=77000)
    login_as(_user(sm, ("Moderator",)))
    page = _text(client.get(f"/requests/{req.id}"))
    assert "read only" in page and format_money(77000, "en") in page and "Select" not in page
    assert client.post(f"/requests/{req.id}/cancel").status_code == 403
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.OPEN


def test_menu_points_to_the_new_pages(app, client, login_as, sm):
    user, _ = _practitioner(app)
    login_as(user)
    menu = _text(client.get("/requests/"))  # only the navbar links there
    assert 'href="/requests/"' in menu and 'href="/requests/new"' in menu and 'href="/feed/"' in menu
    assert "/my/requests/list/" not in menu
    account = _text(client.get("/account/"))
    assert "/requests/reviews/received" in account and "/my/requests/list/" not in account
    login_as(_user(sm))
    menu = _text(client.get("/requests/"))
    assert 'href="/requests/new"' in menu and 'href="/feed/"' not in menu
