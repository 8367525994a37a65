"""The guide to the right practitioner, the page without results ("did you mean",
related categories, a request with the text) and the suggestions of concepts and
situations, on both backends (the contract suite's practitioners and engines)."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from portal.search import vocabulary
from portal.search.backend import SearchQuery
from portal.services import search as search_service
from portal.services.search import guidance
from tests.factories import make_user, unique_email
from tests.search import test_search_contract as contract

pytestmark = pytest.mark.db_per_module
# the contract suite's fixtures: its practitioners, indexed in both engines
people, engines, kind = contract.people, contract.engines, contract.kind


@pytest.fixture
def on_engine(engines, kind, monkeypatch):
    """The service and the pages search the contract's engine of this kind."""
    monkeypatch.setattr(search_service, "ready_backend", lambda: engines[kind])
    return engines[kind]


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def guides(body: str) -> list[str]:
    return re.findall(r'<div class="search-guide"[^>]*>(.*?)</div>', body, re.S)


def query_of(href: str) -> dict:
    return parse_qs(urlparse(html_lib.unescape(href)).query)


# --- the guide ----------------------------------------------------------------------
@pytest.mark.parametrize("text, situation, code, name", [
    ("наследство", "Inheritance", "notary", "Private notary"),
    ("мұра", "Inheritance", "notary", "Private notary"),
    ("доверенность", "Power of attorney", "notary", "Private notary"),
    ("взыскание долга", "Debt collection", "bailiff", "Private bailiff"),
    ("подделали подпись", "Handwriting examination", "expert", "Private forensic expert"),
])
def test_the_guide_names_the_practitioner_and_offers_the_filter(client, on_engine, people, text, situation,
                                                                 code, name):
    body = page(client, f"/en/practitioners/?q={quote(text)}")
    found = guides(body)
    assert found, text
    block = html_lib.unescape(found[0])
    assert f"{situation} is handled by: {name}" in block
    href = re.search(r'<a class="btn btn-default search-guide-filter" href="([^"]+)"', found[0]).group(1)
    assert query_of(href) == {"q": [text], "category": [code]}


def test_the_guide_in_russian_and_kazakh(client, on_engine, people):
    ru = html_lib.unescape(guides(page(client, "/ru/practitioners/?q=" + quote("наследство")))[0])
    assert "Наследство" in ru and "Частный нотариус" in ru and "category=notary" in ru
    kk = html_lib.unescape(guides(page(client, "/kk/practitioners/?q=" + quote("мұра")))[0])
    assert "Мұрагерлік" in kk and "Жеке нотариус" in kk and "category=notary" in kk


def test_no_guide_when_already_filtered_or_naming_the_practitioner(client, on_engine, people):
    assert not guides(page(client, "/en/practitioners/?q=" + quote("наследство") + "&category=notary"))
    assert not guides(page(client, "/en/practitioners/category/notary?q=" + quote("наследство")))
    assert not guides(page(client, "/en/practitioners/?q=" + quote("нотариус")))  # a category, no situation
    assert not guides(page(client, "/en/practitioners/?q=" + quote("Алматы")))
    # filtered by another category: the guide points to the right one
    found = guides(page(client, "/en/practitioners/?q=" + quote("наследство") + "&category=advocate"))
    assert len(found) == 1 and "category=notary" in found[0]


def test_the_guide_counts_the_category(client, on_engine, people):
    found = guides(page(client, "/en/practitioners/?q=" + quote("наследство")))
    # the notaries writing about inheritance: Алматы and Астана
    assert re.search(r'<span class="facet-count">2</span>', found[0])


# --- no results ---------------------------------------------------------------------
def empty_state(body: str) -> str:
    return body.split('class="empty-state"')[1].split("</section>")[0]


def test_a_misspelt_situation_still_finds_its_practitioners(client, on_engine, people):
    # two edits from "наследство": too far for the engines' one-edit typo match,
    # near enough to the concept (phrases.near_concepts), so the notaries are found
    found = on_engine.search(SearchQuery(text="наслецтво", per_page=100)).ids
    assert {people.id["notary_almaty"], people.id["notary_astana"]} <= set(found)
    body = page(client, "/en/practitioners/?q=" + quote("наслецтво"))
    assert "0 practitioners found" not in body
    assert "Inheritance is handled by: Private notary" in html_lib.unescape(guides(body)[0])


