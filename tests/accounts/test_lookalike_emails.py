"""Look-alike emails (Unicode TR39 skeletons): registration refuses an email
that only looks different from an existing one, staff see such accounts as
duplicates, the importer refuses them, and every account stores its skeleton."""
from __future__ import annotations

import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.core.confusables import email_skeleton, prototypes, skeleton, tr39_skeleton
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.services.accounts import blocking, registration
from tests.factories import make_user

GOOD = {"full_name": "Айгерім Сапарова", "phone": "8 701 234 56 78", "password": "Strong-pass-7",
        "conf_password": "Strong-pass-7", "locale": "kk", "agree": "y"}
CYRILLIC_A = "\u0430"


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def tag() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])


def _count(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(PortalUser).where(PortalUser.email == email))


# --- the skeleton function -------------------------------------------------------------------------


@pytest.mark.parametrize("a,b", [
    ("admin@alemtrust.kz", f"{CYRILLIC_A}dmin@alemtrust.kz"),       # Cyrillic а
    ("admin@alemtrust.kz", "ａｄｍｉｎ@alemtrust.kz"),                 # fullwidth letters (NFKC)
    ("admin@alemtrust.kz", "ADMIN@AlemTrust.KZ"),                     # case
    ("paypal@example.kz", "раураl@example.kz"),                       # Cyrillic р, а, у
    ("olga@example.kz", "οlga@example.kz"),                           # Greek omicron
    ("ivan@example.kz", "іvan@example.kz"),                           # Ukrainian і
    ("admin@alemtrust.kz", "adrnin@alemtrust.kz"),                   # "rn" looks like "m" (TR39 data)
    ("user1@example.kz", "userl@example.kz"),                         # digit one and letter l
])
def test_known_look_alikes_share_a_skeleton(a, b):
    assert a != b and skeleton(a) == skeleton(b)


@pytest.mark.parametrize("a,b", [
    ("admin@alemtrust.kz", "admins@alemtrust.kz"),
    ("alice@example.kz", "alice@example.com"),
    ("ерлан@example.kz", "ерлaн@example.kz".replace("л", "п")),
])
def test_different_emails_keep_different_skeletons(a, b):
    assert skeleton(a) != skeleton(b)


def test_tr39_mapping_comes_from_the_unicode_data_file():
    table = prototypes()
    assert len(table) > 6000  # Unicode 13 confusables.txt: ~6300 MA lines
    assert table[CYRILLIC_A] == "a" and table["m"] == "rn" and table["1"] == "l"
    # TR39: NFD, map, NFD again (a composed é and e + combining acute are one skeleton)
    assert tr39_skeleton("\u00e9") == tr39_skeleton("e\u0301")
    assert tr39_skeleton("Ерлан") == tr39_skeleton("Epлaн")  # Latin E, p, a
    assert skeleton(None) is None and skeleton("  ") is None
    assert len(email_skeleton("m" * 300 + "@x.kz")) == 320  # fits the column


# --- every account stores its skeleton ------------------------------------------------------------


def test_skeleton_is_stored_on_create_and_on_email_change(app):
    user = make_user(app.appbuilder.sm, email=f"store-{tag()}@test.alemtrust.kz")
    assert user.email_skeleton == skeleton(user.email)
    user.email = f"changed-{tag()}@test.alemtrust.kz"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(PortalUser, user.id).email_skeleton == skeleton(user.email)
    admin = db.session.scalars(select(PortalUser).where(PortalUser.email == app.config["ADMIN_EMAIL"])).one()
    assert admin.email_skeleton == skeleton(app.config["ADMIN_EMAIL"])  # ensure_admin at start-up


# --- registration -----------------------------------------------------------------------------------


@pytest.mark.parametrize("look_alike", [f"{CYRILLIC_A}dmin@alemtrust.kz", "ａｄｍｉｎ@alemtrust.kz",
                                        "ADMIN@alemtrust.kz", f"{CYRILLIC_A}dmin@аlemtrust.kz"])
def test_registration_of_a_look_alike_of_the_admin_email_is_refused(client, app, look_alike):
    assert app.config["ADMIN_EMAIL"] == "admin@alemtrust.kz"
    before = db.session.scalar(select(func.count()).select_from(PortalUser))
    response = client.post("/register/form?_l_=en", data=dict(GOOD, email=look_alike))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An account with this email already exists. Sign in, or reset the password" in page
    assert 'href="/reset-password/"' in page and 'href="/login/"' in page  # where to go instead
    assert db.session.scalar(select(func.count()).select_from(PortalUser)) == before


def test_the_service_refuses_look_alikes_like_a_duplicate(app):
    owner = make_user(app.appbuilder.sm, email=f"paypal-{tag()}@test.alemtrust.kz")
    spoof = owner.email.replace("a", CYRILLIC_A).replace("p", "р")  # Cyrillic а and р
    assert spoof != owner.email and registration.email_taken(spoof)
    data = registration.Registration(email=spoof, password="Strong-pass-7", full_name="Spoof Er",
                                 phone="+77015550000", locale="ru", agreed=True)
    with pytest.raises(ServiceError) as err:
        registration.register_client(app.appbuilder.sm, data)
    assert err.value.field == "email"
    assert _count(spoof.strip().lower()) == 0


def test_the_duplicate_message_is_translated(client):
    for lang, words in (("ru", "Войдите или восстановите пароль"), ("kk", "Кіріңіз немесе құпиясөзді")):
        response = client.post(f"/register/form?_l_={lang}", data=dict(GOOD, email="ａｄｍｉｎ@alemtrust.kz"))
        assert words in response.get_data(as_text=True)


