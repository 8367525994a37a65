"""``flask portal import-practitioners``: JSON Lines and CSV registries, bad
lines with their line numbers, idempotent re-import, batches and the CLI."""
from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.cli.importer import import_practitioners_command
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.search import SearchQuery
from portal.services import search as search_service
from portal.services.practitioners import import_files, importer
from portal.services.practitioners.import_files import ImportFileError
from portal.services.practitioners.import_rows import split_full_name
from portal.services.practitioners.importer import import_practitioners
from tests.factories import PASSWORD, make_profile, make_user

COLUMNS = list(import_files.COLUMNS)


def token() -> str:
    # letters only: also a single search term
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def row(tok: str, n: int = 1, **overrides) -> dict:
    data = {
        "external_id": f"T-{tok}-{n}", "full_name": f"Иванов{tok} Ерлан Серікұлы", "category": "notary",
        "regions": ["KZ-75", "KZ-19"], "city": "Алматы",
        "specializations": ["inheritance", "сделки с НЕДВИЖИМОСТЬЮ"], "languages": ["kk", "ru"],
        "experience_years": 12, "license_number": f"L-{tok}-{n}", "license_date": "2012-04-05",
        "chamber": "Нотариальная палата города Алматы", "about_ru": "Оформляю наследство.",
        "about_kk": "Мұрагерлікті ресімдеймін.", "price_from": 8000, "online": "да",
        "email": f"imp-{tok}-{n}@test.alemtrust.kz", "phone": "8 701 555 12 34",
    }
    data.update(overrides)
    return data


def write_jsonl(tmp_path, lines, name="registry.jsonl"):
    path = tmp_path / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


def write_csv(tmp_path, rows, delimiter=",", name="registry.csv", columns=COLUMNS):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        if isinstance(r, list):
            writer.writerow(r)
            continue
        writer.writerow([";".join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in (r.get(c, "") for c in columns)])
    path = tmp_path / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def reasons(report) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    with force_locale("en"):
        for line, reason in report.errors:
            out.setdefault(line, []).append(str(reason))
    return out


def profile_by_ext(external_id: str) -> PractitionerProfile | None:
    db.session.expire_all()
    return db.session.scalars(select(PractitionerProfile).where(
        PractitionerProfile.external_id == external_id)).one_or_none()


def profiles_with_email(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(PractitionerProfile).join(
        PortalUser, PortalUser.id == PractitionerProfile.user_id).where(PortalUser.email == email))


# --- good files -------------------------------------------------------------------------------------


def test_jsonl_file_creates_accounts_and_profiles(app, tmp_path):
    tok = token()
    path = write_jsonl(tmp_path, [
        row(tok, 1),
        "",  # blank lines are skipped silently
        row(tok, 2, full_name=f"Ольга Ким{tok}", category="advocate", regions="KZ-71",
            specializations="family, Гражданские споры", languages="ru,en", online=False, price_from=None,
            status="submitted", phone=None, city=""),
    ])
    seen = []
    report = import_practitioners(path, progress=seen.append)
    assert (report.created, report.updated, report.unchanged, report.errors) == (2, 0, 0, [])
    assert seen[-1] == 3

    notary = profile_by_ext(f"T-{tok}-1")
    user = notary.user
    assert (user.first_name, user.last_name) == ("Ерлан Серікұлы", f"Иванов{tok}")
    assert user.email == user.username == f"imp-{tok}-1@test.alemtrust.kz"
    assert sorted(r.name for r in user.roles) == ["Client", "Practitioner"]
    assert user.phone == "+77015551234" and user.locale == "kk" and user.region.code == "KZ-75"
    assert user.password.startswith("!") and not check_password_hash(user.password, "")
    assert notary.category.code == "notary" and notary.status == ProfileStatus.APPROVED
    assert notary.verified_since is not None
    assert {r.code for r in notary.regions} == {"KZ-75", "KZ-19"}
    assert {s.code for s in notary.specializations} == {"inheritance", "real-estate"}
    assert (notary.languages, notary.experience_years, notary.licence_number) == ("kk,ru", 12, f"L-{tok}-1")
    assert str(notary.licence_date) == "2012-04-05" and notary.price_from == 8000
    # the city and the chamber are mapped onto the reference rows (their free text stays empty)
    assert notary.online_consultation is True and notary.city_ref.code == "almaty" and notary.city == ""
    assert notary.about_ru == "Оформляю наследство." and notary.chamber_ref.code == "notary-KZ-75"

    advocate = profile_by_ext(f"T-{tok}-2")
    assert (advocate.user.first_name, advocate.user.last_name) == ("Ольга", f"Ким{tok}")
    assert advocate.user.locale == "ru" and advocate.user.phone is None
    assert {s.code for s in advocate.specializations} == {"family", "civil-disputes"}
    assert advocate.status == ProfileStatus.SUBMITTED and advocate.verified_since is None
    assert advocate.price_from is None and advocate.online_consultation is False
    assert advocate.city_ref.code == "astana"  # an empty city is the home region's centre


