"""Files a client attaches when booking (Attachment.booking_id): checked like a
request's files before anything is booked, stored like them, and downloadable by
the booking's client, its practitioner and staff (on the record) only; anybody
else gets a 404."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import Booking
from portal.models.exchange import Attachment
from portal.services.bookings import availability
from tests import factories as f
from tests.bookings.helpers import make_service_item, set_hours
from tests.conftest import login

ALL_WEEK = {d: [("08:00", "20:00")] for d in range(7)}


@pytest.fixture
def w(app):
    sm = app.appbuilder.sm
    s = SimpleNamespace()
    s.profile = f.make_practitioner(sm, category_code="notary")
    s.profile.category.takes_bookings = True
    db.session.commit()
    s.item = make_service_item(s.profile, price=8000, duration=30)
    set_hours(s.profile, ALL_WEEK, slot_minutes=30, min_notice_minutes=60, horizon_days=30)
    s.practitioner = s.profile.user
    s.other_practitioner = f.make_practitioner(sm, category_code="notary").user
    s.client = f.make_user(sm)
    s.stranger = f.make_user(sm)
    s.moderator = f.make_user(sm, ("Moderator",))
    return s


def slot_start(w, index=0) -> str:
    now = utcnow()
    slot = availability.profile_free_slots(w.profile.id, now, now + dt.timedelta(days=7), now, 30)[index]
    return slot.starts_at.strftime("%Y-%m-%dT%H:%M")


def post_booking(client, w, files, start=None):
    return client.post(f"/ru/practitioners/{w.profile.id}/book",
                       data={"service": w.item.id, "start": start or slot_start(w), "note": "С файлами",
                             "files": files}, content_type="multipart/form-data")


def booked(w) -> Booking:
    db.session.expire_all()
    return db.session.scalars(select(Booking).where(Booking.client_id == w.client.id)).one()


def booking_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Booking))


def text(app, message, **params) -> str:
    with app.test_request_context(), force_locale("ru"):
        return str(escape(gettext(message, **params)))


def test_files_are_stored_with_the_booking_and_shown_to_both_sides(app, client, w):
    login(client, w.client.email)
    response = post_booking(client, w, [(io.BytesIO(f.PDF_BYTES), "passport.pdf"),
                                        (io.BytesIO(f.PNG_BYTES), "photo.png")])
    assert response.status_code == 302
    booking = booked(w)
    files = db.session.scalars(select(Attachment).where(Attachment.booking_id == booking.id)
                               .order_by(Attachment.id)).all()
    assert [(a.original_name, a.content_type, a.owner_id, a.request_id, a.message_id) for a in files] == [
        ("passport.pdf", "application/pdf", w.client.id, None, None),
        ("photo.png", "image/png", w.client.id, None, None)]
    page = client.get(f"/ru/bookings/{booking.id}").get_data(as_text=True)
    assert f"/attachments/{files[0].id}" in page and "passport.pdf" in page
    download = client.get(f"/attachments/{files[0].id}")
    assert download.status_code == 200 and download.data == f.PDF_BYTES
    assert "attachment" in download.headers["Content-Disposition"]
    client.post("/logout/")
    login(client, w.practitioner.email)
    assert "passport.pdf" in client.get(f"/ru/bookings/{booking.id}").get_data(as_text=True)
    assert client.get(f"/attachments/{files[1].id}").data == f.PNG_BYTES


def test_nobody_else_can_download_them(client, w):
    login(client, w.client.email)
    post_booking(client, w, [(io.BytesIO(f.PDF_BYTES), "passport.pdf")])
    att = db.session.scalars(select(Attachment).where(Attachment.booking_id == booked(w).id)).one()
    for outsider in (w.stranger, w.other_practitioner):
        client.post("/logout/")
        login(client, outsider.email)
        assert client.get(f"/attachments/{att.id}").status_code == 404
    client.post("/logout/")
    response = client.get(f"/attachments/{att.id}")  # a visitor: asked to sign in, never the file
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_staff_download_is_on_the_record(client, w):
    login(client, w.client.email)
    post_booking(client, w, [(io.BytesIO(f.PDF_BYTES), "passport.pdf")])
    att = db.session.scalars(select(Attachment).where(Attachment.booking_id == booked(w).id)).one()
    client.post("/logout/")
    login(client, w.moderator.email)
    assert client.get(f"/attachments/{att.id}").data == f.PDF_BYTES
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "attachment", AuditEntry.entity_id == att.id,
        AuditEntry.action == "staff_download")) == 1


@pytest.mark.parametrize("files, message, params", [
    ([(io.BytesIO(b"<html>not a pdf</html>"), "x.pdf")], "The file %(name)s is not a PDF, JPEG or PNG file.",
     {"name": "x.pdf"}),
    ([(io.BytesIO(b""), "empty.pdf")], "The file %(name)s is empty.", {"name": "empty.pdf"}),
])
def test_a_bad_file_books_nothing_and_says_why(app, client, w, files, message, params):
    login(client, w.client.email)
    before = booking_count()
    response = post_booking(client, w, files)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text(app, message, **params) in page
    assert "С файлами" in page  # the note is kept
    assert booking_count() == before
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_too_many_files_are_refused(app, client, w):
    login(client, w.client.email)
    limit = app.config["ATTACHMENT_MAX_COUNT"]
    files = [(io.BytesIO(f.PDF_BYTES), f"f{i}.pdf") for i in range(limit + 1)]
    response = post_booking(client, w, files)
    assert text(app, "You can attach at most %(n)d files.", n=limit) in response.get_data(as_text=True)
    assert booking_count() == 0
