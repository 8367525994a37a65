"""Closing an account (agreement 11.2, 5.1-5.2): a user who did everything the
portal allows closes it from the account page; afterwards no string column of
any table holds their email, phone, names or IIN, their files are gone, and
what others rely on stays (reviews as "Anonymous client", conversations with
a "Closed account"). Also the confirmation rules, logging out, signing in and
registering again, and that a failure half-way changes nothing."""
from __future__ import annotations

import datetime as dt
import html
import os
import uuid
from types import SimpleNamespace

import pytest
from flask_appbuilder import Model
from sqlalchemy import String, Text, func, or_, select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.accounts import (
    AccountStatus,
    BlockReason,
    LoginEvent,
    PasswordResetToken,
    PortalUser,
    UserSession,
)
from portal.models.agreement import AgreementAcceptance
from portal.models.exchange import Attachment, Message, OfferStatus, RequestStatus, Review
from portal.models.notifications import (
    MailOutbox,
    Notification,
    NotificationPreference,
    PushOutbox,
    PushSubscription,
)
from portal.models.practitioners import DocumentKind, ProfileDocument, ProfileStatus
from portal.models.trust import Complaint, SupportConversation, SupportMessage
from portal.search import SearchQuery, backend
from portal.services import agreement
from portal.services.accounts import blocking, closure
from portal.services.exchange import attachments, messages
from portal.services.exchange import offers as offers_service
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.services.notifications import kinds, mailings
from portal.services.practitioners import documents
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    PNG_BYTES,
    make_offer,
    make_practitioner,
    make_profile,
    make_request,
    make_user,
    offer_input,
    request_input,
    row_count,
    stored_path,
    upload,
)


