"""The .ics sent with a confirmation and the practitioner's private iCalendar feed
(services.bookings.calendar, views.bookings.calendar), read back with the icalendar library."""
from __future__ import annotations

import datetime as dt
import email
import glob
import json
import os

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import BookingRules
from portal.models.notifications import MailOutbox, MailStatus
from portal.services.bookings import booking as svc
from portal.services.bookings import calendar
from portal.services.notifications import mailer
from tests import factories as f
from tests.bookings.helpers import local, make_service_item, set_hours
from tests.bookings.test_notify import ELEVEN, NOW, TEN, WEEKDAYS, World

UTC = dt.timezone.utc


@pytest.fixture
def w(app):
    return World(app)


def events(data: bytes) -> list:
    cal = Calendar.from_ical(data)
    return [c for c in cal.walk("VEVENT")]


def confirmation_mail(app, user) -> tuple[MailOutbox, email.message.Message]:
    with f.committed_session() as s:
        row = s.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id)
                        .order_by(MailOutbox.id.desc())).first()
        s.expunge(row)
    [path] = glob.glob(os.path.join(app.instance_path, "mail", f"*outbox.{row.id}.*.eml"))
    with open(path, "rb") as fh:
        return row, email.message_from_bytes(fh.read())


def ics_part(message) -> bytes:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True)


# ---------------------------------------------------------------- the confirmation's .ics


