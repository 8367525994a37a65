"""Conversation pages and file downloads through the HTTP client, as real
users: questions before selection, read marks, contacts after selection,
closed threads, attachments (types, limits, who may download), IDOR and the
audit of staff reading."""
from __future__ import annotations

import io
import re
import uuid
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.exchange import Attachment, Message, Thread
from portal.services.exchange import messages as messages_service
from portal.services.exchange import request_lifecycle
from tests.factories import make_offer, make_profile, make_request, make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def tr(app, message, locale="en", **params) -> str:
    """``message`` as a user with ``locale`` sees it in a page (HTML-escaped)."""
    with app.test_request_context(), force_locale(locale):
        return str(escape(str(_l(message, **params))))


@pytest.fixture
def scene(app):
    """A client with an open request in KZ-75 and two verified advocates
    serving KZ-75 (so the request matches both); everyone reads English."""
    sm = app.appbuilder.sm
    tag = uuid.uuid4().hex[:6]
    s = SimpleNamespace()
    s.client = make_user(sm, ("Client",), locale="en", first_name="Aigerim", last_name=f"Client{tag}",
                         phone="+77010000001")
    s.prac = make_user(sm, ("Client", "Practitioner"), locale="en", first_name="Pavel",
                       last_name=f"Advocate{tag}", phone="+77010000002")
    s.prac2 = make_user(sm, ("Client", "Practitioner"), locale="en", first_name="Dana",
                        last_name=f"Second{tag}", phone="+77010000003")
    s.profile = make_profile(s.prac)
    s.profile2 = make_profile(s.prac2)
    s.req = make_request(s.client, title=f"Inheritance case {tag}")
    return s


def thread_id_from(response) -> int:
    assert response.status_code == 302, response.status_code
    match = re.search(r"/threads/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def open_thread(client, req_id, profile_id=None) -> int:
    url = f"/threads/open?request={req_id}" + (f"&profile={profile_id}" if profile_id else "")
    return thread_id_from(client.post(url))  # starting a thread is a POST (a GET creates nothing)


def post(client, thread_id, body="", files=()):
    data = {"body": body, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/threads/{thread_id}/post", data=data, content_type="multipart/form-data")


def message_count(thread_id) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.thread_id == thread_id))


