"""The practitioner's booking pages over HTTP: schedule and price list render in kk and
ru and save, errors come back translated on the page with nothing stored, the
bookings list and a booking's page with confirm / decline / cancel / move / marks
(with CSRF), another practitioner's booking is a 404 on every route, and a client
(or a practitioner of a category without bookings) cannot use the pages."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from markupsafe import escape

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import (
    AvailabilityException,
    Booking,
    BookingRules,
    BookingStatus,
    ServiceItem,
    WorkingHours,
)
from portal.services.bookings import availability, schedule
from portal.services.bookings.slots import to_local
from tests import factories as f
from tests.bookings.helpers import make_booking, make_service_item, set_hours

ALL_WEEK = {d: [("08:00", "20:00")] for d in range(7)}
LANGS = ("kk", "ru")


@pytest.fixture
def w(app):
    sm = app.appbuilder.sm
    s = SimpleNamespace()
    s.profile = f.make_practitioner(sm, category_code="notary", first_name="Нотариус")
    s.profile.category.takes_bookings = True
    db.session.commit()
    s.item = make_service_item(s.profile, price=8000, duration=30, name_ru="Доверенность", name_kk="Сенімхат")
    set_hours(s.profile, ALL_WEEK, slot_minutes=30, min_notice_minutes=60, horizon_days=30,
              cancel_notice_minutes=120)
    s.practitioner = s.profile.user
    s.client = f.make_user(sm, first_name="Айгерим", last_name="Клиентова")
    s.other = f.make_practitioner(sm, category_code="notary")
    return s


def text(app, message, locale, **params) -> str:
    from flask_babel import gettext

    with app.test_request_context(), force_locale(locale):
        return str(escape(gettext(message, **params)))


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def page_of(http, url) -> str:
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def free(w, index=0, minutes=30):
    now = utcnow()
    return availability.profile_free_slots(w.profile.id, now, now + dt.timedelta(days=7), now, minutes)[index]


def upcoming_booking(w, index=0, status=BookingStatus.REQUESTED) -> Booking:
    return make_booking(w.profile, w.client, w.item, free(w, index).starts_at, status=status)


def fresh(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


# --- schedule and prices ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_pages_render_in_both_languages(app, w, login_as, lang):
    http = login_as(w.practitioner)
    for path, heading in (("/practice/schedule", "Working schedule"), ("/practice/prices", "Price list"),
                          ("/practice/bookings/", "Bookings")):
        page = page_of(http, f"/{lang}{path}")
        assert f'<html lang="{lang}">' in page
        assert text(app, heading, lang) in page
        assert text(app, "My practice", lang) in page
    schedule_page = page_of(http, f"/{lang}/practice/schedule")
    assert text(app, "Monday", lang) in schedule_page and 'placeholder="09:00"' in schedule_page
    assert 'value="08:00"' in schedule_page and 'value="20:00"' in schedule_page
    prices = page_of(http, f"/{lang}/practice/prices")
    assert ("Сенімхат" if lang == "kk" else "Доверенность") in prices


def test_practice_page_links_to_the_booking_pages(app, w, login_as):
    page = page_of(login_as(w.practitioner), "/ru/practice/")
    for path in ("/practice/schedule", "/practice/prices", "/practice/bookings/"):
        assert f'href="{path}"' in page  # private pages: unprefixed links (core.lang_urls)
    w.profile.category.takes_bookings = False
    db.session.commit()
    page = page_of(login_as(w.practitioner), "/ru/practice/")
    assert 'href="/practice/schedule"' not in page


def test_weekly_hours_save_with_several_ranges(w, login_as):
    http = login_as(w.practitioner)
    response = http.post("/ru/practice/schedule", data={
        "action": "hours", "day_0-0-start": "09:00", "day_0-0-end": "13:00",
        "day_0-1-start": "14:00", "day_0-1-end": "18:00", "day_0-2-start": "", "day_0-2-end": "",
        "day_5-0-start": "10:00", "day_5-0-end": "12:30"})
    assert response.status_code == 302
    assert schedule.get_schedule(w.profile.id).weekly == {0: [(540, 780), (840, 1080)], 5: [(600, 750)]}
    page = page_of(http, "/ru/practice/schedule")
    assert 'value="14:00"' in page and 'value="12:30"' in page


def test_times_typed_on_a_phone(w, login_as):
    http = login_as(w.practitioner)
    response = http.post("/ru/practice/schedule", data={
        "action": "hours", "day_2-0-start": "9.30", "day_2-0-end": "1300", "day_2-1-start": "14,00",
        "day_2-1-end": "24:00", "day_3-0-start": "8", "day_3-0-end": "12:00:00"})
    assert response.status_code == 302
    assert schedule.get_schedule(w.profile.id).weekly == {2: [(570, 780), (840, 1440)], 3: [(480, 720)]}


@pytest.mark.parametrize("lang", LANGS)
def test_weekly_hours_errors_shown_and_nothing_saved(app, w, login_as, lang):
    http = login_as(w.practitioner)
    before = f.row_count(WorkingHours)
    response = http.post(f"/{lang}/practice/schedule", data={
        "action": "hours", "day_1-0-start": "09:00", "day_1-0-end": "13:00",
        "day_1-1-start": "12:00", "day_1-1-end": "15:00"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text(app, "The time ranges %(first)s and %(second)s overlap.", lang,
                first="09:00-13:00", second="12:00-15:00") in page
    assert 'value="12:00"' in page  # what was typed stays
    response = http.post(f"/{lang}/practice/schedule", data={"action": "hours", "day_2-0-start": "25:00",
                                                             "day_2-0-end": "26:00"})
    assert response.status_code == 400
    assert text(app, "Enter a time as HH:MM, e.g. 09:30.", lang) in response.get_data(as_text=True)
    response = http.post(f"/{lang}/practice/schedule", data={"action": "hours", "day_2-0-start": "10:00"})
    assert text(app, "Enter both the start and the end of the range.", lang) in response.get_data(as_text=True)
    assert f.row_count(WorkingHours) == before
    assert schedule.get_schedule(w.profile.id).weekly[1] == [(480, 1200)]


def test_rules_save_and_errors(app, w, login_as):
    http = login_as(w.practitioner)
    data = {"action": "rules", "slot_minutes": "20", "buffer_minutes": "5", "min_notice_minutes": "0",
            "horizon_days": "14", "cancel_notice_minutes": "60", "auto_confirm": "y"}
    assert http.post("/kk/practice/schedule", data=data).status_code == 302
    rules = schedule.get_schedule(w.profile.id).rules
    assert (rules.slot_minutes, rules.buffer_minutes, rules.horizon_days, rules.auto_confirm) == (20, 5, 14, True)
    response = http.post("/kk/practice/schedule", data=data | {"horizon_days": "400", "auto_confirm": ""})
    assert response.status_code == 400
    assert text(app, "Enter how far ahead bookings are allowed, in days from %(min)d to %(max)d.", "kk",
                min=1, max=366) in response.get_data(as_text=True)
    assert schedule.get_schedule(w.profile.id).rules.horizon_days == 14
    response = http.post("/kk/practice/schedule", data=data | {"slot_minutes": "abc"})
    assert response.status_code == 400 and schedule.get_schedule(w.profile.id).rules.slot_minutes == 20


def test_exceptions_add_and_remove_with_confirmation(app, w, login_as):
    http = login_as(w.practitioner)
    day = to_local(utcnow()).date() + dt.timedelta(days=3)
    response = http.post("/ru/practice/schedule", data={"action": "exception", "day": day.isoformat(),
                                                        "kind": "hours", "ranges-0-start": "10:00",
                                                        "ranges-0-end": "12:00", "note": "Короткий день"})
    assert response.status_code == 302
    rows = schedule.get_schedule(w.profile.id).exceptions
    assert [(r.day, r.start_minute, r.end_minute, r.note) for r in rows] == [(day, 600, 720, "Короткий день")]
    assert "Короткий день" in page_of(http, "/ru/practice/schedule")
    confirm = page_of(http, f"/ru/practice/schedule/exceptions/{rows[0].id}/remove")
    assert text(app, "Remove this change of hours?", "ru") in confirm
    assert f.row_count(AvailabilityException) == 1  # a GET removes nothing
    assert http.post(f"/ru/practice/schedule/exceptions/{rows[0].id}/remove").status_code == 302
    assert f.row_count(AvailabilityException) == 0
    past = to_local(utcnow()).date() - dt.timedelta(days=1)
    response = http.post("/ru/practice/schedule", data={"action": "exception", "day": past.isoformat(),
                                                        "kind": "off"})
    assert response.status_code == 400
    assert text(app, "The date is in the past.", "ru") in response.get_data(as_text=True)
    assert f.row_count(AvailabilityException) == 0


def test_another_practitioners_exception_is_404(w, login_as):
    row = schedule.add_exception(w.other.user, to_local(utcnow()).date() + dt.timedelta(days=2), None, "")[0] \
        if w.other.category.takes_bookings else None
    assert row is not None
    http = login_as(w.practitioner)
    assert http.get(f"/ru/practice/schedule/exceptions/{row.id}/remove").status_code == 404
    assert http.post(f"/ru/practice/schedule/exceptions/{row.id}/remove").status_code == 404
    assert f.row_count(AvailabilityException) == 1


def test_price_list_add_edit_order_remove(app, w, login_as):
    http = login_as(w.practitioner)
    response = http.post("/ru/practice/prices", data={"name_kk": "", "name_ru": "Завещание", "name_en": "",
                                                      "price": "12 500", "price_kind": "from",
                                                      "duration_minutes": "45", "mode": "online"})
    assert response.status_code == 302
    new = db.session.query(ServiceItem).filter_by(name_ru="Завещание").one()
    assert (new.price, new.price_kind, new.duration_minutes, new.mode) == (12500, "from", 45, "online")
    page = page_of(http, "/ru/practice/prices")
    assert page.index("Доверенность") < page.index("Завещание")
    assert http.post(f"/ru/practice/prices/{new.id}/move", data={"direction": "up"}).status_code == 302
    page = page_of(http, "/ru/practice/prices")
    assert page.index("Завещание") < page.index("Доверенность")
    edit = page_of(http, f"/ru/practice/prices/{new.id}/edit")
    assert 'value="Завещание"' in edit
    assert http.post(f"/ru/practice/prices/{new.id}/edit", data={
        "name_ru": "Завещание", "name_kk": "Өсиет", "price": "13000", "price_kind": "fixed",
        "duration_minutes": "45", "mode": "in_person"}).status_code == 302
    assert fresh(new).name_kk == "Өсиет" and fresh(new).price == 13000
    confirm = page_of(http, f"/ru/practice/prices/{new.id}/remove")
    assert text(app, "Remove this service?", "ru") in confirm
    assert f.row_count(ServiceItem, id=new.id) == 1
    assert http.post(f"/ru/practice/prices/{new.id}/remove").status_code == 302
    assert f.row_count(ServiceItem, id=new.id) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_price_list_errors_translated_nothing_stored(app, w, login_as, lang):
    http = login_as(w.practitioner)
    before = f.row_count(ServiceItem)
    response = http.post(f"/{lang}/practice/prices", data={"name_kk": "", "name_ru": "", "price": "100",
                                                           "price_kind": "fixed", "duration_minutes": "30",
                                                           "mode": "phone"})
    assert response.status_code == 400
    assert text(app, "Enter the name of the service in Kazakh or Russian.", lang) in response.get_data(as_text=True)
    response = http.post(f"/{lang}/practice/prices", data={"name_ru": "X", "price": "-4", "price_kind": "fixed",
                                                           "duration_minutes": "30", "mode": "phone"})
    assert text(app, "Enter the price in whole tenge, from 0 to %(max)s.", lang,
                max="100 000 000") in response.get_data(as_text=True)
    response = http.post(f"/{lang}/practice/prices", data={"name_ru": "X", "price": "100", "price_kind": "fixed",
                                                           "duration_minutes": "600", "mode": "phone"})
    assert text(app, "Enter the duration in minutes, from %(min)d to %(max)d.", lang,
                min=5, max=480) in response.get_data(as_text=True)
    assert 'value="X"' in response.get_data(as_text=True)
    assert f.row_count(ServiceItem) == before


def test_another_practitioners_price_is_404(w, login_as):
    theirs = make_service_item(w.other)
    http = login_as(w.practitioner)
    assert http.get(f"/ru/practice/prices/{theirs.id}/edit").status_code == 404
    assert http.post(f"/ru/practice/prices/{theirs.id}/edit", data={"name_ru": "x", "price": "1",
                                                                    "duration_minutes": "30"}).status_code == 404
    assert http.get(f"/ru/practice/prices/{theirs.id}/remove").status_code == 404
    assert http.post(f"/ru/practice/prices/{theirs.id}/remove").status_code == 404
    assert http.post(f"/ru/practice/prices/{theirs.id}/move", data={"direction": "up"}).status_code == 404
    assert f.committed_state(theirs)[0]["name_ru"] == "Консультация"


def test_a_client_cannot_open_the_practice_pages(w, login_as):
    http = login_as(w.client)
    for path in ("/ru/practice/schedule", "/ru/practice/prices", "/ru/practice/bookings/",
                 f"/ru/practice/prices/{w.item.id}/edit"):
        response = http.get(path)
        assert response.status_code in (302, 403), path
        assert "Доверенность" not in response.get_data(as_text=True)
    response = http.post("/ru/practice/prices", data={"name_ru": "Взлом", "price": "1", "price_kind": "fixed",
                                                      "duration_minutes": "30", "mode": "phone"})
    assert response.status_code in (302, 403)
    assert f.row_count(ServiceItem, name_ru="Взлом") == 0


def test_a_category_without_bookings_says_why(app, login_as):
    advocate = f.make_practitioner(app.appbuilder.sm, category_code="advocate")
    advocate.category.takes_bookings = False
    db.session.commit()
    response = login_as(advocate.user).get("/ru/practice/schedule")
    assert response.status_code == 403
    assert text(app, "Your category does not take bookings. Clients reach you through requests.", "ru") in \
        response.get_data(as_text=True)
    assert f.row_count(BookingRules) == 0


def test_forms_carry_a_working_csrf_token(app, w, login_as):
    http = login_as(w.practitioner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        data = {"name_ru": "Копия", "price": "500", "price_kind": "fixed", "duration_minutes": "15", "mode": "in_person"}
        assert http.post("/ru/practice/prices", data=data).status_code == 400
        assert f.row_count(ServiceItem, name_ru="Копия") == 0
        token = token_of(page_of(http, "/ru/practice/prices"))
        assert http.post("/ru/practice/prices", data=data | {"csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert f.row_count(ServiceItem, name_ru="Копия") == 1


# --- bookings --------------------------------------------------------------------------------------

def test_bookings_list_upcoming_first_filter_and_empty_state(app, w, login_as):
    http = login_as(w.practitioner)
    page = page_of(http, "/kk/practice/bookings/")
    assert text(app, "No upcoming bookings yet. Clients book the free times of your schedule from your profile.",
                "kk") in page
    later = upcoming_booking(w, index=4, status=BookingStatus.CONFIRMED)
    sooner = upcoming_booking(w, index=1)
    page = page_of(http, "/kk/practice/bookings/")
    assert page.index(f"/practice/bookings/{sooner.id}\"") < page.index(f"/practice/bookings/{later.id}\"")
    assert "Айгерим" in page
    page = page_of(http, "/kk/practice/bookings/?status=confirmed")
    assert f"/practice/bookings/{later.id}" in page and f"/practice/bookings/{sooner.id}" not in page
    page = page_of(http, "/kk/practice/bookings/?status=declined")
    assert text(app, "No bookings with this status.", "kk") in page
    assert http.get("/kk/practice/bookings/?status=nonsense&when=x&page=-3").status_code == 200


def test_bookings_list_is_paginated(w, login_as):
    for index in range(22):
        upcoming_booking(w, index=index)
    http = login_as(w.practitioner)
    first = page_of(http, "/ru/practice/bookings/")
    assert first.count('class="pb-card"') == 20 and 'rel="next"' in first
    second = page_of(http, "/ru/practice/bookings/?page=2")
    assert second.count('class="pb-card"') == 2


@pytest.mark.parametrize("lang", LANGS)
def test_booking_page_shows_details_and_actions(app, w, login_as, lang):
    booking = upcoming_booking(w)
    booking.client_note = "Нужна доверенность на машину"
    db.session.commit()
    page = page_of(login_as(w.practitioner), f"/{lang}/practice/bookings/{booking.id}")
    assert "Айгерим" in page and "Нужна доверенность на машину" in page
    assert ("Сенімхат" if lang == "kk" else "Доверенность") in page
    for action in ("Confirm", "Decline", "Move", "Cancel the booking"):
        assert text(app, action, lang) in page


def test_confirm_decline_cancel_with_csrf(app, w, login_as):
    first, second, third = (upcoming_booking(w, index=i) for i in (0, 2, 4))
    http = login_as(w.practitioner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert http.post(f"/ru/practice/bookings/{first.id}/confirm").status_code == 400  # no token
        assert fresh(first).status == BookingStatus.REQUESTED
        token = token_of(page_of(http, f"/ru/practice/bookings/{first.id}"))
        assert http.post(f"/ru/practice/bookings/{first.id}/confirm", data={"csrf_token": token}).status_code == 302
        assert fresh(first).status == BookingStatus.CONFIRMED
        # confirming again: refused on the page, nothing changes
        response = http.post(f"/ru/practice/bookings/{first.id}/confirm", data={"csrf_token": token})
        assert response.status_code == 409
        assert text(app, "Only a requested booking can be confirmed.", "ru") in response.get_data(as_text=True)

        page = page_of(http, f"/ru/practice/bookings/{second.id}/decline")
        assert http.post(f"/ru/practice/bookings/{second.id}/decline",
                         data={"csrf_token": token_of(page), "reason": "Нет бланков"}).status_code == 302
        assert (fresh(second).status, fresh(second).reason) == (BookingStatus.DECLINED, "Нет бланков")

        page = page_of(http, f"/ru/practice/bookings/{third.id}/cancel")
        response = http.post(f"/ru/practice/bookings/{third.id}/cancel", data={"csrf_token": token_of(page),
                                                                               "reason": ""})
        assert response.status_code == 400
        assert text(app, "Please give a reason.", "ru") in response.get_data(as_text=True)
        assert fresh(third).status == BookingStatus.REQUESTED
        assert http.post(f"/ru/practice/bookings/{third.id}/cancel",
                         data={"csrf_token": token_of(page), "reason": "Заболел"}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert fresh(third).status == BookingStatus.CANCELLED and fresh(third).cancelled_by_id == w.practitioner.id
    assert f.row_count(AuditEntry, entity="booking", to_value="cancelled") == 1


def test_move_to_a_free_slot_and_a_taken_one(app, w, login_as):
    booking = upcoming_booking(w, index=0, status=BookingStatus.CONFIRMED)
    target = free(w, index=3).starts_at
    http = login_as(w.practitioner)
    picker = page_of(http, f"/ru/practice/bookings/{booking.id}/move")
    assert text(app, "Choose a day and a free time", "ru") in picker
    start = target.strftime("%Y-%m-%dT%H:%M")
    chosen = page_of(http, f"/ru/practice/bookings/{booking.id}/move?start={start}")
    assert f'value="{start}"' in chosen
    response = http.post(f"/ru/practice/bookings/{booking.id}/move", data={"start": start, "reason": "Совещание"})
    assert response.status_code == 302
    assert fresh(booking).starts_at == target and fresh(booking).status == BookingStatus.CONFIRMED
    # another client takes a time; moving there offers the next free ones
    other_client = f.make_user(app.appbuilder.sm)
    taken = free(w, index=5).starts_at
    make_booking(w.profile, other_client, w.item, taken)
    response = http.post(f"/ru/practice/bookings/{booking.id}/move",
                         data={"start": taken.strftime("%Y-%m-%dT%H:%M"), "reason": "Ещё раз"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert text(app, "Someone has just booked this time. Please choose another one.", "ru") in page
    assert 'type="radio" name="start"' in page
    assert fresh(booking).starts_at == target
    response = http.post(f"/ru/practice/bookings/{booking.id}/move", data={"start": "", "reason": "x"})
    assert response.status_code == 400


def test_attended_and_no_show_after_the_start(app, w, login_as):
    now = utcnow()
    started = make_booking(w.profile, w.client, w.item, now - dt.timedelta(hours=2), status=BookingStatus.CONFIRMED)
    missed = make_booking(w.profile, w.client, w.item, now - dt.timedelta(hours=4), status=BookingStatus.CONFIRMED)
    http = login_as(w.practitioner)
    page = page_of(http, f"/kk/practice/bookings/{started.id}")
    assert text(app, "The client came", "kk") in page and text(app, "Confirm", "kk") not in page
    assert http.post(f"/kk/practice/bookings/{started.id}/attended").status_code == 302
    assert fresh(started).status == BookingStatus.ATTENDED
    assert text(app, "Mark that the client did not come?", "kk") in page_of(
        http, f"/kk/practice/bookings/{missed.id}/no-show")
    assert fresh(missed).status == BookingStatus.CONFIRMED
    assert http.post(f"/kk/practice/bookings/{missed.id}/no-show").status_code == 302
    assert fresh(missed).status == BookingStatus.NO_SHOW


def test_another_practitioners_booking_is_404_everywhere(w, login_as):
    theirs_item = make_service_item(w.other)
    set_hours(w.other, ALL_WEEK)
    theirs = make_booking(w.other, w.client, theirs_item, free(w, 0).starts_at)
    before = f.committed_state(theirs)
    for who in (w.practitioner, w.client):
        http = login_as(who)
        for path in ("", "/decline", "/cancel", "/move", "/no-show"):
            assert http.get(f"/ru/practice/bookings/{theirs.id}{path}").status_code in (
                (404,) if who is w.practitioner else (403, 302)), (who, path)
        for path, data in (("/confirm", {}), ("/decline", {"reason": "x"}), ("/cancel", {"reason": "x"}),
                           ("/move", {"start": "2030-01-01T05:00", "reason": "x"}), ("/attended", {}),
                           ("/no-show", {})):
            assert http.post(f"/ru/practice/bookings/{theirs.id}{path}", data=data).status_code in (
                (404,) if who is w.practitioner else (403, 302)), (who, path)
    assert http.get("/ru/practice/bookings/999999").status_code in (403, 302)
    assert login_as(w.practitioner).get("/ru/practice/bookings/999999").status_code == 404
    assert f.committed_state(theirs) == before


def test_the_booking_links_its_conversation_and_files_when_they_exist(app, w, login_as):
    """The conversation is linked while it can be started (or once it exists); files when there are any."""
    from portal.models.exchange import Attachment, Thread

    booking = upcoming_booking(w)
    http = login_as(w.practitioner)
    page = page_of(http, f"/ru/practice/bookings/{booking.id}")
    assert f"/threads/booking/{booking.id}" in page and "/attachments/" not in page
    booking.status = BookingStatus.DECLINED
    db.session.commit()
    assert "/threads/booking/" not in page_of(http, f"/ru/practice/bookings/{booking.id}")
    booking.status = BookingStatus.REQUESTED
    db.session.add(Thread(booking_id=booking.id, profile_id=w.profile.id))
    attachment = Attachment(owner_id=w.client.id, booking_id=booking.id, original_name="паспорт.pdf",
                            content_type="application/pdf", size=2048, storage_key="practice-test-key")
    db.session.add(attachment)
    db.session.commit()
    page = page_of(http, f"/ru/practice/bookings/{booking.id}")
    assert "паспорт.pdf" in page
    assert f'href="/attachments/{attachment.id}"' in page
    assert f"/threads/booking/{booking.id}" in page