def test_imported_public_profiles_are_searchable(app, tmp_path):
    tok = token()
    report = import_practitioners(write_jsonl(tmp_path, [row(tok, 1), row(tok, 2, status="draft")]))
    assert report.created == 2
    page = search_service.search_profiles(SearchQuery(text=f"Иванов{tok}"))
    assert [p.external_id for p in page.items] == [f"T-{tok}-1"]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_file_with_either_delimiter(app, tmp_path, delimiter):
    tok = token()
    path = write_csv(tmp_path, [
        row(tok, 1),
        row(tok, 2, regions="KZ-79,KZ-61", specializations="alimony, Исполнение судебных решений",
            category="bailiff", online="0", languages="kk", price_from=""),
    ], delimiter=delimiter)
    report = import_practitioners(path)
    assert (report.created, report.errors) == (2, [])
    first, second = profile_by_ext(f"T-{tok}-1"), profile_by_ext(f"T-{tok}-2")
    assert {s.code for s in first.specializations} == {"inheritance", "real-estate"}
    assert {r.code for r in second.regions} == {"KZ-79", "KZ-61"} and second.user.region.code == "KZ-79"
    assert {s.code for s in second.specializations} == {"alimony", "court-decisions"}
    assert second.online_consultation is False and second.price_from is None and second.user.locale == "kk"


def test_csv_from_a_binary_stream_with_bom_and_quoted_newlines(app, tmp_path):
    tok = token()
    path = write_csv(tmp_path, [row(tok, 1, about_ru="Первая строка\nвторая строка"), row(tok, 2)])
    data = b"\xef\xbb\xbf" + path.read_bytes()
    report = import_practitioners(io.BytesIO(data), fmt="csv")
    assert (report.created, report.errors) == (2, [])
    assert profile_by_ext(f"T-{tok}-1").about_ru == "Первая строка\nвторая строка"


def test_sample_files_are_valid(app, tmp_path):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "docs" / "samples"
    for name in ("practitioners.jsonl", "practitioners.csv"):
        report = import_practitioners(samples / name)
        assert report.errors == [] and report.imported >= 3, name


# --- bad lines --------------------------------------------------------------------------------------


def test_bad_jsonl_lines_are_reported_and_good_ones_imported(app, tmp_path):
    tok = token()
    lines = [
        row(tok, 1),                                                       # 1 good
        row(tok, 2, category="judge"),                                     # 2
        row(tok, 3, regions=["KZ-75", "KZ-99"]),                           # 3
        row(tok, 4, license_date="05.04.2012"),                            # 4
        {k: v for k, v in row(tok, 5).items() if k != "full_name"},        # 5
        row(tok, 6, email="not-an-email"),                                 # 6
        row(tok, 7, phone="12345"),                                        # 7
        row(tok, 8, email=f"other-{tok}@test.alemtrust.kz", external_id=f"T-{tok}-1"),  # 8 duplicate id
        '{"external_id": "broken", ',                                      # 9
        row(tok, 10, specializations=["inheritance", "космос"]),           # 10
        row(tok, 11, online="maybe", experience_years="много"),            # 11 two reasons
        row(tok, 12, status="vip"),                                        # 12
        row(tok, 13, languages=["kk", "de"]),                              # 13
        '["a", "list"]',                                                   # 14
        row(tok, 15, email=f"imp-{tok}-1@test.alemtrust.kz"),              # 15 duplicate email
        row(tok, 16, full_name="   "),                                     # 16
        row(tok, 17, license_date="2999-01-01"),                           # 17
        row(tok, 18),                                                      # 18 good
        row(tok, 19, price_from=-5),                                       # 19
        row(tok, 20, license_number=f"L-{tok}-18"),                        # 20 duplicate licence
    ]
    report = import_practitioners(write_jsonl(tmp_path, lines))
    assert (report.created, report.updated) == (2, 0)
    assert profile_by_ext(f"T-{tok}-1") and profile_by_ext(f"T-{tok}-18")
    got = reasons(report)
    assert report.skipped == len(got) == 18
    expected = {
        2: 'Unknown category "judge".',
        3: 'Unknown region "KZ-99".',
        4: 'Bad date "05.04.2012" in license_date: use YYYY-MM-DD.',
        5: "full_name is required.",
        6: 'Invalid email address "not-an-email".',
        7: 'Invalid phone number "12345".',
        8: f'Duplicate external_id "T-{tok}-1": already on line 1.',
        10: 'Unknown specialization "космос" in the category "notary".',
        12: 'Unknown status "vip".',
        13: 'Unknown language "de": use kk, ru or en.',
        14: "The line must be a JSON object.",
        15: f'Duplicate email "imp-{tok}-1@test.alemtrust.kz": already on line 1.',
        16: "full_name is required.",
        17: "The date in license_date is in the future: 2999-01-01.",
        19: "price_from is out of range: -5.",
        20: f'Duplicate licence number "L-{tok}-18" in this category: already on line 18.',
    }
    for line, reason in expected.items():
        assert got[line] == [reason], line
    assert got[9][0].startswith("Malformed JSON:")
    assert got[11] == ['experience_years must be a whole number, not "много".',
                       'online must be true or false, not "maybe".']
    for n in range(2, 18):
        if n != 8:  # line 8 reuses line 1's external id
            assert profile_by_ext(f"T-{tok}-{n}") is None


