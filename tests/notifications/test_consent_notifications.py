"""Mailing consent (agreement 3.3): informational and advertising messages are
chosen separately on the notification settings page; advertising is off for
new and existing users until they switch it on; a broadcast (``flask notify
broadcast``) reaches only consenting, active users, in their language."""
from __future__ import annotations

import html
import uuid

import pytest
from sqlalchemy import select, text

from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.accounts import AccountStatus, BlockReason, PortalUser
from portal.models.notifications import MailOutbox
from portal.services.accounts import blocking, closure
from portal.services.notifications import mailings
from tests.factories import PASSWORD, make_user


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_advertising_is_off_for_new_users_and_existing_rows(app, client):
    email = f"consent-{uuid.uuid4().hex[:8]}@test.alemtrust.kz"
    response = client.post("/register/form?_l_=en", data={
        "email": email, "password": "Consent-pass-1", "conf_password": "Consent-pass-1",
        "full_name": "Согласие Тестов", "phone": "+77011234567", "locale": "ru", "agree": "y"})
    assert response.status_code == 302
    user = db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one()
    assert (user.consent_info, user.consent_ads, user.consent_changed_at) == (True, False, None)

    # a row written without the consent columns (as rows from before the migration): the database defaults
    name = f"legacy-{uuid.uuid4().hex[:8]}"
    new_id = db.session.scalar(text("SELECT MAX(id) FROM ab_user")) + 100000  # FAB's id sequence is client-side
    db.session.execute(text(
        "INSERT INTO ab_user (id, first_name, last_name, username, email, active, locale, status) "
        "VALUES (:id, 'Old', 'Row', :name, :email, :yes, 'ru', 'active')"),
        {"id": new_id, "name": name, "email": f"{name}@test.alemtrust.kz", "yes": True})
    db.session.commit()
    info, ads = db.session.execute(text("SELECT consent_info, consent_ads FROM ab_user WHERE username = :n"),
                                   {"n": name}).one()
    assert (bool(info), bool(ads)) == (True, False)
    assert make_user(app.appbuilder.sm).consent_ads is False


def test_settings_page_switches_save_the_choice_with_its_date(app, login_as):
    user = make_user(app.appbuilder.sm)
    http = login_as(user)
    page = page_text(http.get("/notifications/settings?_l_=en"))
    assert "Informational messages" in page and "Advertising messages" in page
    assert 'id="consent_info" name="consent_info" value="1" aria-describedby="consent-info-help" checked' in page
    assert 'id="consent_ads" name="consent_ads" value="1" aria-describedby="consent-ads-help">' in page

    response = http.post("/notifications/consent?_l_=en", data={"consent_info": "1", "consent_ads": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications/settings#mailings")
    db.session.expire_all()
    user = db.session.get(PortalUser, user.id)
    assert (user.consent_info, user.consent_ads) == (True, True) and user.consent_changed_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == user.id,
                                                        AuditEntry.action == "consent")).one()
    assert (entry.from_value, entry.to_value) == ("info=on,ads=off", "info=on,ads=on")
    assert "Your choice of news and advertising emails is saved." in page_text(
        http.get("/notifications/settings?_l_=en"))

    http.post("/notifications/consent", data={})  # both switches off
    db.session.expire_all()
    user = db.session.get(PortalUser, user.id)
    assert (user.consent_info, user.consent_ads) == (False, False)


