"""Blocking accounts (agreement 11.4): the staff decisions and their rules,
audit and email, the practitioner leaving public pages and search, duplicate
signals, what a blocked user is told at login and mid-session, staff pages."""
from __future__ import annotations

import html
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select

from portal.core.audit import AuditEntry
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.labels import label
from portal.models.accounts import AccountStatus, BlockReason
from portal.models.notifications import MailOutbox
from portal.search import SearchQuery, backend
from portal.services.accounts import blocking
from tests.conftest import login
from tests.factories import PASSWORD, fails_without_change, make_profile, make_user


def unique_word() -> str:
    return "Blk" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def unique_phone() -> str:
    return "+7701" + str(uuid.uuid4().int)[:7]


@pytest.fixture
def staff(app):
    sm = app.appbuilder.sm
    return make_user(sm, ("Moderator",)), make_user(sm, ("Admin",))


@pytest.fixture
def person(app):
    return make_user(app.appbuilder.sm, ("Client",), phone=unique_phone(), locale="kk")


def mails(user) -> list[MailOutbox]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailOutbox).where(MailOutbox.user_id == user.id)
                                   .order_by(MailOutbox.id)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- service rules -------------------------------------------------------------------------------

def test_block_and_unblock_with_audit_and_email_in_the_users_language(staff, person):
    moderator, _ = staff
    blocking.block(moderator, person.id, BlockReason.DUPLICATE, "same phone as #1")
    db.session.refresh(person)
    assert (person.status, person.blocked_reason, person.blocked_note) == (
        AccountStatus.BLOCKED, BlockReason.DUPLICATE, "same phone as #1")
    assert not person.is_active
    entry = blocking.history(person.id)[0]
    assert (entry.entity, entry.action, entry.from_value, entry.to_value, entry.actor_id) == (
        "user", "block", "active", "blocked", moderator.id)
    assert entry.reason == "duplicate: same phone as #1"
    sent = mails(person)
    assert len(sent) == 1 and sent[0].locale == "kk" and sent[0].recipient == person.email
    with force_locale("kk"):
        assert str(label(BlockReason.DUPLICATE)) in sent[0].subject

    blocking.unblock(moderator, person.id, "verified by phone")
    db.session.refresh(person)
    assert (person.status, person.blocked_reason, person.blocked_note) == (AccountStatus.ACTIVE, None, None)
    assert person.is_active
    entry = blocking.history(person.id)[0]
    assert (entry.action, entry.from_value, entry.to_value) == ("unblock", "blocked", "active")
    assert "verified by phone" in entry.reason
    assert len(mails(person)) == 2 and mails(person)[1].locale == "kk"


def test_block_rules(app, staff, person):
    moderator, admin = staff
    client = make_user(app.appbuilder.sm, ("Client",))
    with fails_without_change(person, count_of=[(AuditEntry, {"entity": "user", "entity_id": person.id})]):
        blocking.block(client, person.id, BlockReason.OTHER, "x")
    with fails_without_change(moderator):
        blocking.block(moderator, moderator.id, BlockReason.SUSPICIOUS, "")
    with fails_without_change(admin):
        blocking.block(moderator, admin.id, BlockReason.SUSPICIOUS, "")
    with fails_without_change(person, field="reason") as info:
        blocking.block(moderator, person.id, "not-a-reason", "")
    with force_locale("ru"):
        assert str(info.value.message) != ""
    with fails_without_change(person, field="note"):
        blocking.block(moderator, person.id, BlockReason.OTHER, "  ")
    with pytest.raises(NotFound):
        blocking.block(moderator, 10 ** 9, BlockReason.OTHER, "x")
    with fails_without_change(person):
        blocking.unblock(moderator, person.id, "not blocked")
    # an admin may block a moderator; blocking twice is refused
    blocking.block(admin, moderator.id, BlockReason.MALWARE, "")
    with fails_without_change(moderator):
        blocking.block(admin, moderator.id, BlockReason.MALWARE, "")
    # a blocked moderator is no longer staff for the service's purposes? still has the role,
    # but cannot log in; an admin unblocks
    blocking.unblock(admin, moderator.id, "")
    assert moderator.status == AccountStatus.ACTIVE


