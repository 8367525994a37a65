"""Who hears of each booking change, in their own language, linked to their page of the
booking (services.bookings.notices called from services.bookings.booking); a refused
transition notifies nobody."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.bookings import BookingRules, BookingStatus
from portal.models.notifications import MailOutbox, Notification
from portal.services.bookings import booking as svc
from portal.services.bookings.links import booking_url
from portal.services.notifications import kinds
from tests import factories as f
from tests.bookings.helpers import local, make_service_item, set_hours

NOW = local(2026, 3, 1, 8, 0)  # a Sunday, a week before
TEN = local(2026, 3, 9, 10, 0)  # Monday 10:00 Kazakhstan time = 05:00 UTC
ELEVEN = local(2026, 3, 9, 11, 0)
WEEKDAYS = {d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(5)}


class World:
    """A notary (reads Kazakh) with a price list and hours; a client (reads Russian)."""

    def __init__(self, app, **rules):
        sm = app.appbuilder.sm
        self.profile = f.make_practitioner(sm, category_code="notary", first_name="Айгүл")
        self.profile.category.takes_bookings = True
        self.practitioner = self.profile.user
        self.practitioner.locale = "kk"
        db.session.commit()
        self.item = make_service_item(self.profile, price=8000, duration=30, name_kk="Сенімхат",
                                      name_ru="Доверенность", name_en="Power of attorney")
        set_hours(self.profile, WEEKDAYS, **({"slot_minutes": 30, "min_notice_minutes": 120, "horizon_days": 60,
                                              "cancel_notice_minutes": 120} | rules))
        self.client = f.make_user(sm, first_name="Иван", locale="ru")
        self.stranger = f.make_user(sm)

    def book(self, starts_at=TEN, now=NOW, who=None):
        return svc.book(who or self.client, self.profile.id, self.item.id, starts_at, "my note", now)


@pytest.fixture
def w(app):
    return World(app)


def notes_of(user) -> list[Notification]:
    with f.committed_session() as s:
        return list(s.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)))


def mails_to(user) -> list[MailOutbox]:
    with f.committed_session() as s:
        return list(s.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id).order_by(MailOutbox.id)))


def title(note: Notification, locale: str) -> str:
    with force_locale(locale):
        return kinds.title_for(note.kind, json.loads(note.params))


def test_a_request_tells_the_practitioner_in_kazakh_and_nobody_else(w):
    booking = w.book()
    [note] = notes_of(w.practitioner)
    assert note.kind == "booking_requested"
    assert note.link == f"/kk/practice/bookings/{booking.id}"
    text = title(note, "kk")
    assert "Сенімхат" in text and "Иван" in text and "10:00" in text  # local time, Kazakh service name
    assert notes_of(w.client) == []
    [mail] = mails_to(w.practitioner)
    assert mail.locale == "kk" and "Сенімхат" in mail.subject
    assert f"/kk/practice/bookings/{booking.id}" in mail.body_text
    assert mail.attachments is None  # no calendar file before it is confirmed


def test_confirming_tells_the_client_in_russian_with_the_calendar_file(w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    [note] = notes_of(w.client)
    assert note.kind == "booking_confirmed"
    assert note.link == f"/ru/bookings/{booking.id}"
    text = title(note, "ru")
    assert "Доверенность" in text and "10:00" in text and "9 мар" in text
    [mail] = mails_to(w.client)
    assert mail.locale == "ru" and "Доверенность" in mail.subject
    files = json.loads(mail.attachments)
    assert [(x["filename"], x["content_type"]) for x in files] == [(f"booking-{booking.id}.ics", "text/calendar")]
    assert len(notes_of(w.practitioner)) == 1  # only the request: they confirmed it themselves


def test_auto_confirm_tells_the_client_confirmed_at_once(app):
    w = World(app, auto_confirm=True)
    booking = w.book()
    assert booking.status == BookingStatus.CONFIRMED
    assert [n.kind for n in notes_of(w.client)] == ["booking_confirmed"]
    assert [n.kind for n in notes_of(w.practitioner)] == ["booking_auto_confirmed"]
    assert mails_to(w.client)[0].attachments


def test_declining_tells_the_client(w):
    booking = w.book()
    svc.decline(w.practitioner, booking.id, "Не работаю в этот день", now=NOW)
    [note] = notes_of(w.client)
    assert note.kind == "booking_declined" and note.link == f"/ru/bookings/{booking.id}"
    assert "Доверенность" in title(note, "ru")


def test_a_client_cancelling_tells_the_practitioner_with_the_reason(w):
    booking = w.book()
    svc.cancel(w.client, booking.id, "Заболел", now=NOW)
    kinds_seen = [n.kind for n in notes_of(w.practitioner)]
    assert kinds_seen == ["booking_requested", "booking_cancelled"]
    note = notes_of(w.practitioner)[-1]
    assert note.link == f"/kk/practice/bookings/{booking.id}"
    assert "Заболел" in title(note, "kk") and "Иван" in title(note, "kk")
    assert notes_of(w.client) == []  # not told of their own cancellation


def test_the_practitioner_cancelling_tells_the_client(w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    svc.cancel(w.practitioner, booking.id, "Уезжаю", now=NOW)
    note = notes_of(w.client)[-1]
    assert note.kind == "booking_cancelled" and "Уезжаю" in title(note, "ru")
    assert note.link == f"/ru/bookings/{booking.id}"


def test_moving_tells_the_other_side_with_the_new_time(w):
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    svc.move(w.client, booking.id, ELEVEN, "Опаздываю", now=NOW)
    note = notes_of(w.practitioner)[-1]
    assert note.kind == "booking_moved"
    text = title(note, "kk")
    assert "11:00" in text and "Опаздываю" in text
    svc.move(w.practitioner, booking.id, TEN, "Так удобнее", now=NOW)
    note = notes_of(w.client)[-1]
    assert note.kind == "booking_moved" and "10:00" in title(note, "ru")
    assert json.loads(mails_to(w.client)[-1].attachments)  # the updated calendar event


def test_each_user_reads_the_same_notification_in_their_language(w):
    w.client.locale = "kk"
    db.session.commit()
    booking = w.book()
    svc.confirm(w.practitioner, booking.id, now=NOW)
    [note] = notes_of(w.client)
    assert note.link == f"/kk/bookings/{booking.id}"
    assert "Сенімхат" in title(note, "kk")
    assert mails_to(w.client)[0].locale == "kk"


def test_refused_transitions_notify_nobody(w):
    booking = w.book()
    before = f.notification_count(), f.row_count(MailOutbox)
    for call in (lambda: svc.decline(w.stranger, booking.id, "", now=NOW),
                 lambda: svc.cancel(w.client, booking.id, "", now=NOW),  # no reason
                 lambda: svc.mark_attended(w.practitioner, booking.id, now=NOW),
                 lambda: svc.move(w.client, booking.id, local(2026, 3, 8, 10, 0), "Воскресенье", now=NOW),
                 lambda: w.book(starts_at=TEN, who=w.stranger)):  # the time is taken
        with pytest.raises(ServiceError):
            call()
        db.session.rollback()
    assert (f.notification_count(), f.row_count(MailOutbox)) == before
    svc.confirm(w.practitioner, booking.id, now=NOW)
    with pytest.raises(ServiceError):
        svc.confirm(w.practitioner, booking.id, now=NOW)  # twice
    db.session.rollback()
    assert f.notification_count() == before[0] + 1


def test_the_links_are_the_pages_each_side_reads(w):
    booking = w.book()
    assert booking_url(booking, w.client) == f"/ru/bookings/{booking.id}"
    assert booking_url(booking, w.practitioner) == f"/kk/practice/bookings/{booking.id}"
    assert booking_url(booking, w.client, lang="en") == f"/en/bookings/{booking.id}"


def test_every_booking_kind_is_rendered_in_kk_and_ru_without_holes(w):
    booking = w.book()
    svc.cancel(w.client, booking.id, "Причина", now=NOW)
    for note in notes_of(w.practitioner):
        for locale in ("kk", "ru", "en"):
            text = title(note, locale)
            assert "%(" not in text and text.strip()


def test_a_late_booking_has_its_24h_reminder_marked_not_due(w):
    now = TEN - dt.timedelta(hours=5)
    booking = w.book(now=now)
    assert booking.reminded_24h_at == now and booking.reminded_2h_at is None
    rules = db.session.get(BookingRules, w.profile.id)
    assert rules is not None


def test_the_links_resolve_to_the_booking_pages(app, w):
    booking = w.book()
    adapter = app.url_map.bind("localhost")
    for user, endpoint in ((w.client, "ClientBookingsView.show"), (w.practitioner, "PracticeBookingsView.show")):
        path = booking_url(booking, user)
        lang, _, rest = path.lstrip("/").partition("/")
        assert lang in app.config["LANGUAGES"]
        found, args = adapter.match("/" + rest)
        assert found == endpoint and args == {"booking_id": booking.id}
