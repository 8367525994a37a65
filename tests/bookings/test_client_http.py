"""The client's side of bookings over HTTP, as real users: the profile's price list and
next free times in kk and ru, the booking page from the choice to the booking (with
CSRF), a visitor who signs in at the end and comes back to the same choice, a time
taken meanwhile, "My bookings", cancel and move within the practitioner's rules, and
a booking of someone else being a 404 on every client route."""
from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from markupsafe import escape

from portal.core.amounts import format_money
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.services.bookings import availability
from portal.services.bookings import booking as booking_service
from portal.services.bookings.slots import to_local
from tests import factories as f
from tests.bookings.helpers import make_booking, make_service_item, set_hours
from tests.conftest import login

ALL_WEEK = {d: [("08:00", "20:00")] for d in range(7)}


@pytest.fixture
def w(app):
    sm = app.appbuilder.sm
    s = SimpleNamespace()
    s.profile = f.make_practitioner(sm, category_code="notary", first_name="Нотариус")
    s.profile.category.takes_bookings = True
    db.session.commit()
    s.item = make_service_item(s.profile, price=8000, duration=30, name_ru="Доверенность",
                               name_kk="Сенімхат", name_en="Power of attorney")
    s.long_item = make_service_item(s.profile, price=25000, duration=60, name_ru="Договор купли-продажи",
                                    name_kk="Сатып алу-сату шарты", name_en="Sale contract", price_kind="from",
                                    mode="online", sort_order=1)
    set_hours(s.profile, ALL_WEEK, slot_minutes=30, min_notice_minutes=60, horizon_days=30,
              cancel_notice_minutes=120)
    s.practitioner = s.profile.user
    s.client = f.make_user(sm)
    s.stranger = f.make_user(sm)
    return s


def free(w, item=None, index=0, days=7):
    item = item or w.item
    now = utcnow()
    return availability.profile_free_slots(w.profile.id, now, now + dt.timedelta(days=days), now,
                                           item.duration_minutes)[index]


def arg(start: dt.datetime) -> str:
    return start.strftime("%Y-%m-%dT%H:%M")


def text(app, message, locale, **params) -> str:
    from flask_babel import gettext

    with app.test_request_context(), force_locale(locale):
        return str(escape(gettext(message, **params)))


def money(app, value, locale) -> str:
    with app.test_request_context(), force_locale(locale):
        return str(escape(format_money(value)))


def bookings_of(client) -> list[Booking]:
    db.session.expire_all()
    return list(db.session.query(Booking).filter_by(client_id=client.id).order_by(Booking.id))


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


# ---------------------------------------------------------------- the profile


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_profile_shows_the_price_list_and_loads_the_next_free_times(app, client, w, lang):
    page = client.get(f"/{lang}/practitioners/{w.profile.id}").get_data(as_text=True)
    name = w.item.name_kk if lang == "kk" else w.item.name_ru
    long_name = w.long_item.name_kk if lang == "kk" else w.long_item.name_ru
    assert name in page and long_name in page
    assert money(app, 8000, lang) in page
    assert text(app, "from %(price)s", lang, price=format_money_in(app, 25000, lang)) in page
    assert text(app, "Services and prices", lang) in page
    assert f'data-slots-url="/{lang}/practitioners/{w.profile.id}/slots"' in page
    assert f"/{lang}/practitioners/{w.profile.id}/book" in page

    fragment = client.get(f"/{lang}/practitioners/{w.profile.id}/slots")
    assert fragment.status_code == 200
    assert fragment.headers["Cache-Control"] == "no-store"
    html = fragment.get_data(as_text=True)
    first = free(w)
    assert to_local(first.starts_at).strftime("%H:%M") in html
    assert f"start={arg(first.starts_at)}" in html
    assert html.count('class="btn btn-default slot"') == 6
    assert text(app, "Next free times (Kazakhstan time)", lang) in html


def format_money_in(app, value, locale) -> str:
    with app.test_request_context(), force_locale(locale):
        return format_money(value)


def test_a_category_without_bookings_shows_no_price_list(app, client, w):
    w.profile.category.takes_bookings = False
    db.session.commit()
    page = client.get(f"/ru/practitioners/{w.profile.id}").get_data(as_text=True)
    assert w.item.name_ru not in page and "data-slots-url" not in page
    assert client.get(f"/ru/practitioners/{w.profile.id}/slots").status_code == 404
    assert client.get(f"/ru/practitioners/{w.profile.id}/book").status_code == 404


def test_the_slots_fragment_follows_new_bookings(client, w):
    first = free(w)
    make_booking(w.profile, w.stranger, w.item, first.starts_at)
    html = client.get(f"/ru/practitioners/{w.profile.id}/slots").get_data(as_text=True)
    assert f"start={arg(first.starts_at)}" not in html