def test_blocked_practitioner_leaves_public_pages_and_search_and_comes_back(app, staff, client):
    moderator, _ = staff
    name = unique_word()
    user = make_user(app.appbuilder.sm, ("Client", "Practitioner"), first_name="Айгүл", last_name=name)
    profile = make_profile(user)
    assert backend().search(SearchQuery(text=name, with_facets=False)).ids == [profile.id]
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 200
    link = f'href="/kk/practitioners/{profile.id}"'
    assert link in client.get("/practitioners/?q=" + name, follow_redirects=True).get_data(as_text=True)

    blocking.block(moderator, user.id, BlockReason.COMPLAINTS, "")
    assert backend().search(SearchQuery(text=name, with_facets=False)).ids == []
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert link not in client.get("/practitioners/?q=" + name, follow_redirects=True).get_data(as_text=True)

    blocking.unblock(moderator, user.id, "")
    assert backend().search(SearchQuery(text=name, with_facets=False)).ids == [profile.id]
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 200


def test_duplicates_by_phone_email_and_iin(app, person):
    sm = app.appbuilder.sm
    same_phone = make_user(sm, ("Client",), phone=person.phone)
    local, _, domain = person.email.partition("@")
    same_email = make_user(sm, ("Client",), email=f"{local.upper()}+second@{domain}", phone=unique_phone())
    same_iin = make_user(sm, ("Client",), phone=unique_phone())
    unrelated = make_user(sm, ("Client",), phone=unique_phone())
    iin = str(uuid.uuid4().int)[:12]
    person.iin = same_iin.iin = iin
    db.session.commit()

    found = {d.user.id: d.signals for d in blocking.duplicates(person)}
    assert found == {same_phone.id: ["phone"], same_email.id: ["email"], same_iin.id: ["iin"]}
    assert unrelated.id not in found
    assert [d.user.id for d in blocking.duplicates(same_iin)] == [person.id]

    # a page of accounts: the same answer for each, from one query
    people = [person, same_phone, same_email, same_iin, unrelated]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        batch = blocking.duplicates_of(people)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    for user in people:
        assert [(d.user.id, d.signals) for d in batch[user.id]] == [
            (d.user.id, d.signals) for d in blocking.duplicates(user)]
    assert batch[unrelated.id] == [] and [d.user.id for d in batch[same_phone.id]] == [person.id]


# --- what a blocked user is told -----------------------------------------------------------------

def test_blocked_login_is_told_why_but_a_wrong_password_gets_the_generic_message(app, staff, client):
    moderator, _ = staff
    user = make_user(app.appbuilder.sm, ("Client",), locale="ru", phone=unique_phone())
    blocking.block(moderator, user.id, BlockReason.SUSPICIOUS, "internal note")
    with force_locale("ru"):
        reason = str(label(BlockReason.SUSPICIOUS))
        expected = blocking.refusal_message(user)

    wrong = login(client, user.email, "Wrong-pass-1")
    assert wrong.status_code == 302
    page = text_of(client.get(wrong.headers["Location"]))
    assert reason not in page and expected not in page
    assert "internal note" not in page

    right = login(client, user.email, PASSWORD)
    assert right.status_code == 302 and "/login" in right.headers["Location"]
    page = text_of(client.get(right.headers["Location"]))
    assert expected in page and reason in page
    assert "internal note" not in page
    assert client.get("/account/").status_code == 302  # not logged in


