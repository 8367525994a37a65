"""Text typed with the wrong keyboard layout: the conversion tables both ways
(portal.search.layout) and the search that runs the conversion when the text as
typed finds nobody, on both backends (the contract suite's fixtures)."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from portal.search.backend import SearchQuery
from portal.search.layout import convert, to_cyrillic, to_latin
from portal.services import search as search_service
from tests.search import test_search_contract as contract
from tests.search.test_search_contract import ADVOCATES, CONSULTANTS, EXPERTS, ids

pytestmark = pytest.mark.db_per_module
# the contract suite's fixtures: its practitioners, indexed in both engines
people, engines, kind = contract.people, contract.engines, contract.kind


# --- the tables --------------------------------------------------------------------
@pytest.mark.parametrize("typed, meant", [
    ("celt,ysq 'rcgthn", "судебный эксперт"),         # , and ' are the б and э keys
    ("Yjnfhbec Fkvfns", "Нотариус Алматы"),           # Shift gives capitals
    ("gjlltkfkb gjlgbcm", "подделали подпись"),
    ("[jkjlbkmybr", "холодильник"), ("j,]tv", "объем"), ("`krf", "ёлка"), ("ltkj;", "делож"),
    ("v9hfuth", "мұрагер"), ("r-vtr", "көмек"), ("0fhspls", "қарызды"), ("cty3v[fn", "сенімхат"),
    ("yjnfhbec 2024", "нотариус 2024"), ("5 000 ntyut", "5 000 тенге"),  # numbers stay numbers
])
def test_english_layout_to_cyrillic(typed, meant):
    assert to_cyrillic(typed) == meant
    assert convert(typed) == meant


@pytest.mark.parametrize("typed, meant", [
    ("дфцнук", "lawyer"), ("тщефкн", "notary"), ("ЦШДД", "WILL"), ("сщгке учзуке", "court expert"),
    ("ифшдшаа", "bailiff"),
])
def test_russian_layout_to_latin(typed, meant):
    assert to_latin(typed) == meant
    assert convert(typed) == meant


def test_every_key_goes_back_and_forth():
    russian = "ёйцукенгшщзхъфывапролджэячсмитьбю"
    assert to_cyrillic(to_latin(russian)) == russian
    assert to_cyrillic(to_latin(russian.upper())) == russian.upper()
    kazakh = "әіңғүұқөһ"
    assert to_latin(kazakh) == "234589 0-=".replace(" ", "")
    assert to_cyrillic("f" + to_latin(kazakh) + "f") == "а" + kazakh + "а"


@pytest.mark.parametrize("text", [
    "нотариус", "notarius almaty", "Нотариус Almaty", "2024", "", "   ", "!!!", "ghjdth",
    "юрист",  # ".hbcn": no plausible English word
])
def test_real_words_and_junk_are_left_alone(text):
    converted = convert(text)
    if text in ("нотариус", "юрист", "Нотариус Almaty", "2024", "", "   ", "!!!"):
        assert converted is None
    else:  # Latin that converts to plausible Cyrillic: searched only when the text finds nobody
        assert converted


def test_a_conversion_to_stop_words_is_no_correction():
    assert convert("ЕРУ") == "THE"
    assert search_service.wrong_layout("ЕРУ") is None
    assert search_service.wrong_layout("дфцнук") == "lawyer"


# --- the search, on both backends --------------------------------------------------
@pytest.fixture
def on_engine(engines, kind, monkeypatch):
    """The service and the pages search the contract's engine of this kind."""
    monkeypatch.setattr(search_service, "ready_backend", lambda: engines[kind])
    return engines[kind]


@pytest.mark.parametrize("typed, meant, keys", [
    ("celt,ysq 'rcgthn", "судебный эксперт", EXPERTS),
    ("'rcgthn", "эксперт", EXPERTS),
    ("дфцнук", "lawyer", ADVOCATES + CONSULTANTS),
    ("yjnfhbec fkvfns", "нотариус алматы", ("notary_almaty", "notary_elkin")),
    ("v9hf", "мұра", ("notary_almaty", "notary_astana")),
])
def test_wrong_layout_query_finds_what_was_meant(app, on_engine, people, typed, meant, keys):
    with app.test_request_context("/"):
        page = search_service.search_profiles(SearchQuery(text=typed, per_page=100))
        assert page.layout_original == typed and page.query.text == meant
        # the profiles matching every word come first (the ranking may add some matching one word)
        assert {p.id for p in page.items[:len(keys)]} == ids(people, *keys) and not page.relaxed
        # as typed, on request
        page = search_service.search_profiles(SearchQuery(text=typed, per_page=100), layout=False)
        assert (page.total == 0 or page.relaxed) and page.layout_original == ""


@pytest.mark.parametrize("text", ["нотариус", "notarius", "ЧСИ"])
def test_a_query_that_finds_people_is_not_converted(app, on_engine, people, text):
    with app.test_request_context("/"):
        page = search_service.search_profiles(SearchQuery(text=text, per_page=100))
        assert page.total and page.layout_original == "" and page.query.text == text


def test_the_page_says_what_it_searched_and_links_to_the_original(client, on_engine, people):
    typed = "celt,ysq 'rcgthn"
    body = client.get(f"/en/practitioners/?q={quote(typed)}&region=KZ-75").get_data(as_text=True)
    assert "Showing results for «судебный эксперт»" in body
    text = html_lib.unescape(body)
    assert f"Search for «{typed}» instead" in text
    link = re.search(r'class="search-corrected"[^>]*>.*?<a href="([^"]+)"', body, re.S).group(1)
    params = parse_qs(urlparse(html_lib.unescape(link)).query)
    assert params == {"q": [typed], "region": ["KZ-75"], "layout": ["0"]}
    assert f"/practitioners/{people.id['expert_almaty']}" in body
    assert f"/practitioners/{people.id['expert_karaganda']}" not in body  # the region filter holds
    # facet links carry the converted text
    assert "q=%D1%81%D1%83%D0%B4%D0%B5%D0%B1%D0%BD%D1%8B%D0%B9" in body
    # the original, as typed: nobody, and no notice
    body = client.get(html_lib.unescape(link)).get_data(as_text=True)
    assert "Showing results for" not in body and f"/practitioners/{people.id['expert_almaty']}" not in body


def test_the_page_escapes_what_was_typed(client, on_engine, people):
    typed = "'rcgthn &"
    body = client.get(f"/en/practitioners/?q={quote(typed)}").get_data(as_text=True)
    notice = body.split('class="search-corrected"')[1].split("</p>")[0]
    assert "Showing results for «эксперт &amp;»" in notice
    assert "«&#39;rcgthn &amp;»" in notice and "'rcgthn &" not in notice


def test_the_api_reports_the_correction(client, on_engine, people):
    data = client.get("/api/v1/search/?q=" + quote("дфцнук")).get_json()
    assert data["corrected_query"] == "lawyer"
    assert {r["id"] for r in data["results"]} == ids(people, *ADVOCATES, *CONSULTANTS)
    data = client.get("/api/v1/search/?layout=0&q=" + quote("дфцнук")).get_json()
    assert data["corrected_query"] is None and data["count"] == 0
    data = client.get("/api/v1/search/?q=" + quote("нотариус")).get_json()
    assert data["corrected_query"] is None and data["count"] == 3
    spec = client.get("/api/v1/search/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert "layout" in params
