"""A booking's conversation (services.bookings.conversation, services.exchange.messages
with Thread.booking_id): made lazily, one per booking, for its client and practitioner
only; titled by the service and the local time; listed, read-marked, notified and open
for writing by the booking's status; the same through the web pages and the API."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import BookingStatus
from portal.models.exchange import Thread
from portal.models.notifications import Notification
from portal.services.bookings import conversation
from portal.services.bookings.slots import to_local
from portal.services.exchange import messages
from tests.bookings.scene import booking, scene
from tests.exchange.api_client import ApiUser


@pytest.fixture
def s(app):
    return scene(app)


def thread_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Thread))


def test_thread_for_gets_or_creates_one_thread_per_booking(s):
    b = booking(s)
    before = thread_count()
    t1 = conversation.thread_for(b)
    db.session.commit()
    t2 = conversation.thread_for(b)
    assert t1.id == t2.id and t1.booking_id == b.id and t1.request_id is None
    assert t1.profile_id == s.profile.id
    assert thread_count() == before + 1
    assert conversation.open_for(b).id == t1.id


def test_parties_open_and_write_others_get_not_found(s):
    b = booking(s)
    thread = messages.open_booking_thread(s.client, b.id)
    assert messages.open_booking_thread(s.prac, b.id).id == thread.id
    assert messages.booking_thread(s.prac, b.id).id == thread.id
    with pytest.raises(NotFound):
        messages.open_booking_thread(s.stranger, b.id)
    with pytest.raises(NotFound):
        messages.booking_thread(s.stranger, b.id)
    with pytest.raises(NotFound):
        messages.get_thread(s.stranger, thread.id)
    assert messages.role_in(s.client, thread) == "client"
    assert messages.role_in(s.prac, thread) == "practitioner"
    assert messages.role_in(s.stranger, thread) is None

    messages.post(s.client, thread.id, "Which documents should I bring?")
    note = db.session.scalars(select(Notification).where(Notification.user_id == s.prac.id,
                                                         Notification.kind == "new_message")).one()
    params = json.loads(note.params)
    local = to_local(b.starts_at)
    assert s.item.name_en in params["title"]["en"] and s.item.name_ru in params["title"]["ru"]
    assert local.strftime("%H:%M") in params["title"]["ru"] and local.strftime("%H:%M") in params["title"]["kk"]
    assert note.link == f"/threads/{thread.id}"
    messages.post(s.prac, thread.id, "Your identity card.")
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == s.client.id, Notification.kind == "new_message")) == 1


def test_listed_with_unread_counts_and_read_marks(s):
    b = booking(s)
    thread = messages.open_booking_thread(s.client, b.id)
    messages.post(s.client, thread.id, "Hello")
    messages.post(s.client, thread.id, "Are you there?")
    page = messages.mine(s.prac)
    rows = [(t.id, role, unread) for t, role, unread in page.items]
    assert (thread.id, "practitioner", 2) in rows
    assert [(t.id, role, unread) for t, role, unread in messages.mine(s.client).items] == [(thread.id, "client", 0)]
    assert messages.mine(s.stranger).total == 0
    view = messages.view(s.prac, thread.id)
    assert view.role == "practitioner" and view.can_write
    assert messages.unread_count(db.session.get(Thread, thread.id), "practitioner") == 0
    assert view.contacts_visible  # confirmed: contacts shown


def test_writable_by_booking_status(s):
    requested = booking(s, BookingStatus.REQUESTED)
    thread = messages.open_booking_thread(s.client, requested.id)
    assert not messages.view(s.client, thread.id).contacts_visible  # not confirmed yet
    assert messages.can_write(thread, "client")

    cancelled = booking(s, BookingStatus.CANCELLED, starts_in=dt.timedelta(days=4))
    with pytest.raises(ServiceError):
        messages.open_booking_thread(s.client, cancelled.id)  # no new conversation on a dead booking
    late = conversation.thread_for(cancelled)
    db.session.commit()
    with pytest.raises(ServiceError):
        messages.post(s.client, late.id, "Hello?")

    attended = booking(s, BookingStatus.ATTENDED, starts_in=-dt.timedelta(days=2))
    t = messages.open_booking_thread(s.client, attended.id)
    assert messages.can_write(t, "client")  # follow-up questions after the appointment
    shift = dt.timedelta(days=conversation.WRITE_DAYS_AFTER + 1)
    attended.starts_at, attended.ends_at = attended.starts_at - shift, attended.ends_at - shift
    db.session.commit()
    assert not messages.can_write(t, "client")
    assert not messages.can_write(t, "staff")


def test_web_pages_show_booking_threads(app, s, login_as):
    b = booking(s)
    http = login_as(s.client)
    response = http.get(f"/threads/booking/{b.id}")  # nothing yet: the page with the button
    assert response.status_code == 200 and "Start a conversation about this booking?" in response.get_data(as_text=True)
    assert thread_count_for(b.id) == 0
    response = http.post(f"/threads/booking/{b.id}")
    tid = int(re.search(r"/threads/(\d+)", response.headers["Location"]).group(1))
    assert http.get(f"/threads/booking/{b.id}").headers["Location"].endswith(f"/threads/{tid}")
    http.post(f"/threads/{tid}/post", data={"body": "See you on Monday"}, content_type="multipart/form-data")

    http = login_as(s.prac)
    listing = http.get("/threads/").get_data(as_text=True)
    assert s.item.name_en in listing and f"With client {s.client.display_name}" in listing
    assert re.search(r'class="badge thread-badge">1<', listing)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert "See you on Monday" in page and s.item.name_en in page and "Booking:" in page
    assert s.client.email in page  # confirmed: contacts shown
    assert http.get(f"/threads/booking/{b.id}").status_code == 302

    http = login_as(s.stranger)
    assert http.get(f"/threads/{tid}").status_code == 404
    assert http.get(f"/threads/booking/{b.id}").status_code == 404
    assert http.post(f"/threads/booking/{b.id}").status_code == 404


def thread_count_for(booking_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Thread).where(Thread.booking_id == booking_id))


def test_staff_reading_a_booking_thread_asks_a_reason(app, s, login_as):
    from tests.factories import make_user

    moderator = make_user(app.appbuilder.sm, ("Moderator",), locale="en")
    b = booking(s)
    thread = messages.open_booking_thread(s.client, b.id)
    messages.post(s.client, thread.id, "A private word")
    http = login_as(moderator)
    page = http.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "private conversation about the booking" in page and "A private word" not in page
    page = http.get(f"/threads/{thread.id}?reason=complaint+check").get_data(as_text=True)
    assert "A private word" in page and s.client.display_name in page


def test_api_lists_opens_and_reads_booking_conversations(app, s):
    b = booking(s)
    client_api = ApiUser(app, s.client)
    response = client_api.post("/api/v1/conversations/", json={"booking_id": b.id})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["booking_id"] == b.id and body["request"] is None and s.item.name_en in body["title"]
    tid = body["id"]
    assert client_api.post(f"/api/v1/conversations/{tid}/messages", data={"body": "Hi"}).status_code == 201
    prac_api = ApiUser(app, s.prac)
    listing = prac_api.get("/api/v1/conversations/").get_json()
    item = next(i for i in listing["items"] if i["id"] == tid)
    assert item["unread"] == 1 and item["role"] == "practitioner" and item["booking_id"] == b.id
    detail = prac_api.get(f"/api/v1/conversations/{tid}").get_json()
    assert detail["messages"][0]["body"] == "Hi" and detail["can_write"] is True
    stranger_api = ApiUser(app, s.stranger)
    assert stranger_api.post("/api/v1/conversations/", json={"booking_id": b.id}).status_code == 404
    assert stranger_api.get(f"/api/v1/conversations/{tid}").status_code == 404
    both = client_api.post("/api/v1/conversations/", json={"booking_id": b.id, "request_id": 1})
    assert both.status_code in (400, 422)
