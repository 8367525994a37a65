"""The search page and the JSON API as a visitor uses them."""
from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from portal.core.extensions import db
from tests.factories import make_profile, make_user

# the module-scoped fixture's rows serve every test: one fresh database for the module
pytestmark = pytest.mark.db_per_module


def word() -> str:
    return "Page" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


@pytest.fixture(scope="module")
def people(app):
    """Three notaries with one shared rare surname, in two regions."""
    sm = app.appbuilder.sm
    surname = word()
    rows = [
        ("Алия", "KZ-75", "Оформляю наследство и доверенности в Алматы.", 4.9, 30, 25000, True, "kk,ru",
         "inheritance"),
        ("Борис", "KZ-75", "Сделки с недвижимостью, согласие на выезд ребёнка.", 4.0, 3, 15000, False, "ru",
         "real-estate"),
        ("Гүлнар", "KZ-71", "Мұра және сенімхат бойынша көмектесемін.", 3.5, 10, 40000, True, "kk",
         "travel-consent"),
    ]
    out = []
    for first, region, about, rating, reviews, price, online, langs, spec in rows:
        user = make_user(sm, ("Client", "Practitioner"), first_name=first, last_name=surname)
        profile = make_profile(user, category_code="notary", region_code=region, about_ru=about, about_kk=about)
        profile.specializations = [s for s in profile.category.specializations if s.code == spec]
        profile.rating_avg, profile.reviews_count, profile.price_from = rating, reviews, price
        profile.online_consultation, profile.languages = online, langs
        db.session.commit()
        out.append(profile)
    return surname, out


