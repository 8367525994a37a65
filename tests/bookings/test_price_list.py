"""The price list service (services.bookings.price_list): every check with a
translated message and nothing stored on error, only the owner of a verified
practice in a category that takes bookings edits it, every change audited, and
bookings keep their price copy."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from portal.core.audit import AuditEntry
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus, ServiceItem
from portal.models.practitioners import ProfileStatus
from portal.services.bookings import price_list as svc
from tests import factories as f
from tests.bookings.helpers import local, make_booking

GOOD = {"name_kk": "Сенімхат", "name_ru": "Доверенность", "name_en": "Power of attorney", "price": 5000,
        "price_kind": "fixed", "duration_minutes": 30, "mode": "in_person"}


def practitioner(app, category_code="notary", takes_bookings=True, **kwargs):
    profile = f.make_practitioner(app.appbuilder.sm, category_code=category_code, **kwargs)
    profile.category.takes_bookings = takes_bookings
    db.session.commit()
    return profile


@pytest.fixture
def profile(app):
    return practitioner(app)


def english(message) -> str:
    with force_locale("en"):
        return str(message)


def audit_count(**filters) -> int:
    return f.row_count(AuditEntry, entity="service_item", **filters)


def test_add_update_list_in_order(profile):
    user = profile.user
    first = svc.add_item(user, GOOD)
    second = svc.add_item(user, GOOD | {"name_kk": "", "name_ru": "Консультация", "price": "12 000",
                                        "price_kind": "from", "mode": "online", "duration_minutes": "45"})
    assert [i.id for i in svc.items(profile.id)] == [first.id, second.id]
    assert second.price == 12000 and second.price_kind == "from" and second.duration_minutes == 45
    svc.update_item(user, second.id, {"sort_order": 0, "price": 15000})
    svc.update_item(user, first.id, {"sort_order": 1})
    assert [i.id for i in svc.items(profile.id)] == [second.id, first.id]
    assert f.committed_state(second)[0]["price"] == 15000
    assert audit_count(action="created") == 2
    assert audit_count(action="updated", entity_id=second.id) == 1


def test_move_item_reorders(profile):
    a, b, c = (svc.add_item(profile.user, GOOD | {"name_ru": n}) for n in "abc")
    svc.move_item(profile.user, c.id, -1)
    assert [i.name_ru for i in svc.items(profile.id)] == ["a", "c", "b"]
    svc.move_item(profile.user, a.id, -1)  # first already: nothing moves
    assert [i.name_ru for i in svc.items(profile.id)] == ["a", "c", "b"]
    assert audit_count(action="reordered") == 1


@pytest.mark.parametrize("data, field, text", [
    ({"name_kk": "", "name_ru": "  "}, "name_ru", "Kazakh or Russian"),
    ({"name_ru": "x" * 201}, "name_ru", "too long"),
    ({"name_en": "x" * 201}, "name_en", "too long"),
    ({"price": -1}, "price", "whole tenge"),
    ({"price": 100_000_001}, "price", "whole tenge"),
    ({"price": "12.5"}, "price", "whole tenge"),
    ({"price": "abc"}, "price", "whole tenge"),
    ({"price": None}, "price", "whole tenge"),
    ({"price": True}, "price", "whole tenge"),
    ({"price_kind": "about"}, "price_kind", "fixed"),
    ({"duration_minutes": 4}, "duration_minutes", "duration"),
    ({"duration_minutes": 481}, "duration_minutes", "duration"),
    ({"mode": "video"}, "mode", "in person"),
    ({"sort_order": -3}, "sort_order", "position"),
])
def test_add_refuses_bad_input(profile, data, field, text):
    with f.fails_without_change(field=field, count_of=[(ServiceItem, {}), (AuditEntry, {})]) as info:
        svc.add_item(profile.user, GOOD | data)
    assert text in english(info.value.message)


def test_messages_are_translated(profile):
    with pytest.raises(ServiceError) as info:
        svc.add_item(profile.user, GOOD | {"price": -5})
    with force_locale("ru"):
        assert "тенге" in str(info.value.message)
    with force_locale("kk"):
        assert "теңге" in str(info.value.message)


def test_limits_are_inclusive(profile):
    item = svc.add_item(profile.user, GOOD | {"price": 0, "duration_minutes": 5, "name_ru": "x" * 200})
    svc.update_item(profile.user, item.id, {"price": 100_000_000, "duration_minutes": 480})
    assert (item.price, item.duration_minutes) == (100_000_000, 480)


def test_update_refuses_bad_input_without_change(profile):
    item = svc.add_item(profile.user, GOOD)
    with f.fails_without_change(item, field="duration_minutes"):
        svc.update_item(profile.user, item.id, {"price": 9000, "duration_minutes": 0})


def test_another_practitioners_item_is_not_found(app, profile):
    item = svc.add_item(profile.user, GOOD)
    other = practitioner(app)
    for call in (lambda: svc.update_item(other.user, item.id, {"price": 1}),
                 lambda: svc.remove_item(other.user, item.id),
                 lambda: svc.move_item(other.user, item.id, 1),
                 lambda: svc.update_item(profile.user, 10**12, {"price": 1}),
                 lambda: svc.remove_item(profile.user, "x")):
        with f.fails_without_change(item, error=NotFound):
            call()


@pytest.mark.parametrize("case", ["client", "unverified", "no_bookings_category", "blocked"])
def test_who_may_edit(app, case):
    sm = app.appbuilder.sm
    if case == "client":
        user = f.make_user(sm)
    elif case == "unverified":
        user = practitioner(app, status=ProfileStatus.SUBMITTED).user
    elif case == "no_bookings_category":
        user = practitioner(app, category_code="advocate", takes_bookings=False).user
    else:
        user = practitioner(app, blocked=True).user
    with f.fails_without_change(count_of=[(ServiceItem, {})]) as info:
        svc.add_item(user, GOOD)
    assert str(info.value.message)


def test_remove_deletes_an_unused_item(profile):
    item = svc.add_item(profile.user, GOOD)
    svc.remove_item(profile.user, item.id)
    assert f.row_count(ServiceItem) == 0
    assert audit_count(action="deleted", entity_id=item.id) == 1


def test_bookings_keep_their_price_and_the_item_is_deactivated(app, profile):
    item = svc.add_item(profile.user, GOOD)
    client = f.make_user(app.appbuilder.sm)
    booking = make_booking(profile, client, item, local(2026, 3, 9, 10, 0), status=BookingStatus.CONFIRMED)
    svc.update_item(profile.user, item.id, {"price": 9999, "price_kind": "from"})
    svc.remove_item(profile.user, item.id)
    state = f.committed_state(booking)[0]
    assert (state["price"], state["price_kind"]) == (5000, "fixed")
    assert f.row_count(ServiceItem, active=False) == 1
    assert svc.items(profile.id) == []
    assert [i.id for i in svc.items(profile.id, active_only=False)] == [item.id]
    assert audit_count(action="deactivated") == 1
    assert f.row_count(Booking) == 1
    assert booking.starts_at > dt.datetime(2026, 1, 1)
