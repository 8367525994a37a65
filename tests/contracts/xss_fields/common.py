"""What every row of the XSS table (tests/contracts/xss_fields) uses: the Field itself and helpers to
sign in, post a form that must succeed and make the fresh objects examples start from."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Callable

from portal.models.exchange import OfferStatus, RequestStatus
from tests import factories

NAME = 60  # first/last names hold 64 characters
FILE = "/\\"  # a file name loses everything before a slash


@dataclass(frozen=True)
class Field:
    name: str
    write: Callable
    pages: Callable
    max_len: int = 300
    strip: str = ""          # characters the field cannot hold
    min_len: int = 0         # shortest value the field takes
    emails: bool = False     # an email the write queued shows the value


def browser(app, user=None):
    """A test client of its own, signed in as ``user`` (a visitor when None)."""
    client = app.test_client()
    if user is not None:
        response = client.post("/login/", data={"username": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302 and "/login" not in response.headers["Location"], user.email
    return client


def post_ok(client, url: str, data: dict) -> str:
    """POST a form that must succeed (a redirect, not back to the login page); its Location."""
    response = client.post(url, data=data, content_type="multipart/form-data")
    location = response.headers.get("Location", "")
    if response.status_code != 302 or "/login" in location:
        page = response.get_data(as_text=True)
        errors = re.findall(r'class="(?:help-block|alert[^"]*|text-danger)"[^>]*>(.*?)<', page, re.S)
        raise AssertionError(f"POST {url}: {response.status_code} {location} {[e.strip() for e in errors][:5]}")
    return location


def pdf(name: str):
    return (io.BytesIO(factories.PDF_BYTES), name, "application/pdf")


def id_from(location: str) -> int:
    return int(location.rstrip("/").split("?")[0].split("#")[0].rsplit("/", 1)[1])


def security_manager():
    from flask import current_app

    return current_app.appbuilder.sm


def new_thread(w):
    from portal.services.exchange import messages

    req = factories.make_request(w.client)
    factories.make_offer(req, w.profile)
    return messages.open_thread(w.pro, req.id)


def completed_request(w):
    req = factories.make_request(w.client, status=RequestStatus.COMPLETED)
    factories.make_offer(req, w.profile, status=OfferStatus.ACCEPTED)
    return req
