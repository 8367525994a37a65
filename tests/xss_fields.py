"""The table of tests/test_xss.py: every user-writable text field of the portal, how a value
is written into it (the real HTTP form where there is one, else the service) and which pages
show it. One entry = one Field; a new feature's field is one more entry.

``write(w, value)`` makes a fresh object for the example, writes ``value`` and returns what
``pages(w, o, marker)`` needs; ``pages`` lists (who, url): who is a browser name of ``w.browsers``
("client", "pro", "moderator", "admin", "visitor") or a signed-in test client of the entry's
own user. ``o.seen`` (optional): [(where, response)] answers of the write itself that show the
value (a form error, an echo), checked too. ``emails``: an email the write queued must show
the value too. Names set by a factory stand for the registration and user info forms, which
have their own entries."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable
from urllib.parse import quote

from sqlalchemy import select

from portal.extensions import db
from portal.models.accounts import PortalUser, utcnow
from portal.models.practitioners import ProfileStatus
from portal.models.requests import Offer, OfferStatus, RequestStatus
from portal.models.reviews import Review
from tests import factories


@dataclass(frozen=True)
class Field:
    name: str
    write: Callable
    pages: Callable
    max_len: int = 300
    strip: str = ""          # characters the field cannot hold
    min_len: int = 0         # shortest value the field takes
    emails: bool = False     # an email the write queued shows the value


# --- helpers -------------------------------------------------------------------------------------

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
        import re

        page = response.get_data(as_text=True)
        errors = re.findall(r'class="(?:help-block|alert[^"]*|text-danger)"[^>]*>(.*?)<', page, re.S)
        raise AssertionError(f"POST {url}: {response.status_code} {location} {[e.strip() for e in errors][:5]}")
    return location


def pdf(name: str):
    return (io.BytesIO(factories.PDF_BYTES), name, "application/pdf")


def _id_from(location: str) -> int:
    return int(location.rstrip("/").split("?")[0].split("#")[0].rsplit("/", 1)[1])


def _sm():
    from flask import current_app

    return current_app.appbuilder.sm


# --- accounts ------------------------------------------------------------------------------------

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
    profile = factories.make_practitioner(_sm(), first_name="Имя")
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


# --- requests, offers, messages, reviews -----------------------------------------------------------

def new_request(w, files=None, **fields):
    data = {"category_id": factories.category().id, "region_id": factories.region().id,
            "title": "Нужна помощь адвоката", "description": "Подробное описание моей ситуации для юриста.",
            "city": "Алматы", "budget": "50000", "action": "publish", **fields}
    if files:
        data["attachments"] = files
    req_id = _id_from(post_ok(w.browsers["client"], "/requests/new", data))
    from portal.services import notifications

    notifications.send_digests(now=utcnow() + dt.timedelta(days=1))  # the practitioners' digest email
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


def _thread(w):
    from portal.services import messages

    req = factories.make_request(w.client)
    factories.make_offer(req, w.profile)
    return messages.open_thread(w.pro, req.id)


def message_body(w, value, files=None):
    thread = _thread(w)
    data = {"body": value}
    if files:
        data = {"body": "См. файл", "files": files}
    post_ok(w.browsers["client"], f"/threads/{thread.id}/post", data)
    return SimpleNamespace(id=thread.id)


def thread_pages(w, o, marker):
    return [("client", f"/threads/{o.id}"), ("pro", f"/threads/{o.id}"),
            ("moderator", f"/threads/{o.id}?reason=xss+check")]


def completed_request(w):
    req = factories.make_request(w.client, status=RequestStatus.COMPLETED)
    factories.make_offer(req, w.profile, status=OfferStatus.ACCEPTED)
    return req


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


# --- becoming a practitioner ---------------------------------------------------------------------

def _questionnaire(profile=None, **fields) -> dict:
    from portal.services import verification

    values = (verification.input_from(profile).__dict__ if profile is not None
              else factories.application_input().__dict__)
    data = {}
    for name, value in values.items():
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif value is not None:
            data[name] = str(value)
    data.update(fields)
    return data


def apply_with(name):
    """The applicant's questionnaire (a draft) with ``name`` = the value."""
    def write(w, value):
        user = factories.make_user(_sm(), ("Client",), first_name="Заявитель")
        me = browser(w.app, user)
        post_ok(me, "/practice/apply", {**_questionnaire(**{name: value}), "action": "draft",
                                        "licence": pdf("licence.pdf")})
        from portal.services import verification

        return SimpleNamespace(me=me, profile=verification.my_profile(user))
    return write