def ids_on_page(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="profile-card-name"><a href="(?:/kk|/ru|/en)?/practitioners/(\d+)"', html)]


def test_text_search_with_highlight_and_facets(client, people):
    surname, (alia, boris, gulnar) = people
    html = client.get(f"/practitioners/?q={surname}+наследство&_l_=ru", follow_redirects=True).get_data(as_text=True)
    # Алия writes "наследство"; Гүлнар writes "мұра" (Kazakh for inheritance), the better rated first;
    # Борис matches the surname only: below them
    assert ids_on_page(html) == [alia.id, gulnar.id, boris.id]
    assert "<mark>наследство</mark>" in html and "<mark>Мұра</mark>" in html
    # Latin query, same people, Cyrillic text highlighted
    html = client.get(f"/practitioners/?q={surname}+nasledstvo&_l_=ru", follow_redirects=True).get_data(as_text=True)
    assert ids_on_page(html) == [alia.id, gulnar.id, boris.id] and "<mark>наследство</mark>" in html
    html = client.get(f"/practitioners/?q={surname}&_l_=ru", follow_redirects=True).get_data(as_text=True)
    assert sorted(ids_on_page(html)) == sorted(p.id for p in (alia, boris, gulnar))
    # facet links carry the whole state and show counts that respect other filters
    region_links = re.findall(r'<a href="([^"]*region=KZ-75[^"]*)">[^<]*<span class="facet-count">(\d+)</span>', html)
    assert region_links and region_links[0][1] == "2"
    params = parse_qs(urlparse(region_links[0][0].replace("&amp;", "&")).query)
    assert params["q"] == [surname] and params["region"] == ["KZ-75"]


def test_filters_sort_and_url_state(client, people):
    surname, (alia, boris, gulnar) = people
    base = f"/practitioners/?q={surname}&_l_=ru"
    assert ids_on_page(client.get(base + "&region=KZ-75", follow_redirects=True).get_data(as_text=True)) in (
        [alia.id, boris.id], [boris.id, alia.id])
    assert ids_on_page(client.get(base + "&online=1", follow_redirects=True).get_data(as_text=True)) in (
        [alia.id, gulnar.id], [gulnar.id, alia.id])
    assert ids_on_page(client.get(base + "&language=kk&sort=rating", follow_redirects=True).get_data(as_text=True)) == [alia.id, gulnar.id]
    assert ids_on_page(client.get(base + "&min_rating=4", follow_redirects=True).get_data(as_text=True)) in (
        [alia.id, boris.id], [boris.id, alia.id])
    assert ids_on_page(client.get(base + "&max_price=20000", follow_redirects=True).get_data(as_text=True)) == [boris.id]
    assert ids_on_page(client.get(base + "&sort=price", follow_redirects=True).get_data(as_text=True)) == [boris.id, alia.id, gulnar.id]
    assert ids_on_page(client.get(base + "&sort=reviews", follow_redirects=True).get_data(as_text=True)) == [alia.id, gulnar.id, boris.id]
    html = client.get(base + "&region=KZ-75&sort=rating&online=1", follow_redirects=True).get_data(as_text=True)
    # the form shows the state it was given
    assert 'value="KZ-75" selected' in html and 'value="rating" selected' in html
    assert 'name="online" value="1" checked' in html
    assert f'value="{surname}"' in html


def test_bad_parameters_get_translated_messages_not_errors(client, people):
    surname, _ = people
    response = client.get(f"/practitioners/?q={surname}&min_rating=abc&max_price=-5&sort=zzz&_l_=ru", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Минимальный рейтинг" in html  # translated message for min_rating
    assert len(ids_on_page(html)) == 3      # the bad filters are ignored, the search still runs


def test_relaxed_and_empty_states(client, people):
    surname, _ = people
    html = client.get(f"/practitioners/?q={surname}+трактор&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "No practitioner matches every word" in html and len(ids_on_page(html)) == 3
    html = client.get("/practitioners/?q=qwzxqwzx&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "No practitioners match these filters yet." in html


def test_paging_keeps_the_query(client, people):
    surname, _ = people
    html = client.get(f"/practitioners/?q={surname}&_l_=en&page=1", follow_redirects=True).get_data(as_text=True)
    assert "Page 1 of" not in html  # three results fit on one page
    from portal.services import search

    query, _ = search.query_from_args({"q": surname, "page": "2"}, per_page=2)
    page = search.search_profiles(query)
    assert page.total == 3 and page.pages == 2 and len(page.items) == 1


def test_api_returns_the_same_results_as_the_page(client, people):
    surname, (alia, boris, gulnar) = people
    for params in (f"q={surname}", f"q={surname}&region=KZ-75&sort=rating", f"q={surname}&sort=price"):
        page_ids = ids_on_page(client.get(f"/practitioners/?{params}", follow_redirects=True).get_data(as_text=True))
        data = client.get(f"/api/v1/search/?{params}").get_json()
        assert [r["id"] for r in data["results"]] == page_ids
        assert data["count"] == len(page_ids)
    data = client.get(f"/api/v1/search/?q={surname}+nasledstvo").get_json()
    assert data["results"][0]["id"] == alia.id
    assert "<mark>" in data["results"][0]["highlights"]["about_ru"]
    assert {f["value"] for f in data["facets"]["category"]} == {"notary"}
    assert data["results"][0]["url"].endswith(f"/practitioners/{alia.id}")


def test_api_rejects_bad_parameters_with_translated_messages(client):
    response = client.get("/api/v1/search/?min_rating=9&_l_=ru")
    assert response.status_code == 400
    assert "рейтинг" in response.get_json()["errors"]["min_rating"][0]


def test_suggestions_in_both_scripts(client, people):
    surname, (alia, *_) = people
    data = client.get("/api/v1/search/suggest?q=Алия " + surname[:6]).get_json()
    assert any(s["kind"] == "name" and s["url"].endswith(f"/{alia.id}") for s in data["suggestions"])
    data = client.get("/api/v1/search/suggest?q=notar").get_json()
    assert any(s["kind"] == "category" for s in data["suggestions"])
    data = client.get("/api/v1/search/suggest?q=насл&_l_=ru").get_json()
    assert any(s["kind"] == "specialization" and "category=notary" in s["url"] for s in data["suggestions"])
    assert client.get("/api/v1/search/suggest?q=a").get_json() == {"suggestions": []}


def test_public_openapi_documents_every_parameter(client):
    spec = client.get("/api/v1/search/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert params >= {"q", "category", "region", "serves", "specialization", "language", "online",
                      "min_rating", "max_price", "sort", "page", "per_page"}
    assert "/api/v1/search/suggest" in spec["paths"]


def test_home_search_box_leads_to_results(client, people):
    surname, _ = people
    html = client.get("/?_l_=ru", follow_redirects=True).get_data(as_text=True)
    assert 'action="/ru/practitioners/"' in html and 'data-suggest-url="/api/v1/search/suggest"' in html
    assert 'value="KZ-75"' in html  # regions by code, as the search page expects
    html = client.get(f"/practitioners/?q={surname}&region=KZ-71", follow_redirects=True).get_data(as_text=True)
    assert len(ids_on_page(html)) == 1
