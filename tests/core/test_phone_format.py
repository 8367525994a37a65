"""Phone numbers are stored in E.164 (+77087599694) and shown grouped as
people write them (+7 708 759 96 94): core.validation.format_phone, the Jinja
filter ``phone`` and the pages that show a phone. ``tel:`` links keep E.164."""
from __future__ import annotations

import pytest

from portal.core.extensions import db
from portal.core.validation import format_phone
from portal.models.accounts import PortalUser
from tests.factories import make_user


@pytest.mark.parametrize("stored, shown", [
    ("+77087599694", "+7 708 759 96 94"),  # Kazakh mobile
    ("+77012345678", "+7 701 234 56 78"),
    ("+77272501234", "+7 727 250 12 34"),  # Almaty landline
    ("+77172123456", "+7 717 212 34 56"),  # Astana landline
    ("87087599694", "+7 708 759 96 94"),  # an old value typed the local way
    ("+998901234567", "+998 90 123 45 67"),  # Uzbekistan: readable, its own grouping
    ("+4915112345678", "+49 1511 2345678"),
])
def test_format_phone(stored, shown):
    assert format_phone(stored) == shown


@pytest.mark.parametrize("value", ["", None, "   "])
def test_no_phone_is_empty(value):
    assert format_phone(value) == ""


@pytest.mark.parametrize("value", ["+7708", "not a phone", "+99999999999999"])
def test_what_is_not_a_number_is_shown_as_stored(value):
    assert format_phone(value) == value


def test_the_jinja_filter(app):
    assert app.jinja_env.from_string("{{ p|phone }}").render(p="+77087599694") == "+7 708 759 96 94"


def test_pages_show_the_number_grouped(app, login_as):
    user = make_user(app.appbuilder.sm, locale="en", phone="+77087599694")
    http = login_as(user)
    account = http.get("/account/?_l_=en").get_data(as_text=True)
    assert "+7 708 759 96 94" in account and "+77087599694" not in account

    staff = make_user(app.appbuilder.sm, ("Admin",), locale="en", phone="+77272501234")
    http = login_as(staff)
    card = http.get(f"/moderation/accounts/{user.id}?_l_=en").get_data(as_text=True)
    assert "+7 708 759 96 94" in card
    listing = http.get(f"/admin/users/list/?_flt_0_email={user.email}&_l_=en").get_data(as_text=True)
    assert "+7 708 759 96 94" in listing
    shown = http.get(f"/admin/users/show/{user.id}?_l_=en").get_data(as_text=True)
    assert "+7 708 759 96 94" in shown
    # stored as it was
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).phone == "+77087599694"