def applicant_pages(w, o, marker):
    pid = o.profile.id
    return [(o.me, "/practice/apply"), ("moderator", f"/moderation/profiles/{pid}"),
            ("admin", f"/admin/profiles/show/{pid}")]


def edit_public_with(name):
    """A verified practitioner's public profile editor with ``name`` = the value."""
    def write(w, value):
        profile = factories.make_applicant(_sm(), stage=ProfileStatus.APPROVED, staff=w.moderator)
        me = browser(w.app, profile.user)
        post_ok(me, "/practice/edit", {**_questionnaire(profile, **{name: value}), "action": "save"})
        return SimpleNamespace(me=me, profile=profile)
    return write


def public_pages_of(name):
    """The public pages in the language of the field's text (``_l_``: this request only); the
    search results where their cards show the field (about: the highlighted snippet)."""
    locale = name[-2:] if name.endswith(("_kk", "_ru")) else "ru"

    def pages(w, o, marker):
        pid = o.profile.id
        found = [("visitor", f"/practitioners/?q={marker}&_l_={locale}")] if name.startswith(("about", "city")) else []
        return [(o.me, "/practice/edit"), ("visitor", f"/practitioners/{pid}?_l_={locale}"),
                ("moderator", f"/moderation/profiles/{pid}")] + found
    return pages


def document_name(w, value):
    user = factories.make_user(_sm(), ("Client",), first_name="Заявитель")
    me = browser(w.app, user)
    post_ok(me, "/practice/apply", {**_questionnaire(), "action": "draft", "licence": pdf(value + ".pdf")})
    from portal.services import verification

    profile = verification.my_profile(user)
    return SimpleNamespace(me=me, profile=profile, doc=profile.documents[0])


def document_pages(w, o, marker):
    return [(o.me, "/practice/"), (o.me, "/practice/apply"), (o.me, f"/practice/documents/{o.doc.id}/remove"),
            ("moderator", f"/moderation/profiles/{o.profile.id}")]


# --- staff texts ---------------------------------------------------------------------------------

def interview_scheduled(w, value):
    profile = factories.make_applicant(_sm(), stage=ProfileStatus.QUIZ_PASSED, staff=w.moderator)
    day = (utcnow() + dt.timedelta(days=3)).date().isoformat()
    post_ok(w.browsers["moderator"], f"/moderation/profiles/{profile.id}/interview",
            {"date": day, "time": "10:00", "mode": "in_person", "notes": value})
    return SimpleNamespace(profile=profile)


def interview_recorded(w, value):
    from portal.services import verification

    profile = factories.make_applicant(_sm(), stage=ProfileStatus.INTERVIEW_SCHEDULED, staff=w.moderator,
                                       interview_outcome="pending")
    interview = verification.latest_interview(profile)
    post_ok(w.browsers["moderator"], f"/moderation/interviews/{interview.id}",
            {"outcome": "passed", "notes": value})
    return SimpleNamespace(profile=profile)


def staff_file_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{o.profile.id}")]


def warning_with(name):
    def write(w, value):
        profile = factories.make_practitioner(_sm(), first_name="Предупреждённый")
        fields = {"reason": "Жалобы клиентов", "message": "Соблюдайте сроки", name: value}
        post_ok(w.browsers["moderator"], f"/moderation/profiles/{profile.id}/warn", fields)
        return SimpleNamespace(profile=profile, me=browser(w.app, profile.user))
    return write


def warning_reason_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{o.profile.id}"), ("moderator", "/moderation/"),
            ("admin", "/admin/audit/list/")]


def warning_message_pages(w, o, marker):
    return [(o.me, "/practice/"), ("moderator", f"/moderation/profiles/{o.profile.id}")]


