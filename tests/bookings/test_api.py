"""Bookings through the JSON API: the public price list and free slots, a whole
journey (the practitioner sets hours and a price, a client books, the
practitioner confirms, the client cancels), a taken time answered 409 with the
next free slots, validation errors in the caller's language, files with a
booking, and IDOR on every booking route (another client or practitioner gets
404, or 403 where a client lacks the practitioner's page altogether, and the row is unchanged)."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale, gettext

from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.models.exchange import Attachment
from tests.accounts.test_api_tokens import api
from tests.bookings.api_helpers import World, at, day_ahead, z
from tests.bookings.helpers import make_booking, make_service_item
from tests.exchange.api_client import PDF_BYTES, ApiUser, client_user, form
from tests.factories import committed_state, make_practitioner, row_count

BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def w(app):
    return World(app)


def anonymous(app, method: str, path: str, headers: dict | None = None, **kwargs):
    return api(app).open(path, method=method, headers={"Accept-Language": "en", **(headers or {})}, **kwargs)


def slots(app, profile_id, **query):
    return anonymous(app, "GET", f"/api/v1/practitioners/{profile_id}/slots", query_string=query)


def translated(lang: str, message: str, **values) -> str:
    with force_locale(lang):
        return gettext(message, **values)


# --- the public side ---------------------------------------------------------------------------

def test_public_price_list_in_the_callers_language(app, w):
    make_service_item(w.profile, price=20000, duration=60, name_ru="Долгая", name_kk="Ұзақ", price_kind="from",
                      sort_order=5)
    path = f"/api/v1/practitioners/{w.profile.id}/services"
    ru = anonymous(app, "GET", path, headers={"Accept-Language": "ru"}).get_json()
    assert ru["takes_bookings"] is True
    assert [(s["name"], s["price"], s["price_kind"]) for s in ru["services"]] == [
        ("Консультация", 8000, "fixed"), ("Долгая", 20000, "from")]
    kk = anonymous(app, "GET", path, headers={"Accept-Language": "kk"}).get_json()
    assert [s["name"] for s in kk["services"]] == ["Кеңес", "Ұзақ"]
    assert kk["services"][0]["mode"] == "in_person" and kk["services"][0]["duration_minutes"] == 30


def test_a_profile_without_bookings_or_not_public(app, w):
    advocate = make_practitioner(app.appbuilder.sm, category_code="advocate")
    make_service_item(advocate)
    body = anonymous(app, "GET", f"/api/v1/practitioners/{advocate.id}/services").get_json()
    assert body == {"profile_id": advocate.id, "takes_bookings": False, "services": []}
    assert slots(app, advocate.id).get_json()["slots"] == []
    hidden = make_practitioner(app.appbuilder.sm, category_code="notary", status="submitted")
    assert anonymous(app, "GET", f"/api/v1/practitioners/{hidden.id}/services").status_code == 404
    assert slots(app, hidden.id).status_code == 404


def test_free_slots_with_local_times(app, w):
    day = day_ahead(3)
    body = slots(app, w.profile.id, **{"from": day.isoformat(), "to": day.isoformat(),
                                       "service_id": w.item.id}).get_json()
    assert body["duration_minutes"] == 30 and body["service_id"] == w.item.id
    first = body["slots"][0]
    assert first["starts_at"] == z(at(day, 9)) and first["ends_at"] == z(at(day, 9, 30))
    assert (first["local_date"], first["local_time"], first["local_end_time"]) == (day.isoformat(), "09:00", "09:30")
    assert first["local_starts_at"] == f"{day.isoformat()}T09:00:00+05:00"
    assert len(body["slots"]) == 16  # 09:00-13:00 and 14:00-18:00 in half hours
    week = slots(app, w.profile.id).get_json()  # default: today and the next six days
    assert week["from"] == day_ahead(0).isoformat() and week["to"] == day_ahead(6).isoformat()


@pytest.mark.parametrize("lang,expected", [("ru", "ru"), ("kk", "kk")])
def test_slot_query_errors_are_translated(app, w, lang, expected):
    day = day_ahead(1)
    too_long = slots(app, w.profile.id, **{"from": day.isoformat(), "to": (day + dt.timedelta(days=60)).isoformat()})
    assert too_long.status_code == 400
    # (messages new in this issue: the catalogue's text in the caller's language, whatever it says today)
    headers = {"Accept-Language": lang}
    response = anonymous(app, "GET", f"/api/v1/practitioners/{w.profile.id}/slots",
                         query_string={"from": day.isoformat(), "to": (day - dt.timedelta(days=1)).isoformat()},
                         headers=headers)
    assert response.get_json()["errors"] == {"to": [translated(expected, "The last date must not be before the first.")]}
    response = anonymous(app, "GET", f"/api/v1/practitioners/{w.profile.id}/slots",
                         query_string={"service_id": "abc"}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"service_id": [translated(expected, "Enter a whole number.")]}
    other = make_service_item(w.other_profile)
    response = anonymous(app, "GET", f"/api/v1/practitioners/{w.profile.id}/slots",
                         query_string={"service_id": other.id}, headers=headers)
    assert response.status_code == 400 and list(response.get_json()["errors"]) == ["service_id"]
    far = anonymous(app, "GET", f"/api/v1/practitioners/{w.profile.id}/slots",
                    query_string={"from": "9999-12-31"}, headers=headers)
    assert far.status_code == 400


# --- the whole journey -------------------------------------------------------------------------

def test_journey_hours_price_book_confirm_cancel(app):
    w = World(app, hours=False)
    week = [{"weekday": d, "ranges": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]}
            for d in range(7)]
    saved = w.pro.put("/api/v1/practice/hours", json={"weekly": week})
    assert saved.status_code == 200, saved.get_json()
    assert w.pro.get("/api/v1/practice/hours").get_json()["weekly"][2]["ranges"] == [
        {"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]
    rules = w.pro.put("/api/v1/practice/rules", json={"min_notice_minutes": 60, "cancel_notice_minutes": 60})
    assert rules.status_code == 200 and rules.get_json()["min_notice_minutes"] == 60
    added = w.pro.post("/api/v1/practice/services", json={
        "name_ru": "Доверенность", "name_kk": "Сенімхат", "price": 8500, "duration_minutes": 30})
    assert added.status_code == 201, added.get_json()
    service = added.get_json()

    day = day_ahead(4)
    free = slots(app, w.profile.id, **{"from": day.isoformat(), "to": day.isoformat(),
                                       "service_id": service["id"]}).get_json()["slots"]
    ten = next(s for s in free if s["local_time"] == "10:00")
    booked = w.client.post(BOOKINGS, json={"profile_id": w.profile.id, "service_id": service["id"],
                                           "starts_at": ten["local_starts_at"], "note": "Нужна доверенность"})
    assert booked.status_code == 201, booked.get_json()
    booking = booked.get_json()
    assert (booking["status"], booking["price"], booking["note"]) == ("requested", 8500, "Нужна доверенность")
    assert booking["starts_at"] == ten["starts_at"] and booking["local_time"] == "10:00"
    assert booking["service"]["id"] == service["id"] and booking["profile"]["id"] == w.profile.id
    again = slots(app, w.profile.id, **{"from": day.isoformat(), "to": day.isoformat(), "service_id": service["id"]})
    assert ten["starts_at"] not in [s["starts_at"] for s in again.get_json()["slots"]]

    listed = w.pro.get("/api/v1/practice/bookings?status=requested").get_json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, booking["id"])
    assert listed["items"][0]["client"]["name"] == w.client.user.full_name
    confirmed = w.pro.post(f"{BOOKINGS}{booking['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"

    mine = w.client.get(BOOKINGS).get_json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "confirmed"
    assert w.client.get(f"{BOOKINGS}{booking['id']}").get_json()["status_label"]

    no_reason = w.client.post(f"{BOOKINGS}{booking['id']}/cancel", json={}, lang="ru")
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"] == {"reason": [translated("ru", "Please give a reason.")]}
    cancelled = w.client.post(f"{BOOKINGS}{booking['id']}/cancel", json={"reason": "Заболела"})
    assert cancelled.status_code == 200
    body = cancelled.get_json()
    assert (body["status"], body["reason"], body["cancelled_by"]) == ("cancelled", "Заболела", "client")
    row = db.session.get(Booking, booking["id"])
    db.session.refresh(row)
    assert row.status == BookingStatus.CANCELLED and row.cancelled_by_id == w.client.user.id
    assert w.client.get(BOOKINGS + "?when=past").get_json()["total"] == 1
    assert w.client.get(BOOKINGS).get_json()["total"] == 0


def test_auto_confirm_and_move(app, w):
    w.pro.put("/api/v1/practice/rules", json={"auto_confirm": True})
    day = day_ahead(2)
    booking = w.book(at(day, 10)).get_json()
    assert booking["status"] == "confirmed"
    moved = w.client.post(f"{BOOKINGS}{booking['id']}/move", json={"starts_at": z(at(day, 11)), "reason": "Позже"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["local_time"] == "11:00" and moved.get_json()["status"] == "confirmed"
    by_pro = w.pro.post(f"{BOOKINGS}{booking['id']}/move", json={"starts_at": z(at(day, 15)), "reason": "Занят"})
    assert by_pro.status_code == 200 and by_pro.get_json()["local_time"] == "15:00"


# --- a taken time: 409 with the next free slots ------------------------------------------------

def test_a_taken_time_is_409_with_the_next_free_slots(app, w):
    day = day_ahead(3)
    first = w.book(at(day, 10))
    assert first.status_code == 201
    before = row_count(Booking)
    lost = w.book(at(day, 10), who=w.other_client)
    assert lost.status_code == 409 and lost.mimetype == "application/problem+json"
    body = lost.get_json()
    assert body["errors"]["starts_at"] == [body["detail"]]
    assert body["next_slots"] and body["next_slots"][0]["starts_at"] == z(at(day, 10, 30))
    assert {"local_date", "local_time", "local_starts_at", "ends_at"} <= set(body["next_slots"][0])
    off_grid = w.book(at(day, 10, 10), who=w.other_client)
    assert off_grid.status_code == 409 and off_grid.get_json()["next_slots"]
    assert row_count(Booking) == before

    mine = w.book(at(day, 12), who=w.other_client).get_json()
    state = committed_state(db.session.get(Booking, mine["id"]))
    clash = w.other_client.post(f"{BOOKINGS}{mine['id']}/move", json={"starts_at": z(at(day, 10)), "reason": "x"})
    assert clash.status_code == 409 and clash.get_json()["next_slots"]
    assert committed_state(db.session.get(Booking, mine["id"])) == state


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_validation_errors_in_the_callers_language(app, w, lang):
    required = translated(lang, "This field is required.")
    empty = w.client.post(BOOKINGS, json={}, lang=lang)
    assert empty.status_code == 400
    errors = empty.get_json()["errors"]
    assert errors["profile_id"] == [required] and errors["service_id"] == [required]
    assert errors["starts_at"] == [required]
    naive = w.client.post(BOOKINGS, json={"profile_id": w.profile.id, "service_id": w.item.id,
                                          "starts_at": "2030-01-01T10:00:00"}, lang=lang)
    assert naive.status_code == 400 and list(naive.get_json()["errors"]) == ["starts_at"]
    wrong = w.client.post(BOOKINGS, json={"profile_id": w.profile.id, "service_id": w.item.id,
                                          "starts_at": "завтра"}, lang=lang)
    assert wrong.status_code == 400 and list(wrong.get_json()["errors"]) == ["starts_at"]
    other_service = make_service_item(w.other_profile)
    refused = w.book(at(day_ahead(3), 10), item=other_service)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["service_id"]
    hours = w.pro.put("/api/v1/practice/hours", json={"weekly": [
        {"weekday": 0, "ranges": [{"start": "9", "end": "13:00"}]}]}, lang=lang)
    assert hours.status_code == 400
    message = translated(lang, "Enter a time as HH:MM, from 00:00 to 24:00.")
    assert hours.get_json()["errors"]["weekly"]["0"]["ranges"]["0"]["start"] in (message, [message])
    mode = w.pro.post("/api/v1/practice/services", json={"name_ru": "X", "price": 1, "duration_minutes": 30,
                                                          "mode": "teleport"}, lang=lang)
    assert mode.get_json()["errors"]["mode"] == [
        translated(lang, "Choose one of: %(choices)s.", choices="in_person, phone, online")]
    assert w.client.post(BOOKINGS, json={"x": 1}, lang=lang).get_json()["detail"] == translated(
        lang, "Some fields are not valid.")


def test_booking_with_files_multipart(app, w):
    body = {"profile_id": w.profile.id, "service_id": w.item.id, "starts_at": z(at(day_ahead(3), 9)),
            "note": "Паспорт"}
    response = w.client.post(BOOKINGS, data=form(body, [(PDF_BYTES, "passport.pdf")]),
                             content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    files = response.get_json()["files"]
    assert [f["name"] for f in files] == ["passport.pdf"]
    assert row_count(Attachment, booking_id=response.get_json()["id"]) == 1
    bad = w.client.post(BOOKINGS, data=form(body | {"starts_at": z(at(day_ahead(3), 9, 30))},
                                            [(b"<html>", "x.html")]), content_type="multipart/form-data")
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["files"]


# --- outcomes and illegal transitions -----------------------------------------------------------

def test_outcomes_after_the_start_and_illegal_transitions(app, w):
    past = make_booking(w.profile, w.client.user, w.item, at(day_ahead(-1), 10), status=BookingStatus.CONFIRMED)
    missed = make_booking(w.profile, w.client.user, w.item, at(day_ahead(-1), 11), status=BookingStatus.CONFIRMED)
    assert w.client.post(f"{BOOKINGS}{past.id}/attended").status_code == 403  # a client: not a practitioner's page
    assert w.pro.post(f"{BOOKINGS}{past.id}/attended").get_json()["status"] == "attended"
    assert w.pro.post(f"{BOOKINGS}{missed.id}/no-show").get_json()["status"] == "no_show"
    again = w.pro.post(f"{BOOKINGS}{past.id}/confirm", lang="ru")
    assert again.status_code == 422
    assert again.get_json()["detail"] == translated("ru", "Only a requested booking can be confirmed.")
    declined = w.book(at(day_ahead(2), 10)).get_json()
    answer = w.pro.post(f"{BOOKINGS}{declined['id']}/decline", json={"reason": "Нет бланков"})
    assert answer.get_json()["status"] == "declined" and answer.get_json()["reason"] == "Нет бланков"
    assert w.pro.get("/api/v1/practice/bookings?when=past").get_json()["total"] == 3


# --- IDOR: every booking route refuses strangers ------------------------------------------------

ROUTES = [("GET", "", None), ("POST", "/cancel", {"reason": "чужое"}), ("POST", "/confirm", None),
          ("POST", "/decline", {"reason": "чужое"}), ("POST", "/attended", None), ("POST", "/no-show", None)]
PRACTITIONERS_ONLY = ("/confirm", "/decline", "/attended")  # a client has no such page: 403


@pytest.mark.parametrize("method,suffix,body", ROUTES + [("POST", "/move", "move")])
def test_strangers_are_refused_and_change_nothing(app, w, method, suffix, body):
    day = day_ahead(3)
    booking = db.session.get(Booking, w.book(at(day, 10)).get_json()["id"])
    started = make_booking(w.profile, w.client.user, w.item, at(day_ahead(-1), 10), status=BookingStatus.CONFIRMED)
    if body == "move":
        body = {"starts_at": z(at(day, 11)), "reason": "чужое"}
    before = committed_state(booking, started)
    for stranger in (w.other_client, w.other_pro):
        for row in (booking, started):
            response = stranger.call(method, f"{BOOKINGS}{row.id}{suffix}", json=body)
            expected = 403 if stranger is w.other_client and suffix in PRACTITIONERS_ONLY else 404
            assert response.status_code == expected, (stranger.user.email, suffix, response.get_json())
    # the booking's own client is refused the practitioner's decisions too
    if suffix in PRACTITIONERS_ONLY:
        assert w.client.call(method, f"{BOOKINGS}{booking.id}{suffix}", json=body).status_code == 403
    assert committed_state(booking, started) == before


def test_anonymous_calls_get_401(app, w):
    for method, path in [("GET", BOOKINGS), ("POST", BOOKINGS), ("GET", f"{BOOKINGS}1"),
                         ("POST", f"{BOOKINGS}1/cancel"), ("POST", f"{BOOKINGS}1/move"),
                         ("GET", "/api/v1/practice/bookings"), ("PUT", "/api/v1/practice/hours")]:
        assert anonymous(app, method, path, json={}).status_code == 401, (method, path)


def test_a_client_cannot_book_their_own_time_or_a_profile_without_bookings(app, w):
    own = w.book(at(day_ahead(3), 10), who=w.pro)
    assert own.status_code == 422
    advocate = make_practitioner(app.appbuilder.sm, category_code="advocate")
    item = make_service_item(advocate)
    other = w.client.post(BOOKINGS, json={"profile_id": advocate.id, "service_id": item.id,
                                          "starts_at": z(at(day_ahead(3), 10))})
    assert other.status_code == 422
    missing = w.client.post(BOOKINGS, json={"profile_id": 999999, "service_id": item.id,
                                            "starts_at": z(at(day_ahead(3), 10))})
    assert missing.status_code == 422 and list(missing.get_json()["errors"]) == ["profile_id"]
    assert row_count(Booking) == 0
    unused = ApiUser(app, client_user(app))
    assert unused.get(BOOKINGS).get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20, "pages": 1}