def test_the_confirmation_email_carries_an_ics_with_the_right_times(app, w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    row, message = confirmation_mail(app, w.client)
    assert row.status == MailStatus.SENT  # sent inline, with its file
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == f"booking-{booking.id}.ics"
    [event] = events(part.get_payload(decode=True))
    # Monday 9 March 2026, 10:00 in Kazakhstan (UTC+5) is 05:00 UTC
    assert event.decoded("dtstart") == dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert event.decoded("dtend") == dt.datetime(2026, 3, 9, 5, 30, tzinfo=UTC)
    assert b"DTSTART:20260309T050000Z" in ics_part(message)
    assert str(event["uid"]) == calendar.uid(booking)
    assert "Доверенность" in str(event["summary"])  # the client reads Russian
    assert str(event["status"]) == "CONFIRMED"
    assert "my note" not in ics_part(message).decode()


def test_the_uid_stays_when_the_booking_moves(app, w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    first = events(ics_part(confirmation_mail(app, w.client)[1]))[0]
    svc.move(w.practitioner, booking.id, ELEVEN, "Перенос", now=NOW)
    moved = events(ics_part(confirmation_mail(app, w.client)[1]))[0]
    assert str(moved["uid"]) == str(first["uid"])
    assert moved.decoded("dtstart") == dt.datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


def test_the_office_address_goes_in_location_when_the_profile_has_one(app, w):
    booking = w.book()
    assert calendar.office_address(w.profile, "ru") == ""
    [event] = events(calendar.booking_ics(booking, "ru", now=NOW))
    assert "location" not in event  # no address: none invented
    w.profile.office_address = "Алматы, ул. Абая 1, офис 5"  # a profile with an address field
    [event] = events(calendar.booking_ics(booking, "kk", now=NOW))
    assert str(event["location"]) == "Алматы, ул. Абая 1, офис 5"
    assert "Сенімхат" in str(event["summary"])
    assert str(event["status"]) == "TENTATIVE"


def test_a_retried_mail_keeps_its_attachment(app, w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    row, _ = confirmation_mail(app, w.client)
    # the first try failed: the row is pending again; the retry must send the same file
    for path in glob.glob(os.path.join(app.instance_path, "mail", f"*outbox.{row.id}.*.eml")):
        os.remove(path)
    with f.committed_session() as s:
        fresh = s.get(MailOutbox, row.id)
        fresh.status, fresh.next_attempt_at = MailStatus.PENDING, dt.datetime(2000, 1, 1)
        s.commit()
    assert mailer.send_due(app) == (1, 0)
    _, message = confirmation_mail(app, w.client)
    assert events(ics_part(message))[0].decoded("dtstart") == dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert json.loads(row.attachments)[0]["filename"].endswith(".ics")


# ---------------------------------------------------------------- the private feed


@pytest.fixture
def other(app):
    """Another notary with a booking of another client at the same time."""
    sm = app.appbuilder.sm
    profile = f.make_practitioner(sm, category_code="notary", first_name="Другой")
    item = make_service_item(profile, name_ru="Чужая услуга", name_kk="Бөтен қызмет")
    set_hours(profile, WEEKDAYS, slot_minutes=30, min_notice_minutes=120, horizon_days=60)
    client = f.make_user(sm, first_name="Секрет")
    booking = svc.book(client, profile.id, item.id, TEN, "тайная заметка", NOW)
    return profile, booking


def test_the_feed_lists_the_practitioners_bookings_without_notes(app, client, w, other):
    first = w.book()
    second = w.book(starts_at=ELEVEN, who=w.stranger)
    svc.confirm(w.practitioner, first.id, now=NOW)
    svc.cancel(w.stranger, second.id, "Не смогу", now=NOW)
    url = calendar.reset_feed(w.practitioner)
    path = url.removeprefix(app.config["PORTAL_BASE_URL"].rstrip("/"))
    assert path.startswith("/calendar/") and path.endswith(".ics")
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers  # no session for a calendar app
    assert Calendar.from_ical(response.data)["x-wr-calname"]
    # the contents as of the test's clock (the route reads the real one)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    data = calendar.feed_for_token(token, now=NOW)
    found = {str(e["uid"]): e for e in events(data)}
    assert set(found) == {calendar.uid(first), calendar.uid(second)}
    mine = found[calendar.uid(first)]
    assert mine.decoded("dtstart") == dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert "Сенімхат" in str(mine["summary"]) and "Иван" in str(mine["summary"])  # kk: the practitioner's
    assert str(found[calendar.uid(second)]["status"]) == "CANCELLED"
    body = data.decode()
    assert "my note" not in body and "тайная" not in body and "Секрет" not in body
    assert calendar.uid(other[1]) not in body


def test_an_unknown_or_replaced_token_is_404(app, client, w):
    w.book()
    old = calendar.reset_feed(w.practitioner).rsplit("/", 1)[1]
    assert client.get(f"/calendar/{old}").status_code == 200
    new = calendar.reset_feed(w.practitioner).rsplit("/", 1)[1]
    assert new != old
    assert client.get(f"/calendar/{old}").status_code == 404
    assert client.get(f"/calendar/{new}").status_code == 200
    for bad in ("nothing.ics", "x" * 80 + ".ics", "..%2F.ics", ".ics", "a'b.ics"):
        assert client.get(f"/calendar/{bad}").status_code == 404
    assert client.get("/calendar/%00.ics").status_code == 400  # refused by the input checks
    with pytest.raises(NotFound):
        calendar.feed_for_token("")


def test_resetting_is_audited_without_the_secret(w):
    url = calendar.reset_feed(w.practitioner)
    calendar.reset_feed(w.practitioner)
    with f.committed_session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == calendar.AUDIT_ENTITY,
                                                  AuditEntry.entity_id == w.profile.id)
                         .order_by(AuditEntry.id)).all()
        assert [r.action for r in rows] == ["feed_created", "feed_reset"]
        assert all(r.actor_id == w.practitioner.id for r in rows)
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert all(token not in f"{r.from_value}{r.to_value}{r.reason}" for r in rows)


def test_only_a_practitioner_taking_bookings_has_a_feed(app, w):
    with pytest.raises((NotFound, ServiceError)):
        calendar.reset_feed(w.client)
    db.session.rollback()
    assert f.row_count(BookingRules, feed_token=None) == f.row_count(BookingRules)


def test_the_practitioner_creates_and_replaces_the_address_by_post(app, client, login_as, w):
    login_as(w.practitioner)
    response = client.post("/practice/calendar-feed", data={"next": "/practice/"})
    assert response.status_code == 302
    db.session.expire_all()
    first = db.session.get(BookingRules, w.profile.id).feed_token
    assert first
    # replacing needs the confirmation: without it nothing changes and the confirmation page shows
    response = client.post("/practice/calendar-feed", data={"next": "/practice/"})
    assert "/practice/calendar-feed/reset" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(BookingRules, w.profile.id).feed_token == first
    page = client.get("/practice/calendar-feed/reset?next=/practice/")
    assert page.status_code == 200 and b'name="confirm" value="1"' in page.data
    client.post("/practice/calendar-feed", data={"next": "/practice/", "confirm": "1"})
    db.session.expire_all()
    assert db.session.get(BookingRules, w.profile.id).feed_token not in (None, first)


def test_a_visitor_cannot_reset_and_a_client_gets_no_feed(app, client, login_as, w):
    response = client.post("/practice/calendar-feed", data={})
    assert response.status_code == 302 and "login" in response.headers["Location"]
    login_as(w.client)
    response = client.post("/practice/calendar-feed", data={"confirm": "1"})
    assert response.status_code in (302, 404)
    assert f.row_count(BookingRules, profile_id=w.profile.id) == 1
    db.session.expire_all()
    assert db.session.get(BookingRules, w.profile.id).feed_token is None


def test_the_settings_snippet_shows_the_address_and_the_reset_form(app, w):
    from flask import render_template

    calendar.reset_feed(w.practitioner)
    url = calendar.feed_url(w.profile)
    with app.test_request_context("/kk/practice/bookings/settings"):
        from flask import g

        g.user = w.practitioner
        html = render_template("portal/bookings/_calendar_feed.html", profile=w.profile)
    assert url in html and 'name="confirm"' in html and "webcal://" in html
    with app.test_request_context("/ru/practice/"):
        html = render_template("portal/bookings/_calendar_feed.html", profile=f.make_practitioner(
            app.appbuilder.sm, category_code="notary"))
    assert "calendar-feed-url" not in html and "/practice/calendar-feed" in html


def test_old_bookings_leave_the_feed(w):
    long_ago = local(2026, 1, 5, 10, 0)
    booking = w.book(starts_at=long_ago, now=long_ago - dt.timedelta(days=2))
    token = calendar.reset_feed(w.practitioner).rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar.uid(booking) in calendar.feed_for_token(token, now=long_ago).decode()
    later = long_ago + dt.timedelta(days=calendar.RECENT_DAYS + 1)
    assert calendar.uid(booking) not in calendar.feed_for_token(token, now=later).decode()