def test_user_blocked_mid_session_is_logged_out_at_the_next_request(app, staff, client, login_as):
    moderator, _ = staff
    user = make_user(app.appbuilder.sm, ("Client",), locale="ru", phone=unique_phone())
    http = login_as(user)
    assert http.get("/account/").status_code == 200
    blocking.block(moderator, user.id, BlockReason.MALWARE, "")
    response = http.get("/account/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = text_of(http.get(response.headers["Location"]))
    assert blocking.refusal_message(user) in page
    with http.session_transaction() as sess:
        assert "_user_id" not in sess
    # unblocked: can log in again
    blocking.unblock(moderator, user.id, "")
    assert login(http, user.email).status_code == 302
    assert http.get("/account/").status_code == 200


# --- staff pages ---------------------------------------------------------------------------------

def test_staff_pages_access(app, staff, person, client, login_as):
    moderator, _ = staff
    assert client.get("/moderation/accounts/").status_code == 302  # anonymous: to the login page
    assert client.get(f"/moderation/accounts/{person.id}").status_code == 302
    http = login_as(make_user(app.appbuilder.sm, ("Client",)))
    assert http.get("/moderation/accounts/").status_code == 403
    assert http.get(f"/moderation/accounts/{person.id}/block").status_code == 403
    assert http.post(f"/moderation/accounts/{person.id}/block",
                     data={"reason": "duplicate"}).status_code == 403
    db.session.refresh(person)
    assert person.status == AccountStatus.ACTIVE
    http = login_as(moderator)
    assert http.get("/moderation/accounts/").status_code == 200
    assert http.get("/moderation/accounts/10000000").status_code == 404


def test_staff_search_show_confirm_block_and_unblock(app, staff, person, login_as):
    moderator, _ = staff
    twin = make_user(app.appbuilder.sm, ("Client",), phone=person.phone, last_name=unique_word())
    person.iin = "990101300123"
    db.session.commit()
    http = login_as(moderator)

    listing = text_of(http.get("/moderation/accounts/", query_string={"q": person.phone}))
    assert person.email in listing and twin.email in listing
    assert text_of(http.get("/moderation/accounts/", query_string={"q": twin.last_name})).count(twin.email) == 1

    show = text_of(http.get(f"/moderation/accounts/{person.id}"))
    assert "********0123" in show and "990101300123" not in show
    assert f"/moderation/accounts/{twin.id}" in show

    confirm = http.get(f"/moderation/accounts/{person.id}/block")
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.get_data(as_text=True)
    db.session.refresh(person)
    assert person.status == AccountStatus.ACTIVE  # GET changes nothing

    bad = http.post(f"/moderation/accounts/{person.id}/block", data={"reason": "bogus", "note": ""})
    assert bad.status_code == 400
    db.session.refresh(person)
    assert person.status == AccountStatus.ACTIVE

    done = http.post(f"/moderation/accounts/{person.id}/block",
                     data={"reason": BlockReason.DUPLICATE, "note": "twin account"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/moderation/accounts/{person.id}")
    db.session.refresh(person)
    assert (person.status, person.blocked_reason, person.blocked_note) == (
        AccountStatus.BLOCKED, BlockReason.DUPLICATE, "twin account")
    show = text_of(http.get(f"/moderation/accounts/{person.id}"))
    assert "twin account" in show
    blocked_list = text_of(http.get("/moderation/accounts/", query_string={"q": person.phone,
                                                                          "status": "blocked"}))
    assert person.email in blocked_list and twin.email not in blocked_list

    assert http.get(f"/moderation/accounts/{person.id}/unblock").status_code == 200
    done = http.post(f"/moderation/accounts/{person.id}/unblock", data={"note": "ok"})
    assert done.status_code == 302
    db.session.refresh(person)
    assert person.status == AccountStatus.ACTIVE


def test_a_moderator_cannot_block_an_admin_over_http(app, staff, login_as):
    moderator, admin = staff
    http = login_as(moderator)
    response = http.post(f"/moderation/accounts/{admin.id}/block", data={"reason": BlockReason.OTHER,
                                                                          "note": "x"})
    assert response.status_code == 400
    db.session.refresh(admin)
    assert admin.status == AccountStatus.ACTIVE


def test_errors_are_translated(staff, person):
    moderator, _ = staff
    with pytest.raises(ServiceError) as info:
        blocking.block(moderator, person.id, "nope", "")
    with force_locale("en"):
        english = str(info.value.message)
    assert english == "Choose a reason from the list."


def test_account_search_finds_by_name_email_or_phone_and_clamps_the_page(app, person):
    from portal.services.accounts.blocking import search_users

    word = unique_word()
    person.first_name = word
    db.session.commit()
    assert [u.id for u in search_users(word).items] == [person.id]
    assert [u.id for u in search_users(person.email.upper()).items] == [person.id]
    assert person.id in [u.id for u in search_users(person.phone[-7:]).items]
    found = search_users(word, page=999)  # an old link past the end shows the last page, not nothing
    assert found.page == 1 and [u.id for u in found.items] == [person.id]
    assert search_users(word, status="blocked").total == 0
