"""Registration, login, password change, my account; validation messages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.extensions import db
from portal.core.validation import iin_is_valid, normalize_phone
from portal.models.accounts import PortalUser
from portal.models.agreement import AgreementAcceptance
from portal.services.agreement import current_agreement
from tests.factories import PASSWORD, unique_email

GOOD = {"full_name": "Айгерім Сапарова", "phone": "8 701 234 56 78", "password": "Strong-pass-7",
        "conf_password": "Strong-pass-7", "locale": "kk", "agree": "y"}


def _register(client, **overrides):
    data = dict(GOOD, email=unique_email("reg"))
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return data, client.post("/register/form?_l_=en", data=data)


def _users(email):
    return db.session.scalar(select(func.count()).select_from(PortalUser).where(PortalUser.email == email))


def test_registration_with_agreement_creates_client_and_acceptance(client):
    data, response = _register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/")
    user = db.session.scalars(select(PortalUser).where(PortalUser.email == data["email"])).one()
    assert [r.name for r in user.roles] == ["Client"]
    assert user.phone == "+77012345678"
    assert user.locale == "kk"
    acceptance = db.session.scalars(select(AgreementAcceptance).where(AgreementAcceptance.user_id == user.id)).one()
    assert acceptance.version.id == current_agreement().id  # the version in force
    assert acceptance.ip_address == "127.0.0.1"
    assert acceptance.user_agent.startswith("Werkzeug")
    assert acceptance.accepted_at is not None
    page = client.get("/account/").get_data(as_text=True)
    assert data["email"] in page


def test_registration_without_agreement_fails_and_saves_nothing(client):
    data, response = _register(client, agree=None)
    assert response.status_code == 200
    assert "You must accept the user agreement to register." in response.get_data(as_text=True)
    assert _users(data["email"]) == 0


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-email", "Enter a valid email address."),
    ("phone", "12345", "Enter a valid phone number, for example +7 701 234 56 78."),
    ("password", "short1", "The password must be at least 8 characters long."),
    ("full_name", "x" * 200, "At most 128 characters."),
])
def test_bad_input_is_shown_next_to_the_field(client, field, value, message):
    overrides = {field: value}
    if field == "password":
        overrides["conf_password"] = value
    data, response = _register(client, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'id="{field}-help"' in html and 'aria-invalid="true"' in html
    assert _users(data.get("email", "")) == 0


def test_duplicate_email_is_refused(client, world):
    _, response = _register(client, email=world.client_a.email)
    assert "An account with this email already exists." in response.get_data(as_text=True)
    _, response = _register(client, email=world.client_a.email.upper())
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_errors_are_translated(client):
    response = client.post("/register/form?_l_=ru", data=dict(GOOD, email="bad", agree=""))
    html = response.get_data(as_text=True)
    assert "You must accept" not in html
    assert "Enter a valid email address." not in html


def test_login_logout_and_password_change(client, world):
    from tests.conftest import login

    assert login(client, world.client_a.email).status_code == 302
    assert client.get("/account/").status_code == 200
    response = client.post("/resetmypassword/form", data={"current_password": PASSWORD, "password": "New-pass-22",
                                                           "conf_password": "New-pass-22"})
    assert response.status_code == 302
    client.post("/logout/")
    assert client.get("/account/").status_code == 302
    assert login(client, world.client_a.email, "New-pass-22").headers["Location"].endswith("/")
    assert client.get("/account/").status_code == 200


def test_weak_new_password_is_refused(client, login_as, world):
    login_as(world.client_a)
    response = client.post("/resetmypassword/form?_l_=en", data={"current_password": PASSWORD, "password": "abc",
                                                                  "conf_password": "abc"})
    assert response.status_code == 200
    assert "The password must be at least 8 characters long." in response.get_data(as_text=True)


def test_wrong_password_gives_generic_error(client, world):
    from tests.conftest import login

    response = login(client, world.client_a.email, "wrong-password-1")
    assert "/login/" in response.headers["Location"]
    assert client.get("/account/").status_code == 302


@pytest.mark.parametrize("iin,valid", [
    ("791028302728", True), ("061211600012", True), ("791028302729", False),
    ("79102830272", False), ("79102830272a", False), ("791328302728", False), ("", False),
])
def test_iin_checksum(iin, valid):
    assert iin_is_valid(iin) is valid


def test_phone_normalisation():
    assert normalize_phone("+7 (701) 234-56-78") == "+77012345678"
    assert normalize_phone("87012345678") == "+77012345678"
    with pytest.raises(ValueError):
        normalize_phone("123")


def test_admin_edit_rejects_bad_iin_and_keeps_row(client, login_as, world):
    login_as(world.admin)
    url = f"/admin/users/edit/{world.client_b.id}"
    response = client.post(url + "?_l_=en", data={"first_name": "Борис", "last_name": "Белов",
                                                  "phone": "+77012345678", "locale": "ru", "iin": "123456789012"})
    assert response.status_code == 200
    assert "This IIN is not valid: check the 12 digits." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PortalUser, world.client_b.id).iin is None
    response = client.post(url, data={"first_name": "Борис", "last_name": "Белов", "phone": "+77012345678",
                                      "locale": "ru", "iin": "791028302728"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PortalUser, world.client_b.id).iin == "791028302728"
    shown = client.get(f"/admin/users/show/{world.client_b.id}").get_data(as_text=True)
    assert "791028302728" not in shown and "********2728" in shown