# ---------------------------------------------------------------- booking


def test_booking_end_to_end_with_csrf(app, client, w):
    assert login(client, w.client.email).status_code == 302
    page = client.get(f"/ru/practitioners/{w.profile.id}/book").get_data(as_text=True)
    assert w.item.name_ru in page and w.long_item.name_ru in page  # step 1: the services
    page = client.get(f"/ru/practitioners/{w.profile.id}/book?service={w.long_item.id}").get_data(as_text=True)
    slot = free(w, w.long_item)
    assert f"start={arg(slot.starts_at)}" in page  # step 2: the days and the free times
    page = client.get(f"/ru/practitioners/{w.profile.id}/book?service={w.long_item.id}"
                      f"&start={arg(slot.starts_at)}").get_data(as_text=True)
    assert 'name="note"' in page and 'name="files"' in page  # step 3
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        data = {"service": w.long_item.id, "start": arg(slot.starts_at), "note": "Нужен договор"}
        assert client.post(f"/ru/practitioners/{w.profile.id}/book", data=data).status_code == 400
        assert bookings_of(w.client) == []
        data["csrf_token"] = token_of(page)
        response = client.post(f"/ru/practitioners/{w.profile.id}/book", data=data)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    [booking] = bookings_of(w.client)
    assert response.headers["Location"].endswith(f"/bookings/{booking.id}")
    assert (booking.starts_at, booking.status, booking.price, booking.price_kind, booking.client_note) == (
        slot.starts_at, BookingStatus.REQUESTED, 25000, "from", "Нужен договор")
    shown = client.get(f"/ru/bookings/{booking.id}").get_data(as_text=True)
    assert w.long_item.name_ru in shown and "Нужен договор" in shown
    assert text(app, "Awaiting confirmation", "ru") in shown
    listing = client.get("/ru/bookings/").get_data(as_text=True)
    assert f"/bookings/{booking.id}\"" in listing


def test_a_long_note_is_refused_and_kept(app, client, w):
    login(client, w.client.email)
    slot = free(w)
    note = "x" * 2001
    response = client.post(f"/ru/practitioners/{w.profile.id}/book",
                           data={"service": w.item.id, "start": arg(slot.starts_at), "note": note})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text(app, "The note is too long (at most %(max)d characters).", "ru", max=2000) in page
    assert note in page
    assert bookings_of(w.client) == []


def test_bad_input_never_fails(client, w):
    login(client, w.client.email)
    base = f"/ru/practitioners/{w.profile.id}/book"
    for query in ("?service=x", "?service=999999", "?service=1&start=nonsense", "?start=2020-01-01T00:00",
                  f"?service={w.item.id}&from=2999-01-01", f"?service={w.item.id}&day=bad&from=bad"):
        assert client.get(base + query).status_code == 200, query
    for data in ({}, {"service": "x", "start": "y"}, {"service": w.item.id, "start": "2020-01-01T00:00"}):
        assert client.post(base, data=data).status_code == 200
    assert bookings_of(w.client) == []
    assert client.get("/ru/practitioners/999999/book").status_code == 404


