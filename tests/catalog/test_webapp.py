"""The installable web app over HTTP (portal/views/catalog/webapp.py): the manifest of each
language, the service worker script and its headers, the offline page, and what every page's
<head> links. The browser side (registration, offline navigation) is
tests/browser/test_browser_webapp.py."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import event

from portal.core.extensions import db

LANGUAGES = ("kk", "ru", "en")
STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"
NAMES = {"kk": "тексерілген", "ru": "проверенные", "en": "verified"}
OFFLINE_TITLES = {"kk": "Байланыс жоқ", "ru": "Нет соединения", "en": "No connection"}


def _static_file(src: str) -> Path:
    path = urlsplit(src).path
    assert path.startswith("/static/"), src
    return STATIC / path[len("/static/"):]


def _manifest(client, language: str) -> dict:
    response = client.get(f"/{language}/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize("language", LANGUAGES)
def test_manifest_of_each_language(client, language):
    data = _manifest(client, language)
    for field in ("id", "name", "short_name", "description", "lang", "dir", "start_url", "scope", "display",
                  "theme_color", "background_color", "icons"):
        assert data.get(field), f"{field} missing"
    assert data["lang"] == language and data["dir"] == "ltr"
    assert data["start_url"] == f"/{language}/" and data["scope"] == "/" and data["id"] == "/"
    assert data["display"] == "standalone"
    assert NAMES[language] in data["name"]
    assert data["short_name"] == "AlemTrust" and len(data["short_name"]) <= 12
    # the stylesheet's colours
    css = (STATIC / "css" / "site.css").read_text(encoding="utf-8")
    assert data["theme_color"] == re.search(r"--brand:\s*(#[0-9a-f]+)", css).group(1)
    assert data["background_color"] == re.search(r"--bg:\s*(#[0-9a-f]+)", css).group(1)
    assert data["shortcuts"][0]["url"] == f"/{language}/practitioners/"


def test_manifest_names_are_translated(client):
    names = {language: _manifest(client, language)["name"] for language in LANGUAGES}
    descriptions = {language: _manifest(client, language)["description"] for language in LANGUAGES}
    assert len(set(names.values())) == 3 and len(set(descriptions.values())) == 3
    assert re.search("[әғқңөұүһі]", names["kk"] + descriptions["kk"])
    assert re.search("[а-я]", names["ru"]) and not re.search("[әғқңөұүһі]", names["ru"])


def test_manifest_icons_exist_with_their_declared_sizes(client):
    data = _manifest(client, "kk")
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in data["icons"]:
        assert icon["type"] == "image/png"
        served = client.get(icon["src"])
        assert served.status_code == 200
        image = Image.open(io.BytesIO(served.data))
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.format == "PNG" and image.size == (width, height), icon
        assert served.data == _static_file(icon["src"]).read_bytes()
        if icon["purpose"] == "maskable":  # full bleed: no transparent corner
            assert image.convert("RGBA").getpixel((0, 0))[3] == 255


def test_unprefixed_manifest_goes_to_the_visitors_language(client):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "ru"})
    assert response.status_code == 301
    assert urlsplit(response.headers["Location"]).path == "/ru/manifest.webmanifest"


def test_manifest_is_cacheable_for_visitors(client):
    first = client.get("/ru/manifest.webmanifest")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/ru/manifest.webmanifest", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in first.headers


@pytest.mark.parametrize("language", ("kk", "ru"))
def test_every_page_links_the_manifest_of_its_language(client, language):
    html = client.get(f"/{language}/").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    assert f'<link rel="manifest" href="/{language}/manifest.webmanifest">' in head
    assert re.search(r'<meta name="theme-color" content="#[0-9a-f]{6}">', head)
    apple = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', head).group(1)
    assert Image.open(_static_file(apple)).size == (180, 180)
    script = re.search(r'<script src="(/static/js/webapp\.js\?v=[0-9a-f]+)" data-worker="/sw\.js" defer>', head)
    assert script and client.get(script.group(1)).status_code == 200
    # a page without a language prefix links the manifest of the page's language too
    login_head = client.get("/login/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<link rel="manifest" href="/{language}/manifest.webmanifest">' in login_head.split("</head>", 1)[0]


def test_service_worker_script(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    config = json.loads(re.search(r"const CONFIG = (\{.*?\});\n", body).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert 'const CACHE = PREFIX + CONFIG.version;' in body
    assert config["offline"] == {code: f"/{code}/offline" for code in LANGUAGES}
    for url in ("/kk/offline", "/ru/offline", "/en/offline"):
        assert url in config["precache"]
    site_css = next(u for u in config["precache"] if "css/site.css" in u)
    assert re.fullmatch(r"/static/css/site\.css\?v=[0-9a-f]{12}", site_css)
    for url in config["precache"]:  # every precached URL answers (the worker's install would fail)
        assert client.get(url).status_code == 200, url
    for handler in ("install", "activate", "fetch", "push", "notificationclick"):
        assert f'addEventListener("{handler}"' in body
    # the same script for everybody, with a validator for the browser's update checks
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_service_worker_has_one_url(client):
    assert client.get("/kk/sw.js").status_code == 404


def test_service_worker_version_follows_the_precached_files(app, client):
    from portal.views.catalog import webapp

    before = client.get("/sw.js").get_data(as_text=True)
    state = app.extensions[webapp.EXTENSION]
    old = state.pop("version")
    fingerprints = app.extensions["portal.static_files"].hashes["static"]
    saved = fingerprints["css/site.css"]
    fingerprints["css/site.css"] = "0123456789ab"  # as a release with a new stylesheet
    try:
        after = client.get("/sw.js").get_data(as_text=True)
    finally:
        fingerprints["css/site.css"] = saved
        state.pop("version", None)
    assert old in before and old not in after
    assert client.get("/sw.js").get_data(as_text=True) == before


@pytest.mark.parametrize("language", ("kk", "ru"))
def test_offline_page(client, language):
    response = client.get(f"/{language}/offline")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"  # the worker installs this release's page
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert '<meta name="robots" content="noindex' in html
    assert OFFLINE_TITLES[language] in html
    assert 'data-reload' in html and "/static/css/site.css?v=" in html
    # nothing personal, nothing that needs the server: no menu, no form, no cookie notice
    assert "site-menu" not in html and "<form" not in html and "cookie-notice" not in html
    assert f'href="/{language}/"' in html
    assert "Set-Cookie" not in response.headers


def test_offline_page_needs_no_database(app, client):
    client.get("/kk/offline")  # warm up (the page cache and the version are per process)
    statements = []

    def count(*args):
        statements.append(args[2])

    store = app.extensions["portal.page_cache"].store
    if store is not None:
        store.clear()  # rendered, not served from the page cache
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/ru/offline")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert statements == []


def test_offline_page_is_for_nobody_to_index(client):
    assert client.get("/offline", headers={"Accept-Language": "kk"}).headers["Location"].endswith("/kk/offline")
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /kk/offline" in robots
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "offline" not in sitemap and "sw.js" not in sitemap