def test_no_results_offers_spellings_categories_and_a_request(client, on_engine, people):
    typed = "Питринко"  # two edits from the surname Петренко: no typo match, no concept
    body = page(client, f"/en/practitioners/?q={quote(typed)}")
    assert "0 practitioners found" in body
    block = empty_state(body)
    did = re.search(r'class="did-you-mean">(.*?)</p>', block, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', did)
    assert links and links[0][1] == "петренко" and query_of(links[0][0])["q"] == ["петренко"]
    # a surname names no situation: every category is offered
    assert len(re.findall(r'<a class="chip"', block)) == 5
    request = re.search(r'<a class="btn btn-primary" href="([^"]+)">File a request</a>', block).group(1)
    assert urlparse(html_lib.unescape(request)).path.endswith("/requests/new")
    assert query_of(request) == {"description": [typed]}


def test_no_results_without_a_spelling_lists_every_category(client, on_engine, people):
    body = page(client, "/ru/practitioners/?q=" + quote("зщщзщшщ"))
    block = empty_state(body)
    assert "did-you-mean" not in block
    assert len(re.findall(r'<a class="chip"', block)) == 5
    request = re.search(r'<a class="btn btn-primary" href="([^"]+)"', block).group(1)
    assert query_of(request) == {"description": ["зщщзщшщ"]}


def test_did_you_mean_keeps_the_other_words_and_shows_readable_words(app, on_engine, people):
    with app.test_request_context("/en/"):
        vocabulary.invalidate()
        vocab = vocabulary.vocabulary()
        assert vocab.near("Питринко") == ["петренко"]  # two edits
        assert vocab.near("Павлодаре") == [] and vocab.near("ab") == []  # known; too short
        assert vocab.near("нотаруисс") == ["нотариус"]  # the shortest form, not "нотариусы"
        help_ = guidance.no_results_help(SearchQuery(text="юрист Питринко"))
        assert help_.did_you_mean == ["юрист петренко"]


def test_the_vocabulary_follows_the_profiles(app, on_engine, people):
    from portal.core.extensions import db
    from portal.models.practitioners import PractitionerProfile

    with app.test_request_context("/en/"):
        assert vocabulary.vocabulary().near("Зоопаркзз") == []
        profile = db.session.get(PractitionerProfile, people.id["cons_almaty"])
        before = profile.about_ru
        profile.about_ru = before + " Зоопарки."
        db.session.commit()
        try:
            assert vocabulary.vocabulary().near("Зоопаркзз") == ["зоопарки"]
        finally:
            profile.about_ru = before
            db.session.commit()


def test_a_large_directory_builds_the_vocabulary_in_the_background(app, on_engine, people, monkeypatch):
    import threading

    monkeypatch.setattr(vocabulary, "INLINE_LIMIT", 0)
    release, build = threading.Event(), vocabulary.build

    def slow_build(*args):  # the table takes until the test lets it finish
        assert release.wait(30)
        return build(*args)

    monkeypatch.setattr(vocabulary, "build", slow_build)
    with app.test_request_context("/en/"):
        vocabulary.invalidate()
        assert vocabulary.vocabulary() is None  # nothing yet: no "did you mean", no wait
        assert guidance.no_results_help(SearchQuery(text="юрист Питринко")).did_you_mean == []
        release.set()
        app.extensions["search_vocabulary_builder"].join(timeout=30)
        assert vocabulary.vocabulary().near("Питринко") == ["петренко"]


# --- the request form takes the text --------------------------------------------------
def test_the_request_form_is_prefilled_for_visitors_and_clients(app, client, login_as):
    text = 'Нужен нотариус <script>alert("x")</script> & наследство'
    body = page(client, "/en/requests/new?description=" + quote(text))
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', body, re.S).group(1)
    assert "<script>" not in textarea and html_lib.unescape(textarea).strip() == text
    body = page(client, "/en/requests/new?q=" + quote("x" * 6000))
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', body, re.S).group(1)
    assert textarea.strip() == "x" * 5000
    user = make_user(app.appbuilder.sm, ("Client",), last_name=unique_email("g").split("@")[0])
    login_as(user)
    body = page(client, "/en/requests/new?description=" + quote("развод и алименты"))
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', body, re.S).group(1)
    assert textarea.strip() == "развод и алименты"


# --- suggestions ----------------------------------------------------------------------
def test_suggestions_include_concepts_and_situations(client, on_engine, people):
    data = client.get("/api/v1/search/suggest?q=" + quote("увол") + "&_l_=ru").get_json()
    concepts = [s for s in data["suggestions"] if s["kind"] == "concept"]
    assert concepts and all(set(s) == {"kind", "kind_label", "text", "url"} for s in data["suggestions"])
    assert any("Увольнение" in s["text"] for s in concepts), concepts
    assert all("/practitioners/?q=" in s["url"] for s in concepts)
    data = client.get("/api/v1/search/suggest?q=buying&_l_=en").get_json()
    kinds = {s["kind"]: s for s in data["suggestions"]}
    assert kinds["situation"]["text"] == "Buying a flat" and kinds["situation"]["kind_label"] == "Common situation"
    assert "q=real+estate" in kinds["situation"]["url"]
    # names and categories as before
    data = client.get("/api/v1/search/suggest?q=notar").get_json()
    assert any(s["kind"] == "category" for s in data["suggestions"])
    data = client.get("/api/v1/search/suggest?q=" + quote("Жаксыб")).get_json()
    assert data["suggestions"][0]["kind"] == "name"
    texts = [s["text"].lower() for s in client.get("/api/v1/search/suggest?q=" + quote("наслед")
                                                   + "&_l_=ru").get_json()["suggestions"]]
    assert len(texts) == len(set(texts))  # a text is suggested once
    spec = client.get("/api/v1/search/openapi.json").get_json()
    kind_schema = (spec["paths"]["/api/v1/search/suggest"]["get"]["responses"]["200"]["content"]
                   ["application/json"]["schema"]["properties"]["suggestions"]["items"]["properties"]["kind"])
    assert {"concept", "situation"} <= set(kind_schema["enum"])