def test_bad_csv_lines_have_the_right_line_numbers(app, tmp_path):
    tok = token()
    good = row(tok, 1, about_ru="две\nстроки")  # lines 2-3
    short = ["only", "three", "cells"]  # line 4
    path = write_csv(tmp_path, [good, short, row(tok, 3, category=""), row(tok, 4)])
    report = import_practitioners(path)
    assert report.created == 2
    assert reasons(report) == {4: [f"The line has 3 cells but the header has {len(COLUMNS)}."],
                               5: ["category is required."]}


def test_csv_without_required_columns_is_refused(app, tmp_path):
    path = write_csv(tmp_path, [], columns=["external_id", "full_name", "city"])
    with pytest.raises(ImportFileError) as exc:
        import_practitioners(path)
    with force_locale("en"):
        assert str(exc.value.message) == "The header row lacks the required columns: category, regions, email."


def test_unknown_format_is_refused(app, tmp_path):
    path = tmp_path / "registry.xlsx"
    path.write_text("x")
    with pytest.raises(ImportFileError):
        import_practitioners(path)


def test_invalid_utf8_line_is_reported(app, tmp_path):
    tok = token()
    path = tmp_path / "registry.jsonl"
    good = json.dumps(row(tok, 2), ensure_ascii=False).encode()
    path.write_bytes(b'{"full_name": "\xff\xfe"}\n' + good + b"\n")
    report = import_practitioners(path)
    assert report.created == 1
    assert reasons(report) == {1: ["The line is not valid UTF-8."]}


# --- re-import --------------------------------------------------------------------------------------


