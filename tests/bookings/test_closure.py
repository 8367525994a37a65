"""Closing an account with bookings (services.accounts.closure with
services.bookings.closure): the closing user's notes, reasons and booking files
are erased; their bookings that have not started are cancelled, audited, and the
other side is told; past bookings and the conversation stay for the other side."""
from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.accounts import AccountStatus
from portal.models.bookings import Booking, BookingStatus
from portal.models.exchange import Attachment, Message
from portal.models.notifications import Notification
from portal.services.accounts import closure
from portal.services.exchange import attachments, messages
from tests import factories as f
from tests.bookings.scene import booking, scene
from tests.factories import stored_folder, stored_path


@pytest.fixture
def s(app):
    return scene(app)


def booking_file(owner, b) -> Attachment:
    key = uuid.uuid4().hex
    row = Attachment(owner_id=owner.id, booking_id=b.id, original_name="passport.pdf",
                     content_type="application/pdf", size=len(f.PDF_BYTES), storage_key=key)
    os.makedirs(stored_folder("attachments"), exist_ok=True)
    with open(stored_path(attachments.key_of(row)), "wb") as fh:
        fh.write(f.PDF_BYTES)
    db.session.add(row)
    db.session.commit()
    return row


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def cancellations_of(booking_id) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "booking", AuditEntry.entity_id == booking_id,
        AuditEntry.to_value == BookingStatus.CANCELLED)).all()


def told(user, kind="booking_cancelled") -> int:
    return len(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)).all())


def test_client_closing_erases_notes_files_and_cancels_future_bookings(s):
    soon = booking(s, BookingStatus.CONFIRMED, dt.timedelta(minutes=30), note="My passport is new")
    later = booking(s, BookingStatus.REQUESTED, dt.timedelta(days=5), note="Call me first")
    past = booking(s, BookingStatus.ATTENDED, -dt.timedelta(days=3), note="Second visit")
    cancelled_before = booking(s, BookingStatus.CANCELLED, dt.timedelta(days=6))
    cancelled_before.cancelled_by_id, cancelled_before.reason = s.client.id, "I found another notary nearby"
    db.session.commit()
    file = booking_file(s.client, later)
    path = stored_path(attachments.key_of(file))
    thread = messages.open_booking_thread(s.client, past.id)
    messages.post(s.prac, thread.id, "Thank you for coming")

    result = closure.close_account(s.client, f.PASSWORD, True)

    assert result.bookings_cancelled == 2
    for b in (soon, later):
        row = fresh(Booking, b.id)
        assert row.status == BookingStatus.CANCELLED and row.cancelled_by_id == s.client.id
        assert row.client_note == "" and row.cancelled_at is not None
        assert [e.reason for e in cancellations_of(b.id)] == ["account closed"]
    assert told(s.prac) == 2
    row = fresh(Booking, past.id)
    assert row.status == BookingStatus.ATTENDED and row.client_note == ""
    assert fresh(Booking, cancelled_before.id).reason == ""
    assert fresh(Attachment, file.id) is None and not os.path.exists(path)
    assert db.session.scalar(select(Message.body).where(Message.thread_id == thread.id)) == "Thank you for coming"
    assert fresh(type(s.client), s.client.id).status == AccountStatus.CLOSED


def test_practitioner_closing_cancels_future_bookings_and_tells_clients(app, s):
    other = f.make_user(app.appbuilder.sm, ("Client",), locale="ru")
    a = booking(s, BookingStatus.CONFIRMED, dt.timedelta(days=1))
    b = booking(s, BookingStatus.REQUESTED, dt.timedelta(days=2), client=other)
    past = booking(s, BookingStatus.NO_SHOW, -dt.timedelta(days=2))
    declined = booking(s, BookingStatus.DECLINED, dt.timedelta(days=3))
    declined.reason = "I am on leave that day"
    db.session.commit()

    result = closure.close_account(s.prac, f.PASSWORD, True)

    assert result.bookings_cancelled == 2
    assert fresh(Booking, a.id).status == fresh(Booking, b.id).status == BookingStatus.CANCELLED
    assert told(s.client) == 1 and told(other) == 1
    assert fresh(Booking, past.id).status == BookingStatus.NO_SHOW
    assert fresh(Booking, declined.id).reason == ""


def test_closure_failure_changes_no_booking(s, monkeypatch):
    b = booking(s, BookingStatus.CONFIRMED, dt.timedelta(days=1), note="Keep me")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(closure, "_erase", broken)
    with pytest.raises(RuntimeError):
        closure.close_account(s.client, f.PASSWORD, True)
    row = fresh(Booking, b.id)
    assert (row.status, row.client_note) == (BookingStatus.CONFIRMED, "Keep me")
    assert cancellations_of(b.id) == [] and told(s.prac) == 0


def test_data_export_holds_booking_conversations_and_reviews(s):
    from portal.services.accounts import data_export
    from portal.services.exchange import reviews

    b = booking(s, BookingStatus.ATTENDED, -dt.timedelta(days=1))
    thread = messages.open_booking_thread(s.client, b.id)
    messages.post(s.client, thread.id, "Thanks again")
    reviews.create_for_booking(s.client, b.id, 5, "Fine")
    data = data_export.export(s.client)
    conv = next(c for c in data["conversations"] if c["id"] == thread.id)
    assert conv["booking_id"] == b.id and conv["request_id"] is None
    assert any(name in conv["request_title"] for name in (s.item.name_en, s.item.name_ru, s.item.name_kk))
    assert conv["my_role"] == "client" and conv["messages"][0]["text"] == "Thanks again"
    assert [r["booking_id"] for r in data["reviews_written"]] == [b.id]