def test_the_consent_form_needs_the_csrf_token(app, login_as, monkeypatch):
    user = make_user(app.appbuilder.sm)
    http = login_as(user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = http.post("/notifications/consent", data={"consent_ads": "1"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).consent_ads is False


def test_the_kind_settings_form_leaves_consent_alone(app, login_as):
    user = make_user(app.appbuilder.sm)
    mailings.set_consent(user, True, True)
    login_as(user).post("/notifications/settings", data={})
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).consent_ads is True


@pytest.fixture
def audience(app):
    """Users in every situation a mailing must respect."""
    sm = app.appbuilder.sm
    users = {name: make_user(sm, first_name=name, locale=locale) for name, locale in (
        ("ads_kk", "kk"), ("ads_en", "en"), ("ads_off", "ru"), ("ads_blocked", "ru"), ("ads_closed", "ru"),
        ("info_off", "ru"), ("ads_inactive", "ru"))}
    for name, user in users.items():
        mailings.set_consent(user, name != "info_off", name.startswith("ads_") and name != "ads_off")
    moderator = make_user(sm, ("Moderator",))
    blocking.block(moderator, users["ads_blocked"].id, BlockReason.OTHER, "test")
    closure.close_account(users["ads_closed"], PASSWORD, True)
    users["ads_inactive"].active = False
    db.session.commit()
    return users


def consenting_active(column) -> set[int]:
    """Computed independently of the service: consented, active and not blocked or closed."""
    return set(db.session.scalars(select(PortalUser.id).where(
        column.is_(True), PortalUser.status == AccountStatus.ACTIVE, PortalUser.active.is_(True))))


def test_recipients_respect_consent_and_skip_blocked_and_closed(app, audience):
    ads = set(db.session.scalars(mailings.mailing_recipients("advertising").with_only_columns(PortalUser.id)))
    info = set(db.session.scalars(mailings.mailing_recipients("informational")
                                  .with_only_columns(PortalUser.id)))
    ids = {name: u.id for name, u in audience.items()}
    assert {ids["ads_kk"], ids["ads_en"]} <= ads
    assert not {ids["ads_off"], ids["ads_blocked"], ids["ads_closed"], ids["ads_inactive"], ids["info_off"]} & ads
    assert ids["ads_off"] in info and not {ids["info_off"], ids["ads_blocked"], ids["ads_closed"]} & info
    assert ads == consenting_active(PortalUser.consent_ads)
    assert info == consenting_active(PortalUser.consent_info)
    with pytest.raises(ValueError):
        mailings.mailing_recipients("everyone")


def run_broadcast(app, *args):
    result = app.test_cli_runner().invoke(args=["notify", "broadcast", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_broadcast_reaches_only_consenting_active_users_in_their_language(app, audience, tmp_path):
    (tmp_path / "body.kk.txt").write_text("Жеңілдіктер апталығы.\n\nТолығырақ сайтта.", encoding="utf-8")
    (tmp_path / "body.ru.txt").write_text("Неделя скидок.\n\nПодробнее на сайте.", encoding="utf-8")
    subject = f"Sale {uuid.uuid4().hex[:6]}"
    result = run_broadcast(app, "--audience", "advertising", "--subject", subject,
                           "--subject-for", "ru", "Скидки " + subject, "--body-file", str(tmp_path / "body.{locale}.txt"))
    rows = db.session.scalars(select(MailOutbox).where(MailOutbox.subject.contains(subject))).all()
    assert {r.user_id for r in rows} == consenting_active(PortalUser.consent_ads)
    assert len(rows) == len({r.user_id for r in rows})  # one email each
    assert f"Queued {len(rows)} emails to the advertising audience" in result.output
    by_user = {r.user_id: r for r in rows}
    kk, en = by_user[audience["ads_kk"].id], by_user[audience["ads_en"].id]
    assert (kk.locale, kk.subject, kk.recipient) == ("kk", subject, audience["ads_kk"].email)
    assert "Жеңілдіктер апталығы." in kk.body_text and "Жеңілдіктер апталығы." in kk.body_html
    # no English file: the default language's text, framed in English
    assert en.locale == "en" and "Жеңілдіктер апталығы." in en.body_text
    assert "Hello, ads_en!" in en.body_text
    assert "You receive this because you agreed to advertising messages from AlemTrust." in en.body_text
    assert "/notifications/settings" in en.body_text

    # informational: also the user without advertising, never the one who switched it off
    run_broadcast(app, "--audience", "informational", "--subject", "News " + subject,
                  "--body-file", str(tmp_path / "body.ru.txt"))
    news = db.session.scalars(select(MailOutbox).where(MailOutbox.subject == "News " + subject)).all()
    assert {r.user_id for r in news} == consenting_active(PortalUser.consent_info)
    assert audience["ads_off"].id in {r.user_id for r in news}
    assert audience["info_off"].id not in {r.user_id for r in news}


def test_broadcast_refuses_bad_input_and_queues_nothing(app, audience, tmp_path):
    before = db.session.scalar(select(MailOutbox.id).order_by(MailOutbox.id.desc()).limit(1))
    runner = app.test_cli_runner()
    for args in (["--audience", "everyone", "--subject", "x", "--body-file", str(tmp_path / "x.txt")],
                 ["--audience", "advertising", "--subject", "x", "--body-file", str(tmp_path / "missing.txt")],
                 ["--audience", "advertising", "--subject", "x", "--subject-for", "de", "y",
                  "--body-file", __file__]):
        result = runner.invoke(args=["notify", "broadcast", *args])
        assert result.exit_code != 0
    assert db.session.scalar(select(MailOutbox.id).order_by(MailOutbox.id.desc()).limit(1)) == before
