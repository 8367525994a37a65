"""Rows of the XSS table: trust and safety (complaints and inaccuracy reports, the support
chat and feedback form, login history, agreement versions)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from portal.core.extensions import db
from tests import factories
from tests.contracts.xss_fields.common import Field, browser, new_thread, post_ok, security_manager

# --- complaints and reports -----------------------------------------------------------------------

def _complaint_of(reporter, target_type, target_id):
    from portal.models.trust import Complaint

    return db.session.scalars(select(Complaint).where(
        Complaint.reporter_id == reporter.id, Complaint.target_type == target_type,
        Complaint.target_id == target_id).order_by(Complaint.id.desc())).first()


def complaint_text(w, value, kind="report"):
    """The client reports a (fresh) practitioner's profile, or its inaccurate information."""
    profile = factories.make_practitioner(security_manager(), first_name="Обжалуемый")
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
    from portal.services.exchange import messages

    thread = new_thread(w)
    message = messages.post(w.pro, thread.id, value)
    db.session.commit()
    report = w.browsers["client"].get(f"/complaints/report/message/{message.id}")
    post_ok(w.browsers["client"], f"/complaints/report/message/{message.id}",
            {"reason": "offensive", "text": "Оскорбительное сообщение."})
    return SimpleNamespace(complaint=_complaint_of(w.client, "message", message.id),
                           seen=[("the report form", report)])


# --- support ----------------------------------------------------------------------------------

def support_chat(w, value):
    user = factories.make_user(security_manager(), ("Client",), first_name="Пишущий")
    me = browser(w.app, user)
    post_ok(me, "/support/send", {"body": value})
    from portal.services.trust import support

    return SimpleNamespace(me=me, conv=support.chat_of(user))


def support_pages(w, o, marker):
    return [(o.me, "/support/"), ("moderator", f"/moderation/support/{o.conv.id}"),
            ("moderator", "/moderation/support/?status=all")]


def support_reply(w, value):
    o = support_chat(w, "Как изменить профиль?")
    post_ok(w.browsers["moderator"], f"/moderation/support/{o.conv.id}/reply", {"body": value})
    return o


def support_feedback(w, value):
    from portal.models.trust import SupportConversation

    email = factories.unique_email("visitor")
    post_ok(browser(w.app), "/support/feedback", {"email": email, "body": value})
    conv = db.session.scalars(select(SupportConversation).where(SupportConversation.email == email)).one()
    return SimpleNamespace(conv=conv)


def feedback_reply(w, value):
    o = support_feedback(w, "Как стать практиком на портале?")
    post_ok(w.browsers["moderator"], f"/moderation/support/{o.conv.id}/reply", {"body": value})
    return o


# --- login history and the agreement ------------------------------------------------------------

def user_agent(w, value):
    """The browser's user agent is stored with every login and shown on the security page."""
    user = factories.make_user(security_manager(), ("Client",), first_name="Сессия")
    me = w.app.test_client()
    response = me.post("/login/", data={"username": user.email, "password": factories.PASSWORD},
                       headers={"User-Agent": value})
    assert response.status_code == 302
    from portal.models.accounts import LoginEvent

    event = db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)).first()
    return SimpleNamespace(me=me, event=event)


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


FIELDS = [
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
    Field("agreement version texts (admin)", agreement_version, agreement_pages, max_len=255),
]
