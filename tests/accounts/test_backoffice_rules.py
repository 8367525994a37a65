"""Back-office forms never bypass a service (portal.views.back_office, portal.services.accounts.backoffice):
what a service rule owns is read-only in FAB's edit forms, moderators do not edit staff
accounts, every remaining staff edit writes an audit entry; and the production
configuration refuses to start without a strong SECRET_KEY."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from config import DEV_SECRET_KEY, ProductionConfig
from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.catalog import Region
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.services.accounts.backoffice import ACTION, VALUE_MAX
from tests.conftest import separate_app
from tests.factories import category, committed_session, committed_state, make_user, specialization


def audit_entries(entity: str, entity_id: int, after_id: int = 0) -> list[AuditEntry]:
    with committed_session() as s:
        rows = s.scalars(select(AuditEntry).where(
            AuditEntry.entity == entity, AuditEntry.entity_id == entity_id, AuditEntry.id > after_id)
            .order_by(AuditEntry.id)).all()
        s.expunge_all()
        return list(rows)


def last_audit_id() -> int:
    with committed_session() as s:
        return s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def refused(response) -> bool:
    """FAB's refusal: 403 for a signed-in user (or the login page)."""
    return response.status_code == 403 or (
        response.status_code == 302 and "/login/" in response.headers["Location"])


# --- practitioner profiles: licence data, category, regions, specializations, status -------------

def test_moderator_cannot_change_what_the_verification_service_owns(client, login_as, world):
    p = world.profile
    other_region = db.session.scalars(select(Region).where(Region.code == "KZ-11")).one()
    other_category = category("notary")
    (before,) = committed_state(p)
    regions_before = sorted(r.code for r in p.regions)
    specs_before = sorted(s.code for s in p.specializations)
    start = last_audit_id()
    login_as(world.moderator)

    form = client.get(f"/admin/profiles/edit/{p.id}").get_data(as_text=True)
    for name in ("licence_number", "licence_date", "licensor", "chamber", "membership_id", "category",
                 "regions", "specializations", "status"):
        assert f'name="{name}"' not in form, name
    assert 'name="about_ru"' in form

    response = client.post(f"/admin/profiles/edit/{p.id}", data={
        "licence_number": "HACKED-1", "licence_date": "2001-01-01", "licensor": "Hacker", "chamber": "Fake",
        "membership_id": "0000", "category": str(other_category.id), "regions": [str(other_region.id)],
        "specializations": [str(specialization("notary", other_category.specializations[0].code).id)],
        "status": ProfileStatus.REVOKED, "verified_since": "", "rating_avg": "5", "reviews_count": "99",
        "city": p.city, "education_kk": "", "education_ru": "", "about_kk": p.about_kk,
        "about_ru": "Текст исправлен модератором после жалобы."})
    assert response.status_code == 302

    (after,) = committed_state(p)
    for name in ("licence_number", "licence_date", "licensor", "chamber", "membership_id", "category_id",
                 "status", "verified_since", "rating_avg", "reviews_count", "submitted_at"):
        assert after[name] == before[name], name
    assert after["status"] == ProfileStatus.APPROVED
    db.session.expire_all()
    fresh = db.session.get(PractitionerProfile, p.id)
    assert sorted(r.code for r in fresh.regions) == regions_before
    assert sorted(s.code for s in fresh.specializations) == specs_before
    assert fresh.about_ru == "Текст исправлен модератором после жалобы."

    entries = audit_entries("practitioner_profile", p.id, start)
    assert [(e.action, e.reason.split("\n")[0], e.actor_id) for e in entries] == [
        (ACTION, "about_ru", world.moderator.id)]
    assert entries[0].from_value == "Адвокат по гражданским делам."
    assert entries[0].to_value.startswith("Текст исправлен модератором")


@pytest.mark.parametrize("who", ["moderator", "admin"])
@pytest.mark.parametrize("kind", ["requests", "offers", "reviews"])
def test_requests_offers_and_reviews_have_no_back_office_edit(client, login_as, world, who, kind):
    """Their services (state machines, review moderation) are the only way to change them."""
    row = {"requests": world.request_a, "offers": world.offer_a, "reviews": world.review_a}[kind]
    (before,) = committed_state(row)
    login_as(getattr(world, who))
    url = f"/admin/{kind}/edit/{row.id}"
    assert refused(client.get(url))
    response = client.post(url, data={
        "title": "Hacked", "description": "Hacked", "status": "cancelled", "budget": "1", "city": "X",
        "message": "Hacked", "price": "1", "comment": "Hacked", "reply": "Hacked", "rating": "1"})
    assert refused(response)
    assert committed_state(row) == [before]
    assert client.get(f"/admin/{kind}/show/{row.id}").status_code == 200  # still readable
    show = client.get(f"/admin/{kind}/list/").get_data(as_text=True)
    assert f"/admin/{kind}/edit/" not in show


