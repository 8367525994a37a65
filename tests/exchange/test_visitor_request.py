"""A visitor's request before they have an account (services.exchange.pending,
views.exchange.pending) and the way back after signing in or registering
(portal.security): published with its file for the holder of the token only,
a draft when publishing is refused or they come back later, expired rows
cleaned, ``next`` kept through sign-in and registration, never an open redirect."""
from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import PendingRequest, RequestStatus, ServiceRequest
from portal.models.practitioners import ProfileStatus
from portal.services.exchange import attachments, pending
from tests import factories
from tests.factories import PASSWORD, make_profile, make_user, stored_folder, stored_path, unique_email

MULTIPART = "multipart/form-data"
PDF = b"%PDF-1.4 the visitor's contract\n%%EOF"
CONTINUE = "/requests/new?continue=1"
REGISTRATION = {"full_name": "Айгерім Сапарова", "phone": "8 701 234 56 78", "password": "Strong-pass-7",
                "conf_password": "Strong-pass-7", "locale": "en", "agree": "y"}


def _form(title: str, **extra) -> dict:
    data = {"category_id": str(factories.category("advocate").id), "region_id": str(factories.region("KZ-62").id),
            "title": title, "description": "Нужна помощь по спору о наследстве, договор приложен.",
            "city": "Жезказган", "budget": "150000",
            "desired_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(), "action": "publish",
            "attachments": [(io.BytesIO(PDF), "contract.pdf")]}
    data.update(extra)
    return data


def _text(response) -> str:
    return response.get_data(as_text=True)


def _requests(title: str) -> list[ServiceRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(ServiceRequest).where(ServiceRequest.title == title)))


def _pending_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(PendingRequest))


def _pending_files() -> list[str]:
    return sorted(os.listdir(stored_folder("pending")))


@pytest.fixture
def practitioner(app):
    user = make_user(app.appbuilder.sm, ("Client", "Practitioner"), first_name="Алмас", last_name="Адвокатов")
    return make_profile(user, category_code="advocate", region_code="KZ-62")


def _submit(client, title, query="?_l_=en", **extra):
    return client.post("/requests/new" + query, content_type=MULTIPART, data=_form(title, **extra))


def _register(client, next_url=CONTINUE, **extra):
    data = dict(REGISTRATION, email=unique_email("visitor"), **extra)
    path = "/register/form" + (f"?next={next_url}" if next_url else "")
    return data["email"], client.post(path, data=data)


def _links(page: str, path: str) -> list[str]:
    """The (decoded) hrefs of the links to ``path`` on the page."""
    found = [unquote(html.unescape(m)) for m in re.findall(r'href="([^"]*' + re.escape(path) + r'[^"]*)"', page)]
    assert found, f"no link to {path}"
    return found


def _user(email) -> PortalUser:
    db.session.expire_all()
    return db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one()


# --- the visitor submits, then registers or signs in ----------------------------------------------

def test_visitor_registers_at_submit_and_the_request_is_published_with_its_file(client, practitioner):
    form_page = client.get(f"/requests/new?profile={practitioner.id}&_l_=en")
    assert form_page.status_code == 200
    assert "you will sign in or register" in _text(form_page) and practitioner.name in _text(form_page)

    response = _submit(client, "Наследство после отца", query=f"?profile={practitioner.id}&_l_=en",
                       target_profile_id=str(practitioner.id))
    assert response.status_code == 302
    location = unquote(response.headers["Location"])
    assert "/login/" in location and "next=" + CONTINUE in location
    assert _requests("Наследство после отца") == [] and _pending_rows() == 1 and len(_pending_files()) == 1

    login_page = _text(client.get(response.headers["Location"] + "&_l_=en"))
    assert "Sign in or register to send your request." in login_page
    assert "Access is Denied" not in login_page
    assert "/register/form?next=" + CONTINUE in _links(login_page, "/register/form")

    email, registered = _register(client)
    assert registered.status_code == 302
    [req] = _requests("Наследство после отца")
    assert registered.headers["Location"].endswith(f"/requests/{req.id}")
    assert req.client_id == _user(email).id and req.status == RequestStatus.OPEN
    assert req.target_profile_id == practitioner.id and req.budget == 150000
    [att] = req.attachments
    assert att.original_name == "contract.pdf"
    with open(stored_path(attachments.key_of(att)), "rb") as fh:
        assert fh.read() == PDF
    assert _pending_rows() == 0 and _pending_files() == []  # the pending copy is gone
    page = _text(client.get(f"/requests/{req.id}"))
    assert "Your request was sent to" in page and "contract.pdf" in page


