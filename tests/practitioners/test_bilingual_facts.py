"""Issue 18, item 2: city, licensor and chamber are reference rows with kk/ru/en names
that profiles point to (the free text is the fallback); the questionnaire offers them,
the importer maps registry values onto them and reports what it could not map, and
migration 0008 maps the existing free text."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.catalog import Chamber, City, Licensor
from portal.models.practitioners import PractitionerProfile
from portal.search.documents import profile_document
from portal.search.phrases import analyzed
from portal.services.catalog import FactMatcher, fact_key
from portal.services.practitioners import verification as v
from portal.services.practitioners.importer import import_practitioners
from tests import factories
from tests.factories import application_input, make_profile, make_user, region

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / \
    "0008_profile_facts_reference_data.py"


def city(code: str) -> City:
    return db.session.scalars(select(City).where(City.code == code)).one()


def chamber(code: str) -> Chamber:
    return db.session.scalars(select(Chamber).where(Chamber.code == code)).one()


def licensor(code: str = "moj") -> Licensor:
    return db.session.scalars(select(Licensor).where(Licensor.code == code)).one()


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.fixture
def oskemen_notary(sm):
    """A public notary of East Kazakhstan pointing at the reference rows."""
    user = make_user(sm, ("Client", "Practitioner"), first_name="Айгерім", last_name="Сейітова")
    profile = make_profile(user, "notary", region_code="KZ-63")
    profile.city, profile.licensor, profile.chamber = "", "", ""
    profile.city_ref, profile.licensor_ref = city("oskemen"), licensor()
    profile.chamber_ref = chamber("notary-KZ-63")
    db.session.commit()
    return profile


# --- reference data ---------------------------------------------------------------------------------

def test_reference_rows_are_seeded_in_three_languages(app):
    oskemen = city("oskemen")
    assert (oskemen.name_kk, oskemen.name_ru, oskemen.name_en) == ("Өскемен", "Усть-Каменогорск", "Oskemen")
    assert oskemen.region.code == "KZ-63"
    every_region = {c.region.code for c in db.session.scalars(select(City))}
    assert len(every_region) == 20
    moj = licensor()
    assert moj.name_kk == "Қазақстан Республикасының Әділет министрлігі"
    assert moj.name_ru == "Министерство юстиции Республики Казахстан"
    for code in ("notary", "advocate", "bailiff"):  # a chamber per region
        rows = db.session.scalars(select(Chamber).where(Chamber.code.like(f"{code}-%"))).all()
        assert len(rows) == 20 and all(r.category.code == code and r.region is not None for r in rows)
    almaty_bar = chamber("advocate-KZ-75")
    assert almaty_bar.name_ru == "Алматинская городская коллегия адвокатов"
    assert almaty_bar.name_kk == "Алматы қалалық адвокаттар алқасы"
    assert chamber("expert-rk").region is None and chamber("consultant-kba").category.code == "consultant"
    assert all(r.name_kk and r.name_ru and r.name_en for model in (City, Licensor, Chamber)
               for r in db.session.scalars(select(model)))


# --- display ------------------------------------------------------------------------------------------

def test_kk_profile_page_shows_the_kazakh_names(client, oskemen_notary):
    html = _text(client.get(f"/kk/practitioners/{oskemen_notary.id}"))
    assert "Өскемен" in html and "Усть-Каменогорск" not in html
    assert "Қазақстан Республикасының Әділет министрлігі" in html
    assert "Шығыс Қазақстан облысының нотариаттық палатасы" in html
    assert "Министерство юстиции" not in html and "Нотариальная палата" not in html
    jsonld = [json.loads(block) for block in
              re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)]
    localities = [d.get("address", {}).get("addressLocality") for block in jsonld
                  for d in (block if isinstance(block, list) else [block])]
    assert "Өскемен" in localities


def test_ru_profile_page_shows_the_russian_names(client, oskemen_notary):
    html = _text(client.get(f"/ru/practitioners/{oskemen_notary.id}"))
    assert "Усть-Каменогорск" in html and "Өскемен" not in html
    assert "Министерство юстиции Республики Казахстан" in html
    assert "Нотариальная палата Восточно-Казахстанской области" in html


def test_kk_directory_card_shows_the_kazakh_city(client, oskemen_notary):
    html = _text(client.get("/kk/practitioners/?category=notary&region=KZ-63"))
    if oskemen_notary.name not in html:  # the search backend may serve the list: ask by name
        html = _text(client.get(f"/kk/practitioners/?q={oskemen_notary.user.last_name}"))
    assert "Өскемен" in html


def test_free_text_is_the_fallback(client, sm):
    user = make_user(sm, ("Client", "Practitioner"), first_name="Free", last_name="Text")
    profile = make_profile(user, "advocate")
    profile.city, profile.licensor, profile.chamber = "Аксуат", "Иной орган", "Коллегия «Пример»"
    db.session.commit()
    assert (profile.city_name, profile.licensor_name, profile.chamber_name) == \
        ("Аксуат", "Иной орган", "Коллегия «Пример»")
    html = _text(client.get(f"/kk/practitioners/{profile.id}"))
    assert "Аксуат" in html and "Иной орган" in html and "Коллегия «Пример»" in html
    profile.city_ref = city("almaty")  # a reference row wins over the text
    db.session.commit()
    assert profile.city_name == "Алматы"


def test_search_document_indexes_every_language_of_the_city(sm):
    user = make_user(sm, ("Client", "Practitioner"), first_name="Ерлан", last_name="Балқашев")
    profile = make_profile(user, "advocate", region_code="KZ-35")
    profile.city, profile.city_ref = "", city("balkhash")  # not the regional centre
    db.session.commit()
    place = profile_document(profile)["t_place"]
    place = set(place.split() if isinstance(place, str) else place)
    for name in ("Балқаш", "Балхаш", "Balkhash"):
        assert set(analyzed(name).split()) <= place, name


# --- the questionnaire -------------------------------------------------------------------------------

@pytest.fixture
def applicant(sm):
    return make_user(sm, ("Client",), locale="en", first_name="Applicant", last_name="Facts")


def test_questionnaire_saves_the_reference_rows(applicant):
    data = application_input("notary", region_codes=("KZ-63",), city_id=city("oskemen").id,
                             licensor_id=licensor().id, chamber_id=chamber("notary-KZ-63").id,
                             city="typed", licensor="", chamber="")
    profile = v.save_draft(applicant, data)
    db.session.expire_all()
    assert (profile.city_ref.code, profile.licensor_ref.code, profile.chamber_ref.code) == \
        ("oskemen", "moj", "notary-KZ-63")
    assert profile.city == ""  # the text is only the fallback of "other"
    # the rows satisfy the category's requirements (licensor and chamber) without text
    from portal.services.practitioners import questionnaire
    assert not {"licensor", "chamber"} & {f for f, _m in questionnaire.missing_fields(profile)}


def test_questionnaire_refuses_a_chamber_of_another_category(applicant):
    data = application_input("notary", chamber_id=chamber("advocate-KZ-75").id)
    with factories.fails_without_change(field="chamber_id",
                                        count_of=[(PractitionerProfile, {"user_id": applicant.id})]):
        v.save_draft(applicant, data)


def test_questionnaire_refuses_a_city_outside_the_regions_served(applicant):
    data = application_input("advocate", region_codes=("KZ-75",), city_id=city("oskemen").id)
    with factories.fails_without_change(field="city_id"):
        v.save_draft(applicant, data)


def test_questionnaire_form_offers_the_lists(client, sm, login_as):
    user = make_user(sm, ("Client",), locale="kk")
    login_as(user)
    html = _text(client.get("/practice/apply"))
    assert 'name="city_id"' in html and 'name="licensor_id"' in html and 'name="chamber_id"' in html
    assert "Өскемен" in html and "Қазақстан Республикасының Әділет министрлігі" in html
    answers = {"category_id": str(factories.category("notary").id), "licence_number": "N-77",
               "licence_date": "2015-03-01", "licensor_id": str(licensor().id), "licensor": "",
               "chamber_id": str(chamber("notary-KZ-63").id), "chamber": "", "membership_id": "",
               "region_ids": [str(region("KZ-63").id)], "languages": ["kk"], "experience_years": "5",
               "about_kk": "Нотариус.", "city_id": str(city("oskemen").id), "city": "", "action": "draft"}
    assert client.post("/practice/apply", data=answers).status_code == 302
    profile = db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).one()
    assert (profile.city_ref.code, profile.chamber_ref.code) == ("oskemen", "notary-KZ-63")
    html = _text(client.get("/practice/apply"))  # prefilled: the rows are selected
    assert re.search(rf'<option value="{city("oskemen").id}" selected>Өскемен</option>', html)
    # only the category's chambers are offered
    assert "Нотариаттық" in html or "нотариаттық палатасы" in html
    assert "адвокаттар алқасы" not in html


# --- the importer -----------------------------------------------------------------------------------

def _line(n: int, **values) -> dict:
    data = {"external_id": f"FACTS-{n}", "full_name": f"Тестов Ерлан Серікұлы{n}", "category": "advocate",
            "regions": ["KZ-75"], "email": f"facts-{n}@test.alemtrust.kz", "languages": ["ru"]}
    data.update(values)
    return data


def test_importer_maps_known_values_and_reports_the_others(app, tmp_path):
    path = tmp_path / "facts.jsonl"
    lines = [
        _line(1, city="г. Алматы", licensor="Министерство юстиции РК",
              chamber="Алматинская городская коллегия адвокатов"),
        _line(2, city="Усть-Каменогорск", regions=["KZ-63"], licensor="ҚР Әділет министрлігі",
              chamber="Коллегия адвокатов Восточно-Казахстанской области"),
        _line(3, city="Аксуат", regions=["KZ-63"], chamber="Коллегия адвокатов «Пример»"),
        _line(4, city="Аксуат", regions=["KZ-63"], licensor="Неизвестный орган"),
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    report = import_practitioners(path)
    assert report.created == 4 and not report.errors
    db.session.expire_all()
    first, second, third, _fourth = (db.session.scalars(select(PractitionerProfile).where(
        PractitionerProfile.external_id == f"FACTS-{n}")).one() for n in range(1, 5))
    assert (first.city_ref.code, first.licensor_ref.code, first.chamber_ref.code) == \
        ("almaty", "moj", "advocate-KZ-75")
    assert (first.city, first.licensor, first.chamber) == ("", "", "")
    assert (second.city_ref.code, second.licensor_ref.code, second.chamber_ref.code) == \
        ("oskemen", "moj", "advocate-KZ-63")
    assert third.city_ref is None and third.city == "Аксуат" and third.chamber == "Коллегия адвокатов «Пример»"
    assert report.unmapped == [("city", "Аксуат", 2), ("chamber", "Коллегия адвокатов «Пример»", 1),
                               ("licensor", "Неизвестный орган", 1)]

    from portal.cli.importer import import_practitioners_command
    result = app.test_cli_runner().invoke(import_practitioners_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "Not found in the reference lists (kept as free text):" in result.stdout
    assert "city “Аксуат”: 2" in result.stdout


def test_a_chamber_is_matched_only_within_the_category(app):
    facts = FactMatcher()
    advocate = factories.category("advocate")
    notary = factories.category("notary")
    assert facts.chamber("Алматинская городская коллегия адвокатов", advocate.id).code == "advocate-KZ-75"
    assert facts.chamber("Алматинская городская коллегия адвокатов", notary.id) is None
    assert facts.city("Алматы қаласы").code == "almaty"
    assert facts.licensor("МЮ РК").code == "moj"
    assert fact_key("г.  Семёй") == "семей"


# --- migration 0008 -------------------------------------------------------------------------------

def test_migration_maps_existing_free_text(app):
    spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    engine = sa.create_engine("sqlite://")
    tables = [Model.metadata.tables[n] for n in ("region", "category", "city", "licensor", "chamber",
                                                 "practitioner_profile")]
    Model.metadata.create_all(engine, tables=tables)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO region (id, code, name_kk, name_ru, name_en, centre_kk, centre_ru, "
                             "sort_order) VALUES (1, 'KZ-63', 'ШҚО', 'ВКО', 'EKR', '', '', 1), "
                             "(2, 'KZ-75', 'Алматы', 'г. Алматы', 'Almaty', '', '', 2)"))
        conn.execute(sa.text("INSERT INTO category (id, code, name_kk, name_ru, name_en, description_kk, "
                             "description_ru, description_en, regulator_kk, regulator_ru, icon, takes_requests, "
                             "sort_order) VALUES (1, 'notary', 'н', 'н', 'n', '', '', '', '', '', '', 1, 1), "
                             "(2, 'advocate', 'а', 'а', 'a', '', '', '', '', '', '', 1, 2)"))
        profile = ("INSERT INTO practitioner_profile (id, user_id, category_id, status, city, licensor, chamber, "
                   "licence_number, membership_id, languages, experience_years, education_kk, education_ru, "
                   "about_kk, about_ru, online_consultation, rating_avg, reviews_count, negative_reviews_count, "
                   "may_reapply, created_at, updated_at) VALUES (:id, :id, :cat, 'approved', :city, :lic, :ch, "
                   "'', '', 'ru', 0, '', '', '', '', 0, 0, 0, 0, 0, '2026-01-01', '2026-01-01')")
        conn.execute(sa.text(profile), [
            dict(id=1, cat=1, city="усть-каменогорск", lic="Министерство юстиции Республики Казахстан",
                 ch="Нотариальная палата Восточно-Казахстанской области"),
            dict(id=2, cat=2, city="Өскемен", lic="Министерство юстиции РК",  # not an exact name
                 ch="Нотариальная палата Восточно-Казахстанской области"),  # another category's chamber
            dict(id=3, cat=2, city="Аксуат", lic="", ch="Алматы қалалық адвокаттар алқасы"),
        ])
        migration._seed_and_map(conn)
        rows = {r.id: r for r in conn.execute(sa.text(
            "SELECT p.id, p.city, p.licensor, p.chamber, c.code AS city_code, l.code AS licensor_code, "
            "ch.code AS chamber_code FROM practitioner_profile p LEFT JOIN city c ON c.id = p.city_id "
            "LEFT JOIN licensor l ON l.id = p.licensor_id LEFT JOIN chamber ch ON ch.id = p.chamber_id"))}
        cities = conn.execute(sa.text("SELECT count(*) FROM city")).scalar()
    assert cities == 4  # only the cities of the regions the database has (KZ-63: 3, KZ-75: 1)
    assert (rows[1].city_code, rows[1].licensor_code, rows[1].chamber_code) == ("oskemen", "moj", "notary-KZ-63")
    assert (rows[1].city, rows[1].licensor, rows[1].chamber) == ("", "", "")
    assert (rows[2].city_code, rows[2].licensor_code, rows[2].chamber_code) == ("oskemen", None, None)
    assert rows[2].licensor == "Министерство юстиции РК"
    assert rows[2].chamber == "Нотариальная палата Восточно-Казахстанской области"
    assert (rows[3].city_code, rows[3].city, rows[3].chamber_code) == (None, "Аксуат", "advocate-KZ-75")


def test_staff_screens_show_the_reference_names_and_edit_the_city(client, sm, login_as, oskemen_notary):
    """The back office's profile list and card show the reference rows' names (the free
    text is empty once a row is chosen), and staff can pick the city from the list."""
    login_as(make_user(sm, ("Moderator",)))
    client.get("/lang/ru")
    shown = _text(client.get(f"/admin/profiles/show/{oskemen_notary.id}"))
    assert "Усть-Каменогорск" in shown and "Министерство юстиции" in shown
    assert "Нотариальная палата" in shown or "нотариальная палата" in shown.lower()
    assert "Усть-Каменогорск" in _text(client.get("/admin/profiles/list/"))
    form = _text(client.get(f"/admin/profiles/edit/{oskemen_notary.id}"))
    assert 'name="city_ref"' in form and 'name="licensor"' not in form