def _tag() -> str:
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def lived(app, client):
    """A user (client and verified practitioner) who did everything: requests
    with files, offers, messages, a review, support chat, complaints, logins,
    acceptances, a block and unblock; and the people they dealt with."""
    sm = app.appbuilder.sm
    tag = _tag()
    w = SimpleNamespace(tag=tag)
    w.email = f"zarina.{tag}@closure-test.kz"
    w.phone = "+7777" + str(uuid.uuid4().int)[:7]
    w.first, w.last = f"Заринахан{tag}", f"Закрытова{tag}"
    w.iin = str(uuid.uuid4().int)[:12]
    u = w.user = make_user(sm, ("Client", "Practitioner"), email=w.email, first_name=w.first, last_name=w.last,
                           phone=w.phone, locale="en")
    u.iin = w.iin
    w.profile = make_profile(u)
    w.profile.licence_number, w.profile.chamber = f"LIC-{tag}", f"Палата {w.last}"
    db.session.commit()
    docs = []
    for kind, data in ((DocumentKind.PHOTO, PNG_BYTES), (DocumentKind.LICENCE, PDF_BYTES)):
        doc = ProfileDocument(profile_id=w.profile.id, kind=kind, original_name=f"{w.last}.bin",
                              content_type="application/pdf", size=len(data), storage_key=uuid.uuid4().hex)
        with open(stored_path(documents.document_key(doc)), "wb") as fh:
            fh.write(data)
        db.session.add(doc)
        docs.append(doc)
    db.session.commit()
    w.files = [stored_path(documents.document_key(d)) for d in docs]

    w.other_client = make_user(sm, ("Client",), first_name="Борис", last_name=f"Другой{tag}",
                               phone="+7705" + str(uuid.uuid4().int)[:7])
    w.other_pr = make_practitioner(sm, first_name=f"Ерлан{tag}").user
    moderator = make_user(sm, ("Moderator",))

    # as a client: an open request with a file, an offer on it, a conversation with files
    w.open_req = requests_service.create(u, request_input(
        title=f"Нужна помощь {w.first}", description=f"Звоните {w.phone[:2]} {w.phone[2:5]} {w.phone[5:]} "
                                                    f"или пишите {w.email}."), publish=True,
        files=[upload()])
    offers_service.make(w.other_pr, w.open_req.id, offer_input(message=f"Здравствуйте, {w.first}!"))
    thread = messages.open_thread(u, w.open_req.id, w.other_pr.practitioner_profile.id)
    messages.post(u, thread.id, f"Мой email {w.email}, ИИН {w.iin}", [upload(name="passport.pdf")])
    messages.post(w.other_pr, thread.id, f"Спасибо, {w.first}, перезвоню на {w.phone}", [])
    w.thread_id = thread.id
    # a completed request with a review (and the practitioner's reply), one in progress
    done = make_request(u, status=RequestStatus.COMPLETED, title="Завершённый запрос")
    make_offer(done, w.other_pr.practitioner_profile, status=OfferStatus.ACCEPTED)
    w.review = reviews_service.create(u, done.id, 4, f"Хороший юрист. {w.first} {w.last}")
    reviews_service.reply(w.other_pr, w.review.id, f"Спасибо, {w.first}!")
    w.running = make_request(u, status=RequestStatus.IN_PROGRESS, title="Идёт работа")
    make_offer(w.running, w.other_pr.practitioner_profile, status=OfferStatus.ACCEPTED)

    # as a practitioner: an active offer on another client's request, and a conversation
    w.their_req = requests_service.create(w.other_client, request_input(), publish=True)
    w.my_offer = offers_service.make(u, w.their_req.id, offer_input(message=f"Я {w.first} {w.last}"))
    their_thread = messages.open_thread(u, w.their_req.id)
    messages.post(u, their_thread.id, f"Звоните: {w.phone}", [upload(data=PNG_BYTES, name="me.png",
                                                                     content_type="image/png")])
    messages.post(w.other_client, their_thread.id, f"Хорошо, {w.last}", [])
    w.their_thread_id = their_thread.id

    # support, complaints, logins, acceptances, settings, a block and unblock with notes
    chat = SupportConversation(user_id=u.id, locale="en")
    feedback = SupportConversation(kind="feedback", email=w.email.upper(), locale="en")
    db.session.add_all([chat, feedback])
    db.session.flush()
    db.session.add_all([
        SupportMessage(conversation_id=chat.id, author_id=u.id, body=f"Я {w.first}, мой телефон {w.phone}"),
        SupportMessage(conversation_id=chat.id, author_id=moderator.id, from_staff=True,
                       body=f"Здравствуйте, {w.first} {w.last}"),
        SupportMessage(conversation_id=feedback.id, body=f"Письмо от {w.email}"),
        Complaint(reporter_id=u.id, target_type="profile", target_id=w.other_pr.practitioner_profile.id,
                  target_user_id=w.other_pr.id, reason="fraud", text=f"Пишите мне: {w.email}"),
        Complaint(reporter_id=w.other_client.id, target_type="profile", target_id=w.profile.id,
                  target_user_id=u.id, reason="rude", text=f"{w.first} {w.last} грубит, тел. {w.phone}"),
        LoginEvent(user_id=u.id, success=True, ip_address="203.0.113.77", user_agent=f"Browser {tag}"),
        UserSession(user_id=u.id, token=uuid.uuid4().hex, ip_address="203.0.113.77", user_agent="B"),
        PasswordResetToken(user_id=u.id, token_hash=uuid.uuid4().hex, expires_at=utcnow() + dt.timedelta(hours=1)),
        NotificationPreference(user_id=u.id, kind="new_offer", in_app=True, email=False),
    ])
    device = PushSubscription(user_id=u.id, endpoint=f"https://push.example.com/{tag}", p256dh="k" * 87,
                              auth="a" * 22, user_agent=f"Phone of {w.first}")
    db.session.add(device)
    db.session.flush()
    db.session.add(PushOutbox(subscription_id=device.id, user_id=u.id, kind="new_offer",
                              payload=f'{{"title": "AlemTrust", "body": "{w.first} {w.last}"}}'))
    agreement.accept_agreement(u, agreement.current_agreement(), "203.0.113.77", f"Agent {tag}")
    db.session.commit()
    blocking.block(moderator, u.id, BlockReason.DUPLICATE, f"same phone as {w.phone}, {w.email}")
    blocking.unblock(moderator, u.id, f"checked {w.first} {w.last}")
    db.session.commit()
    assert login(client, w.email).status_code == 302  # a real login: FAB counters, login events
    w.client = client

    w.attachment_files = [stored_path(attachments.key_of(a)) for a in db.session.scalars(
        select(Attachment).where(Attachment.owner_id == u.id))]
    assert len(w.attachment_files) == 3 and all(os.path.exists(p) for p in w.attachment_files + w.files)
    w.needles = [w.email, w.phone, w.phone[2:], w.first, w.last, w.iin]
    assert hits(w.needles), "the setup must leave personal data in many tables"
    return w


def hits(needles) -> list[str]:
    """Every (table.column, needle) whose committed value contains a needle, in every table."""
    from tests.factories import committed_session

    found = []
    with committed_session() as s:
        for table in Model.metadata.sorted_tables:
            for column in (c for c in table.columns if isinstance(c.type, (String, Text))):
                for needle in needles:
                    # SQLite's lower() folds only ASCII: also look for the needle as written and upper-cased
                    n = s.scalar(select(func.count()).select_from(table).where(or_(
                        column.contains(needle), column.contains(needle.upper()),
                        func.lower(column).contains(needle.lower()))))
                    if n:
                        found.append(f"{table.name}.{column.name} ~ {needle!r} ({n})")
    return found


