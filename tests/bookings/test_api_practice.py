"""The practitioner's bookings set-up through the JSON API: the price list (list,
add, change, remove), weekly hours, rules, one-off changes of dates, the
calendar feed; who may use it (a verified practice in a category that takes
bookings), errors in the caller's language, and another practitioner's rows
answered 404 and left unchanged."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale, gettext

from portal.core.extensions import db
from portal.models.bookings import AvailabilityException, Booking, BookingRules, ServiceItem, WorkingHours
from tests.bookings.api_helpers import World, at, day_ahead, z
from tests.bookings.helpers import add_exception, make_service_item
from tests.exchange.api_client import ApiUser, client_user
from tests.factories import committed_state, make_practitioner, row_count

PRACTICE = "/api/v1/practice"
SERVICE = {"name_ru": "Заверение копии", "name_kk": "Көшірмені куәландыру", "name_en": "Certified copy",
           "price": 1500, "price_kind": "fixed", "duration_minutes": 15, "mode": "in_person"}


@pytest.fixture
def w(app):
    return World(app)


def translated(lang: str, message: str, **values) -> str:
    with force_locale(lang):
        return gettext(message, **values)


def test_price_list_add_change_remove(app, w):
    added = w.pro.post(f"{PRACTICE}/services", json=SERVICE)
    assert added.status_code == 201, added.get_json()
    item = added.get_json()
    assert (item["name_kk"], item["price"], item["active"]) == ("Көшірмені куәландыру", 1500, True)
    listed = w.pro.get(f"{PRACTICE}/services").get_json()
    assert [i["id"] for i in listed] == [w.item.id, item["id"]]
    changed = w.pro.put(f"{PRACTICE}/services/{item['id']}", json=SERVICE | {"price": 2000, "price_kind": "from"})
    assert changed.status_code == 200 and (changed.get_json()["price"], changed.get_json()["price_kind"]) == (2000, "from")
    public = app.test_client().get(f"/api/v1/practitioners/{w.profile.id}/services",
                                   headers={"Accept-Language": "kk"}).get_json()
    assert [s["name"] for s in public["services"]] == ["Кеңес", "Көшірмені куәландыру"]
    # a line with a booking is kept, inactive; one without is deleted
    booked = w.book(at(day_ahead(3), 10)).get_json()
    left = w.pro.call("DELETE", f"{PRACTICE}/services/{w.item.id}").get_json()
    assert [i["id"] for i in left] == [item["id"]]
    assert row_count(ServiceItem, id=w.item.id, active=False) == 1
    assert w.client.get(f"/api/v1/bookings/{booked['id']}").get_json()["price"] == 8000
    assert w.pro.call("DELETE", f"{PRACTICE}/services/{item['id']}").get_json() == []
    assert row_count(ServiceItem, id=item["id"]) == 0


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_price_list_errors_are_translated(app, w, lang):
    no_name = w.pro.post(f"{PRACTICE}/services", json={"price": 100, "duration_minutes": 30}, lang=lang)
    assert no_name.status_code == 422
    assert no_name.get_json()["errors"] == {
        "name_ru": [translated(lang, "Enter the name of the service in Kazakh or Russian.")]}
    missing = w.pro.post(f"{PRACTICE}/services", json={"name_ru": "Услуга"}, lang=lang)
    assert missing.status_code == 400
    assert missing.get_json()["errors"]["price"] == [translated(lang, "This field is required.")]
    negative = w.pro.post(f"{PRACTICE}/services", json=SERVICE | {"price": -5}, lang=lang)
    assert negative.status_code == 422 and list(negative.get_json()["errors"]) == ["price"]
    assert row_count(ServiceItem, profile_id=w.profile.id) == 1


def test_hours_rules_and_exceptions(app, w):
    hours = w.pro.get(f"{PRACTICE}/hours").get_json()["weekly"]
    assert len(hours) == 7 and hours[0]["ranges"][0] == {"start": "09:00", "end": "13:00"}
    assert hours[0]["weekday_label"]
    saved = w.pro.put(f"{PRACTICE}/hours", json={"weekly": [
        {"weekday": 0, "ranges": [{"start": "10:00", "end": "24:00"}]}]}).get_json()["weekly"]
    assert saved[0]["ranges"] == [{"start": "10:00", "end": "24:00"}] and saved[1]["ranges"] == []
    assert row_count(WorkingHours, profile_id=w.profile.id) == 1
    overlap = w.pro.put(f"{PRACTICE}/hours", json={"weekly": [{"weekday": 1, "ranges": [
        {"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}]}, lang="ru")
    assert overlap.status_code == 422 and list(overlap.get_json()["errors"]) == ["weekly"]
    twice = w.pro.put(f"{PRACTICE}/hours", json={"weekly": [{"weekday": 1, "ranges": []},
                                                             {"weekday": 1, "ranges": []}]})
    assert twice.status_code == 422
    assert row_count(WorkingHours, profile_id=w.profile.id) == 1

    rules = w.pro.get(f"{PRACTICE}/rules").get_json()
    assert rules["slot_minutes"] == 30 and rules["auto_confirm"] is False
    changed = w.pro.put(f"{PRACTICE}/rules", json={"slot_minutes": 45, "buffer_minutes": 15}).get_json()
    assert (changed["slot_minutes"], changed["buffer_minutes"], changed["min_notice_minutes"]) == (45, 15, 60)
    bad = w.pro.put(f"{PRACTICE}/rules", json={"horizon_days": 0}, lang="kk")
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["horizon_days"]
    assert row_count(BookingRules, profile_id=w.profile.id, horizon_days=60) == 1

    day = day_ahead(5)
    off = w.pro.post(f"{PRACTICE}/exceptions", json={"day": day.isoformat(), "note": "Отпуск"})
    assert off.status_code == 201
    assert off.get_json()[0]["day_off"] is True and off.get_json()[0]["start"] is None
    other = day + dt.timedelta(days=1)
    short = w.pro.post(f"{PRACTICE}/exceptions", json={"day": other.isoformat(),
                                                      "ranges": [{"start": "10:00", "end": "12:00"}]}).get_json()
    assert (short[0]["start"], short[0]["end"], short[0]["day_off"]) == ("10:00", "12:00", False)
    assert [e["day"] for e in w.pro.get(f"{PRACTICE}/exceptions").get_json()] == [day.isoformat(), other.isoformat()]
    past = w.pro.post(f"{PRACTICE}/exceptions", json={"day": day_ahead(-2).isoformat()}, lang="ru")
    assert past.status_code == 422 and past.get_json()["errors"] == {"day": [translated("ru", "The date is in the past.")]}
    left = w.pro.call("DELETE", f"{PRACTICE}/exceptions/{off.get_json()[0]['id']}").get_json()
    assert [e["day"] for e in left] == [other.isoformat()]


def test_calendar_feed_reset(app, w):
    assert w.pro.get(f"{PRACTICE}/calendar").get_json() == {"feed_url": None}
    first = w.pro.post(f"{PRACTICE}/calendar/reset").get_json()["feed_url"]
    assert first.endswith(".ics")
    assert w.pro.get(f"{PRACTICE}/calendar").get_json()["feed_url"] == first
    second = w.pro.post(f"{PRACTICE}/calendar/reset").get_json()["feed_url"]
    assert second != first
    path = second.split("://", 1)[1].split("/", 1)[1]
    assert app.test_client().get("/" + path).status_code == 200
    assert app.test_client().get("/" + first.split("://", 1)[1].split("/", 1)[1]).status_code == 404


def test_only_a_practice_that_takes_bookings(app, w):
    client = ApiUser(app, client_user(app))  # no practitioner's pages: 403, as on the web
    assert client.get(f"{PRACTICE}/hours").status_code == 403
    assert client.post(f"{PRACTICE}/services", json=SERVICE).status_code == 403
    pending = ApiUser(app, make_practitioner(app.appbuilder.sm, category_code="notary", status="submitted").user)
    assert pending.get(f"{PRACTICE}/services", lang="ru").status_code == 422
    advocate = ApiUser(app, make_practitioner(app.appbuilder.sm, category_code="advocate").user)
    refused = advocate.get(f"{PRACTICE}/bookings", lang="ru")
    assert refused.status_code == 422
    assert refused.get_json()["detail"] == translated(
        "ru", "Your category does not take bookings. Clients reach you through requests.")
    assert advocate.post(f"{PRACTICE}/calendar/reset").status_code == 422
    assert row_count(ServiceItem) == 1  # the world's one


def test_practice_bookings_list_filters_and_pages(app, w):
    day = day_ahead(3)
    ids = [w.book(at(day, hh)).get_json()["id"] for hh in (9, 10, 11)]
    w.book(at(day, 12), who=w.other_client)
    w.pro.post(f"/api/v1/bookings/{ids[0]}/confirm")
    page = w.pro.get(f"{PRACTICE}/bookings?per_page=2&when=upcoming").get_json()
    assert (page["total"], page["pages"], [b["local_time"] for b in page["items"]]) == (4, 2, ["09:00", "10:00"])
    assert w.pro.get(f"{PRACTICE}/bookings?status=confirmed").get_json()["total"] == 1
    bad = w.pro.get(f"{PRACTICE}/bookings?status=lost", lang="kk")
    assert bad.status_code == 400 and list(bad.get_json()["errors"]) == ["status"]
    assert w.other_pro.get(f"{PRACTICE}/bookings").get_json()["total"] == 0


# --- IDOR: another practitioner's price list line, exception, booking --------------------------

def test_another_practitioners_rows_are_404_and_unchanged(app, w):
    add_exception(w.profile, day_ahead(4))
    exception = db.session.query(AvailabilityException).filter_by(profile_id=w.profile.id).one()
    booking = db.session.get(Booking, w.book(at(day_ahead(3), 10)).get_json()["id"])
    before = committed_state(w.item, exception, booking)
    for stranger in (w.other_pro, w.other_client):
        calls = [("PUT", f"{PRACTICE}/services/{w.item.id}", SERVICE),
                 ("DELETE", f"{PRACTICE}/services/{w.item.id}", None),
                 ("DELETE", f"{PRACTICE}/exceptions/{exception.id}", None),
                 ("POST", f"/api/v1/bookings/{booking.id}/confirm", None),
                 ("POST", f"/api/v1/bookings/{booking.id}/cancel", {"reason": "чужое"}),
                 ("POST", f"/api/v1/bookings/{booking.id}/move", {"starts_at": z(at(day_ahead(3), 11)),
                                                                  "reason": "чужое"}),
                 ("GET", f"/api/v1/bookings/{booking.id}", None)]
        for method, path, body in calls:
            response = stranger.call(method, path, json=body)
            expected = {404} if stranger is w.other_pro or "/bookings/" in path else {403}
            if stranger is w.other_client and path.endswith("/confirm"):
                expected = {403}
            assert response.status_code in expected, (stranger.user.email, method, path, response.get_json())
    assert committed_state(w.item, exception, booking) == before
    mine = make_service_item(w.other_profile)
    assert w.other_pro.call("DELETE", f"{PRACTICE}/services/{mine.id}").status_code == 200
