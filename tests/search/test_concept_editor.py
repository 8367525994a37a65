"""The staff editor of the search concept dictionary (/admin/search-concepts, issue 15 item 2):
an admin's change takes effect without a release; moderators read; bad input changes nothing."""
from __future__ import annotations

import re
import uuid

import pytest

from portal.core.audit import AuditEntry
from portal.core.extensions import db
from portal.models.search import SearchConcept
from portal.search import concepts, sync
from tests.factories import make_profile, make_user

URL = "/admin/search-concepts"


def word() -> str:
    return "Ed" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def ids_on_page(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="profile-card-name"><a href="(?:/kk|/ru|/en)?/practitioners/(\d+)"',
                                       html)]


def search(client, q: str) -> list[int]:
    response = client.get(f"/ru/practitioners/?q={q}", follow_redirects=True)
    return ids_on_page(response.get_data(as_text=True))


def form_of(row: SearchConcept, **changes) -> dict:
    data = {"code": row.code, "name_kk": row.name_kk, "name_ru": row.name_ru, "name_en": row.name_en,
            "categories": row.category_codes, "phrases_kk": row.phrases_kk, "phrases_ru": row.phrases_ru,
            "phrases_en": row.phrases_en}
    if row.query_only:
        data["query_only"] = "y"
    if row.active:
        data["active"] = "y"
    data.update(changes)
    return data


def state():
    return sorted((c.code, c.name_ru, c.categories, c.phrases_kk, c.phrases_ru, c.phrases_en, c.active)
                  for c in db.session.query(SearchConcept))


@pytest.fixture
def divorce(app):
    row = db.session.query(SearchConcept).filter_by(code="divorce").one()
    yield row
    concepts.invalidate()


def test_an_admin_adds_a_phrase_and_search_finds_the_profiles(app, client, login_as, world, divorce):
    sm = app.appbuilder.sm
    surname, made_up = word(), "разбежкус"
    # one advocate writes the made-up word, the other the concept's own phrase
    a = make_profile(make_user(sm, ("Client", "Practitioner"), first_name="Аян", last_name=surname),
                     about_ru=f"Помогаю в деле {made_up} супругов.", about_kk="Адвокат.")
    b = make_profile(make_user(sm, ("Client", "Practitioner"), first_name="Бота", last_name=surname),
                     about_ru="Развод и раздел имущества.", about_kk="Адвокат.")
    db.session.commit()
    sync.drain(app)
    assert b.id in search(client, "развод") and a.id not in search(client, "развод")
    assert search(client, made_up) == [a.id]

    login_as(world.admin)
    response = client.post(f"{URL}/edit/{divorce.id}",
                           data=form_of(divorce, phrases_ru=divorce.phrases_ru + "\r\n" + made_up + "\r\n"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SearchConcept, divorce.id).phrases_ru.splitlines()[-1] == made_up
    # the reindex went through the search outbox, applied right after the commit (SEARCH_SYNC inline)
    assert {a.id, b.id} <= set(search(client, "развод"))
    assert sorted(search(client, made_up)) == sorted([a.id, b.id])
    assert sorted(search(client, surname)) == sorted([a.id, b.id])
    # audited like every staff edit
    entry = db.session.query(AuditEntry).filter_by(entity="search_concept", entity_id=divorce.id).one()
    assert entry.actor_id == world.admin.id and made_up in entry.reason

    # the list and the page show it; switching the concept off (no delete) takes effect too
    page = client.get(f"{URL}/list/?_flt_0_code=divorce").get_data(as_text=True)
    assert "divorce" in page
    data = form_of(db.session.get(SearchConcept, divorce.id))
    del data["active"]  # an unticked checkbox is not sent
    response = client.post(f"{URL}/edit/{divorce.id}", data=data)
    assert response.status_code == 302
    sync.drain(app)
    assert search(client, made_up) == [a.id]


def test_an_admin_adds_a_concept(app, client, login_as, world):
    login_as(world.admin)
    code = "test-" + uuid.uuid4().hex[:6]
    response = client.post(f"{URL}/add", data={
        "code": code, "name_kk": "Сынақ", "name_ru": "Проба", "categories": ["advocate", "notary"],
        "phrases_ru": "пробный случай\n\n  ещё одна фраза  ", "phrases_en": "<b>bold</b>", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    row = db.session.query(SearchConcept).filter_by(code=code).one()
    assert row.categories == "advocate notary" and row.phrases_ru == "пробный случай\nещё одна фраза"
    assert not row.query_only and row.active
    assert f"qq{code}" in {t for g in concepts_tokens("ещё одна фраза") for t in g}
    show = client.get(f"{URL}/show/{row.id}").get_data(as_text=True)
    assert "пробный случай<br>ещё одна фраза" in show and "&lt;b&gt;bold&lt;/b&gt;" in show
    edit = client.get(f"{URL}/edit/{row.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="notary"|<option value="notary" selected', edit)
    concepts.invalidate()


def concepts_tokens(text):
    from portal.search.parsing import parse_query

    return [g.exact for g in parse_query(text).groups]


def test_a_moderator_reads_but_cannot_edit(app, client, login_as, world, divorce):
    login_as(world.moderator)
    assert client.get(f"{URL}/list/").status_code == 200
    assert client.get(f"{URL}/show/{divorce.id}").status_code == 200
    before = state()
    assert client.get(f"{URL}/edit/{divorce.id}").status_code == 403
    assert client.post(f"{URL}/edit/{divorce.id}", data=form_of(divorce, name_ru="Изменено")).status_code == 403
    assert client.post(f"{URL}/add", data=form_of(divorce, code="new-one")).status_code == 403
    db.session.expire_all()
    assert state() == before


@pytest.mark.parametrize("who", ["client", "practitioner", None])
def test_others_cannot_reach_it(app, client, login_as, world, who):
    if who:
        login_as(getattr(world, "client_a" if who == "client" else who))
    response = client.get(f"{URL}/list/")
    assert response.status_code == (403 if who else 302)


@pytest.mark.parametrize("changes, message", [
    ({"phrases_kk": "", "phrases_ru": " \n ", "phrases_en": ""}, "Enter at least one phrase in some language."),
    ({"phrases_en": "x" * 101}, "A phrase may be at most 100 characters long"),
    ({"phrases_ru": "\n".join(f"фраза {i}" for i in range(201))}, "at most 200 phrases"),
    ({"code": "Divorce2"}, "Use lowercase Latin letters, digits and hyphens only."),
    ({"code": "inheritance"}, "A concept with this code already exists."),
    ({"code": ""}, "Enter the concept code."),
    ({"name_kk": ""}, "Enter the name in Kazakh."),
    ({"name_ru": ""}, "Enter the name in Russian."),
])
def test_bad_input_is_refused_and_changes_nothing(app, client, login_as, world, divorce, changes, message):
    login_as(make_user(app.appbuilder.sm, ("Admin",), locale="en"))  # the messages as written
    before = state()
    response = client.post(f"{URL}/edit/{divorce.id}", data=form_of(divorce, **changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    response = client.post(f"{URL}/add", data=form_of(divorce, **({"code": "brand-new"} | changes)))
    assert response.status_code == 200
    db.session.expire_all()
    assert state() == before


def test_the_list_says_yes_and_no_in_the_page_language(app, client, login_as):
    login_as(make_user(app.appbuilder.sm, ("Admin",), locale="ru"))
    body = client.get(f"{URL}/list/").get_data(as_text=True)
    assert ">Да<" in body and ">Нет<" in body   # "active" and "only widens queries"
    assert ">True<" not in body and ">False<" not in body