def test_visitor_signs_in_with_an_existing_account_and_the_request_is_published(app, client):
    owner = make_user(app.appbuilder.sm, locale="en")
    response = _submit(client, "Долг по расписке")
    assert response.status_code == 302
    signed_in = client.post(f"/login/?next={CONTINUE}", data={"username": owner.email, "password": PASSWORD})
    [req] = _requests("Долг по расписке")
    assert signed_in.headers["Location"].endswith(f"/requests/{req.id}")
    assert req.client_id == owner.id and req.status == RequestStatus.OPEN and req.target_profile_id is None
    assert [a.original_name for a in req.attachments] == ["contract.pdf"]
    assert _pending_rows() == 0


def test_signing_in_later_keeps_the_request_as_a_draft(app, client):
    owner = make_user(app.appbuilder.sm, locale="en")
    _submit(client, "Раздел квартиры")
    client.get("/", follow_redirects=True)  # the visitor leaves, and later signs in from the header
    client.post("/login/", data={"username": owner.email, "password": PASSWORD})
    [req] = _requests("Раздел квартиры")
    assert req.client_id == owner.id and req.status == RequestStatus.DRAFT
    assert [a.original_name for a in req.attachments] == ["contract.pdf"]
    listing = _text(client.get("/requests/?status=draft"))
    assert "Раздел квартиры" in listing


def test_the_visitor_coming_back_sees_what_they_wrote(client):
    _submit(client, "Спор с застройщиком")
    page = _text(client.get("/requests/new?_l_=en"))
    assert "Your request is waiting to be sent" in page
    assert 'value="Спор с застройщиком"' in page and "contract.pdf" in page


def test_publishing_refused_after_sign_in_keeps_a_draft_and_says_why(client, practitioner):
    _submit(client, "Защита по ДТП", query=f"?profile={practitioner.id}&_l_=en",
            target_profile_id=str(practitioner.id))
    practitioner.status = ProfileStatus.SUSPENDED  # no longer available before the visitor registers
    db.session.commit()
    _, registered = _register(client)
    [req] = _requests("Защита по ДТП")
    assert req.status == RequestStatus.DRAFT and req.target_profile_id is None
    assert [a.original_name for a in req.attachments] == ["contract.pdf"]
    page = _text(client.get(registered.headers["Location"]))
    assert "could not be published and was saved as a draft" in page
    assert "This practitioner is not available for requests." in page


def test_validation_errors_are_shown_before_asking_to_sign_in(client):
    response = _submit(client, "Кор")  # too short
    assert response.status_code == 200
    assert "The title must be 5 to 200 characters long." in _text(response)
    bad_file = _submit(client, "Нормальный заголовок", attachments=[(io.BytesIO(b"<html>"), "x.pdf")])
    assert bad_file.status_code == 200 and "is not a PDF, JPEG or PNG file" in _text(bad_file)
    assert _pending_rows() == 0 and _pending_files() == []


# --- only the holder of the token -----------------------------------------------------------------

def test_a_stranger_without_the_token_cannot_claim_it(app, client):
    _submit(client, "Чужой запрос")
    stranger = app.test_client()
    email, response = _register(stranger)
    assert response.headers["Location"].endswith(CONTINUE)  # nothing to claim: back to the form
    assert _requests("Чужой запрос") == [] and _pending_rows() == 1
    claim = stranger.post("/requests/pending", data={"action": "publish"})
    assert claim.status_code == 302 and _requests("Чужой запрос") == []
    assert "Чужой запрос" not in _text(stranger.get("/requests/new?_l_=en"))


def test_another_users_token_does_nothing(app, client):
    _submit(client, "Запрос с токеном")
    with client.session_transaction() as sess:
        token = sess["pending_request"]
    first = make_user(app.appbuilder.sm, locale="en")
    client.post(f"/login/?next={CONTINUE}", data={"username": first.email, "password": PASSWORD})
    [req] = _requests("Запрос с токеном")
    assert req.client_id == first.id

    other = app.test_client()  # a copied token, once used, claims nothing; a forged one neither
    intruder = make_user(app.appbuilder.sm, locale="en")
    for stolen in (token, token[:-2] + "xx", "a" * 500):
        with other.session_transaction() as sess:
            sess["pending_request"] = stolen
        other.post(f"/login/?next={CONTINUE}", data={"username": intruder.email, "password": PASSWORD})
        other.post("/requests/pending", data={"action": "publish"})
        other.post("/logout/")
    assert [r.client_id for r in _requests("Запрос с токеном")] == [first.id]
    assert pending.claim(intruder, token) is None


# --- expiry and cleanup ---------------------------------------------------------------------------