def test_visitor_chooses_then_signs_in_and_lands_on_the_confirmation(app, client, w):
    slot = free(w, index=2)
    base = f"/kk/practitioners/{w.profile.id}/book"
    page = client.get(f"{base}?service={w.item.id}&start={arg(slot.starts_at)}").get_data(as_text=True)
    assert text(app, "Sign in and book", "kk") in page and 'name="files"' not in page
    response = client.post(base, data={"service": w.item.id, "start": arg(slot.starts_at), "note": "Сәлем"})
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]
    assert bookings_of(w.client) == []
    next_url = re.search(r"next=([^&]+)", response.headers["Location"]).group(1)
    from urllib.parse import unquote

    back = unquote(next_url)
    assert back.startswith(base) and arg(slot.starts_at) in back
    signed_in = client.post(f"/login/?next={next_url}", data={"username": w.client.email, "password": f.PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith(back)
    page = client.get(back).get_data(as_text=True)
    assert "Сәлем" in page and 'name="files"' in page  # the same choice, the note kept, files possible now
    assert f'name="start" value="{arg(slot.starts_at)}"' in page
    response = client.post(base, data={"service": w.item.id, "start": arg(slot.starts_at), "note": "Сәлем"})
    assert response.status_code == 302
    [booking] = bookings_of(w.client)
    assert booking.starts_at == slot.starts_at and booking.client_note == "Сәлем"


def test_a_time_taken_meanwhile_shows_the_next_free_times_and_keeps_the_note(app, client, w):
    login(client, w.client.email)
    slot = free(w)
    booking_service.book(w.stranger, w.profile.id, w.item.id, slot.starts_at, "")  # someone else was faster
    response = client.post(f"/ru/practitioners/{w.profile.id}/book",
                           data={"service": w.item.id, "start": arg(slot.starts_at), "note": "Моя заметка",
                                 "files": [(io.BytesIO(f.PDF_BYTES), "a.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text(app, "Someone has just booked this time. Please choose another one.", "ru") in page
    assert "Моя заметка" in page
    assert text(app, "Nothing was booked: please attach your files again.", "ru") in page
    radios = re.findall(r'name="start" value="([^"]+)"', page)
    assert radios and arg(slot.starts_at) not in radios
    response = client.post(f"/ru/practitioners/{w.profile.id}/book",
                           data={"service": w.item.id, "start": radios[0], "note": "Моя заметка"})
    assert response.status_code == 302
    [booking] = bookings_of(w.client)
    assert arg(booking.starts_at) == radios[0]


def test_the_practitioner_cannot_book_their_own_time(client, w):
    login(client, w.practitioner.email)
    slot = free(w)
    response = client.post(f"/ru/practitioners/{w.profile.id}/book",
                           data={"service": w.item.id, "start": arg(slot.starts_at)})
    assert response.status_code == 200
    assert bookings_of(w.practitioner) == []


# ---------------------------------------------------------------- my bookings


def test_my_bookings_upcoming_past_paging_and_empty_state(app, client, w):
    login(client, w.client.email)
    page = client.get("/ru/bookings/").get_data(as_text=True)
    assert text(app, "You have no upcoming bookings. Find a notary or a consultant and book a time on their "
                     "profile.", "ru") in page
    assert "/practitioners/" in page
    now = utcnow().replace(second=0, microsecond=0)
    for i in range(12):
        make_booking(w.profile, w.client, w.item, now + dt.timedelta(days=1, hours=i))
    past = make_booking(w.profile, w.client, w.item, now - dt.timedelta(days=2), status=BookingStatus.ATTENDED)
    other = make_booking(w.profile, w.stranger, w.item, now + dt.timedelta(days=3))
    first = client.get("/ru/bookings/").get_data(as_text=True)
    assert first.count('class="profile-card-block booking-item"') == 10
    assert f"/bookings/{other.id}\"" not in first and f"/bookings/{past.id}\"" not in first
    second = client.get("/ru/bookings/?page=2").get_data(as_text=True)
    assert second.count('class="profile-card-block booking-item"') == 2
    old = client.get("/ru/bookings/?when=past").get_data(as_text=True)
    assert f"/bookings/{past.id}\"" in old and old.count('class="profile-card-block booking-item"') == 1


def test_a_strangers_booking_is_404_on_every_client_route(client, w):
    slot = free(w)
    booking = make_booking(w.profile, w.client, w.item, slot.starts_at)
    login(client, w.stranger.email)
    for path in (f"/ru/bookings/{booking.id}", f"/ru/bookings/{booking.id}/cancel", f"/ru/bookings/{booking.id}/move",
                 f"/ru/bookings/{booking.id}/no-show", f"/ru/bookings/{booking.id + 1000}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/ru/bookings/{booking.id}/cancel", data={"reason": "x"}).status_code == 404
    assert client.post(f"/ru/bookings/{booking.id}/no-show").status_code == 404
    assert client.post(f"/ru/bookings/{booking.id}/move",
                       data={"reason": "x", "start": arg(free(w, index=3).starts_at)}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.REQUESTED
    # the booked practitioner sees the details (notification links), not the client's actions
    client.post("/logout/")
    login(client, w.practitioner.email)
    assert client.get(f"/ru/bookings/{booking.id}").status_code == 200
    assert client.post(f"/ru/bookings/{booking.id}/cancel", data={"reason": "x"}).status_code == 404


def test_visitor_is_sent_to_sign_in(client, w):
    response = client.get("/ru/bookings/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_cancel_asks_for_confirmation_and_a_reason(app, client, w):
    booking = make_booking(w.profile, w.client, w.item, free(w).starts_at)
    login(client, w.client.email)
    page = client.get(f"/ru/bookings/{booking.id}/cancel").get_data(as_text=True)
    assert text(app, "Cancel the booking?", "ru") in page
    response = client.post(f"/ru/bookings/{booking.id}/cancel", data={"reason": "  "})
    assert response.status_code == 200
    assert text(app, "Please give a reason.", "ru") in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.REQUESTED
    response = client.post(f"/ru/bookings/{booking.id}/cancel", data={"reason": "Планы изменились"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Booking, booking.id)
    assert (row.status, row.reason, row.cancelled_by_id) == (BookingStatus.CANCELLED, "Планы изменились", w.client.id)


def test_the_client_marks_that_the_practitioner_did_not_come(app, client, w):
    """After the start of a confirmed booking the client may mark, after a confirmation
    page, that the practitioner did not come; before the start there is no such button."""
    start = utcnow().replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    booking = make_booking(w.profile, w.client, w.item, start, status=BookingStatus.CONFIRMED)
    later = make_booking(w.profile, w.client, w.item, free(w).starts_at, status=BookingStatus.CONFIRMED)
    login(client, w.client.email)
    assert f"/bookings/{later.id}/no-show" not in client.get(f"/ru/bookings/{later.id}").get_data(as_text=True)
    assert client.post(f"/ru/bookings/{later.id}/no-show").status_code == 302  # refused: not started
    db.session.expire_all()
    assert db.session.get(Booking, later.id).status == BookingStatus.CONFIRMED
    page = client.get(f"/ru/bookings/{booking.id}").get_data(as_text=True)
    assert f"/bookings/{booking.id}/no-show" in page
    page = client.get(f"/ru/bookings/{booking.id}/no-show").get_data(as_text=True)
    assert text(app, "Mark that the practitioner did not come?", "ru") in page
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED  # the GET changed nothing
    assert client.post(f"/ru/bookings/{booking.id}/no-show").status_code == 302
    db.session.expire_all()
    row = db.session.get(Booking, booking.id)
    assert (row.status, row.outcome_by_id) == (BookingStatus.NO_SHOW, w.client.id)


def test_a_confirmed_booking_cannot_be_changed_inside_the_cancel_notice(app, client, w):
    soon = utcnow().replace(second=0, microsecond=0) + dt.timedelta(minutes=90)  # notice: 120 min
    booking = make_booking(w.profile, w.client, w.item, soon, status=BookingStatus.CONFIRMED)
    login(client, w.client.email)
    page = client.get(f"/ru/bookings/{booking.id}").get_data(as_text=True)
    assert f"/bookings/{booking.id}/cancel" not in page
    assert text(app, "It is too late to cancel or move this booking here. Please contact the practitioner.",
                "ru") in page
    response = client.post(f"/ru/bookings/{booking.id}/cancel", data={"reason": "Не успеваю"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    response = client.post(f"/ru/bookings/{booking.id}/move",
                           data={"reason": "Позже", "start": arg(free(w, index=10).starts_at)})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).starts_at == soon


def test_move_to_another_free_time(app, client, w):
    first = free(w, index=30)  # a day ahead: outside the cancel notice
    booking = make_booking(w.profile, w.client, w.item, first.starts_at, status=BookingStatus.CONFIRMED)
    login(client, w.client.email)
    page = client.get(f"/ru/bookings/{booking.id}/move").get_data(as_text=True)
    target = free(w, index=31)
    assert "day=" in page and 'class="btn btn-default slot"' in page
    page = client.get(f"/ru/bookings/{booking.id}/move?start={arg(target.starts_at)}").get_data(as_text=True)
    assert f'name="start" value="{arg(target.starts_at)}"' in page
    assert client.post(f"/ru/bookings/{booking.id}/move", data={"start": arg(target.starts_at), "reason": ""}
                       ).status_code == 200
    response = client.post(f"/ru/bookings/{booking.id}/move",
                           data={"start": arg(target.starts_at), "reason": "Работа"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Booking, booking.id)
    assert (row.starts_at, row.status) == (target.starts_at, BookingStatus.CONFIRMED)


def test_staff_have_no_client_bookings_pages(app, client, w):
    moderator = f.make_user(app.appbuilder.sm, ("Moderator",))
    booking = make_booking(w.profile, w.client, w.item, free(w).starts_at)
    login(client, moderator.email)
    assert client.get("/ru/bookings/").status_code == 403
    assert client.get(f"/ru/bookings/{booking.id}").status_code == 403


def test_a_visitors_long_note_is_not_lost_silently(app, client, w):
    slot = free(w, index=1)
    base = f"/ru/practitioners/{w.profile.id}/book"
    note = "Ж" * 1500  # 3000 bytes: too much for the session cookie
    response = client.post(base, data={"service": w.item.id, "start": arg(slot.starts_at), "note": note})
    assert response.status_code == 302
    login(client, w.client.email)
    page = client.get(f"{base}?service={w.item.id}&start={arg(slot.starts_at)}").get_data(as_text=True)
    assert text(app, "Your note was too long to keep while you signed in: please write it again.", "ru") in page