# --- accounts: moderators do not edit staff --------------------------------------------------------

@pytest.mark.parametrize("target", ["admin", "other_moderator", "self"])
def test_moderator_cannot_edit_a_staff_account(app, client, login_as, world, target):
    other = make_user(app.appbuilder.sm, ("Moderator",), first_name="Другой", last_name="Модератор")
    account = {"admin": world.admin, "other_moderator": other, "self": world.moderator}[target]
    (before,) = committed_state(account)
    start = last_audit_id()
    login_as(world.moderator)
    url = f"/admin/users/edit/{account.id}"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"first_name": "Hacked", "last_name": "Name", "phone": "+77770000000",
                                      "locale": "en", "iin": ""})
    assert response.status_code == 403
    # FAB's own user and role screens are the admins'
    assert refused(client.get(f"/users/edit/{account.id}"))
    assert refused(client.post(f"/users/edit/{account.id}", data={
        "first_name": "Hacked", "last_name": "Name", "username": account.username, "email": account.email,
        "active": "y"}))
    assert refused(client.get("/users/list/"))
    assert refused(client.get("/roles/list/"))
    role_id = app.appbuilder.sm.find_role("Moderator").id
    assert refused(client.post(f"/roles/edit/{role_id}", data={"name": "Moderator"}))
    (after,) = committed_state(account)
    kept = ("first_name", "last_name", "phone", "locale", "iin", "region_id", "active", "status", "email")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert audit_entries("user", account.id, start) == []


def test_moderator_cannot_edit_the_profile_of_a_staff_account(app, client, login_as, world):
    from tests.factories import make_profile

    staff_practitioner = make_user(app.appbuilder.sm, ("Moderator", "Practitioner"), first_name="Практик")
    profile = make_profile(staff_practitioner)
    (before,) = committed_state(profile)
    for who in (world.moderator, staff_practitioner):  # another moderator, and their own practice
        login_as(who)
        url = f"/admin/profiles/edit/{profile.id}"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"city": "X", "about_ru": "Hacked"}).status_code == 403
    assert committed_state(profile) == [before]
    login_as(world.admin)
    assert client.get(f"/admin/profiles/edit/{profile.id}").status_code == 200


def test_moderator_edits_a_client_and_it_is_audited(client, login_as, world):
    user = world.client_b
    start = last_audit_id()
    login_as(world.moderator)
    response = client.post(f"/admin/users/edit/{user.id}", data={
        "first_name": "Борис", "last_name": "Беловский", "phone": "+77015550000", "locale": "ru", "iin": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).last_name == "Беловский"
    changes = {e.reason: (e.from_value, e.to_value, e.actor_id, e.action)
               for e in audit_entries("user", user.id, start)}
    assert changes == {
        "last_name": ("Белов", "Беловский", world.moderator.id, ACTION),
        "phone": ("+77012345678", "+77015550000", world.moderator.id, ACTION),
    }


def test_admin_edits_users_and_staff_with_audit_and_a_masked_iin(client, login_as, world):
    start = last_audit_id()
    login_as(world.admin)
    url = f"/admin/users/edit/{world.moderator.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"first_name": "Мира", "last_name": "Модератор", "phone": "+77019998877",
                                      "locale": "kk", "iin": "791028302728"})
    assert response.status_code == 302
    db.session.expire_all()
    moderator = db.session.get(PortalUser, world.moderator.id)
    assert (moderator.phone, moderator.locale, moderator.iin) == ("+77019998877", "kk", "791028302728")
    entries = audit_entries("user", moderator.id, start)
    changes = {e.reason: (e.from_value, e.to_value) for e in entries}
    assert changes == {"phone": ("+77012345678", "+77019998877"), "locale": ("ru", "kk"),
                       "iin": (None, "********2728")}
    assert all(e.actor_id == world.admin.id and e.action == ACTION for e in entries)
    # the admin's own account and the audit page
    assert client.get(f"/admin/users/edit/{world.admin.id}").status_code == 200
    page = client.get(f"/admin/audit/show/{entries[0].id}?_l_=en").get_data(as_text=True)
    assert "Edited in the back office" in page


