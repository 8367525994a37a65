"""Complaints and the support chat through the JSON API: the checks of the web
"Report" form (what the reporter sees, not their own, one open report per
thing), "My complaints" with the thing as the reporter sees it, the chat with
its read marks, and the per-account limits."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config import TestConfig
from portal.core.extensions import db
from portal.models.trust import Complaint, SupportConversation, SupportMessage
from portal.services.trust import complaints, support
from tests.accounts.test_api_account import call, get, tokens_of, tr
from tests.accounts.test_api_tokens import api, sign_in
from tests.conftest import separate_app
from tests.factories import make_practitioner, make_user, row_count
from tests.trust.test_complaints import TEXT, scene_of

COMPLAINTS = "/api/v1/complaints"
SUPPORT = "/api/v1/support"


@pytest.fixture
def s(app):
    return scene_of(app.appbuilder.sm)


@pytest.fixture
def token(app, s):
    return tokens_of(app, s.client)["access_token"]


def report(app, token, lang="ru", **fields):
    body = {"target_type": "profile", "target_id": None, "reason": "fraud", "text": TEXT, **fields}
    return call(app, "POST", COMPLAINTS, token, body, lang=lang)


# --- reasons -------------------------------------------------------------------------------------

def test_reasons_are_the_forms_in_the_calls_language(app):
    body = api(app).get(COMPLAINTS + "/reasons?target_type=review", headers={"Accept-Language": "kk"}).get_json()
    assert [r["code"] for r in body] == list(complaints.reasons("complaint", "review"))
    assert "fake_profile" not in [r["code"] for r in body]
    fraud = next(r for r in body if r["code"] == "fraud")
    assert fraud["label"] == tr("Fraud or deception", "kk")
    inaccuracy = api(app).get(COMPLAINTS + "/reasons?kind=inaccuracy").get_json()
    assert [r["code"] for r in inaccuracy] == list(complaints.INACCURACY_REASONS)
    assert api(app).get(COMPLAINTS + "/reasons?kind=rumour").status_code == 400


# --- filing --------------------------------------------------------------------------------------

def test_a_client_reports_a_public_profile(app, s, token):
    response = report(app, token, target_id=s.profile.id, text="  " + TEXT + "  ")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    row = db.session.get(Complaint, body["id"])
    assert (row.reporter_id, row.target_type, row.target_id, row.target_user_id, row.reason, row.text) == (
        s.client.id, "profile", s.profile.id, s.pract.id, "fraud", TEXT)
    assert body["status"] == "new" and body["target"]["available"] is True
    assert s.profile.name in body["target"]["summary"]


def test_a_second_open_report_of_the_same_thing_is_refused(app, s, token):
    assert report(app, token, target_id=s.profile.id).status_code == 201
    again = report(app, token, target_id=s.profile.id, reason="spam", lang="kk")
    assert again.status_code == 422
    assert again.get_json()["detail"] == tr("You have already reported this and staff have not finished with it "
                                            "yet. You will be told the outcome; see “My complaints”.", "kk")
    assert row_count(Complaint, reporter_id=s.client.id) == 1
    inaccuracy = report(app, token, target_id=s.profile.id, kind="inaccuracy", reason="wrong_licence")
    assert inaccuracy.status_code == 201  # another kind of report


@pytest.mark.parametrize("who, target, status", [
    ("stranger", "req", 404),         # a request they are not a party to: not visible to them
    ("stranger", "msg_pract", 404),   # a message in someone else's conversation
    ("client", "missing", 404),
    ("client", "msg_client", 422),    # their own message
    ("pract", "profile", 422),        # their own profile
])
def test_what_the_reporter_cannot_see_is_not_found_and_their_own_is_refused(app, s, who, target, status):
    types = {"req": "request", "msg_pract": "message", "msg_client": "message", "profile": "profile",
             "missing": "review"}
    target_id = 987654 if target == "missing" else getattr(s, target).id
    token = tokens_of(app, getattr(s, who))["access_token"]
    response = report(app, token, target_type=types[target], target_id=target_id, reason="spam")
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 422:
        assert response.get_json()["detail"] == tr("You cannot report yourself or your own content.",
                                                   getattr(s, who).locale)
    assert row_count(Complaint) == 0


@pytest.mark.parametrize("fields, field, msgid", [
    ({"reason": "wrong_licence"}, "reason", "Choose a reason from the list."),  # an inaccuracy's reason
    ({"text": "short"}, "text", "Describe what is wrong in at least %(min)d characters."),
])
def test_a_wrong_reason_or_text_is_refused_on_its_field(app, s, token, fields, field, msgid):
    response = report(app, token, target_id=s.profile.id, **fields)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {field: [tr(msgid, min=complaints.TEXT_MIN)]}
    assert row_count(Complaint) == 0


def test_my_complaints_are_paged_and_show_the_thing_as_i_see_it(app, s):
    token = tokens_of(app, s.pract)["access_token"]  # the practitioner reports what they see as a party
    other_profile = s.other_pract.practitioner_profile
    for target_type, obj in (("profile", other_profile), ("review", s.review), ("request", s.req),
                             ("message", s.msg_client)):
        assert report(app, token, target_type=target_type, target_id=obj.id).status_code == 201, target_type
    complaints.file(s.stranger, "profile", s.profile.id, "spam", TEXT)  # someone else's: not listed
    first = get(app, COMPLAINTS + "?per_page=3", token).get_json()
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (4, 2, 1, 3)
    second = get(app, COMPLAINTS + "?per_page=3&page=2", token).get_json()
    assert [c["target"]["type"] for c in second["items"]] == ["profile"]
    every = get(app, COMPLAINTS + "?per_page=10", token, lang="ru").get_json()["items"]
    assert [c["target"]["type"] for c in every] == ["message", "request", "review", "profile"]
    assert every[0]["target"]["summary"].endswith("“Хорошо”") and s.req.title in every[0]["target"]["summary"]
    assert every[1]["target"]["link"] == f"/requests/{s.req.id}"
    assert every[2]["target"]["summary"] == tr("Review by %(author)s on the profile of %(name)s",
                                               author=s.review.author_name, name=s.profile.name) + ": “Плохо”"
    assert every[3]["target"]["summary"].startswith(tr("Profile of %(name)s", name=other_profile.name))
    assert all(c["reason_label"] == tr("Fraud or deception") and c["status_label"] == tr("New") for c in every)

    s.review.status = "hidden"  # hidden by a moderator since: the reporter no longer sees it
    db.session.commit()
    review = next(c for c in get(app, COMPLAINTS + "?per_page=10", token).get_json()["items"]
                  if c["target"]["type"] == "review")
    assert review["target"]["available"] is False and review["target"]["link"] is None
    assert "Плохо" not in review["target"]["summary"] and tr("no longer available") in review["target"]["summary"]


def test_anonymous_calls_to_complaints_and_support_get_401(app, s):
    client = api(app)
    for method, path in [("GET", COMPLAINTS), ("POST", COMPLAINTS), ("GET", SUPPORT), ("POST", SUPPORT + "/messages")]:
        assert client.open(path, method=method, json={}).status_code == 401, (method, path)
    assert row_count(Complaint) == 0 and row_count(SupportMessage) == 0


# --- support -------------------------------------------------------------------------------------

def test_the_support_chat_and_its_read_marks(app, s, token):
    empty = get(app, SUPPORT, token).get_json()
    assert empty == {"status": None, "unread": 0, "messages": []}
    sent = call(app, "POST", SUPPORT + "/messages", token, {"body": "  Как изменить регион?  "})
    assert sent.status_code == 201 and sent.get_json()["body"] == "Как изменить регион?"
    conv = db.session.scalars(select(SupportConversation).where(SupportConversation.user_id == s.client.id)).one()
    support.reply(s.moderator, conv.id, "Откройте анкету.")
    chat = get(app, SUPPORT, token).get_json()
    assert chat["status"] == "open" and chat["unread"] == 1
    assert [(m["from_staff"], m["body"]) for m in chat["messages"]] == [(False, "Как изменить регион?"),
                                                                        (True, "Откройте анкету.")]
    assert support.unread_for_user(s.client.id) == 0  # reading marked it read
    assert get(app, SUPPORT, token).get_json()["unread"] == 0


def test_an_empty_support_message_is_refused(app, s, token):
    response = call(app, "POST", SUPPORT + "/messages", token, {"body": "   "}, lang="kk")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"body": [tr("Write your message.", "kk")]}
    too_long = call(app, "POST", SUPPORT + "/messages", token, {"body": "x" * (support.MESSAGE_MAX + 1)})
    assert too_long.status_code == 400
    assert row_count(SupportMessage) == 0


# --- limits --------------------------------------------------------------------------------------

class LimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SUPPORT_MESSAGE_RATE_LIMIT = "2 per hour"
    COMPLAINT_RATE_LIMIT = "2 per hour"


@pytest.fixture(scope="module")
def limited(app, tmp_path_factory):
    with separate_app(LimitedConfig, tmp_path_factory.mktemp("api-trust-limits")) as application:
        yield application


def test_complaints_and_support_messages_are_limited_per_account(limited):
    with limited.app_context():
        reporter = make_user(limited.appbuilder.sm, ("Client",))
        profiles = [make_practitioner(limited.appbuilder.sm).id for _ in range(4)]
        email, user_id = reporter.email, reporter.id
    token = sign_in(limited, email, ip="10.64.0.1").get_json()["access_token"]
    assert report(limited, token, target_id=profiles[0], text="short").status_code == 422  # not counted
    for profile_id in profiles[:2]:
        assert report(limited, token, target_id=profile_id).status_code == 201
    refused = report(limited, token, target_id=profiles[2])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["type"].endswith("/rate-limit")
    for n in range(2):
        assert call(limited, "POST", SUPPORT + "/messages", token, {"body": f"Вопрос {n}"}).status_code == 201
    assert call(limited, "POST", SUPPORT + "/messages", token, {"body": "Ещё"}).status_code == 429
    assert get(limited, SUPPORT, token).status_code == 200  # reading is not limited
    with limited.app_context():
        assert row_count(Complaint, reporter_id=user_id) == 2 and row_count(SupportMessage, author_id=user_id) == 2
    other = make_other(limited)
    assert report(limited, other, target_id=profiles[3]).status_code == 201  # another account's allowance


def make_other(limited) -> str:
    with limited.app_context():
        email = make_user(limited.appbuilder.sm, ("Client",)).email
    return sign_in(limited, email, ip="10.64.0.2").get_json()["access_token"]