def test_question_reaches_client_with_unread_count_and_read_mark(scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    response = post(http, tid, "Which city is the inheritance in?\nAnd when did it open?")
    assert response.status_code == 302
    assert re.search(rf"/threads/{tid}#m\d+$", response.headers["Location"])
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert "Which city is the inheritance in?" in page
    assert '<span class="message-mark message-sent">Sent</span>' in page

    http = login_as(scene.client)
    listing = http.get("/threads/").get_data(as_text=True)
    assert scene.req.title in listing
    assert f"With practitioner {scene.prac.full_name}" in listing
    assert "I am the client" in listing
    assert re.search(r'class="badge thread-badge">1<', listing)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert "Which city is the inheritance in?\nAnd when did it open?" in page  # line break kept (pre-wrap)
    assert f'href="/requests/{scene.req.id}"' in page
    assert "thread-badge" not in http.get("/threads/").get_data(as_text=True)
    db.session.expire_all()
    assert messages_service.unread_count(db.session.get(Thread, tid), "client") == 0

    http = login_as(scene.prac)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert '<span class="message-mark message-read">Read</span>' in page
    assert "message-sent" not in page
    assert "I am the practitioner" in http.get("/threads/").get_data(as_text=True)
    post(http, tid, "One more thing")  # after the client's reading: read, then sent
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    marks = re.findall(r'class="message-mark message-(read|sent)"', page)
    assert marks == ["read", "sent"]


def test_message_text_is_escaped(scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, '<script>alert("x")</script>')
    page = login_as(scene.client).get(f"/threads/{tid}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_contacts_hidden_before_selection_and_shown_after(app, scene, login_as):
    offer = make_offer(scene.req, scene.profile)
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, "Hello")
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert scene.client.email not in page and scene.client.phone not in page
    assert "Contact details appear here after the client selects" in page

    http = login_as(scene.client)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert scene.prac.email not in page and "Contact details (shown after selection)" not in page

    request_lifecycle.select_offer(scene.client, scene.req.id, offer.id)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert "Contact details (shown after selection)" in page
    assert scene.prac.email in page and scene.prac.phone in page
    page = login_as(scene.prac).get(f"/threads/{tid}").get_data(as_text=True)
    assert scene.client.email in page and scene.client.phone in page
    assert 'name="body"' in page  # the selected practitioner's thread stays open for the work


def test_non_selected_thread_is_read_only_after_selection(app, scene, login_as):
    offer = make_offer(scene.req, scene.profile)
    make_offer(scene.req, scene.profile2)
    http = login_as(scene.prac2)
    tid = open_thread(http, scene.req.id)
    assert post(http, tid, "A question before selection").status_code == 302
    request_lifecycle.select_offer(scene.client, scene.req.id, offer.id)

    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert "This conversation is closed for new messages." in page
    assert 'name="body"' not in page
    before = message_count(tid)
    response = post(http, tid, "Still there?")
    assert response.status_code == 200
    assert "This conversation is closed for new messages." in response.get_data(as_text=True)
    assert message_count(tid) == before
    # the client cannot write there either, and the practitioner cannot open a new thread
    page = login_as(scene.client).get(f"/threads/{tid}").get_data(as_text=True)
    assert 'name="body"' not in page


def test_refusal_is_translated_for_a_russian_reader(app, scene, login_as):
    scene.prac2.locale = "ru"
    db.session.commit()
    offer = make_offer(scene.req, scene.profile)
    make_offer(scene.req, scene.profile2)
    http = login_as(scene.prac2)
    tid = open_thread(http, scene.req.id)
    request_lifecycle.select_offer(scene.client, scene.req.id, offer.id)
    page = post(http, tid, "Вопрос").get_data(as_text=True)
    assert tr(app, "This conversation is closed for new messages.", "ru") in page


def test_closed_thread_cannot_be_started(app, scene, login_as):
    offer = make_offer(scene.req, scene.profile)
    make_offer(scene.req, scene.profile2)
    request_lifecycle.select_offer(scene.client, scene.req.id, offer.id)
    http = login_as(scene.prac2)  # declined offer: may still see the request, not start a thread
    response = http.post(f"/threads/open?request={scene.req.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/requests/{scene.req.id}")
    assert db.session.scalar(select(Thread).where(Thread.request_id == scene.req.id,
                                                  Thread.profile_id == scene.profile2.id)) is None


def test_client_opens_thread_with_offering_practitioner_only(app, scene, login_as):
    make_offer(scene.req, scene.profile)
    http = login_as(scene.client)
    tid = open_thread(http, scene.req.id, scene.profile.id)
    assert open_thread(http, scene.req.id, scene.profile.id) == tid  # get-or-create
    assert post(http, tid, "When can you start?").status_code == 302
    assert http.post(f"/threads/open?request={scene.req.id}&profile={scene.profile2.id}").status_code == 404
    assert http.post(f"/threads/open?request={scene.req.id}").status_code == 404
    assert http.post("/threads/open").status_code == 404
    assert http.get("/threads/open").status_code == 404


def test_pdf_attachment_downloadable_by_parties_and_staff_only(app, scene, login_as):
    sm = app.appbuilder.sm
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    assert post(http, tid, "My licence", files=[("licence.pdf", PDF)]).status_code == 302
    att = db.session.scalars(select(Attachment).join(Message).where(Message.thread_id == tid)).one()
    assert att.content_type == "application/pdf" and att.size == len(PDF)
    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert f'href="/attachments/{att.id}"' in page and "licence.pdf" in page

    for user in (scene.prac, scene.client):
        response = login_as(user).get(f"/attachments/{att.id}")
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "licence.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.mimetype == "application/pdf"

    outsider = make_user(sm, ("Client",), locale="en")
    assert login_as(outsider).get(f"/attachments/{att.id}").status_code == 404
    assert login_as(scene.prac2).get(f"/attachments/{att.id}").status_code == 404
    moderator = make_user(sm, ("Moderator",), locale="en")
    response = login_as(moderator).get(f"/attachments/{att.id}")
    assert response.status_code == 200 and response.data == PDF
    assert login_as(scene.client).get("/attachments/999999999").status_code == 404


def test_file_that_is_not_really_a_pdf_is_refused_and_text_kept(app, scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    response = post(http, tid, "Please see the scan attached", files=[("scan.pdf", b"hello")])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert tr(app, "The file %(name)s is not a PDF, JPEG or PNG file.", name="scan.pdf") in page
    assert ">Please see the scan attached</textarea>" in page
    assert "choose the files again" in page
    assert message_count(tid) == 0


def test_too_large_and_too_many_files_are_refused(app, scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    limit = app.config["ATTACHMENT_MAX_COUNT"]
    response = post(http, tid, "Many files", files=[(f"f{i}.pdf", PDF) for i in range(limit + 1)])
    page = response.get_data(as_text=True)
    assert tr(app, "You can attach at most %(n)d files.", n=limit) in page
    assert ">Many files</textarea>" in page

    saved = app.config["ATTACHMENT_MAX_BYTES"]
    app.config["ATTACHMENT_MAX_BYTES"] = 16
    try:
        response = post(http, tid, "Big file", files=[("big.pdf", PDF)])
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = saved
    page = response.get_data(as_text=True)
    assert tr(app, "The file %(name)s is larger than %(mb)s MB.", name="big.pdf", mb=f"{16 / (1024 * 1024):.3g}") in page
    assert ">Big file</textarea>" in page
    assert message_count(tid) == 0


def test_empty_message_is_refused(app, scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    page = post(http, tid, "   ").get_data(as_text=True)
    assert tr(app, "Write a message or attach a file.") in page
    assert message_count(tid) == 0


def test_outsiders_get_404_on_threads(app, scene, login_as):
    sm = app.appbuilder.sm
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, "Private question")
    other_client = make_user(sm, ("Client",), locale="en")
    notary = make_user(sm, ("Client", "Practitioner"), locale="en")
    make_profile(notary, category_code="notary")  # does not match the advocate request
    for user in (other_client, notary):
        http = login_as(user)
        assert http.get(f"/threads/{tid}").status_code == 404
        assert post(http, tid, "Let me in").status_code == 404
        assert http.post(f"/threads/open?request={scene.req.id}").status_code == 404
        assert http.post(f"/threads/open?request={scene.req.id}&profile={scene.profile.id}").status_code == 404
        assert scene.req.title not in http.get("/threads/").get_data(as_text=True)
    # a matching practitioner may open their own thread, never read another's
    assert login_as(scene.prac2).get(f"/threads/{tid}").status_code == 404
    assert message_count(tid) == 1
    assert login_as(scene.client).get("/threads/999999999").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/threads/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_reading_asks_a_reason_and_is_audited(app, scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, "Confidential detail")
    moderator = make_user(app.appbuilder.sm, ("Moderator",), locale="en")
    http = login_as(moderator)

    def audits():
        return db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "thread", AuditEntry.entity_id == tid,
            AuditEntry.action == "staff_read")).all()

    page = http.get(f"/threads/{tid}").get_data(as_text=True)
    assert 'name="reason"' in page and "Confidential detail" not in page
    page = http.get(f"/threads/{tid}?reason=+").get_data(as_text=True)
    assert "Give the reason for reading this conversation." in page and "Confidential detail" not in page
    assert audits() == []

    page = http.get(f"/threads/{tid}?reason=Complaint+%2342").get_data(as_text=True)
    assert "Confidential detail" in page
    assert "You are reading this conversation as staff; this is recorded in the audit trail." in page
    assert 'name="body"' not in page
    db.session.expire_all()
    entries = audits()
    assert len(entries) == 1
    assert entries[0].reason == "Complaint #42" and entries[0].actor_id == moderator.id
    # reading as staff does not mark the thread read for the client
    assert db.session.get(Thread, tid).client_read_at is None
    assert http.get("/threads/999999999?reason=x").status_code == 404


def test_thread_list_is_paged(app, login_as):
    sm = app.appbuilder.sm
    client_user = make_user(sm, ("Client",), locale="en")
    prac = make_user(sm, ("Client", "Practitioner"), locale="en")
    profile = make_profile(prac)
    for i in range(21):
        req = make_request(client_user, title=f"Paged request {i:02d}")
        db.session.add(Thread(request_id=req.id, profile_id=profile.id, last_message_at=req.created_at))
    db.session.commit()
    http = login_as(client_user)
    first = http.get("/threads/").get_data(as_text=True)
    assert first.count('class="thread-item') == 20
    assert "Page 1 of 2" in first
    second = http.get("/threads/?page=2").get_data(as_text=True)
    assert second.count('class="thread-item') == 1
    assert http.get("/threads/?page=99").status_code == 200


def test_empty_thread_list(app, login_as):
    user = make_user(app.appbuilder.sm, ("Client",), locale="en")
    page = login_as(user).get("/threads/").get_data(as_text=True)
    assert "You have no conversations yet." in page


def test_message_form_carries_a_working_csrf_token(app, scene, login_as):
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert post(http, tid, "No token").status_code == 400
        page = http.get(f"/threads/{tid}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = http.post(f"/threads/{tid}/post", data={"body": "With token", "csrf_token": token,
                                                            "files": [(io.BytesIO(PDF), "a.pdf")]},
                             content_type="multipart/form-data")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    assert message_count(tid) == 1


def test_reading_the_thread_marks_its_notifications_read(scene, login_as):
    from portal.models.notifications import Notification

    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, "Is there a will?")
    unread = db.session.query(Notification).filter_by(user_id=scene.client.id, kind="new_message",
                                                      read_at=None)
    assert unread.count() == 1
    login_as(scene.client).get(f"/threads/{tid}")
    db.session.expire_all()
    assert unread.count() == 0