def test_a_long_text_is_shortened_in_the_columns_and_kept_in_the_reason(client, login_as, world):
    p = world.profile
    text = "Новый длинный текст о практике. " * 10
    start = last_audit_id()
    login_as(world.admin)
    response = client.post(f"/admin/profiles/edit/{p.id}", data={
        "city": "Астана", "education_kk": "", "education_ru": "", "about_kk": p.about_kk, "about_ru": text})
    assert response.status_code == 302
    entries = {e.reason.split("\n")[0]: e for e in audit_entries("practitioner_profile", p.id, start)}
    assert set(entries) == {"city", "about_ru"}
    assert (entries["city"].from_value, entries["city"].to_value) == ("Алматы", "Астана")
    about = entries["about_ru"]
    assert len(about.to_value) == VALUE_MAX and about.to_value.endswith("…")
    assert text.strip() in about.reason


# --- production secret ------------------------------------------------------------------------------

GOOD_KEY = secrets.token_urlsafe(48)


def production(key, auto_migrate=False):
    class Cfg(ProductionConfig):
        SECRET_KEY = key
        AUTO_MIGRATE = auto_migrate
        ADMIN_PASSWORD = "Admin-pass-1"
        ELASTICSEARCH_URL = ""
        SEARCH_INDEX_PATH = ":memory:"
        RATELIMIT_STORAGE_URI = "memory://"
    return Cfg


def test_production_config_has_no_default_key_and_asks_for_the_check():
    from config import Config, TestConfig
    from portal import DEV_SECRET_KEY as PORTAL_DEV_KEY

    assert ProductionConfig.REQUIRE_STRONG_SECRET_KEY is True
    assert Config.REQUIRE_STRONG_SECRET_KEY is False and TestConfig.REQUIRE_STRONG_SECRET_KEY is False
    assert PORTAL_DEV_KEY == DEV_SECRET_KEY
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    out = subprocess.run([sys.executable, "-c", "import config; print(repr(config.ProductionConfig.SECRET_KEY),"
                          " repr(config.Config.SECRET_KEY))"], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert out.stdout.split() == ["''", repr(DEV_SECRET_KEY)]


@pytest.mark.parametrize("key", [None, "", "   ", DEV_SECRET_KEY, DEV_SECRET_KEY + "-and-some-more-characters",
                                 "short-key-31-characters-long-xx", "a" * 64, "abab" * 16])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, key):
    from portal import create_app

    cfg = production(key)
    cfg.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.db'}"
    cfg.INSTANCE_PATH = str(tmp_path / "instance")
    with pytest.raises(RuntimeError) as info:
        create_app(cfg)
    message = str(info.value)
    assert "SECRET_KEY" in message and "secrets.token_urlsafe(48)" in message
    assert not (tmp_path / "prod.db").exists() and not (tmp_path / "instance").exists()  # refused first


def test_production_starts_with_a_strong_secret_key(tmp_path):
    with separate_app(production(GOOD_KEY, auto_migrate=True), tmp_path) as application:
        assert application.config["SECRET_KEY"] == GOOD_KEY
        assert application.config["SESSION_COOKIE_SECURE"] is True


def test_fab_user_screen_edits_names_and_roles_with_audit_but_not_activity_or_email(client, login_as, world):
    """FAB's /users/edit (admins): 'active' would bypass blocking and the email is the login and
    its look-alike key, so neither is in the form; what is changed is audited."""
    start = last_audit_id()
    target = world.client_b
    login_as(world.admin)
    page = client.get(f"/users/edit/{target.id}").get_data(as_text=True)
    assert 'name="first_name"' in page and 'name="active"' not in page and 'name="email"' not in page
    roles = {r.name: r.id for r in db.session.scalars(select(Role))}
    response = client.post(f"/users/edit/{target.id}", data={
        "first_name": "Борис", "last_name": "Новиков", "roles": [str(roles["Client"]), str(roles["Practitioner"])],
        "active": "", "email": "hijack@example.kz"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(PortalUser, target.id)
    assert user.last_name == "Новиков" and user.active and user.email == target.email
    assert {r.name for r in user.roles} == {"Client", "Practitioner"}
    changes = {e.reason: (e.from_value, e.to_value) for e in audit_entries("user", target.id, start)}
    assert changes["last_name"] == ("Белов", "Новиков")
    assert changes["roles"] == ("Client", "Client,Practitioner")