def review_hidden(w, value):
    req = completed_request(w)
    review = factories.make_review(req, w.profile, rating=1, comment="Плохо")
    post_ok(w.browsers["moderator"], f"/moderation/reviews/{review.id}/hide", {"reason": value})
    return SimpleNamespace(req=req, review=review)


def hidden_review_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{w.profile.id}"), ("admin", "/admin/audit/list/")]


def block_note(w, value):
    user = factories.make_user(_sm(), ("Client",), first_name="Заблокированный")
    post_ok(w.browsers["moderator"], f"/moderation/accounts/{user.id}/block", {"reason": "other", "note": value})
    return SimpleNamespace(user=user)


def blocked_pages(w, o, marker):
    return [("moderator", f"/moderation/accounts/{o.user.id}"), ("admin", f"/admin/users/show/{o.user.id}"),
            ("admin", "/admin/audit/list/")]


def reading_reason(w, value):
    """Staff give a reason before reading a conversation (a GET form); it goes to the audit trail."""
    thread = _thread(w)
    response = w.browsers["moderator"].get(f"/threads/{thread.id}", query_string={"reason": value})
    assert response.status_code == 200
    return SimpleNamespace(id=thread.id)


def audit_pages(w, o, marker):
    from portal.models.audit import AuditEntry

    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    return [("admin", "/admin/audit/list/"), ("admin", f"/admin/audit/show/{entry.id}")]


# --- back office texts ---------------------------------------------------------------------------

def quiz_question(w, value):
    from portal.models.verification import QuizQuestion

    code = "xss-" + factories.unique_email("q").split("@")[0]
    post_ok(w.browsers["admin"], "/admin/quiz-questions/add", {
        "code": code, "clause": "6.6", "text_kk": value, "text_ru": value, "text_en": value, "sort_order": "9999"})
    question = db.session.scalars(select(QuizQuestion).where(QuizQuestion.code == code)).one()
    post_ok(w.browsers["admin"], "/admin/quiz-options/add", {
        "question": str(question.id), "text_kk": value, "text_ru": value, "text_en": value, "sort_order": "1"})
    return SimpleNamespace(question=question, option=question.options[0])


def quiz_pages(w, o, marker):
    order = "?_oc_QuizQuestionAdminView=sort_order&_od_QuizQuestionAdminView=desc"
    return [("admin", f"/admin/quiz-questions/show/{o.question.id}"), ("moderator", "/admin/quiz-questions/list/" + order),
            ("admin", f"/admin/quiz-options/show/{o.option.id}")]


def staff_edit_request(w, value):
    req = factories.make_request(w.client)
    post_ok(w.browsers["moderator"], f"/admin/requests/edit/{req.id}", {
        "title": value, "description": "Описание, исправленное модератором.", "city": value[:80], "budget": "1000"})
    return SimpleNamespace(id=req.id)


def staff_edit_review(w, value):
    req = completed_request(w)
    review = factories.make_review(req, w.profile)
    post_ok(w.browsers["moderator"], f"/admin/reviews/edit/{review.id}", {"comment": value, "reply": value})
    return SimpleNamespace(req=req, review=review)


def category_names(w, value):
    code = "x" + factories.unique_email("c").split("@")[0][-20:].replace("-", "")
    post_ok(w.browsers["admin"], "/admin/categories/add", {
        "code": code, "name_kk": value[:120], "name_ru": value[:120], "name_en": value[:120],
        "description_kk": value, "description_ru": value, "description_en": value, "regulator_kk": value[:255],
        "regulator_ru": value[:255], "icon": "fa-scale-balanced", "takes_requests": "y", "sort_order": "0"})
    from portal.models.catalog import Category

    return SimpleNamespace(code=code, id=db.session.scalars(select(Category.id).where(Category.code == code)).one())


def category_pages(w, o, marker):
    return [("visitor", "/"), ("visitor", "/practitioners/"), ("visitor", f"/practitioners/category/{o.code}"),
            ("client", "/requests/new"), ("admin", f"/admin/categories/show/{o.id}")]


