"""Search engines and shared links: head tags (canonical, hreflang, robots,
OpenGraph/Twitter), schema.org JSON-LD, landing pages, robots.txt and the
sitemaps (portal/views/catalog/seo.py, seo_tags.py, views/practitioners/landing.py)."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import pytest

from portal.core.extensions import db
from portal.models.practitioners import ProfileStatus
from portal.services.practitioners import profiles as profile_service
from tests import factories

BASE = "http://127.0.0.1:5000"
LANGS = ("kk", "ru", "en")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class Head(HTMLParser):
    """Links, metas and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.metas, self.jsonld, self._in_ld = [], {}, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            self.links.append(a)
        elif tag == "meta":
            self.metas[a.get("property") or a.get("name")] = a.get("content")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_endtag(self, tag):
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data):
        if self._in_ld:
            self.jsonld.append(json.loads(data))


def head_of(client, url) -> Head:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = Head()
    parser.feed(response.get_data(as_text=True))
    return parser


def check_links(head: Head, path: str, lang: str, noindex=False):
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [f"{BASE}/{lang}{path}"]
    alternates = {link["hreflang"]: link["href"] for link in head.links if link.get("rel") == "alternate"}
    assert alternates == {**{code: f"{BASE}/{code}{path}" for code in LANGS}, "x-default": BASE + path}
    assert ("noindex" in (head.metas.get("robots") or "")) is noindex
    assert head.metas["og:url"] == canonical[0]
    assert head.metas["og:title"] and head.metas["og:description"] and head.metas["twitter:card"]
    assert head.metas["twitter:title"] == head.metas["og:title"]


def of_type(head: Head, kind: str) -> dict:
    found = [d for d in head.jsonld if d["@type"] == kind]
    assert len(found) == 1, [d["@type"] for d in head.jsonld]
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


def crumbs(head: Head) -> list[tuple[str, str]]:
    items = of_type(head, "BreadcrumbList")["itemListElement"]
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))
    return [(i["name"], i["item"]) for i in items]


@pytest.fixture
def rated(world):
    profile_service.recompute(world.profile)
    db.session.commit()
    return world


def test_home_has_organization_and_search_action(client, world):
    for lang in LANGS:
        head = head_of(client, f"/{lang}/")
        check_links(head, "/", lang)
        assert of_type(head, "Organization")["url"] == f"{BASE}/{lang}/"
        action = of_type(head, "WebSite")["potentialAction"]
        assert action["@type"] == "SearchAction"
        assert action["target"]["urlTemplate"] == f"{BASE}/{lang}/practitioners/?q={{search_term_string}}"
        assert action["query-input"] == "required name=search_term_string"


def test_profile_tags_and_jsonld(client, rated):
    w = rated
    path = f"/practitioners/{w.profile.id}"
    head = head_of(client, f"/ru{path}")
    check_links(head, path, "ru")
    assert "Жұмабеков" in head.metas["description"] and "Алматы" in head.metas["description"]
    assert "5.0" in head.metas["description"]  # the rating
    data = of_type(head, "Attorney")  # an advocate
    assert data["name"] == w.profile.name and data["url"] == f"{BASE}/ru{path}"
    assert data["address"]["addressRegion"] == "г. Алматы" and data["address"]["addressCountry"] == "KZ"
    assert data["areaServed"][0]["name"] == "г. Алматы"
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 5.0, "reviewCount": 2,
                                       "bestRating": 5, "worstRating": 1}
    assert {r["reviewBody"] for r in data["review"]} == {"Отзыв A", "Отзыв B"}
    assert all(r["@type"] == "Review" and r["reviewRating"]["ratingValue"] == 5 for r in data["review"])
    assert "image" not in data and "og:image" not in head.metas  # no photo
    assert [url for _, url in crumbs(head)] == [f"{BASE}/ru/", f"{BASE}/ru/practitioners/",
                                                f"{BASE}/ru/practitioners/category/advocate", f"{BASE}/ru{path}"]


