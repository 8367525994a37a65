"""Cookie notice and consent (agreement section 8): only
strictly necessary cookies until the visitor allows more, the choice is
remembered in ``cookie_consent``, works without JavaScript, never redirects
off-site."""
from __future__ import annotations

import re

import pytest

from portal.core.extensions import db
from portal.models.accounts import PortalUser

CONSENT = "cookie_consent"
BANNER = 'id="cookie-notice"'


def lang_cookie(app, client):
    return client.get_cookie(app.config["LANGUAGE_COOKIE"])


def test_before_consent_switching_language_sets_no_language_cookie(app, client):
    response = client.get("/lang/kk", headers={"Referer": "http://localhost/agreement/"})
    assert response.status_code == 302 and response.headers["Location"] == "http://localhost/agreement/"
    assert lang_cookie(app, client) is None
    # the language still works, through the session
    assert '<html lang="kk">' in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert client.get_cookie(CONSENT) is None


def test_accept_all_sets_consent_and_language_cookie(app, client):
    client.get("/lang/ru")
    response = client.post("/cookies/consent", data={"choice": "all", "next": "/agreement/"})
    assert response.status_code == 302 and response.headers["Location"] == "/agreement/"
    consent = client.get_cookie(CONSENT)
    assert consent is not None and consent.value == "all"
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(CONSENT + "="))
    assert "SameSite=Lax" in header and re.search(r"Max-Age=31536000", header), header
    # the language picked before consenting is remembered right away
    assert lang_cookie(app, client) is not None and lang_cookie(app, client).value == "ru"
    client.get("/lang/kk")
    assert lang_cookie(app, client).value == "kk"


def test_only_necessary_keeps_language_cookie_unset_and_removes_an_old_one(app, client):
    client.set_cookie(app.config["LANGUAGE_COOKIE"], "kk")  # from before, e.g. an earlier "accept all"
    response = client.post("/cookies/consent", data={"choice": "necessary", "next": "/"})
    assert response.status_code == 302
    assert client.get_cookie(CONSENT).value == "necessary"
    assert lang_cookie(app, client) is None
    client.get("/lang/ru")
    assert lang_cookie(app, client) is None
    assert '<html lang="ru">' in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_custom_choice_from_the_cookies_page(app, client):
    client.post("/cookies/consent", data={"choice": "custom", "preferences": "1", "next": "/cookies/"})
    assert client.get_cookie(CONSENT).value == "all"
    page = client.get("/cookies/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert re.search(r'id="cookie-preferences"[^>]*checked', page)
    assert "You have allowed all cookies." in page
    client.post("/cookies/consent", data={"choice": "custom", "next": "/cookies/"})  # box unticked
    assert client.get_cookie(CONSENT).value == "necessary"
    assert lang_cookie(app, client) is None
    page = client.get("/cookies/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert not re.search(r'id="cookie-preferences"[^>]*checked', page)
    assert "You have allowed only strictly necessary cookies." in page


def test_banner_shows_until_a_choice_and_not_after(client):
    first = client.get("/", query_string={"_l_": "en"}, follow_redirects=True).get_data(as_text=True)
    assert BANNER in first and 'role="region"' in first and 'aria-labelledby="cookie-notice-title"' in first
    assert "Accept all" in first and "Only necessary" in first
    assert "no analytics or advertising cookies" in first
    assert 'name="next" value="/en/"' in first  # goes back to this page
    assert BANNER in client.get("/agreement/", follow_redirects=True).get_data(as_text=True)  # every page until chosen
    client.post("/cookies/consent", data={"choice": "necessary", "next": "/"})
    for path in ("/", "/agreement/", "/practitioners/"):
        assert BANNER not in client.get(path).get_data(as_text=True), path


def test_banner_not_on_the_cookies_page_itself(client):
    html = client.get("/cookies/").get_data(as_text=True)
    assert BANNER not in html and 'id="cookie-preferences"' in html


def test_invalid_consent_cookie_counts_as_no_choice(app, client):
    client.set_cookie(CONSENT, "yes-please")
    assert BANNER in client.get("/", follow_redirects=True).get_data(as_text=True)
    client.get("/lang/kk")
    assert lang_cookie(app, client) is None


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "/ok\r\nLocation: https://evil.example",
])
def test_consent_rejects_off_site_next(client, target):
    response = client.post("/cookies/consent", data={"choice": "all", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie(CONSENT).value == "all"


def test_consent_keeps_a_local_next_with_query(client):
    response = client.post("/cookies/consent", data={"choice": "necessary", "next": "/practitioners/?q=нотариус"})
    assert response.headers["Location"].startswith("/practitioners/?q=")


def test_unknown_choice_is_rejected_and_sets_nothing(client):
    assert client.post("/cookies/consent", data={"choice": "everything", "next": "/"}).status_code == 400
    assert client.get_cookie(CONSENT) is None


def test_consent_endpoint_is_post_only(client):
    assert client.get("/cookies/consent").status_code == 405


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_cookies_page_renders_in_each_language(app, client, locale):
    response = client.get("/cookies/", query_string={"_l_": locale})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    for name in (app.config["LANGUAGE_COOKIE"], CONSENT):
        assert f"<code>{name}</code>" in html
    assert 'name="csrf_token"' in html and 'action="/cookies/consent"' in html


def test_cookies_page_in_english_names_the_categories(client):
    html = client.get("/cookies/", query_string={"_l_": "en"}).get_data(as_text=True)
    for text in ("Strictly necessary", "Preferences", "no analytics or advertising cookies",
                 "You have not made a choice yet"):
        assert text in html, text


def test_footer_links_to_the_cookies_page(client):
    assert 'href="/cookies/"' in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_logged_in_language_is_kept_in_the_profile_without_the_cookie(app, client, login_as, world):
    login_as(world.client_b)
    client.get("/lang/kk")
    assert lang_cookie(app, client) is None
    db.session.expire_all()
    assert db.session.get(PortalUser, world.client_b.id).locale == "kk"


def test_consent_form_needs_csrf_when_csrf_is_on(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/cookies/consent", data={"choice": "all", "next": "/"}).status_code == 400
        assert client.get_cookie(CONSENT) is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