def test_reimport_updates_by_external_id(app, tmp_path):
    tok = token()
    import_practitioners(write_jsonl(tmp_path, [row(tok, 1), row(tok, 2)]))
    first_id = profile_by_ext(f"T-{tok}-1").id

    again = import_practitioners(write_jsonl(tmp_path, [row(tok, 1), row(tok, 2)]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    changed = row(tok, 1, about_ru="Новый текст", price_from=9500, regions=["KZ-71"],
                  specializations=["power-of-attorney"], license_number=f"L-{tok}-new",
                  email=f"new-{tok}@test.alemtrust.kz", full_name=f"Айгерім Иванова{tok}", status="suspended")
    report = import_practitioners(write_jsonl(tmp_path, [changed, row(tok, 2)]))
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 1, [])
    profile = profile_by_ext(f"T-{tok}-1")
    assert profile.id == first_id
    assert (profile.about_ru, profile.price_from, profile.licence_number, profile.status) == (
        "Новый текст", 9500, f"L-{tok}-new", "suspended")
    assert [r.code for r in profile.regions] == ["KZ-71"] and profile.user.region.code == "KZ-71"
    assert [s.code for s in profile.specializations] == ["power-of-attorney"]
    assert profile.user.email == profile.user.username == f"new-{tok}@test.alemtrust.kz"
    assert profile.user.full_name == f"Айгерім Иванова{tok}"
    assert profiles_with_email(f"imp-{tok}-1@test.alemtrust.kz") == 0


def test_absent_columns_are_kept_and_empty_status_keeps_the_status(app, tmp_path):
    tok = token()
    import_practitioners(write_jsonl(tmp_path, [row(tok, 1, status="warned")]))
    slim = {k: row(tok, 1)[k] for k in ("external_id", "full_name", "category", "regions", "email")}
    report = import_practitioners(write_jsonl(tmp_path, [dict(slim, status="")]))
    assert (report.updated, report.unchanged) == (0, 1)
    profile = profile_by_ext(f"T-{tok}-1")
    assert profile.status == "warned" and profile.about_ru == "Оформляю наследство."
    assert profile.price_from == 8000 and profile.user.phone == "+77015551234"
    assert {s.code for s in profile.specializations} == {"inheritance", "real-estate"}


def test_reimport_matches_by_licence_number_within_the_category(app, tmp_path):
    tok = token()
    # A profile made in the portal (no external id) and one imported without an id.
    owner = make_user(app.appbuilder.sm, ("Client", "Practitioner"), email=f"own-{tok}@test.alemtrust.kz")
    portal_profile = make_profile(owner, category_code="advocate")
    portal_profile.licence_number = f"L-{tok}-portal"
    db.session.commit()
    import_practitioners(write_jsonl(tmp_path, [row(tok, 2, external_id=None)]))
    imported = db.session.scalars(select(PractitionerProfile).where(
        PractitionerProfile.licence_number == f"L-{tok}-2")).one()
    assert imported.external_id is None

    report = import_practitioners(write_jsonl(tmp_path, [
        row(tok, 1, category="advocate", license_number=f"L-{tok}-portal", specializations=["family"],
            email=f"own-{tok}@test.alemtrust.kz"),
        row(tok, 2, about_ru="Обновлено"),
        # the same licence number in another category is another person
        row(tok, 3, category="expert", license_number=f"L-{tok}-2", specializations=["valuation"]),
    ]))
    assert (report.created, report.updated, report.errors) == (1, 2, [])
    db.session.expire_all()
    assert profile_by_ext(f"T-{tok}-1").id == portal_profile.id
    assert profile_by_ext(f"T-{tok}-2").id == imported.id and imported.about_ru == "Обновлено"
    assert profile_by_ext(f"T-{tok}-3").id not in (portal_profile.id, imported.id)
    assert profiles_with_email(f"own-{tok}@test.alemtrust.kz") == 1
    # the owner's own password still works
    user = db.session.get(PortalUser, owner.id)
    assert check_password_hash(user.password, PASSWORD)


def test_conflicting_identities_are_reported(app, tmp_path):
    tok = token()
    import_practitioners(write_jsonl(tmp_path, [row(tok, 1), row(tok, 2, category="advocate",
                                                                specializations=["family"])]))
    client = make_user(app.appbuilder.sm, ("Client",), email=f"client-{tok}@test.alemtrust.kz")
    report = import_practitioners(write_jsonl(tmp_path, [
        # a new registry id with a licence that belongs to T-1
        row(tok, 3, license_number=f"L-{tok}-1"),
        # T-1 may not take the email of another account
        row(tok, 1, email=client.email),
        # the account of T-2 already has a profile in another category
        row(tok, 4, email=f"imp-{tok}-2@test.alemtrust.kz", external_id=None),
        # a client account becomes a practitioner
        row(tok, 5, email=client.email.upper()),
    ]))
    got = reasons(report)
    t1 = profile_by_ext(f"T-{tok}-1").id
    assert got == {
        1: [f'The licence number "L-{tok}-1" already belongs to another profile in this category '
            f"(profile {t1})."],
        2: [f"The email {client.email} belongs to another account."],
        3: [f"The account imp-{tok}-2@test.alemtrust.kz already has a practitioner profile in another "
            "category."],
    }
    assert report.created == 1
    profile = profile_by_ext(f"T-{tok}-5")
    assert profile.user_id == client.id
    assert sorted(r.name for r in profile.user.roles) == ["Client", "Practitioner"]
    assert profile.user.locale == "ru"  # an existing account keeps its language


# --- transactions -----------------------------------------------------------------------------------


def test_batches_survive_a_line_the_database_rejects(app, tmp_path, monkeypatch):
    tok = token()
    original = importer._Importer._apply

    def failing(self, entry):
        result = original(self, entry)
        if entry.external_id == f"T-{tok}-3":  # a constraint violation after the line's own writes
            db.session.execute(PortalUser.__table__.insert().values(
                username=entry.email, first_name="x", last_name="x", email=entry.email))
        return result

    monkeypatch.setattr(importer._Importer, "_apply", failing)
    report = import_practitioners(write_jsonl(tmp_path, [row(tok, n) for n in range(1, 6)]), batch_size=2)
    assert report.created == 4
    assert list(reasons(report)) == [3]
    assert reasons(report)[3][0].startswith("The database rejected the line:")
    assert profile_by_ext(f"T-{tok}-3") is None
    assert profiles_with_email(f"imp-{tok}-3@test.alemtrust.kz") == 0
    assert all(profile_by_ext(f"T-{tok}-{n}") for n in (1, 2, 4, 5))


def test_a_failing_add_user_does_not_lose_the_batch(app, tmp_path, monkeypatch):
    """FAB's add_user rolls back the whole session when it fails: the lines
    before it in the batch are applied again."""
    tok = token()
    sm = app.appbuilder.sm
    original = type(sm).add_user

    def add_user(self, *args, **kwargs):
        if kwargs.get("email") == f"imp-{tok}-3@test.alemtrust.kz":
            self.session.rollback()
            return False
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(sm), "add_user", add_user)
    report = import_practitioners(write_jsonl(tmp_path, [row(tok, n) for n in range(1, 6)]), batch_size=4)
    assert (report.created, report.updated) == (4, 0)
    assert reasons(report) == {3: [f"Could not create the user account imp-{tok}-3@test.alemtrust.kz."]}
    assert all(profile_by_ext(f"T-{tok}-{n}") for n in (1, 2, 4, 5))
    assert profile_by_ext(f"T-{tok}-3") is None


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("full_name,expected", [
    ("Ерлан Жұмабеков", ("Ерлан", "Жұмабеков")),
    ("Жұмабеков Ерлан Серікұлы", ("Ерлан Серікұлы", "Жұмабеков")),
    ("Омарова Гүлнар Ержанқызы", ("Гүлнар Ержанқызы", "Омарова")),
    ("Петренко Андрей Игоревич", ("Андрей Игоревич", "Петренко")),
    ("Ким Ольга Викторовна", ("Ольга Викторовна", "Ким")),
    ("Анна Мария Ли", ("Анна", "Мария Ли")),
    ("Мадонна", ("Мадонна", "-")),
])
def test_full_name_split(full_name, expected):
    assert split_full_name(full_name) == expected