def test_profile_types_and_no_rating_without_reviews(app, client, world):
    notary = factories.make_practitioner(app.appbuilder.sm, category_code="notary")
    bailiff = factories.make_practitioner(app.appbuilder.sm, category_code="bailiff")
    head = head_of(client, f"/kk/practitioners/{notary.id}")
    data = of_type(head, "Notary")
    assert "aggregateRating" not in data and "review" not in data
    assert of_type(head_of(client, f"/en/practitioners/{bailiff.id}"), "LegalService")["name"] == bailiff.name


def test_profile_photo_in_og_and_jsonld(app, client, world, db_session):
    from portal.models.practitioners import DocumentKind, ProfileDocument

    db_session.add(ProfileDocument(profile_id=world.profile.id, kind=DocumentKind.PHOTO, original_name="p.jpg",
                                   content_type="image/jpeg", size=10, storage_key="seo-test-photo"))
    db_session.commit()
    head = head_of(client, f"/en/practitioners/{world.profile.id}")
    photo = f"{BASE}/practitioners/{world.profile.id}/photo"  # one URL, no language prefix
    assert head.metas["og:image"] == photo and head.metas["twitter:image"] == photo
    assert head.metas["twitter:card"] == "summary_large_image"
    assert of_type(head, "Attorney")["image"] == photo


def test_directory_category_and_agreement(client, world):
    head = head_of(client, "/en/practitioners/")
    check_links(head, "/practitioners/", "en")
    assert [url for _, url in crumbs(head)] == [f"{BASE}/en/", f"{BASE}/en/practitioners/"]
    head = head_of(client, "/kk/practitioners/category/notary")
    check_links(head, "/practitioners/category/notary", "kk")
    assert crumbs(head)[-1] == ("Жеке нотариус", f"{BASE}/kk/practitioners/category/notary")
    head = head_of(client, "/ru/agreement/")
    check_links(head, "/agreement/", "ru")
    assert crumbs(head)[0] == ("AlemTrust", f"{BASE}/ru/")


@pytest.mark.parametrize("query", ["q=нотариус", "sort=rating", "page=2", "region=KZ-75"])
def test_search_variants_are_noindex_with_the_clean_canonical(client, world, query):
    head = head_of(client, f"/ru/practitioners/?{query}")
    check_links(head, "/practitioners/", "ru", noindex=True)


def test_landing_pages(app, client, world):
    sm = app.appbuilder.sm
    best = factories.make_practitioner(sm, category_code="notary", region_codes=("KZ-75", "KZ-71"),
                                       spec_codes=["inheritance"], first_name="Лучший")
    best.rating_avg, best.reviews_count = 4.9, 3
    other = factories.make_practitioner(sm, category_code="notary", region_codes=("KZ-75",),
                                        spec_codes=["real-estate"], first_name="Второй")
    hidden = factories.make_practitioner(sm, category_code="notary", region_codes=("KZ-75",),
                                         status=ProfileStatus.SUSPENDED, first_name="Скрытый")
    db.session.commit()
    path = "/practitioners/category/notary/region/KZ-75"
    response = client.get("/en" + path)
    html = response.get_data(as_text=True)
    assert "<title>Private notaries in Almaty: 2 verified — AlemTrust</title>" in html
    assert html.index(best.name) < html.index(other.name) and hidden.name not in html
    # links to the category's other regions and specializations, with their counts
    assert 'href="/en/practitioners/category/notary/region/KZ-71"' in html
    assert 'href="/en/practitioners/category/notary/specialization/inheritance"' in html
    assert 'href="/en/practitioners/category/notary/region/KZ-79"' not in html  # no practitioner there
    head = head_of(client, "/en" + path)
    check_links(head, path, "en")
    items = of_type(head, "ItemList")
    assert items["numberOfItems"] == 2
    assert [i["url"] for i in items["itemListElement"]] == [f"{BASE}/en/practitioners/{best.id}",
                                                            f"{BASE}/en/practitioners/{other.id}"]
    assert crumbs(head)[-1][1] == BASE + "/en" + path
    spec = client.get("/en/practitioners/category/notary/specialization/inheritance").get_data(as_text=True)
    assert "<h1>Private notaries — Inheritance: 1 verified</h1>" in spec
    assert best.name in spec and other.name not in spec
    # a landing without practitioners is noindex; unknown codes are a 404
    empty = head_of(client, "/kk/practitioners/category/notary/region/KZ-79")
    check_links(empty, "/practitioners/category/notary/region/KZ-79", "kk", noindex=True)
    for bad in ("/kk/practitioners/category/nope/region/KZ-75", "/kk/practitioners/category/notary/region/KZ-00",
                "/kk/practitioners/category/notary/specialization/alimony",  # a bailiff's specialization
                "/kk/practitioners/category/notary/specialization/nope"):
        assert client.get(bad).status_code == 404, bad


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    for private in ("/api/", "/account/", "/admin/", "/login/", "/requests/", "/ru/account/", "/kk/api/",
                    "/agreement/accept", "/lang/"):
        assert f"Disallow: {private}" in lines, private
    disallowed = [line.split(": ", 1)[1] for line in lines if line.startswith("Disallow:")]
    for public in ("/", "/kk/", "/ru/practitioners/", "/practitioners/5", "/en/agreement/", "/sitemap.xml"):
        assert not any(public.startswith(d) for d in disallowed), public