def test_expired_pending_requests_are_cleaned_and_cannot_be_claimed(app, client):
    _submit(client, "Просроченный запрос")
    assert _pending_rows() == 1 and len(_pending_files()) == 1
    stray = os.path.join(stored_folder("pending"), "f" * 32)  # a file a killed process left behind
    with open(stray, "wb") as fh:
        fh.write(PDF)
    os.utime(stray, (0, 0))
    later = dt.datetime.utcnow() + dt.timedelta(hours=app.config["PENDING_REQUEST_TTL_HOURS"], minutes=1)
    assert pending.cleanup(now=later) == 3  # the row, its file, the stray file
    assert _pending_rows() == 0 and _pending_files() == []
    owner = make_user(app.appbuilder.sm, locale="en")
    client.post(f"/login/?next={CONTINUE}", data={"username": owner.email, "password": PASSWORD})
    assert _requests("Просроченный запрос") == []


def test_an_expired_row_is_not_found_even_before_cleanup(app, client):
    _submit(client, "Почти просроченный")
    with client.session_transaction() as sess:
        token = sess["pending_request"]
    later = dt.datetime.utcnow() + dt.timedelta(hours=app.config["PENDING_REQUEST_TTL_HOURS"], minutes=1)
    assert pending.find(token) is not None and pending.find(token, now=later) is None


# --- "Sign in or register to ..." and ``next`` ------------------------------------------------------

def test_a_page_that_needs_an_account_says_why_and_registration_returns_there(client):
    response = client.get("/threads/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    page = _text(client.get(response.headers["Location"] + "&_l_=en"))
    assert "Sign in or register to read and send messages." in page and "Access is Denied" not in page
    assert "/register/form?next=/threads/" in _links(page, "/register/form")
    register_page = _text(client.get("/register/form?next=/threads/&_l_=en"))
    assert "Sign in or register to read and send messages." in register_page
    assert "/login/?next=/threads/" in _links(register_page, "/login/")
    _, registered = _register(client, next_url="/threads/")
    assert registered.status_code == 302 and registered.headers["Location"].endswith("/threads/")


def test_the_chosen_practitioner_is_named_and_kept(client, practitioner):
    page = _text(client.get(f"/login/?next=/requests/new%3Fprofile%3D{practitioner.id}&_l_=en"))
    assert f"Sign in or register to send a request to {practitioner.name}." in page
    _, registered = _register(client, next_url=f"/requests/new%3Fprofile%3D{practitioner.id}")
    assert registered.headers["Location"].endswith(f"/requests/new?profile={practitioner.id}")


def test_next_survives_login(app, client):
    owner = make_user(app.appbuilder.sm, locale="en")
    response = client.post("/login/?next=/notifications/", data={"username": owner.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/notifications/")


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x",
                                    "javascript:alert(1)", "http://evil.example", "\t//evil.example"])
def test_no_open_redirect_after_registration_or_login(app, client, target):
    _, registered = _register(client, next_url=target.replace("\t", "%09"))
    location = registered.headers["Location"]
    assert "evil" not in location and "javascript" not in location and location.endswith("/account/")
    client.post("/logout/")
    page = _text(client.get("/login/", query_string={"next": target}))
    assert all(link == "/register/form" for link in _links(page, "/register/form"))  # next is dropped
    owner = make_user(app.appbuilder.sm, locale="en")
    signed_in = client.post("/login/", query_string={"next": target},
                            data={"username": owner.email, "password": PASSWORD})
    assert "evil" not in signed_in.headers["Location"] and "javascript" not in signed_in.headers["Location"]


def test_the_language_chosen_before_registering_is_kept(client):
    client.get("/lang/ru")
    form = _text(client.get("/register/form"))
    assert '<option selected value="ru">' in form or '<option value="ru" selected>' in form
    _, registered = _register(client, next_url="/requests/", locale="ru")
    assert registered.headers["Location"].endswith("/requests/")
    assert 'lang="ru"' in _text(client.get("/requests/"))


# --- the per-IP limit ---------------------------------------------------------------------------------

def test_visitor_submissions_are_limited_per_ip(tmp_path_factory):
    from config import TestConfig
    from tests.conftest import separate_app

    class Limited(TestConfig):
        RATELIMIT_ENABLED = True
        PENDING_REQUEST_RATE_LIMIT = "2 per hour"

    with separate_app(Limited, tmp_path_factory.mktemp("pending-limit")) as application:
        with application.app_context():
            visitor = application.test_client()
            assert _submit(visitor, "Кор").status_code == 200  # refused by a rule: not counted
            assert _submit(visitor, "Первый запрос").status_code == 302
            assert _submit(visitor, "Второй запрос").status_code == 302
            assert _submit(visitor, "Третий запрос").status_code == 429
            assert application.test_client().get("/requests/new").status_code == 200  # GETs are not limited