def test_an_unrelated_email_still_registers(client):
    email = f"fresh-{tag()}@test.alemtrust.kz"
    response = client.post("/register/form?_l_=en", data=dict(GOOD, email=email))
    assert response.status_code == 302
    assert db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one().email_skeleton \
        == skeleton(email)


# --- the staff duplicate signal ---------------------------------------------------------------------


def test_duplicate_signal_finds_look_alike_emails(app):
    sm = app.appbuilder.sm
    t = tag()
    original = make_user(sm, email=f"olga{t}@test.alemtrust.kz", phone=None)
    cyrillic = make_user(sm, email=f"оlgа{t}@test.alemtrust.kz", phone=None)     # Cyrillic о and а
    wide = make_user(sm, email=fullwidth(f"olga{t}") + "+shop@test.alemtrust.kz", phone=None)
    other = make_user(sm, email=f"olgb{t}@test.alemtrust.kz", phone=None)
    found = {d.user.id: d.signals for d in blocking.duplicates(original)}
    assert found == {cyrillic.id: ["email"], wide.id: ["email"]}
    assert {d.user.id for d in blocking.duplicates(cyrillic)} == {original.id, wide.id}
    assert other.id not in {d.user.id for d in blocking.duplicates(wide)}
    page = blocking.duplicates_of([original, other])
    assert {d.user.id for d in page[original.id]} == {cyrillic.id, wide.id} and page[other.id] == []
    with force_locale("en"):
        assert "look-alike" in str(blocking.SIGNALS["email"])


def test_staff_account_page_lists_the_look_alike(app, client, login_as, world):
    t = tag()
    a = make_user(app.appbuilder.sm, email=f"dup{t}@test.alemtrust.kz", phone=None)
    b = make_user(app.appbuilder.sm, email=f"dup{t}@test.аlemtrust.kz", phone=None)  # Cyrillic а in the domain
    page = login_as(world.moderator).get(f"/moderation/accounts/{a.id}?_l_=en").get_data(as_text=True)
    assert f"/moderation/accounts/{b.id}" in page


# --- the importer -----------------------------------------------------------------------------------


def test_importer_refuses_a_look_alike_of_an_existing_account(app, tmp_path):
    import json

    from tests.practitioners.test_import import reasons, row, token

    tok = token()
    owner = make_user(app.appbuilder.sm, email=f"owner-{tok}@test.alemtrust.kz")
    spoof = owner.email.replace("o", "о", 1)  # Cyrillic о
    path = tmp_path / "registry.jsonl"
    lines = [row(tok, 1, email=spoof), row(tok, 2), row(tok, 3, email=f"imp-{tok}-2@test.аlemtrust.kz")]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    from portal.services.practitioners.importer import import_practitioners

    report = import_practitioners(path)
    got = reasons(report)
    assert got[1] == [f"The email {spoof} looks like the email of another account."]
    assert got[3] == [f"The email imp-{tok}-2@test.аlemtrust.kz looks like the email of another account."]
    assert report.created == 1
    assert _count(spoof) == 0


# --- enumeration: registration POSTs per IP ---------------------------------------------------------


def test_registration_posts_are_rate_limited_per_ip(app, tmp_path_factory):
    from config import TestConfig
    from tests.conftest import separate_app

    class Limited(TestConfig):
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        REGISTRATION_RATE_LIMIT = "3 per hour"

    assert app.config["REGISTRATION_RATE_LIMIT"] == "10 per hour"  # the default
    with separate_app(Limited, tmp_path_factory.mktemp("registration-limit")) as limited:
        client = limited.test_client()
        probe = {"REMOTE_ADDR": "10.9.0.1"}
        for _ in range(3):
            response = client.post("/register/form?_l_=en", data=dict(GOOD, email="admin@alemtrust.kz"),
                                   environ_base=probe)
            assert response.status_code == 200
        response = client.post("/register/form?_l_=ru", data=dict(GOOD, email="admin@alemtrust.kz"),
                               environ_base=probe)
        assert response.status_code == 429
        assert "already exists" not in response.get_data(as_text=True)
        assert client.get("/register/form", environ_base=probe).status_code == 200  # the form still opens
        other = client.post("/register/form?_l_=en", data=dict(GOOD, email=f"new-{tag()}@test.alemtrust.kz"),
                            environ_base={"REMOTE_ADDR": "10.9.0.2"})
        assert other.status_code == 302


def test_ensure_admin_and_create_admin_refuse_a_look_alike(app, monkeypatch):
    sm = app.appbuilder.sm
    taken = make_user(sm, email=f"boss-{tag()}@test.alemtrust.kz")
    spoof = taken.email.replace("o", "о", 1)  # Cyrillic о
    nobody_yet = sm.add_role(f"Admin-{tag()}")  # a fresh admin role: as on a first start
    monkeypatch.setattr(sm, "find_role", lambda name: nobody_yet)
    try:
        with pytest.raises(RuntimeError, match="looks like it"):
            registration.ensure_admin(sm, spoof, "Strong-pass-7")
    finally:
        monkeypatch.undo()
        db.session.rollback()
        db.session.delete(nobody_yet)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", "--email", spoof,
                                                "--password", "Strong-pass-7"])
    assert result.exit_code != 0 and "looks like it" in result.output
    assert _count(spoof) == 0
