"""Agreement versions (agreement section 3): publishing rules
(portal.services.agreement), the re-acceptance gate (3.1a) on GET, POST and
the JSON API, the "I accept" page with its ``next``, the public history, the
visitors' notice (3.1b-c) and the admin pages (admin-only publishing with a
confirmation step; a version in force is read-only).

Every test that publishes removes its versions again (``versions`` fixture):
the suite shares one database, and a newer version in force would stop every
later test's users at the gate."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, func, select

from portal.core.audit import AuditEntry
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.agreement import AgreementAcceptance, AgreementVersion
from portal.services import agreement
from portal.services.agreement import Draft
from portal.views.agreement.pages import ACCEPTED_KEY
from tests.conftest import login
from tests.factories import PASSWORD, fails_without_change, make_user, row_count

TODAY = dt.date.today()
ACCEPT = "/agreement/accept"
# The versions loaded as reference data (portal.services.catalog): version BASE is in force and
# everybody made by the factories accepted it; a test's first published version is NEXT.
BASE = 2
NEXT = BASE + 1


def draft(**changes) -> Draft:
    values = dict(title_kk="Пайдаланушы келісімі, 2-нұсқа", title_ru="Пользовательское соглашение, редакция 2",
                  text_kk="1. Жалпы ережелер.\n2. Жаңа тармақ.", text_ru="1. Общие положения.\n2. Новый пункт.",
                  effective_from=TODAY)
    values.update(changes)
    return Draft(**values)


@pytest.fixture
def versions(app):
    """Removes every version above the reference ones (and its acceptances) after the test."""
    yield
    db.session.rollback()
    newer = select(AgreementVersion.id).where(AgreementVersion.version > BASE)
    for row in db.session.scalars(select(AgreementAcceptance).where(AgreementAcceptance.version_id.in_(newer))):
        db.session.delete(row)
    db.session.flush()
    for row in db.session.scalars(select(AgreementVersion).where(AgreementVersion.version > BASE)):
        db.session.delete(row)
    db.session.commit()


@pytest.fixture
def people(app):
    sm = app.appbuilder.sm
    return dict(admin=make_user(sm, ("Admin",)), moderator=make_user(sm, ("Moderator",)),
                client=make_user(sm, ("Client",), locale="ru"), kk_client=make_user(sm, ("Client",), locale="kk"))


def agreement_gate_message(user) -> str:
    """The gate's message in the user's language (the API answers in it)."""
    from flask_babel import force_locale

    from portal.views.agreement.pages import GATE_MESSAGE

    with force_locale(user.locale):
        return str(GATE_MESSAGE)


def v1() -> AgreementVersion:
    return agreement.agreement_version(1)


def location(response) -> str:
    return response.headers["Location"]


def accept_next(response) -> str:
    """The ``next`` of a redirect to the accept page."""
    parts = urlsplit(location(response))
    assert parts.path == ACCEPT, location(response)
    return parse_qs(parts.query).get("next", [""])[0]


# --- the service: publishing ---------------------------------------------------------------------

def test_users_from_make_user_and_the_setup_admin_have_accepted_the_current_version(app, people):
    for user in people.values():
        assert not agreement.needs_acceptance(user)
    admin = db.session.scalars(select(agreement.PortalUser).where(
        agreement.PortalUser.email == app.config["ADMIN_EMAIL"])).one()
    assert agreement.acceptance_of(admin.id, agreement.current_agreement().id) is not None
    assert not agreement.needs_acceptance(admin)
    assert agreement.needs_acceptance(make_user(app.appbuilder.sm, accepted=False))


def test_admin_publishes_the_next_number_which_takes_effect_and_is_audited(app, people, versions):
    before = agreement.current_agreement()
    published = agreement.publish(people["admin"], draft(title_en=" User agreement v2 ", text_en="Text"))
    assert published.version == before.version + 1
    assert agreement.current_agreement().id == published.id
    assert published.title_en == "User agreement v2"  # trimmed
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "agreement_version",
                                                        AuditEntry.entity_id == published.id)).one()
    assert (entry.action, entry.actor_id, entry.to_value) == ("publish", people["admin"].id, TODAY.isoformat())
    # everybody who accepted version 1 must now accept again; nobody was asked before
    assert all(agreement.needs_acceptance(u) for u in people.values())
    assert agreement.publish(people["admin"], draft()).version == published.version + 1  # English is optional


@pytest.mark.parametrize("who", ["moderator", "client", None])
def test_only_an_admin_publishes(people, versions, who):
    actor = people[who] if who else None
    with fails_without_change(v1(), count_of=[(AgreementVersion, {}), (AuditEntry, {})]):
        agreement.publish(actor, draft())


@pytest.mark.parametrize("changes, field", [
    (dict(title_kk=""), "title_kk"), (dict(text_kk="  "), "text_kk"),
    (dict(title_ru=""), "title_ru"), (dict(text_ru=""), "text_ru"),
    (dict(title_en="Only a title"), "text_en"), (dict(text_en="Only a text"), "title_en"),
    (dict(title_ru="x" * 256), "title_ru"),
    (dict(effective_from=None), "effective_from"),
    (dict(effective_from=TODAY - dt.timedelta(days=1)), "effective_from"),
])
def test_a_draft_breaking_a_rule_publishes_nothing(people, versions, changes, field):
    with fails_without_change(v1(), field=field, count_of=[(AgreementVersion, {}), (AuditEntry, {})]):
        agreement.publish(people["admin"], draft(**changes))


def test_a_version_cannot_take_effect_before_the_newest_one(people, versions):
    later = agreement.publish(people["admin"], draft(effective_from=TODAY + dt.timedelta(days=30)))
    with fails_without_change(later, field="effective_from", count_of=[(AgreementVersion, {})]):
        agreement.publish(people["admin"], draft(effective_from=TODAY + dt.timedelta(days=10)))
    assert agreement.publish(people["admin"], draft(effective_from=later.effective_from)).version == later.version + 1


def test_a_scheduled_version_is_listed_but_not_in_force_and_may_still_change(people, versions):
    admin = people["admin"]
    when = TODAY + dt.timedelta(days=14)
    last_entry = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    scheduled = agreement.publish(admin, draft(effective_from=when))
    assert agreement.current_agreement().version == BASE
    assert not agreement.needs_acceptance(people["client"])
    lines = {line.version.version: line for line in agreement.history_lines()}
    assert lines[scheduled.version].status == agreement.SCHEDULED
    assert lines[BASE].status == agreement.IN_FORCE
    agreement.update_scheduled(admin, scheduled.version, draft(text_ru="Исправлено.", effective_from=when))
    assert db.session.get(AgreementVersion, scheduled.id).text_ru == "Исправлено."
    number, version_id = scheduled.version, scheduled.id
    agreement.withdraw(admin, number)
    assert db.session.get(AgreementVersion, version_id) is None
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "agreement_version", AuditEntry.entity_id == version_id, AuditEntry.id > last_entry))
    assert sorted(actions) == ["edit", "publish", "withdraw"]


def test_a_version_whose_date_has_come_can_be_neither_edited_nor_withdrawn(people, versions):
    admin = people["admin"]
    for number in (1,):
        with fails_without_change(v1()):
            agreement.update_scheduled(admin, number, draft(effective_from=TODAY + dt.timedelta(days=1)))
        with fails_without_change(v1(), count_of=[(AgreementVersion, {})]):
            agreement.withdraw(admin, number)
    scheduled = agreement.publish(admin, draft(effective_from=TODAY + dt.timedelta(days=3)))
    scheduled.effective_from = TODAY  # time passes: its day has come
    db.session.commit()
    assert agreement.current_agreement().id == scheduled.id
    with fails_without_change(scheduled):
        agreement.update_scheduled(admin, scheduled.version, draft(effective_from=TODAY + dt.timedelta(days=5)))
    with fails_without_change(scheduled, count_of=[(AgreementVersion, {})]):
        agreement.withdraw(admin, scheduled.version)
    with pytest.raises(NotFound):
        agreement.withdraw(admin, 999)


def test_only_the_newest_scheduled_version_is_withdrawn_and_dates_keep_their_order(people, versions):
    admin = people["admin"]
    first = agreement.publish(admin, draft(effective_from=TODAY + dt.timedelta(days=5)))
    second = agreement.publish(admin, draft(effective_from=TODAY + dt.timedelta(days=9)))
    with fails_without_change(first, count_of=[(AgreementVersion, {})]):
        agreement.withdraw(admin, first.version)
    with fails_without_change(first, field="effective_from"):  # not after the next version
        agreement.update_scheduled(admin, first.version, draft(effective_from=TODAY + dt.timedelta(days=10)))
    with fails_without_change(second, field="effective_from"):  # not before the previous one
        agreement.update_scheduled(admin, second.version, draft(effective_from=TODAY + dt.timedelta(days=4)))
    with fails_without_change(first):  # moderators do not change versions either
        agreement.update_scheduled(people["moderator"], first.version, draft())


# --- the service: acceptance ---------------------------------------------------------------------

def test_accepting_records_ip_and_user_agent_once(people, versions):
    user = people["client"]
    current = agreement.publish(people["admin"], draft())
    first = agreement.accept_current(user, current.version, "10.1.2.3", "Browser/1.0 " + "x" * 600)
    assert (first.ip_address, first.user_agent[:12], len(first.user_agent)) == ("10.1.2.3", "Browser/1.0 ", 512)
    again = agreement.accept_current(user, current.version, "10.9.9.9", "Other")
    assert again.id == first.id and again.ip_address == "10.1.2.3"
    assert row_count(AgreementAcceptance, user_id=user.id, version_id=current.id) == 1
    assert not agreement.needs_acceptance(user)


def test_accepting_a_version_that_is_no_longer_current_is_refused(people, versions):
    user = people["client"]
    agreement.publish(people["admin"], draft())
    with fails_without_change(count_of=[(AgreementAcceptance, {"user_id": user.id})]):
        agreement.accept_current(user, 1, "10.0.0.1", "ua")
    assert agreement.needs_acceptance(user)


# --- the gate ------------------------------------------------------------------------------------

def test_the_gate_sends_a_user_who_must_accept_to_the_accept_page_first(client, people, versions):
    user = people["client"]
    login(client, user.email)
    assert client.get("/account/").status_code == 200  # accepted version 1: not stopped
    agreement.publish(people["admin"], draft())
    for path in ("/account/", "/notifications/?page=2", "/", "/practitioners/?q=адвокат"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert accept_next(response) == path
    # a HEAD request is stopped too; an unknown page still gets its 404
    assert client.head("/account/").status_code == 302
    assert client.get("/no-such-page/").status_code == 404


def test_the_gate_lets_through_what_a_user_needs_to_read_accept_or_leave(app, client, people, versions):
    user = people["client"]
    login(client, user.email)
    agreement.publish(people["admin"], draft())
    # also what someone who will not accept still needs: support, closing the account, their data,
    # and securing the account (changing the password included)
    for path in ("/agreement/", "/agreement/1", ACCEPT, "/cookies/", "/static/css/portal.css",
                 "/api/v1/search/suggest?q=ад", "/support/", "/account/close", "/account/export",
                 "/account/security/", "/resetmypassword/form"):
        assert client.get(path, follow_redirects=True).status_code == 200, path
    new = "Secured-pass-3"
    response = client.post("/resetmypassword/form", data={"current_password": PASSWORD, "password": new,
                                                           "conf_password": new})
    assert response.status_code == 302 and not location(response).startswith(ACCEPT)
    assert "/login/" not in location(login(app.test_client(), user.email, new))
    assert accept_next(client.get("/userinfoeditview/form")) == "/userinfoeditview/form"  # the rest waits
    assert client.post("/cookies/consent", data={"choice": "necessary", "next": "/"}).status_code == 302
    response = client.get("/lang/kk", headers={"Referer": "http://localhost/agreement/"})
    assert location(response) == "http://localhost/agreement/"
    assert location(client.post("/logout/")).endswith("/")
    assert client.get("/account/").status_code == 302 and "/login/" in location(client.get("/account/"))
    assert client.get("/login/").status_code == 200


def test_the_gate_reads_the_acceptance_once_per_browser_and_user(app, client, people, versions):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    first, second = people["client"], people["kk_client"]
    login(client, first.email)
    assert client.get("/", follow_redirects=True).status_code == 200  # read once, then remembered in the session
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/", follow_redirects=True).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [s for s in statements if "agreement_version" in s] and not [
        s for s in statements if "agreement_acceptance" in s]
    # a new version in force is another id: asked again, and remembered once accepted
    current = agreement.publish(people["admin"], draft())
    assert accept_next(client.get("/")) == "/"
    client.post(ACCEPT, data={"version": current.version, "next": "/"})
    assert client.get("/", follow_redirects=True).status_code == 200
    with client.session_transaction() as sess:
        assert sess[ACCEPTED_KEY] == [first.id, current.id]
    # what one user accepted does not let the next one through in the same browser
    client.post("/logout/")
    login(client, second.email)
    assert accept_next(client.get("/")) == "/"


def test_the_gate_stops_posts_and_api_calls_before_anything_happens(app, client, people, versions):
    from portal.models.notifications import Notification
    from portal.services.notifications import inbox

    user = people["client"]
    note = inbox.notify(user, "review_reply", "/requests/", name="x")
    db.session.commit()
    login(client, user.email)
    agreement.publish(people["admin"], draft())
    response = client.post("/notifications/read", headers={"Referer": "http://localhost/notifications/"})
    assert response.status_code == 303 and accept_next(response) == "/notifications/"
    assert db.session.get(Notification, note.id).read_at is None  # nothing was done
    before = (user.consent_info, user.consent_ads)
    response = client.post("/notifications/settings", data={"consent_ads": "y"},
                           headers={"Referer": "https://evil.example/notifications/settings"})
    assert response.status_code == 303 and accept_next(response) == "/"  # a foreign referrer is dropped
    db.session.refresh(user)
    assert (user.consent_info, user.consent_ads) == before
    response = client.get("/api/v1/requests/")
    assert response.status_code == 403 and response.get_json()["detail"] == agreement_gate_message(user)
    assert response.get_json()["type"].endswith("/agreement")


def test_the_accept_page_shows_the_new_text_in_the_users_language(client, people, versions):
    agreement.publish(people["admin"], draft(title_en="User agreement, edition 2", text_en="1. General."))
    login(client, people["kk_client"].email)
    page = client.get(ACCEPT + "?next=/account/").get_data(as_text=True)
    assert "Пайдаланушы келісімі, 2-нұсқа" in page and "Жаңа тармақ." in page
    assert "Новый пункт." not in page
    assert 'href="/agreement/"' in page and f'href="/agreement/{BASE}"' in page  # history, the version accepted before
    assert 'name="csrf_token"' in page and f'name="version" value="{NEXT}"' in page
    assert 'name="next" value="/account/"' in page
    client.post("/logout/")
    login(client, people["client"].email)
    page = client.get(ACCEPT + "?_l_=en").get_data(as_text=True)
    assert "User agreement, edition 2" in page and "I accept" in page
    assert "The user agreement has changed" in page


def test_accepting_goes_on_to_next_and_is_recorded_once(client, people, versions):
    user = people["client"]
    current = agreement.publish(people["admin"], draft())
    login(client, user.email)
    target = accept_next(client.get("/notifications/?page=1"))
    response = client.post(ACCEPT, data={"version": current.version, "next": target},
                           headers={"User-Agent": "TestBrowser/2.0"})
    assert response.status_code == 302 and location(response) == "/notifications/?page=1"
    acceptance = agreement.acceptance_of(user.id, current.id)
    assert acceptance.user_agent == "TestBrowser/2.0" and acceptance.ip_address == "127.0.0.1"
    assert client.get("/notifications/").status_code == 200
    # the accept page again (a second tab, the back button): straight on, no second row
    assert location(client.post(ACCEPT, data={"version": current.version, "next": "/account/"})) == "/account/"
    assert location(client.get(ACCEPT + "?next=/account/")) == "/account/"
    assert row_count(AgreementAcceptance, user_id=user.id, version_id=current.id) == 1


@pytest.mark.parametrize("hostile", [
    "//evil.example/", "https://evil.example/", "http:/evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "evil.example", "/%0d%0aSet-Cookie:x=1", "/\r\nLocation: https://evil.example",
    "/agreement/accept?next=//evil.example", "",
])
def test_a_hostile_next_lands_on_the_home_page(client, people, versions, hostile):
    current = agreement.publish(people["admin"], draft())
    login(client, people["client"].email)
    page = client.get(ACCEPT, query_string={"next": hostile}).get_data(as_text=True)
    form = page.split('class="agreement-accept-form"')[1].split("</form>")[0]
    assert 'name="next" value="/"' in form or hostile.startswith("/%0d"), form
    response = client.post(ACCEPT, data={"version": current.version, "next": hostile})
    assert response.status_code == 302
    target = location(response)
    assert target.startswith("/") and not target.startswith("//") and "evil" not in target, target
    assert urlsplit(target).path in ("/", "/%0d%0aSet-Cookie:x=1")
    assert not agreement.needs_acceptance(people["client"])


def test_accepting_needs_the_csrf_token_and_the_version_read(client, people, versions, csrf_on):
    user = people["client"]
    current = agreement.publish(people["admin"], draft())
    login_page = client.get("/login/").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login/", data={"username": user.email, "password": "Test-pass-1", "csrf_token": token})
    assert client.post(ACCEPT, data={"version": current.version, "next": "/"}).status_code == 400
    page = client.get(ACCEPT + "?_l_=en").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    stale = client.post(ACCEPT + "?_l_=en", data={"version": 1, "next": "/", "csrf_token": token})
    assert stale.status_code == 409 and "The agreement has changed while you were reading" in stale.get_data(as_text=True)
    assert row_count(AgreementAcceptance, user_id=user.id, version_id=current.id) == 0
    ok = client.post(ACCEPT, data={"version": current.version, "next": "/account/", "csrf_token": token})
    assert location(ok) == "/account/"
    assert row_count(AgreementAcceptance, user_id=user.id, version_id=current.id) == 1


# --- public pages --------------------------------------------------------------------------------

def test_the_public_page_shows_the_version_in_force_and_the_history_with_dates(client, people, versions):
    admin = people["admin"]
    second = agreement.publish(admin, draft(title_en="Edition 2", text_en="Second."))
    when = TODAY + dt.timedelta(days=20)
    third = agreement.publish(admin, draft(title_en="Edition 3", text_en="Third.", effective_from=when))
    page = client.get("/agreement/?_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "<h1>Edition 2</h1>" in page
    assert f"Version {second.version}, in force since" in page
    assert "A new version takes effect on" in page and f'href="/en/agreement/{third.version}"' in page
    assert "takes effect on" in page and "in force from" in page  # version 3 scheduled, version 1 earlier
    history = page.split('id="history-title"')[1]
    assert (history.index(f"Version {NEXT + 1}") < history.index(f"Version {NEXT}") < history.index(f"Version {BASE}")
            < history.index("Version 1"))
    scheduled = client.get(f"/agreement/{third.version}?_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "This version is not in force yet." in scheduled and "Third." in scheduled
    earlier = client.get("/agreement/1?_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "This is an earlier version; it is no longer in force." in earlier


def test_visitors_see_a_small_notice_with_a_link_and_users_do_not(client, people):
    page = client.get("/practitioners/?_l_=en", follow_redirects=True).get_data(as_text=True)
    notice = page.split('id="agreement-notice"')[1].split("</p>")[0]
    assert 'href="/en/agreement/"' in notice and "By using the site you accept the user agreement." in notice
    assert 'aria-modal' not in notice
    login(client, people["client"].email)
    assert 'id="agreement-notice"' not in client.get("/practitioners/?_l_=en", follow_redirects=True).get_data(as_text=True)


# --- admin pages ---------------------------------------------------------------------------------

def form_data(**changes) -> dict:
    d = draft(**changes)
    data = {k: getattr(d, k) for k in ("title_kk", "title_ru", "title_en", "text_kk", "text_ru", "text_en")}
    data["effective_from"] = d.effective_from.isoformat() if d.effective_from else ""
    return data


def test_an_admin_publishes_through_the_form_and_a_confirmation(client, people, versions):
    admin = people["admin"]
    login(client, admin.email)
    page = client.get("/admin/agreements/publish?_l_=en").get_data(as_text=True)
    assert f"This will be version {NEXT}" in page and "Пользовательское соглашение" in page  # starts from the current
    when = TODAY + dt.timedelta(days=7)
    confirm = client.post("/admin/agreements/publish?_l_=en", data=form_data(effective_from=when))
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and f"Publish version {NEXT}?" in html and 'name="confirm"' in html
    assert agreement.agreement_version(NEXT) is None  # nothing before the confirmation
    back = client.post("/admin/agreements/publish?_l_=en", data={**form_data(effective_from=when), "back": "1"})
    assert f"This will be version {NEXT}" in back.get_data(as_text=True) and agreement.agreement_version(NEXT) is None
    bad = client.post("/admin/agreements/publish?_l_=en", data=form_data(text_kk="", effective_from=when))
    assert bad.status_code == 400 and "Enter the text." in bad.get_data(as_text=True)
    done = client.post("/admin/agreements/publish", data={**form_data(effective_from=when), "confirm": "1"})
    assert done.status_code == 302 and location(done).endswith(f"/admin/agreements/show/{NEXT}")
    published = agreement.agreement_version(NEXT)
    assert published.effective_from == when and published.text_ru == "1. Общие положения.\n2. Новый пункт."
    listing = client.get("/admin/agreements/list/?_l_=en").get_data(as_text=True)
    assert "takes effect on" in listing and f"/admin/agreements/edit/{NEXT}" in listing
    assert "/admin/agreements/edit/1" not in listing and f"/admin/agreements/edit/{BASE}" not in listing


def test_moderators_read_versions_but_cannot_publish(client, people, versions):
    login(client, people["moderator"].email)
    listing = client.get("/admin/agreements/list/?_l_=en")
    assert listing.status_code == 200 and "Publish a new version" not in listing.get_data(as_text=True)
    assert client.get("/admin/agreements/show/1").status_code == 200
    assert client.get("/admin/agreements/publish").status_code == 403
    response = client.post("/admin/agreements/publish", data={**form_data(), "confirm": "1"})
    assert response.status_code == 403 and agreement.agreement_version(NEXT) is None


def test_editing_or_withdrawing_a_version_in_force_is_refused_over_http(client, people, versions):
    login(client, people["admin"].email)
    before = (v1().text_ru, v1().effective_from)
    for path in ("/admin/agreements/edit/1", "/admin/agreements/withdraw/1"):
        assert location(client.get(path)).endswith("/admin/agreements/show/1")
        response = client.post(path, data=form_data(effective_from=TODAY + dt.timedelta(days=3)))
        assert location(response).endswith("/admin/agreements/show/1")
    page = client.get("/admin/agreements/show/1?_l_=en").get_data(as_text=True)
    assert "cannot be changed or deleted" in page
    db.session.expire_all()
    assert (v1().text_ru, v1().effective_from) == before and agreement.agreement_version(NEXT) is None
    assert client.get("/admin/agreements/edit/999").status_code == 404


def test_an_admin_corrects_and_withdraws_a_scheduled_version_over_http(client, people, versions):
    admin = people["admin"]
    scheduled = agreement.publish(admin, draft(effective_from=TODAY + dt.timedelta(days=5)))
    login(client, admin.email)
    path = f"/admin/agreements/edit/{scheduled.version}"
    assert "Исправлено" not in client.get(path).get_data(as_text=True)
    response = client.post(path, data=form_data(text_ru="Исправлено.", effective_from=TODAY + dt.timedelta(days=6)))
    assert location(response).endswith(f"/admin/agreements/show/{scheduled.version}")
    db.session.expire_all()
    assert agreement.agreement_version(scheduled.version).text_ru == "Исправлено."
    path = f"/admin/agreements/withdraw/{scheduled.version}"
    assert "Withdraw version" in client.get(path + "?_l_=en").get_data(as_text=True)
    assert location(client.post(path)).endswith("/admin/agreements/list/")
    assert agreement.agreement_version(scheduled.version) is None