def sitemap_locs(client) -> tuple[list[str], dict]:
    """Every <loc> of every sitemap file the index lists, and the alternates of each."""
    index = ET.fromstring(client.get("/sitemap.xml").data)
    locs, alternates = [], {}
    for entry in index.iter(SM + "sitemap"):
        url = entry.find(SM + "loc").text
        assert url.startswith(BASE) and entry.find(SM + "lastmod") is not None
        response = client.get(url[len(BASE):])
        assert response.status_code == 200 and response.mimetype == "application/xml"
        for node in ET.fromstring(response.data).iter(SM + "url"):
            loc = node.find(SM + "loc").text
            locs.append(loc)
            alternates[loc] = {x.get("hreflang"): x.get("href") for x in node.iter(XHTML + "link")}
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", node.find(SM + "lastmod").text)
    return locs, alternates


@pytest.mark.parametrize("max_urls", [50000, 6])
def test_sitemap_lists_every_public_profile_once_per_language(app, client, world, max_urls, monkeypatch):
    monkeypatch.setitem(app.config, "SITEMAP_MAX_URLS", max_urls)
    sm = app.appbuilder.sm
    public = [world.profile] + [factories.make_practitioner(sm, category_code="expert") for _ in range(4)]
    hidden = [factories.make_practitioner(sm, status=ProfileStatus.SUSPENDED),
              factories.make_practitioner(sm, status=ProfileStatus.SUBMITTED),
              factories.make_practitioner(sm, blocked=True)]
    index = ET.fromstring(client.get("/sitemap.xml").data)
    files = [e.find(SM + "loc").text for e in index.iter(SM + "sitemap")]
    if max_urls == 6:  # two profiles (six URLs) per file
        assert sum("/sitemaps/profiles-" in f for f in files) == 3
    locs, alternates = sitemap_locs(client)
    counts = Counter(locs)
    assert all(n == 1 for n in counts.values()), [loc for loc, n in counts.items() if n > 1]
    profile_locs = {loc for loc in locs if re.search(r"/practitioners/\d+$", loc)}
    assert profile_locs == {f"{BASE}/{lang}/practitioners/{p.id}" for p in public for lang in LANGS}
    for p in hidden:
        assert not any(loc.endswith(f"/practitioners/{p.id}") for loc in locs)
    # landing pages of every language, only those with practitioners
    assert f"{BASE}/ru/practitioners/category/expert/region/KZ-75" in counts
    assert f"{BASE}/kk/practitioners/category/advocate/region/KZ-75" in counts
    assert not any("/region/KZ-79" in loc for loc in locs)
    loc = f"{BASE}/en/practitioners/{world.profile.id}"
    assert alternates[loc] == {**{c: f"{BASE}/{c}/practitioners/{world.profile.id}" for c in LANGS},
                               "x-default": f"{BASE}/practitioners/{world.profile.id}"}


def test_sitemap_reflects_changes_at_once(client, world, db_session):
    loc = f"{BASE}/kk/practitioners/{world.profile.id}"
    assert loc in sitemap_locs(client)[0]
    world.profile.status = ProfileStatus.SUSPENDED
    db_session.commit()
    assert loc not in sitemap_locs(client)[0]
    assert client.get("/sitemaps/profiles-5.xml").status_code == 404
