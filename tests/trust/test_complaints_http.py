"""Complaints through HTTP: the "Report" actions on profiles, reviews,
requests, offers and messages, the report form (typed input kept on errors,
duplicates, one's own things, strangers' things), "My complaints", the staff
queue with notes and decisions behind a confirmation, who reaches what, CSRF
on every POST, the dashboard counts and the accounts page signal."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, select

from portal.core.extensions import db
from portal.models.exchange import Message
from portal.models.trust import Complaint, ComplaintNote
from portal.services.practitioners import moderation
from portal.services.trust import complaints
from tests.factories import committed_state, make_offer, make_practitioner, make_user, row_count
from tests.trust.test_complaints import TEXT, scene_of

EN = "?_l_=en"


@pytest.fixture
def s(app):
    return scene_of(app.appbuilder.sm)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:2000]
    return match.group(1)


# --- where "Report" appears ----------------------------------------------------------------------

def test_report_actions_on_profile_reviews_offers_requests_and_messages(s, client, login_as):
    profile_url = f"/practitioners/{s.profile.id}{EN}"
    visitor = page_text(client.get(profile_url, follow_redirects=True))
    assert f'href="/complaints/report/profile/{s.profile.id}"' in visitor
    assert f'href="/complaints/inaccurate/{s.profile.id}"' in visitor
    assert "Report inaccurate information" in visitor
    assert f'href="/complaints/report/review/{s.review.id}"' in visitor

    login_as(s.pract)  # the owner: no report of their own profile
    own = page_text(client.get(profile_url, follow_redirects=True))
    assert f"/complaints/report/profile/{s.profile.id}" not in own and "/complaints/inaccurate/" not in own
    assert f'href="/complaints/report/review/{s.review.id}"' in own  # a review about them: reportable
    request_page = page_text(client.get(f"/requests/{s.req.id}{EN}"))
    assert f'href="/complaints/report/request/{s.req.id}"' in request_page
    assert f"/complaints/report/offer/{s.offer.id}" not in request_page  # their own offer
    thread = page_text(client.get(f"/threads/{s.thread.id}{EN}"))
    assert f'href="/complaints/report/message/{s.msg_client.id}"' in thread
    assert f"/complaints/report/message/{s.msg_pract.id}" not in thread

    login_as(s.client)
    request_page = page_text(client.get(f"/requests/{s.req.id}{EN}"))
    assert f'href="/complaints/report/offer/{s.offer.id}"' in request_page
    assert f"/complaints/report/request/{s.req.id}" not in request_page  # their own request
    thread = page_text(client.get(f"/threads/{s.thread.id}{EN}"))
    assert f'href="/complaints/report/message/{s.msg_pract.id}"' in thread
    assert f"/complaints/report/message/{s.msg_client.id}" not in thread
    profile = page_text(client.get(profile_url, follow_redirects=True))
    assert f"/complaints/report/review/{s.review.id}" not in profile  # their own review


def test_staff_see_no_report_links(app, s, client, login_as):
    """Staff act on things, they do not report them (and have no "Report" page)."""
    for staff in (s.moderator, make_user(app.appbuilder.sm, ("Admin",))):
        login_as(staff)
        profile = page_text(client.get(f"/practitioners/{s.profile.id}{EN}", follow_redirects=True))
        assert s.review.comment in profile and "/complaints/report/" not in profile
        assert "/complaints/inaccurate/" not in profile and "Report inaccurate information" not in profile
        request_page = page_text(client.get(f"/requests/{s.req.id}{EN}"))
        assert s.req.title in request_page and "/complaints/report/" not in request_page


def test_a_visitor_is_sent_to_log_in(s, client):
    response = client.get(f"/complaints/report/profile/{s.profile.id}")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


# --- the report form -----------------------------------------------------------------------------

def test_report_form_keeps_input_on_errors_then_files(s, client, login_as):
    login_as(s.client)
    url = f"/complaints/report/profile/{s.profile.id}{EN}"
    form = page_text(client.get(url))
    assert 'name="reason"' in form and 'name="text"' in form and 'name="csrf_token"' in form
    assert "Fake profile or impersonation" in form and "Profile of" in form
    typed = "Short <b>"
    response = client.post(url, data={"reason": "fraud", "text": typed})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Short &lt;b&gt;" in body and "<b>" not in body.split('name="text"')[1].split("</textarea>")[0]
    assert "at least 10 characters" in page_text(response)
    assert re.search(r'<option value="fraud" selected>', body)
    response = client.post(url, data={"reason": "", "text": TEXT})
    assert response.status_code == 400 and "Choose a reason from the list." in page_text(response)
    assert TEXT in page_text(response)
    assert row_count(Complaint, reporter_id=s.client.id) == 0

    response = client.post(url, data={"reason": "fraud", "text": TEXT})
    assert response.status_code == 302 and response.headers["Location"].endswith("/complaints/")
    c = db.session.scalars(select(Complaint).where(Complaint.reporter_id == s.client.id)).one()
    assert (c.kind, c.target_type, c.target_id, c.reason, c.text) == ("complaint", "profile", s.profile.id,
                                                                      "fraud", TEXT)
    mine = page_text(client.get("/complaints/" + EN))
    assert f"#{c.id}" in mine and "New" in mine and TEXT in mine and "Fraud or deception" in mine

    # a repeat: told on the form and refused on POST
    again = page_text(client.get(url))
    assert "You have already reported this" in again
    response = client.post(url, data={"reason": "spam", "text": TEXT})
    assert response.status_code == 400 and "You have already reported this" in page_text(response)
    assert row_count(Complaint, reporter_id=s.client.id) == 1


def test_inaccurate_information_form(s, client, login_as):
    login_as(s.stranger)
    url = f"/complaints/inaccurate/{s.profile.id}{EN}"
    form = page_text(client.get(url))
    assert "Report inaccurate information" in form and "Wrong licence details" in form
    assert "Fraud or deception" not in form
    response = client.post(url, data={"reason": "wrong_licence", "text": "The licence number is LIC-2, not LIC-1."})
    assert response.status_code == 302
    c = db.session.scalars(select(Complaint).where(Complaint.reporter_id == s.stranger.id)).one()
    assert (c.kind, c.reason, c.target_user_id) == ("inaccuracy", "wrong_licence", s.pract.id)


def test_own_and_strangers_things(s, client, login_as):
    login_as(s.pract)
    response = client.get(f"/complaints/report/profile/{s.profile.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/complaints/")
    response = client.post(f"/complaints/report/profile/{s.profile.id}", data={"reason": "spam", "text": TEXT})
    assert response.status_code == 302
    login_as(s.stranger)
    for url in (f"/complaints/report/request/{s.req.id}", f"/complaints/report/message/{s.msg_pract.id}",
                f"/complaints/report/offer/{s.offer.id}", "/complaints/report/user/1",
                "/complaints/inaccurate/999999999"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"reason": "spam", "text": TEXT}).status_code == 404, url
    assert row_count(Complaint, reporter_id=s.stranger.id) == 0
    assert row_count(Complaint, reporter_id=s.pract.id) == 0


# --- "My complaints" -----------------------------------------------------------------------------

def test_my_complaints_quote_only_what_the_reporter_still_sees(s, client, login_as):
    about_review = complaints.file(s.stranger, "review", s.review.id, "offensive", TEXT)
    about_profile = complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)

    def item(page: str, complaint) -> str:
        return page.split(f'id="complaint-{complaint.id}"')[1].split("</li>")[0]

    login_as(s.stranger)
    mine = page_text(client.get("/complaints/" + EN))
    assert s.review.comment in item(mine, about_review)
    assert f'href="/practitioners/{s.profile.id}"' in item(mine, about_review)
    moderation.hide_review(s.moderator, s.review.id, "Insults the practitioner.")
    mine = page_text(client.get("/complaints/" + EN))
    hidden = item(mine, about_review)
    assert f"Review #{s.review.id} — no longer available" in hidden
    assert s.review.comment not in hidden and "<a " not in hidden.split("complaint-about")[1].split("</p>")[0]
    assert TEXT in hidden  # the reporter's own words stay
    assert f"Profile of {s.profile.name}" in item(mine, about_profile)  # still public: still quoted


def test_my_complaints_load_with_a_fixed_number_of_queries(app, s, client, login_as):
    """One query per kind of reported thing (and its relations), not one per complaint."""
    sm = app.appbuilder.sm

    def queries() -> int:
        statements = []

        def count(*args, **kwargs):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get("/complaints/" + EN)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements)

    def report_more():
        profile = make_practitioner(sm)
        complaints.file(s.client, "profile", profile.id, "fraud", TEXT)
        complaints.file(s.client, "offer", make_offer(s.req, profile).id, "fraud", TEXT)
        message = Message(thread_id=s.thread.id, sender_id=s.pract.id, body="Another message")
        db.session.add(message)
        db.session.commit()
        complaints.file(s.client, "message", message.id, "spam", TEXT)

    login_as(s.client)
    report_more()
    queries()  # warm up (first request after login)
    few = queries()
    for _ in range(3):
        report_more()
    page = page_text(client.get("/complaints/" + EN))
    assert page.count('class="list-group-item complaint-item"') == 12 and "no longer available" not in page
    assert queries() == few


# --- staff -------------------------------------------------------------------------------------

def test_queue_access(s, client, login_as, app):
    c = complaints.file(s.client, "profile", s.profile.id, "spam", TEXT)
    for user in (s.client, s.pract):
        login_as(user)
        for url in ("/moderation/complaints/", f"/moderation/complaints/{c.id}",
                    f"/moderation/complaints/{c.id}/resolve", f"/moderation/complaints/{c.id}/dismiss"):
            assert client.get(url).status_code == 403, url
        for url in (f"/moderation/complaints/{c.id}/take", f"/moderation/complaints/{c.id}/notes",
                    f"/moderation/complaints/{c.id}/resolve"):
            assert client.post(url, data={"note": "x", "outcome": "Resolved by a client."}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).status == "new"
    login_as(s.moderator)
    assert client.get("/complaints/").status_code == 403  # moderators work the queue, they do not file
    admin = make_user(app.appbuilder.sm, ("Admin",))
    login_as(admin)
    assert client.get("/moderation/complaints/").status_code == 200


def test_staff_work_a_complaint_through_the_pages(s, client, login_as):
    c = complaints.file(s.client, "message", s.msg_pract.id, "offensive", TEXT)
    login_as(s.moderator)
    queue = page_text(client.get(f"/moderation/complaints/?user={s.pract.id}&_l_=en"))
    assert f'href="/moderation/complaints/{c.id}"' in queue and "Offensive or discriminatory content" in queue
    assert f"Only complaints about the account of {s.pract.full_name}" in queue
    assert f'href="/moderation/accounts/{s.pract.id}"' in queue

    show = page_text(client.get(f"/moderation/complaints/{c.id}{EN}"))
    assert TEXT in show and s.msg_pract.body in show and s.pract.email in show
    assert f"/threads/{s.thread.id}?reason=Complaint+%23{c.id}#m{s.msg_pract.id}" in show  # audited reading
    assert f'href="/moderation/complaints/?user={s.pract.id}&status=all"' in show
    assert f'action="/moderation/complaints/{c.id}/take"' in show

    assert client.post(f"/moderation/complaints/{c.id}/take").status_code == 302
    response = client.post(f"/moderation/complaints/{c.id}/notes{EN}", data={"note": "   "})
    assert response.status_code == 400 and "Write the note." in page_text(response)
    response = client.post(f"/moderation/complaints/{c.id}/notes", data={"note": "Secret staff note"})
    assert response.status_code == 302

    confirm = page_text(client.get(f"/moderation/complaints/{c.id}/resolve{EN}"))
    assert "Resolve the complaint" in confirm and 'name="outcome"' in confirm
    response = client.post(f"/moderation/complaints/{c.id}/resolve{EN}", data={"outcome": ""})
    assert response.status_code == 400 and "Write the outcome for the reporter" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).status == "in_review"
    response = client.post(f"/moderation/complaints/{c.id}/resolve", data={"outcome": "The message is removed."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).status == "resolved"
    response = client.post(f"/moderation/complaints/{c.id}/dismiss{EN}", data={"outcome": "Changed my mind."})
    assert response.status_code == 400 and "already closed" in page_text(response)
    assert client.get(f"/moderation/complaints/999999999{EN}").status_code == 404

    login_as(s.client)
    mine = page_text(client.get("/complaints/" + EN))
    assert "Resolved" in mine and "The message is removed." in mine and "Secret staff note" not in mine


def test_review_complaint_shows_the_review_with_its_moderation(s, client, login_as):
    c = complaints.file(s.stranger, "review", s.review.id, "offensive", TEXT)
    login_as(s.moderator)
    show = page_text(client.get(f"/moderation/complaints/{c.id}{EN}"))
    assert s.review.comment in show
    assert f'action="/moderation/reviews/{s.review.id}/hide"' in show
    assert f'value="/moderation/complaints/{c.id}"' in show  # back here after hiding


def test_every_complaint_post_needs_the_csrf_token(s, client, login_as, csrf_on):
    from tests.core.test_csrf import login_as_with_token

    c = complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)
    login_as_with_token(client, s.client)
    url = f"/complaints/report/profile/{s.profile.id}"
    before = row_count(Complaint)
    assert client.post(url, data={"reason": "spam", "text": TEXT}).status_code == 400
    assert row_count(Complaint) == before
    token = csrf_token(page_text(client.get(url)))
    assert client.post(url, data={"reason": "spam", "text": TEXT, "csrf_token": token}).status_code == 302
    assert row_count(Complaint) == before + 1

    client.post("/logout/", data={"csrf_token": token})  # signing out is a POST with CSRF too
    login_as_with_token(client, s.moderator)
    state = committed_state(db.session.get(Complaint, c.id))
    for path, data in (("take", {}), ("notes", {"note": "A note"}), ("resolve", {"outcome": "Resolved."}),
                       ("dismiss", {"outcome": "Dismissed."})):
        assert client.post(f"/moderation/complaints/{c.id}/{path}", data=data).status_code == 400, path
    assert committed_state(db.session.get(Complaint, c.id)) == state
    assert row_count(ComplaintNote, complaint_id=c.id) == 0
    token = csrf_token(page_text(client.get(f"/moderation/complaints/{c.id}")))
    assert client.post(f"/moderation/complaints/{c.id}/take", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, c.id).status == "in_review"


# --- dashboard and accounts page -----------------------------------------------------------------

def test_dashboard_counts_and_accounts_signal(app, s, client, login_as):
    reporters = [make_user(app.appbuilder.sm, ("Client",)) for _ in range(3)]
    for r in reporters:
        complaints.file(r, "profile", s.profile.id, "fraud", TEXT)
    counts = complaints.open_counts()
    login_as(s.moderator)
    board = page_text(client.get("/moderation/" + EN))
    section = board.split('id="mod-complaints"')[1].split("</section>")[0]
    assert f"<small>{counts['open']}</small>" in section
    assert 'href="/moderation/complaints/"' in section and 'href="/moderation/complaints/?kind=inaccuracy"' in section
    assert "not collected yet" not in board

    accounts = page_text(client.get("/moderation/accounts/" + EN))
    signals = accounts.split('id="signal-complaints"')[1].split("</section>")[0]
    assert "Many complaints" in accounts
    assert f'href="/moderation/accounts/{s.pract.id}"' in signals
    assert f'href="/moderation/complaints/?user={s.pract.id}&status=all">3</a>' in signals
    account = page_text(client.get(f"/moderation/accounts/{s.pract.id}{EN}"))
    assert "3 complaints about this account in the last 30 days" in account
    assert f'href="/moderation/complaints/?user={s.pract.id}&status=all"' in account


def test_the_signal_window_is_read_in_one_place(app, s, client, login_as):
    c = complaints.file(s.client, "profile", s.profile.id, "fraud", TEXT)
    before = app.config["COMPLAINT_SIGNAL_DAYS"]
    app.config["COMPLAINT_SIGNAL_DAYS"] = 7
    try:
        assert complaints.signal_days() == 7
        login_as(s.moderator)
        show = page_text(client.get(f"/moderation/complaints/{c.id}{EN}"))
        assert "1 complaint about this account in the last 7 days" in show
        account = page_text(client.get(f"/moderation/accounts/{s.pract.id}{EN}"))
        assert "1 complaint about this account in the last 7 days" in account
        accounts = page_text(client.get("/moderation/accounts/" + EN))
        assert "complaints (not dismissed) in the last 7 days" in accounts
    finally:
        app.config["COMPLAINT_SIGNAL_DAYS"] = before
    assert complaints.signal_days() == before
