"""The review after an appointment (services.exchange.reviews with Review.booking_id,
views.bookings.review): only the client of an attended booking, once; the edit window,
the practitioner's reply, moderation, the rating and the 6.6 flag as after a request."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import BookingStatus
from portal.models.exchange import Review, ReviewStatus
from portal.models.notifications import Notification
from portal.services.exchange import reviews
from portal.services.practitioners import moderation
from tests import factories as f
from tests.bookings.scene import booking, scene

PAST = -dt.timedelta(days=1)


@pytest.fixture
def s(app):
    return scene(app)


def review_count() -> int:
    with f.committed_session() as session:
        return session.scalar(select(func.count()).select_from(Review))


def test_client_reviews_an_attended_booking_once(s):
    b = booking(s, BookingStatus.ATTENDED, PAST)
    assert reviews.can_review_booking(s.client, b.id)
    review = reviews.create_for_booking(s.client, b.id, 4, "  Quick and clear.  ")
    assert (review.booking_id, review.request_id, review.profile_id) == (b.id, None, s.profile.id)
    assert review.comment == "Quick and clear." and review.status == ReviewStatus.PUBLISHED
    db.session.refresh(s.profile)
    assert (s.profile.reviews_count, float(s.profile.rating_avg)) == (1, 4.0)
    note = db.session.scalars(select(Notification).where(Notification.user_id == s.prac.id,
                                                         Notification.kind == "new_review")).one()
    assert s.item.name_en in json.loads(note.params)["title"]["en"]
    assert not reviews.can_review_booking(s.client, b.id)
    n = review_count()
    with pytest.raises(ServiceError) as info:
        reviews.create_for_booking(s.client, b.id, 5, "Again")
    assert str(info.value.message) == str(reviews._ALREADY_BOOKING)
    db.session.rollback()
    assert review_count() == n


@pytest.mark.parametrize("status,starts_in", [
    (BookingStatus.CONFIRMED, PAST),  # its time passed, but nobody marked it attended
    (BookingStatus.NO_SHOW, PAST), (BookingStatus.CANCELLED, dt.timedelta(days=2)),
    (BookingStatus.DECLINED, dt.timedelta(days=2)), (BookingStatus.REQUESTED, dt.timedelta(days=2)),
])
def test_only_an_attended_booking_can_be_reviewed(s, status, starts_in):
    b = booking(s, status, starts_in)
    assert not reviews.can_review_booking(s.client, b.id)
    n = review_count()
    with pytest.raises(ServiceError):
        reviews.create_for_booking(s.client, b.id, 5, "Great")
    db.session.rollback()
    assert review_count() == n


def test_nobody_else_reviews_the_booking(s):
    b = booking(s, BookingStatus.ATTENDED, PAST)
    for who in (s.prac, s.stranger):
        with pytest.raises(NotFound):
            reviews.create_for_booking(who, b.id, 1, "Bad")
        with pytest.raises(NotFound):
            reviews.can_review_booking(who, b.id)
    with pytest.raises(ServiceError) as info:
        reviews.create_for_booking(s.client, b.id, 6, "")
    assert info.value.field == "rating"
    db.session.rollback()
    assert review_count() == 0


def test_edit_window_reply_and_moderation(app, s):
    b = booking(s, BookingStatus.ATTENDED, PAST)
    review = reviews.create_for_booking(s.client, b.id, 2, "Late")
    reviews.edit(s.client, review.id, 3, "Late, but helpful")
    assert (review.rating, review.comment) == (3, "Late, but helpful")
    later = review.created_at + dt.timedelta(hours=app.config["REVIEW_EDIT_HOURS"], minutes=1)
    with pytest.raises(ServiceError):
        reviews.edit(s.client, review.id, 5, "Changed my mind", now=later)
    db.session.rollback()
    reviews.reply(s.prac, review.id, "Sorry for the wait.")
    assert review.reply == "Sorry for the wait."
    assert review in reviews.received(s.prac).items and review in reviews.written(s.client).items

    moderator = f.make_user(app.appbuilder.sm, ("Moderator",), locale="en")
    moderation.hide_review(moderator, review.id, "Personal data in the text.")
    db.session.refresh(s.profile)
    assert s.profile.reviews_count == 0
    hidden = db.session.scalars(select(Notification).where(Notification.user_id == s.client.id,
                                                           Notification.kind == "review_hidden")).one()
    assert json.loads(hidden.params)["title"]["en"] == s.item.name_en


def test_third_negative_booking_review_flags_the_profile(app, s):
    sm = app.appbuilder.sm
    for i in range(3):
        client = s.client if i == 0 else f.make_user(sm, ("Client",), locale="en")
        b = booking(s, BookingStatus.ATTENDED, PAST - dt.timedelta(hours=i), client=client)
        reviews.create_for_booking(client, b.id, 1, "Rude")
        db.session.refresh(s.profile)
        assert (s.profile.flagged_at is not None) == (i == 2)
    assert s.profile.negative_reviews_count == 3


def test_review_pages(app, s, login_as):
    b = booking(s, BookingStatus.ATTENDED, PAST)
    http = login_as(s.client)
    page = http.get(f"/bookings/{b.id}/review").get_data(as_text=True)
    assert "Publish review" in page and s.item.name_en in page
    response = http.post(f"/bookings/{b.id}/review", data={"rating": "", "comment": "No stars"})
    assert response.status_code == 200 and review_count() == 0  # the form again, nothing saved
    response = http.post(f"/bookings/{b.id}/review", data={"rating": "5", "comment": "Very good notary"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/bookings/{b.id}/review")
    page = http.get(f"/bookings/{b.id}/review").get_data(as_text=True)
    assert "Very good notary" in page and "Edit my review" in page
    response = http.post(f"/bookings/{b.id}/review/edit", data={"rating": "4", "comment": "Good notary"})
    assert response.status_code == 302
    review = db.session.scalars(select(Review).where(Review.booking_id == b.id)).one()
    db.session.refresh(review)
    assert (review.rating, review.comment) == (4, "Good notary")
    # the request review's edit route sends a booking review to its own page
    response = http.post(f"/requests/reviews/{review.id}/edit", data={"rating": "", "comment": ""})
    assert response.status_code == 302 and f"/bookings/{b.id}/review" in response.headers["Location"]

    # the practitioner sees it with the reviews of their work and on the public profile
    page = login_as(s.prac).get("/requests/reviews/received").get_data(as_text=True)
    assert "Good notary" in page and s.item.name_en in page
    assert login_as(s.prac).get(f"/bookings/{b.id}/review").status_code == 404
    assert login_as(s.stranger).get(f"/bookings/{b.id}/review").status_code == 404
    assert login_as(s.stranger).post(f"/bookings/{b.id}/review", data={"rating": "1"}).status_code == 404
    assert review_count() == 1


def test_not_yet_attended_page_explains(s, login_as):
    b = booking(s, BookingStatus.CONFIRMED, dt.timedelta(days=2))
    page = login_as(s.client).get(f"/bookings/{b.id}/review").get_data(as_text=True)
    assert "once the appointment is marked attended" in page and "Publish review" not in page
    assert utcnow() < b.starts_at
