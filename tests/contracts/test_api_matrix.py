"""The mobile API's authorization matrix and IDOR sweep, over every operation
of the public OpenAPI document (so a new endpoint is covered the day it is
added), with Bearer tokens and no cookies, as the app calls it.

* Anonymous: every private operation answers 401 (problem+json); a public one
  never asks for a token.
* A blocked account's token from before the block: 401 everywhere private, and
  no write goes through.
* Every role, with ids that do not exist: never a server error, never a success.
* IDOR: every operation that takes a row id, called by someone else with the id
  of a row they may not touch (a request, offer, review, conversation, file,
  session, document or quiz attempt of another user; a booking, price list line or change of a
  date of another practitioner), is refused, and the row
  is unchanged."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.accounts import AccountStatus, UserSession
from portal.models.bookings import AvailabilityException, Booking, BookingStatus, ServiceItem
from portal.models.exchange import Attachment, Offer, Review, ServiceRequest, Thread
from portal.models.practitioners import ProfileDocument, QuizAttempt
from portal.services.accounts import api_tokens
from tests.accounts.test_api_tokens import api
from tests.factories import committed_state, make_offer, make_practitioner, make_request

SPEC = "/api/v1/openapi.json"
MISSING = 999999
SELF_ENDING = ("/api/v1/security/logout", "/api/v1/account/close", "/api/v1/account/sessions/end-others",
               "/api/v1/account/password")


def _operations(app):
    doc = api(app).get(SPEC).get_json()
    return [(method.upper(), path, op) for path, ops in sorted(doc["paths"].items())
            for method, op in sorted(ops.items()) if method in ("get", "post", "put", "patch", "delete")]


def _token(app, user) -> str:
    with app.test_request_context():
        return api_tokens.sign_in(user, "10.1.0.1", "pytest")["access_token"]


def _call(app, method, url, token=None, body=None):
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api(app).open(url, method=method, headers=headers, json=body if method != "GET" else None)


def _fill(path: str, value: int) -> str:
    return re.sub(r"{[^}]+}", str(value), path)


def test_the_document_covers_the_mobile_journeys(app):
    names = {f"{m} {p}" for m, p, _ in _operations(app)}
    for expected in ("POST /api/v1/account/register", "POST /api/v1/requests/", "POST /api/v1/requests/{request_id}/offers",
                     "POST /api/v1/requests/{request_id}/offers/{offer_id}/select",
                     "POST /api/v1/conversations/{thread_id}/messages", "POST /api/v1/requests/{request_id}/review",
                     "POST /api/v1/reviews/{review_id}/reply", "POST /api/v1/push/subscriptions",
                     "GET /api/v1/feed/", "PUT /api/v1/practice/questionnaire", "POST /api/v1/practice/quiz/attempts"):
        assert expected in names


def test_anonymous_callers_get_401_on_every_private_operation(app, world):
    for method, path, op in _operations(app):
        response = _call(app, method, _fill(path, MISSING), body={})
        assert response.status_code < 500, (method, path, response.status_code)
        if op.get("security"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.mimetype == "application/problem+json", (method, path)
        else:
            assert response.status_code != 401, (method, path)


def test_a_blocked_accounts_earlier_token_opens_nothing(app, world):
    token = _token(app, world.client_a)
    world.client_a.status = AccountStatus.BLOCKED
    db.session.commit()
    before = committed_state(world.request_a, world.review_a)
    for method, path, op in _operations(app):
        if not op.get("security"):
            continue
        url = _fill(path, world.request_a.id)
        response = _call(app, method, url, token, body={})
        assert response.status_code == 401, (method, path, response.status_code)
    assert committed_state(world.request_a, world.review_a) == before


@pytest.mark.parametrize("role", ["client_a", "practitioner", "moderator", "admin"])
def test_ids_that_do_not_exist_are_never_a_success_or_a_crash(app, world, role):
    token = _token(app, getattr(world, role))
    for method, path, _op in _operations(app):
        if "{" not in path or path in SELF_ENDING:
            continue
        response = _call(app, method, _fill(path, MISSING), token, body={})
        assert 400 <= response.status_code < 500, (role, method, path, response.status_code)
        assert response.mimetype in ("application/problem+json", "application/json"), (method, path)


# --------------------------------------------------------------------------- IDOR

@pytest.fixture
def rows(app, world):
    """Rows of client A and of the world's practitioner that strangers must not reach."""
    sm = app.appbuilder.sm
    r = type("Rows", (), {})()
    r.world = world
    r.stranger_client = world.client_b
    # of another category: A's advocate request is not in this one's feed, so every id of A is foreign
    r.stranger_practitioner = make_practitioner(sm, category_code="notary", first_name="Чужой").user
    r.open_request = make_request(world.client_a, title="Открытый запрос A")
    r.open_offer = make_offer(r.open_request, world.profile)
    r.thread = Thread(request_id=r.open_request.id, profile_id=world.profile.id)
    db.session.add(r.thread)
    db.session.flush()
    r.attachment = Attachment(request_id=r.open_request.id, owner_id=world.client_a.id, original_name="a.pdf",
                              storage_key="idor-sweep-a.pdf", content_type="application/pdf", size=10)
    db.session.add(r.attachment)
    r.document = ProfileDocument(profile_id=world.profile.id, kind="licence", original_name="licence.pdf",
                                 content_type="application/pdf", size=10, storage_key="idor-sweep-licence.pdf")
    r.attempt = QuizAttempt(profile_id=world.profile.id, question_ids="[]", answers="{}")
    db.session.add_all([r.document, r.attempt])
    # bookings: A's booking with a notary who takes bookings (the stranger practitioner's category takes
    # them too, so the refusal comes from the row), the notary's price list line and change of a date
    booked = make_practitioner(sm, category_code="notary", first_name="Записи")
    booked.category.takes_bookings = True
    r.service_item = ServiceItem(profile_id=booked.id, name_ru="Услуга", price=1000, duration_minutes=30)
    r.exception = AvailabilityException(profile_id=booked.id, day=dt.date.today() + dt.timedelta(days=5))
    db.session.add_all([r.service_item, r.exception])
    db.session.flush()
    starts = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0) + dt.timedelta(days=3)
    r.booking = Booking(profile_id=booked.id, client_id=world.client_a.id, service_item_id=r.service_item.id,
                        starts_at=starts, ends_at=starts + dt.timedelta(minutes=30), price=1000,
                        status=BookingStatus.REQUESTED)
    db.session.add(r.booking)
    db.session.commit()
    _token(app, world.client_a)  # a live API session of A
    r.session = db.session.scalars(select(UserSession).where(UserSession.user_id == world.client_a.id)).first()
    return r