# --- CLI --------------------------------------------------------------------------------------------


def test_cli_imports_and_prints_a_summary(app, tmp_path):
    tok = token()
    path = write_jsonl(tmp_path, [row(tok, 1), row(tok, 2)])
    runner = app.test_cli_runner()
    result = runner.invoke(import_practitioners_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "Created: 2\nUpdated: 0\nUnchanged: 0\nSkipped: 0\n" in result.stdout

    result = runner.invoke(import_practitioners_command, [str(path), "--batch-size", "1"])
    assert result.exit_code == 0
    assert "Created: 0\nUpdated: 0\nUnchanged: 2\nSkipped: 0\n" in result.stdout


def test_cli_reports_skipped_lines_and_exits_with_1(app, tmp_path):
    tok = token()
    path = write_csv(tmp_path, [row(tok, 1), row(tok, 2, category="judge"), row(tok, 3, regions="KZ-00")],
                     name="registry.txt", columns=COLUMNS + ["notes"])
    runner = app.test_cli_runner()
    result = runner.invoke(import_practitioners_command, [str(path), "--format", "csv", "--show-errors", "1"])
    assert result.exit_code == 1
    assert "Created: 1\n" in result.stdout and "Skipped: 2\n" in result.stdout
    assert "Ignored unknown columns: notes\n" in result.stdout
    assert 'Line 3: Unknown category "judge".\n' in result.stdout
    assert "Line 4:" not in result.stdout and "… and 1 more." in result.stdout


def test_cli_refuses_an_unknown_format(app, tmp_path):
    path = tmp_path / "registry.txt"
    path.write_text("{}\n")
    result = app.test_cli_runner().invoke(import_practitioners_command, [str(path)])
    assert result.exit_code == 1
    assert "Unknown file format" in result.output
