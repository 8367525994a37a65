"""Language in the URL: /kk/..., /ru/..., /en/... (portal.core.lang_urls).

One URL per language for every public page; its content never depends on the
session, the cookie or Accept-Language; an unprefixed GET of a public page is
a 301 to the visitor's language; the language switch keeps the page."""
from __future__ import annotations

import re

import pytest

from portal.core.lang_urls import swap_language

HTML_LANG = re.compile(r'<html lang="(\w+)"')


def lang_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return HTML_LANG.search(response.get_data(as_text=True)).group(1)


def public_paths(world):
    return ["/", "/practitioners/", "/practitioners/category/advocate", f"/practitioners/{world.profile.id}",
            "/agreement/", "/practitioners/category/advocate/region/KZ-75",
            "/practitioners/category/advocate/specialization/" + world.profile.specializations[0].code]


@pytest.mark.parametrize("code", ["kk", "ru", "en"])
def test_language_url_ignores_cookie_session_and_headers(app, client, world, code):
    other = "ru" if code != "ru" else "en"
    client.set_cookie(app.config["LANGUAGE_COOKIE"], other)
    client.get(f"/lang/{other}")  # the session says `other` too
    for path in public_paths(world):
        response = client.get(f"/{code}{path}?_l_={other}", headers={"Accept-Language": other})
        assert lang_of(response) == code, path


def test_signed_in_users_language_does_not_change_a_language_url(client, world, login_as, db_session):
    world.client_a.locale = "ru"
    db_session.commit()
    login_as(world.client_a)
    assert lang_of(client.get("/en/practitioners/")) == "en"
    assert lang_of(client.get("/kk/")) == "kk"


@pytest.mark.parametrize("header,expected", [("ru-RU,ru;q=0.9", "ru"), ("en-US,en;q=0.8", "en"), ("", "kk")])
def test_unprefixed_public_get_is_a_permanent_redirect(client, world, header, expected):
    for path in public_paths(world):
        response = client.get(path + "?q=нотариус&page=2", headers={"Accept-Language": header} if header else {})
        assert response.status_code == 301, path
        assert response.headers["Location"] == f"/{expected}{path}?q=%D0%BD%D0%BE%D1%82%D0%B0%D1%80%D0%B8%D1%83%D1%81&page=2"
        assert "Accept-Language" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]
        assert "set-cookie" not in {k.lower() for k in response.headers.keys()}


def test_redirect_follows_the_chosen_language(client, world):
    client.get("/lang/en")
    assert client.get("/practitioners/").headers["Location"] == "/en/practitioners/"
    # FAB's ?_l_= picks the language of the redirect and is dropped from it
    assert client.get("/?_l_=ru").headers["Location"] == "/ru/"


def test_private_pages_and_api_stay_unprefixed(client, world):
    assert client.get("/cookies/").status_code == 200
    assert client.get("/api/v1/search/?q=x").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/account/").status_code != 301


def test_links_on_a_language_page_keep_the_language_but_files_do_not(client, world):
    html = client.get(f"/ru/practitioners/{world.profile.id}").get_data(as_text=True)
    assert 'href="/ru/practitioners/"' in html  # the header's link to the directory
    assert "/static/css/site.css" in html and "/ru/static/" not in html
    assert "/ru/lang/" not in html and "/kk/lang/" not in html
    # other pages keep their one URL; a visitor following such a link keeps the page's language
    assert 'href="/cookies/"' in html and "/ru/cookies/" not in html
    page = client.get("/cookies/", headers={"Referer": f"http://localhost/ru/practitioners/{world.profile.id}",
                                            "Accept-Language": "en"})
    assert lang_of(page) == "ru"
    assert lang_of(client.get("/cookies/", headers={"Accept-Language": "en"})) == "en"


def test_the_switcher_keeps_the_page(client, world):
    path = f"/practitioners/{world.profile.id}"
    html = client.get(f"/ru{path}?page=1").get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]*/lang/\w+[^"]*)" lang="(\w+)"', html)[i][::-1] for i in range(2))
    assert set(links) == {"kk", "en"}
    response = client.get(links["kk"].replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/kk{path}?page=1"
    assert lang_of(client.get(response.headers["Location"])) == "kk"
    # the choice is remembered for unprefixed pages
    assert client.get("/practitioners/").headers["Location"] == "/kk/practitioners/"


def test_the_switch_uses_the_referrer_and_refuses_foreign_targets(client, world):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/ru/agreement/"})
    assert response.headers["Location"] == "http://localhost/en/agreement/"
    assert client.get("/lang/ru?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/lang/xx").status_code == 404


def test_swap_language():
    langs = ("kk", "ru", "en")
    assert swap_language("/kk/practitioners/5?page=2", "ru", langs) == "/ru/practitioners/5?page=2"
    assert swap_language("/en", "kk", langs) == "/kk/"
    assert swap_language("/account/", "kk", langs) == "/account/"
    assert swap_language("/kkx/", "ru", langs) == "/kkx/"
