"""Rows of the XSS table: accounts and names, requests, offers, conversations, reviews,
and what a visitor's input echoes."""
from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from urllib.parse import quote

from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import Offer, Review
from tests import factories
from tests.contracts.xss_fields.common import (
    FILE,
    NAME,
    Field,
    browser,
    completed_request,
    id_from,
    new_thread,
    pdf,
    post_ok,
    security_manager,
)

# --- accounts and names -------------------------------------------------------------------------

def register(w, value):
    visitor = browser(w.app)
    email = factories.unique_email("xss")
    post_ok(visitor, "/register/form", {
        "full_name": value, "email": email, "phone": "+77012345678", "password": factories.PASSWORD,
        "conf_password": factories.PASSWORD, "locale": "en", "agree": "y"})
    user = db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one()
    return SimpleNamespace(user=user, me=visitor, email=email)


def account_pages(w, o, marker):
    uid = o.user.id
    return [(o.me, "/account/"), ("moderator", f"/moderation/accounts/{uid}"),
            ("moderator", f"/moderation/accounts/{uid}/block"),
            ("moderator", f"/moderation/accounts/?q={quote(o.email)}"), ("admin", f"/admin/users/show/{uid}"),
            ("admin", f"/users/show/{uid}")]


def practitioner_name(w, value):
    """A verified practitioner renames themselves (FAB's user info form), then offers on a request."""
    profile = factories.make_practitioner(security_manager(), first_name="Имя")
    me = browser(w.app, profile.user)
    post_ok(me, "/userinfoeditview/form", {"first_name": value[:64], "last_name": "Тестов"})
    req = factories.make_request(w.client, title="Запрос для имени")
    post_ok(me, f"/requests/{req.id}/offer", {"price": "40000", "price_kind": "fixed", "term_days": "5",
                                              "message": "Готов помочь"})
    offer = db.session.scalars(select(Offer).where(Offer.request_id == req.id)).one()
    return SimpleNamespace(profile=profile, me=me, req=req, offer=offer)


def practitioner_name_pages(w, o, marker):
    pid = o.profile.id
    return [(o.me, "/account/"), ("visitor", f"/practitioners/{pid}"), ("visitor", f"/practitioners/?q={marker}"),
            ("client", f"/requests/{o.req.id}"), ("client", f"/requests/{o.req.id}/select/{o.offer.id}"),
            ("client", "/notifications/"),
            ("moderator", f"/moderation/profiles/{pid}"), ("admin", f"/admin/profiles/show/{pid}")]


def client_name(w, value):
    """A client renames themselves, asks for help and writes: the practitioner sees the name."""
    from portal.services.exchange import messages

    user = factories.make_user(security_manager(), ("Client",), first_name="Клиент")
    me = browser(w.app, user)
    post_ok(me, "/userinfoeditview/form", {"first_name": value[:64], "last_name": "Клиентова"})
    req = factories.make_request(user)
    factories.make_offer(req, w.profile)
    thread = messages.open_thread(w.pro, req.id)
    post_ok(me, f"/threads/{thread.id}/post", {"body": "Здравствуйте"})
    return SimpleNamespace(req=req, thread=thread)


def client_name_pages(w, o, marker):
    return [("pro", f"/threads/{o.thread.id}"), ("pro", "/threads/"), ("moderator", "/admin/requests/list/")]


# --- requests, offers, messages, reviews -----------------------------------------------------------

def new_request(w, files=None, **fields):
    data = {"category_id": factories.category().id, "region_id": factories.region().id,
            "title": "Нужна помощь адвоката", "description": "Подробное описание моей ситуации для юриста.",
            "city": "Алматы", "budget": "50000", "action": "publish", **fields}
    if files:
        data["attachments"] = files
    req_id = id_from(post_ok(w.browsers["client"], "/requests/new", data))
    from portal.services.notifications import inbox

    inbox.send_digests(now=utcnow() + dt.timedelta(days=1))  # the practitioners' digest email
    return SimpleNamespace(id=req_id)


def request_pages(w, o, marker):
    return [("client", f"/requests/{o.id}"), ("client", f"/requests/{o.id}/edit"), ("client", "/requests/"), ("client", f"/my/requests/show/{o.id}"),
            ("pro", f"/requests/{o.id}"), ("pro", "/feed/"), ("moderator", f"/requests/{o.id}"),
            ("moderator", f"/admin/requests/show/{o.id}"), ("moderator", "/admin/requests/list/")]


def request_attachment(w, value):
    return new_request(w, files=[pdf(value + ".pdf")])