def close_over_http(w):
    page = w.client.get("/account/close?_l_=en")
    assert page.status_code == 200 and "Close my account" in text_of(page)
    return w.client.post("/account/close?_l_=en", data={"password": PASSWORD, "confirm": "y"})


def test_closure_leaves_no_personal_data_in_any_table_and_removes_files(app, lived):
    w = lived
    before_tables = hits(w.needles)
    assert any(h.startswith("notification.params") for h in before_tables)  # names copied to others
    assert any(h.startswith("mail_outbox.") for h in before_tables)

    response = close_over_http(w)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")

    left = hits(w.needles)
    assert not left, "personal data left after closure:\n" + "\n".join(left)
    assert not any(os.path.exists(p) for p in w.attachment_files + w.files)
    db.session.expire_all()
    u = db.session.get(PortalUser, w.user.id)
    assert u.status == AccountStatus.CLOSED and u.closed_at is not None and not u.active
    assert u.email == f"closed-{u.id}@closed.invalid" and u.username == f"closed-{u.id}"
    assert (u.first_name, u.last_name, u.phone, u.iin, u.roles) == ("", "", None, None, [])
    assert not (u.consent_info or u.consent_ads)


def test_what_stays_and_what_goes(app, lived):
    w = lived
    close_over_http(w)
    db.session.expire_all()
    uid = w.user.id
    for model in (LoginEvent, UserSession, PasswordResetToken, Notification, NotificationPreference,
                  PushSubscription, PushOutbox):
        assert row_count(model, user_id=uid) == 0, model.__name__
    assert row_count(MailOutbox, user_id=uid) == 0
    assert row_count(SupportConversation, user_id=uid) == 0
    assert row_count(Attachment, owner_id=uid) == 0
    assert db.session.scalar(select(func.count()).select_from(ProfileDocument)
                             .where(ProfileDocument.profile_id == w.profile.id)) == 0
    # kept without personal data
    acceptance = db.session.scalars(select(AgreementAcceptance).where(AgreementAcceptance.user_id == uid)).one()
    assert (acceptance.ip_address, acceptance.user_agent) == ("", "")
    mine = db.session.scalars(select(Complaint).where(Complaint.reporter_id == uid)).one()
    assert mine.text == "" and mine.reason == "fraud"
    review = db.session.get(Review, w.review.id)
    assert review.status == "published" and review.comment.startswith("Хороший юрист.")
    assert db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.sender_id == uid)) == 2  # the other party keeps the conversation
    # requests cancelled, offer withdrawn, profile closed; the others are told
    assert db.session.get(type(w.open_req), w.open_req.id).status == RequestStatus.CANCELLED
    assert db.session.get(type(w.running), w.running.id).status == RequestStatus.CANCELLED
    assert db.session.get(type(w.my_offer), w.my_offer.id).status == OfferStatus.WITHDRAWN
    assert db.session.get(type(w.profile), w.profile.id).status == ProfileStatus.CLOSED
    assert row_count(Notification, user_id=w.other_pr.id, kind="request_cancelled") == 2  # open + running
    told = db.session.scalars(select(Notification).where(Notification.user_id == w.other_client.id,
                                                         Notification.kind == "offer_withdrawn")).one()
    from flask_babel import force_locale

    with force_locale("en"):
        assert "Closed account withdrew the offer" in kinds.render(told)
    # one audit entry without personal data
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == uid,
                                                        AuditEntry.action == "close")).one()
    assert (entry.from_value, entry.to_value) == (AccountStatus.ACTIVE, AccountStatus.CLOSED)
    assert w.first not in entry.reason and w.email not in entry.reason


def test_others_see_anonymous_client_and_closed_account(app, lived, login_as):
    w = lived
    close_over_http(w)
    pr_profile = w.other_pr.practitioner_profile.id
    page = text_of(w.client.get(f"/practitioners/{pr_profile}?_l_=en", follow_redirects=True))
    assert "Anonymous client" in page and "Хороший юрист." in page
    http = login_as(w.other_pr)
    page = text_of(http.get(f"/threads/{w.thread_id}?_l_=en"))
    assert "Closed account" in page and "With client Closed account" in page
    assert "Мой email ***" in page
    # the closed practitioner left the public pages and search
    assert w.client.get(f"/practitioners/{w.profile.id}", follow_redirects=True).status_code == 404
    assert w.profile.id not in backend().search(SearchQuery(text="Адвокат", with_facets=False, per_page=500)).ids