def _target(rows, name: str):
    """The row a path parameter names, owned by client A or the world's practitioner."""
    w = rows.world
    return {"request_id": rows.open_request, "offer_id": rows.open_offer, "review_id": w.review_a,
            "thread_id": rows.thread, "attachment_id": rows.attachment, "session_id": rows.session,
            "document_id": rows.document, "attempt_id": rows.attempt, "booking_id": rows.booking,
            "service_id": rows.service_item, "exception_id": rows.exception}.get(name)


def _plausible_body(path: str) -> dict:
    """A body that passes validation where one is needed, so the refusal comes from the row check."""
    if path.endswith("/offers") or path.startswith("/api/v1/offers/{offer_id}") and not path.endswith("withdraw"):
        return {"price": 50000, "price_kind": "fixed", "term_days": 5, "message": "Готов помочь с вашим делом."}
    if path.endswith("/review") or path == "/api/v1/reviews/{review_id}":
        return {"rating": 1, "comment": "Чужой отзыв"}
    if path.endswith("/reply"):
        return {"text": "Чужой ответ"}
    if path.endswith("/messages"):
        return {"body": "Чужое сообщение"}
    if path.endswith("/ask-completion"):
        return {"work_done": True}
    if path.startswith("/api/v1/bookings/{booking_id}/"):
        when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
        return {"reason": "Чужая запись", **({"starts_at": when.isoformat()} if path.endswith("/move") else {})}
    if path == "/api/v1/practice/services/{service_id}":
        return {"name_ru": "Чужая услуга", "price": 1, "duration_minutes": 30}
    return {}


def _snapshot(rows):
    db.session.expire_all()
    tables = (ServiceRequest, Offer, Review, Thread, Attachment, UserSession, ProfileDocument, QuizAttempt,
              Booking, ServiceItem, AvailabilityException)
    return {t.__tablename__: committed_state(*db.session.scalars(select(t)).all()) for t in tables}


@pytest.mark.parametrize("stranger", ["stranger_client", "stranger_practitioner"])
def test_nobody_reaches_another_users_rows_by_id(app, rows, stranger):
    token = _token(app, getattr(rows, stranger))
    before = _snapshot(rows)
    tried = 0
    for method, path, op in _operations(app):
        names = re.findall(r"{([^}]+)}", path)
        if not names or not op.get("security") or any(_target(rows, n) is None for n in names):
            continue
        url = path
        for name in names:
            url = url.replace("{" + name + "}", str(_target(rows, name).id))
        response = _call(app, method, url, token, body=_plausible_body(path))
        assert response.status_code in (400, 403, 404, 422), (stranger, method, path, response.status_code)
        if method == "GET":  # 403 only where the caller lacks the role altogether (a client on /practice)
            assert response.status_code in (403, 404), (stranger, method, path, response.status_code)
        tried += 1
    assert tried >= 20
    assert _snapshot(rows) == before