def agreement_version(w, value):
    """An admin publishes a version (scheduled: one in force now would stop every signed-in
    browser at the acceptance page); the confirmation page shows the texts first."""
    from portal.services import agreement

    number = agreement.next_number()
    form = {"title_kk": value[:255], "title_ru": value[:255], "title_en": value[:255], "text_kk": value,
            "text_ru": value, "text_en": value, "effective_from": "2099-01-01"}
    confirm = w.browsers["admin"].post("/admin/agreements/publish", data=form)
    post_ok(w.browsers["admin"], "/admin/agreements/publish", {**form, "confirm": "1"})
    return SimpleNamespace(version=number, seen=[("the confirmation page", confirm)])


def agreement_pages(w, o, marker):
    return [("visitor", f"/agreement/{o.version}"), ("visitor", f"/agreement/{o.version}?_l_=ru"),
            ("visitor", f"/agreement/{o.version}?_l_=en"), ("admin", f"/admin/agreements/show/{o.version}"),
            ("admin", "/admin/agreements/list/")]


# --- complaints and support (agreement 11.4c, 12.1, 5.6) -----------------------------------------

def _complaint_of(reporter, target_type, target_id):
    from portal.models.complaints import Complaint

    return db.session.scalars(select(Complaint).where(
        Complaint.reporter_id == reporter.id, Complaint.target_type == target_type,
        Complaint.target_id == target_id).order_by(Complaint.id.desc())).first()


def complaint_text(w, value, kind="report"):
    """The client reports a (fresh) practitioner's profile, or its inaccurate information."""
    profile = factories.make_practitioner(_sm(), first_name="Обжалуемый")
    if kind == "report":
        url, reason = f"/complaints/report/profile/{profile.id}", "fraud"
    else:
        url, reason = f"/complaints/inaccurate/{profile.id}", "wrong_licence"
    post_ok(w.browsers["client"], url, {"reason": reason, "text": value})
    return SimpleNamespace(complaint=_complaint_of(w.client, "profile", profile.id))


def complaint_pages(w, o, marker):
    cid = o.complaint.id
    return [("client", "/complaints/"), ("moderator", f"/moderation/complaints/{cid}"),
            ("moderator", f"/moderation/complaints/{cid}/resolve")]


def complaint_note(w, value):
    o = complaint_text(w, "Этот профиль вызывает сомнения.")
    post_ok(w.browsers["moderator"], f"/moderation/complaints/{o.complaint.id}/notes", {"note": value})
    return o


def complaint_outcome(w, value):
    o = complaint_text(w, "Этот профиль вызывает сомнения.")
    post_ok(w.browsers["moderator"], f"/moderation/complaints/{o.complaint.id}/resolve", {"outcome": value})
    return o


def reported_message(w, value):
    """A message the client reports: staff read it on the complaint page."""
    from portal.services import messages

    thread = _thread(w)
    message = messages.post(w.pro, thread.id, value)
    db.session.commit()
    report = w.browsers["client"].get(f"/complaints/report/message/{message.id}")
    post_ok(w.browsers["client"], f"/complaints/report/message/{message.id}",
            {"reason": "offensive", "text": "Оскорбительное сообщение."})
    return SimpleNamespace(complaint=_complaint_of(w.client, "message", message.id),
                           seen=[("the report form", report)])


def support_chat(w, value):
    user = factories.make_user(_sm(), ("Client",), first_name="Пишущий")
    me = browser(w.app, user)
    post_ok(me, "/support/send", {"body": value})
    from portal.services import support

    return SimpleNamespace(me=me, conv=support.chat_of(user))


def support_pages(w, o, marker):
    return [(o.me, "/support/"), ("moderator", f"/moderation/support/{o.conv.id}"),
            ("moderator", "/moderation/support/?status=all")]


def support_reply(w, value):
    o = support_chat(w, "Как изменить профиль?")
    post_ok(w.browsers["moderator"], f"/moderation/support/{o.conv.id}/reply", {"body": value})
    return o


def support_feedback(w, value):
    from portal.models.support import SupportConversation

    email = factories.unique_email("visitor")
    post_ok(browser(w.app), "/support/feedback", {"email": email, "body": value})
    conv = db.session.scalars(select(SupportConversation).where(SupportConversation.email == email)).one()
    return SimpleNamespace(conv=conv)