def test_staff_see_the_closed_account_and_its_reports_readably(app, lived, login_as):
    """The account history in words (consents, closure), "Closed account" for a
    closed reporter or reported account, "Anonymous client" for a closed review author."""
    from flask_babel import force_locale

    from portal.services.trust import complaints

    w = lived
    assert w.review.author_name == w.first
    mailings.set_consent(w.user, True, True)
    close_over_http(w)
    db.session.expire_all()
    with force_locale("en"):
        assert db.session.get(Review, w.review.id).author_name == "Anonymous client"
    about_review = complaints.file(w.other_client, "review", w.review.id, "offensive",
                                   "The review insults the practitioner.")
    by_closed = db.session.scalars(select(Complaint).where(Complaint.reporter_id == w.user.id)).one()
    about_closed = db.session.scalars(select(Complaint).where(Complaint.target_user_id == w.user.id,
                                                             Complaint.id != about_review.id)).first()
    http = login_as(make_user(app.appbuilder.sm, ("Moderator",)))

    account = text_of(http.get(f"/moderation/accounts/{w.user.id}?_l_=en"))
    history = account.split('class="table table-condensed mod-table account-history"')[1].split("</table>")[0]
    assert "Account closed by the user" in history and "News and advertising emails" in history
    assert "Informational messages: Yes; Advertising messages: No" in history
    assert "Informational messages: Yes; Advertising messages: Yes" in history
    assert "info=" not in history and "<td>close</td>" not in history and "<td>consent</td>" not in history

    queue = text_of(http.get("/moderation/complaints/?status=all&_l_=en"))

    def row(complaint) -> str:
        return queue.split(f">#{complaint.id}</a>")[1].split("</tr>")[0]

    assert "Closed account" in row(by_closed)  # the reporter
    assert "Closed account" in row(about_closed)  # the reported account
    show = text_of(http.get(f"/moderation/complaints/{about_review.id}?_l_=en"))
    assert "Review by Anonymous client on the profile of" in show and w.first not in show


def test_logged_out_everywhere_cannot_sign_in_and_email_registers_again(app, lived, client):
    w = lived
    other_browser = app.test_client()
    assert login(other_browser, w.email).status_code == 302
    assert other_browser.get("/account/").status_code == 200
    response = close_over_http(w)
    page = text_of(w.client.get(response.headers["Location"] + "?_l_=en", follow_redirects=True))
    assert "Your account is closed and your personal data has been erased" in page
    for http in (w.client, other_browser):
        assert http.get("/account/").status_code == 302
    login(client, w.email)
    assert client.get("/account/").status_code == 302
    response = client.post("/register/form?_l_=en", data={
        "email": w.email, "password": "Brand-new-1", "conf_password": "Brand-new-1", "full_name": "Новая Жизнь",
        "phone": "+77011234567", "locale": "ru", "agree": "y"})
    assert response.status_code == 302, text_of(response)[:2000]
    again = db.session.scalars(select(PortalUser).where(PortalUser.email == w.email)).one()
    assert again.id != w.user.id and again.status == AccountStatus.ACTIVE


def test_confirmation_is_required_and_a_failure_changes_nothing(app, lived, monkeypatch):
    w = lived
    before = hits([w.email])
    for data, message in (({"password": "Wrong-pass-9", "confirm": "y"}, "The password is not correct."),
                          ({"password": PASSWORD}, "Tick the box")):
        response = w.client.post("/account/close?_l_=en", data=data)
        assert response.status_code == 400 and message in text_of(response)
    assert hits([w.email]) == before

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("portal.core.redaction.sweep", broken)
    with pytest.raises(RuntimeError):
        closure.close_account(w.user, PASSWORD, True)
    db.session.expire_all()
    assert hits([w.email]) == before
    assert db.session.get(PortalUser, w.user.id).status == AccountStatus.ACTIVE
    assert db.session.get(type(w.open_req), w.open_req.id).status == RequestStatus.OPEN
    assert all(os.path.exists(p) for p in w.attachment_files + w.files)


def test_staff_cannot_close_from_the_account_page(app, client, login_as):
    moderator = make_user(app.appbuilder.sm, ("Moderator",))
    http = login_as(moderator)
    page = text_of(http.get("/account/close?_l_=en"))
    assert "Staff accounts are closed by an administrator" in page and 'name="password"' not in page
    assert http.post("/account/close?_l_=en", data={"password": PASSWORD, "confirm": "y"}).status_code == 400
    with pytest.raises(ServiceError):
        closure.close_account(moderator, PASSWORD, True)
    db.session.expire_all()
    assert db.session.get(PortalUser, moderator.id).status == AccountStatus.ACTIVE


def test_the_close_form_needs_the_csrf_token(app, lived, csrf_on):
    w = lived
    response = w.client.post("/account/close", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(PortalUser, w.user.id).status == AccountStatus.ACTIVE


def test_account_page_links(app, client, login_as):
    user = make_user(app.appbuilder.sm, ("Client",))
    page = text_of(login_as(user).get("/account/?_l_=en"))
    assert 'href="/account/export"' in page and 'href="/account/close"' in page
    assert "Download my data" in page and "Close my account" in page