def offer_message(w, value):
    req = factories.make_request(w.client)
    post_ok(w.browsers["pro"], f"/requests/{req.id}/offer", {"price": "40000", "price_kind": "fixed",
                                                             "term_days": "10", "message": value})
    offer = db.session.scalars(select(Offer).where(Offer.request_id == req.id)).one()
    return SimpleNamespace(req=req, offer=offer)


def offer_pages(w, o, marker):
    rid, oid = o.req.id, o.offer.id
    return [("client", f"/requests/{rid}"), ("client", f"/requests/{rid}/select/{oid}"), ("pro", f"/requests/{rid}"),
            ("pro", f"/my/offers/show/{oid}"), ("moderator", f"/requests/{rid}"),
            ("moderator", f"/admin/offers/show/{oid}")]


def message_body(w, value, files=None):
    thread = new_thread(w)
    data = {"body": value}
    if files:
        data = {"body": "См. файл", "files": files}
    post_ok(w.browsers["client"], f"/threads/{thread.id}/post", data)
    return SimpleNamespace(id=thread.id)


def thread_pages(w, o, marker):
    return [("client", f"/threads/{o.id}"), ("pro", f"/threads/{o.id}"),
            ("moderator", f"/threads/{o.id}?reason=xss+check")]


def review_comment(w, value):
    req = completed_request(w)
    post_ok(w.browsers["client"], f"/requests/{req.id}/review", {"rating": "5", "comment": value})
    review = db.session.scalars(select(Review).where(Review.request_id == req.id)).one()
    return SimpleNamespace(req=req, review=review)


def review_reply(w, value):
    req = completed_request(w)
    review = factories.make_review(req, w.profile)
    post_ok(w.browsers["pro"], f"/requests/reviews/{review.id}/reply", {"reply": value})
    return SimpleNamespace(req=req, review=review)


def review_pages(w, o, marker):
    rid = o.review.id
    return [("visitor", f"/practitioners/{w.profile.id}"), ("client", f"/requests/{o.req.id}"),
            ("client", f"/my/reviews/show/{rid}"), ("pro", "/requests/reviews/received"),
            ("moderator", "/moderation/reviews"), ("admin", f"/admin/reviews/show/{rid}")]


# --- errors and echoes -----------------------------------------------------------------------------

def rejected_file_name(w, value):
    """A file refused by content: the error that names it is shown on the form."""
    thread = new_thread(w)
    response = w.browsers["client"].post(f"/threads/{thread.id}/post", content_type="multipart/form-data", data={
        "body": "файл", "files": (io.BytesIO(b"MZ not a pdf"), value + ".pdf", "application/pdf")})
    return SimpleNamespace(seen=[("the refused post", response)])


def echoed_input(w, value):
    """What a visitor types comes back on the page: the search box, a refused registration."""
    visitor = browser(w.app)
    return SimpleNamespace(seen=[
        ("search", visitor.get("/practitioners/", query_string={"q": value}, follow_redirects=True)),
        ("refused registration", visitor.post("/register/form", data={
            "full_name": value, "email": "not-an-email", "phone": "1", "password": "x", "agree": ""}))])


FIELDS = [
    Field("registration full name", register, account_pages, max_len=NAME),
    Field("practitioner name (user info form)", practitioner_name, practitioner_name_pages, max_len=NAME,
          emails=True),
    Field("client name (user info form) seen by the practitioner", client_name, client_name_pages, max_len=NAME,
          emails=True),
    Field("request title", lambda w, v: new_request(w, title=v), request_pages, max_len=200, emails=True),
    Field("request description", lambda w, v: new_request(w, description=v), min_len=20, pages=
          lambda w, o, m: [p for p in request_pages(w, o, m) if "list" not in p[1] and p[1] not in (
              "/requests/", "/feed/")]),
    Field("request city", lambda w, v: new_request(w, city=v),
          lambda w, o, m: [p for p in request_pages(w, o, m) if "list" not in p[1]], max_len=80),
    Field("request attachment file name", request_attachment,
          lambda w, o, m: [("client", f"/requests/{o.id}"), ("client", f"/requests/{o.id}/edit"),
                           ("pro", f"/requests/{o.id}")], max_len=200, strip=FILE),
    Field("offer message", offer_message, offer_pages),
    Field("message body", message_body, thread_pages),
    Field("message attachment file name", lambda w, v: message_body(w, v, files=[pdf(v + ".pdf")]),
          thread_pages, max_len=200, strip=FILE),
    Field("review comment", review_comment, review_pages),
    Field("review reply", review_reply, review_pages),
    Field("refused file name in the error message", rejected_file_name, lambda w, o, m: [], max_len=200, strip=FILE),
    Field("echoed input (search, registration)", echoed_input, lambda w, o, m: [], max_len=200),
]