def feedback_reply(w, value):
    o = support_feedback(w, "Как стать практиком на портале?")
    post_ok(w.browsers["moderator"], f"/moderation/support/{o.conv.id}/reply", {"body": value})
    return o


def user_agent(w, value):
    """The browser's user agent is stored with every login and shown on the security page."""
    user = factories.make_user(_sm(), ("Client",), first_name="Сессия")
    me = w.app.test_client()
    response = me.post("/login/", data={"username": user.email, "password": factories.PASSWORD},
                       headers={"User-Agent": value})
    assert response.status_code == 302
    from portal.models.security import LoginEvent

    event = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)).first()
    return SimpleNamespace(me=me, event=event)


# --- names on other people's pages, flashes and echoed input --------------------------------------

def client_name(w, value):
    """A client renames themselves, asks for help and writes: the practitioner sees the name."""
    from portal.services import messages

    user = factories.make_user(_sm(), ("Client",), first_name="Клиент")
    me = browser(w.app, user)
    post_ok(me, "/userinfoeditview/form", {"first_name": value[:64], "last_name": "Клиентова"})
    req = factories.make_request(user)
    factories.make_offer(req, w.profile)
    thread = messages.open_thread(w.pro, req.id)
    post_ok(me, f"/threads/{thread.id}/post", {"body": "Здравствуйте"})
    return SimpleNamespace(req=req, thread=thread)


def client_name_pages(w, o, marker):
    return [("pro", f"/threads/{o.thread.id}"), ("pro", "/threads/"), ("moderator", "/admin/requests/list/")]


_EARLIER_APPLICANTS: list[int] = []


def applicant_name(w, value):
    """An applicant waiting for review; the earlier examples' applicants leave the queue, so the
    list's first page (sorted by name) has this one."""
    from sqlalchemy import update

    from portal.models.practitioners import PractitionerProfile

    if _EARLIER_APPLICANTS:
        db.session.execute(update(PractitionerProfile).where(PractitionerProfile.id.in_(_EARLIER_APPLICANTS))
                           .values(status=ProfileStatus.REJECTED))
        db.session.commit()
    profile = factories.make_applicant(_sm(), stage=ProfileStatus.SUBMITTED, first_name=value[:64])
    _EARLIER_APPLICANTS.append(profile.id)
    return SimpleNamespace(profile=profile)


def applicant_name_pages(w, o, marker):
    return [("moderator", "/moderation/applications?stage=submitted&sort=name"), ("moderator", "/moderation/"),
            ("moderator", f"/moderation/profiles/{o.profile.id}"), ("moderator", f"/moderation/profiles/{o.profile.id}/reject")]


def name_in_block_flash(w, value):
    user = factories.make_user(_sm(), ("Client",), first_name=value[:64])
    post_ok(w.browsers["moderator"], f"/moderation/accounts/{user.id}/block", {"reason": "duplicate", "note": ""})
    return SimpleNamespace(user=user)  # the next page shows "The account of <name> is blocked"


def document_removed(w, value):
    o = document_name(w, value)
    post_ok(o.me, f"/practice/documents/{o.doc.id}/remove", {})
    return o  # the next page shows "The document <name> was removed"


def rejected_file_name(w, value):
    """A file refused by content: the error that names it is shown on the form."""
    thread = _thread(w)
    response = w.browsers["client"].post(f"/threads/{thread.id}/post", content_type="multipart/form-data", data={
        "body": "файл", "files": (io.BytesIO(b"MZ not a pdf"), value + ".pdf", "application/pdf")})
    return SimpleNamespace(seen=[("the refused post", response)])


def echoed_input(w, value):
    """What a visitor types comes back on the page: the search box, a refused registration."""
    visitor = browser(w.app)
    return SimpleNamespace(seen=[
        ("search", visitor.get("/practitioners/", query_string={"q": value})),
        ("refused registration", visitor.post("/register/form", data={
            "full_name": value, "email": "not-an-email", "phone": "1", "password": "x", "agree": ""}))])


NAME = 60  # first/last names hold 64 characters
FILE = "/\\"  # a file name loses everything before a slash

