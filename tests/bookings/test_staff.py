"""Staff and bookings: the read-only back-office screen (list with filters, details
with the audit trail; no add, edit or delete, moderators and admins only) and the
no-show marks feeding the "many complaints" signal (services.trust)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.core import audit
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.services.bookings import booking as booking_service
from portal.services.trust import complaints
from tests import factories as f
from tests.bookings.scene import booking, scene


@pytest.fixture
def s(app):
    s = scene(app)
    sm = app.appbuilder.sm
    s.moderator = f.make_user(sm, ("Moderator",), locale="en")
    s.admin = f.make_user(sm, ("Admin",), locale="en")
    return s


def test_staff_list_and_details_with_audit_trail(app, s, login_as):
    b = booking(s, BookingStatus.REQUESTED, dt.timedelta(days=2), note="Bring the seal")
    other = booking(s, BookingStatus.DECLINED, dt.timedelta(days=3))
    audit.record("booking", b.id, None, BookingStatus.REQUESTED, s.client.id)
    audit.record("booking", b.id, BookingStatus.REQUESTED, BookingStatus.CANCELLED, s.prac.id, "I am ill")
    db.session.commit()
    for staff in (s.moderator, s.admin):
        http = login_as(staff)
        listing = http.get("/admin/bookings/list/").get_data(as_text=True)
        assert s.client.full_name in listing or s.client.display_name in listing
        # filter by status: only the declined one
        filtered = http.get("/admin/bookings/list/?_flt_0_status=declined").get_data(as_text=True)
        assert f"/admin/bookings/show/{other.id}" in filtered and f"/admin/bookings/show/{b.id}" not in filtered
        page = http.get(f"/admin/bookings/show/{b.id}").get_data(as_text=True)
        assert "Bring the seal" in page and "Audit trail" in page and "I am ill" in page
        assert s.prac.display_name in page
        assert http.get(f"/admin/bookings/show/{999999}").status_code == 404
        for path in ("/admin/bookings/add", f"/admin/bookings/edit/{b.id}", f"/admin/bookings/delete/{b.id}"):
            assert http.get(path).status_code in (403, 404, 405), path
    assert db.session.get(Booking, b.id) is not None

    for user in (s.client, s.prac):
        assert login_as(user).get("/admin/bookings/list/").status_code == 403
        assert login_as(user).get(f"/admin/bookings/show/{b.id}").status_code == 403


def test_filter_by_practitioner_and_date(app, s, login_as):
    mine = booking(s, BookingStatus.CONFIRMED, dt.timedelta(days=2))
    other_scene = scene(app)
    theirs = booking(other_scene, BookingStatus.CONFIRMED, dt.timedelta(days=40))
    http = login_as(s.moderator)
    page = http.get(f"/admin/bookings/list/?_flt_0_profile={s.profile.id}").get_data(as_text=True)
    assert f"/admin/bookings/show/{mine.id}" in page and f"/admin/bookings/show/{theirs.id}" not in page
    # "greater than" the cutoff (FAB's second date filter)
    cutoff = (utcnow() + dt.timedelta(days=20)).strftime("%Y-%m-%d %H:%M:%S")
    page = http.get(f"/admin/bookings/list/?_flt_1_starts_at={cutoff}").get_data(as_text=True)
    assert f"/admin/bookings/show/{theirs.id}" in page and f"/admin/bookings/show/{mine.id}" not in page


def _no_show(s, client=None, days_ago=1):
    b = booking(s, BookingStatus.CONFIRMED, -dt.timedelta(days=days_ago), client=client)
    return booking_service.mark_no_show(s.prac, b.id)


def signal_of(user, **kw):
    return next((x for x in complaints.signals(**kw) if x.user.id == user.id), None)


def test_no_shows_feed_the_complaint_signal(app, s):
    assert app.config["COMPLAINT_SIGNAL_THRESHOLD"] == 3
    _no_show(s)
    _no_show(s)
    assert signal_of(s.client) is None and complaints.no_shows_about(s.client.id) == 2
    assert complaints.no_shows_about(s.prac.id) == 0  # the practitioner marked: the client missed
    assert signal_of(s.client, threshold=2).no_shows == 2
    _no_show(s)
    found = signal_of(s.client)
    assert (found.count, found.no_shows, found.total) == (0, 3, 3)
    # an old mark leaves the window
    old = db.session.get(Booking, _no_show(s, days_ago=2).id)
    old.outcome_at = utcnow() - dt.timedelta(days=app.config["COMPLAINT_SIGNAL_DAYS"] + 1)
    db.session.commit()
    assert signal_of(s.client).no_shows == 3


def test_a_no_show_marked_by_the_client_counts_against_the_practitioner(s):
    b = booking(s, BookingStatus.CONFIRMED, -dt.timedelta(days=1))
    booking_service.mark_no_show(s.client, b.id)
    assert complaints.no_shows_about(s.prac.id) == 1 and complaints.no_shows_about(s.client.id) == 0
    assert signal_of(s.prac, threshold=1).no_shows == 1


def test_accounts_page_shows_no_shows(app, s, login_as):
    for _ in range(3):
        _no_show(s)
    http = login_as(s.moderator)
    page = http.get("/moderation/accounts/").get_data(as_text=True)
    assert "No-shows" in page and s.client.full_name in page
    page = http.get(f"/moderation/accounts/{s.client.id}").get_data(as_text=True)
    assert "3 missed bookings (no-shows)" in page


def test_admin_switches_a_category_to_bookings_and_off_requests(app, s, login_as):
    """The category's two switches are plain boxes an admin may tick or untick (FAB would
    make a non-nullable Boolean a required, always ticked box)."""
    from portal.models.catalog import Category

    category = f.category("consultant")
    http = login_as(s.admin)
    form = {"code": category.code, "name_kk": category.name_kk, "name_ru": category.name_ru,
            "name_en": category.name_en or "x", "description_kk": category.description_kk or "x",
            "description_ru": category.description_ru or "x", "description_en": category.description_en or "x",
            "regulator_kk": category.regulator_kk or "x", "regulator_ru": category.regulator_ru or "x",
            "icon": category.icon or "fa-scale-balanced",
            "takes_bookings": "y", "sort_order": str(category.sort_order)}
    response = http.post(f"/admin/categories/edit/{category.id}", data=form)
    assert response.status_code == 302, re.findall(r"alert-danger\">\s*([^<]*)", response.get_data(as_text=True))
    db.session.expire_all()
    row = db.session.get(Category, category.id)
    assert (row.takes_requests, row.takes_bookings) == (False, True)
    form.pop("takes_bookings")
    form["takes_requests"] = "y"
    assert http.post(f"/admin/categories/edit/{category.id}", data=form).status_code == 302
    db.session.expire_all()
    row = db.session.get(Category, category.id)
    assert (row.takes_requests, row.takes_bookings) == (True, False)