FIELDS = [
    Field("registration full name", register, account_pages, max_len=NAME),
    Field("practitioner name (user info form)", practitioner_name, practitioner_name_pages, max_len=NAME,
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
    *[Field(f"questionnaire {name}", apply_with(name), applicant_pages, max_len=limit)
      for name, limit in (("about_kk", 300), ("about_ru", 300), ("education_kk", 300), ("education_ru", 300),
                          ("city", 80), ("licence_number", 64), ("licensor", 255), ("chamber", 255),
                          ("membership_id", 64))],
    *[Field(f"public profile {name}", edit_public_with(name), public_pages_of(name), max_len=limit)
      for name, limit in (("about_kk", 300), ("about_ru", 300), ("education_kk", 300), ("education_ru", 300),
                          ("city", 80), ("chamber", 255))],
    Field("practitioner document file name", document_name, document_pages, max_len=200, strip=FILE),
    Field("interview notes (scheduled)", interview_scheduled, staff_file_pages),
    Field("interview notes (recorded)", interview_recorded, staff_file_pages),
    Field("decision reason (staff)", warning_with("reason"), warning_reason_pages),
    Field("decision message to the practitioner", warning_with("message"), warning_message_pages),
    Field("review hidden reason", review_hidden, hidden_review_pages),
    Field("block note", block_note, blocked_pages),
    Field("reason for reading a conversation", reading_reason, audit_pages),
    Field("quiz question and option texts", quiz_question, quiz_pages),
    Field("request title and city (staff edit)", staff_edit_request,
          lambda w, o, m: [("client", f"/requests/{o.id}"), ("pro", f"/requests/{o.id}"),
                           ("moderator", f"/admin/requests/show/{o.id}")], max_len=80),
    Field("review comment and reply (staff edit)", staff_edit_review, review_pages),
    Field("category names (admin)", category_names, category_pages, max_len=120),
    Field("client name (user info form) seen by the practitioner", client_name, client_name_pages, max_len=NAME,
          emails=True),
    Field("applicant name on the staff pages", applicant_name, applicant_name_pages, max_len=NAME),
    Field("account name in the staff flash after blocking", name_in_block_flash,
          lambda w, o, m: [("moderator", f"/moderation/accounts/{o.user.id}")], max_len=NAME),
    Field("document file name in the removal flash", document_removed, lambda w, o, m: [(o.me, "/practice/")],
          max_len=200, strip=FILE),
    Field("refused file name in the error message", rejected_file_name, lambda w, o, m: [], max_len=200, strip=FILE),
    Field("echoed input (search, registration)", echoed_input, lambda w, o, m: [], max_len=200),
    Field("complaint text", complaint_text, complaint_pages, min_len=10),
    Field("inaccurate information report text", lambda w, v: complaint_text(w, v, "inaccuracy"),
          complaint_pages, min_len=10),
    Field("complaint note (staff)", complaint_note, lambda w, o, m: [("moderator", f"/moderation/complaints/{o.complaint.id}")]),
    Field("complaint outcome told to the reporter", complaint_outcome,
          lambda w, o, m: [("client", "/complaints/"), ("client", "/notifications/"),
                           ("moderator", f"/moderation/complaints/{o.complaint.id}")], min_len=5, emails=True),
    Field("reported message on the complaint page", reported_message,
          lambda w, o, m: [("moderator", f"/moderation/complaints/{o.complaint.id}")]),
    Field("support chat message", support_chat, support_pages),
    Field("support reply in a user's chat (staff)", support_reply, support_pages),
    Field("support reply to a visitor's feedback (staff)", feedback_reply,
          lambda w, o, m: [("moderator", f"/moderation/support/{o.conv.id}")], emails=True),
    Field("feedback form message (visitor)", support_feedback,
          lambda w, o, m: [("moderator", f"/moderation/support/{o.conv.id}"),
                           ("moderator", "/moderation/support/?status=all")], min_len=10),
    Field("login user agent", user_agent,
          lambda w, o, m: [(o.me, "/account/security/"), (o.me, f"/account/security/not-me/{o.event.id}")],
          max_len=500),
    # last: it publishes agreement versions
    Field("agreement version texts (admin)", agreement_version, agreement_pages, max_len=255),
]
