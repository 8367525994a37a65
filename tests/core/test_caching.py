"""The public site is fast and cacheable: no session cookie for a visitor, compressed
responses, fingerprinted static files cached for a year, ETag and 304, and the page cache
(in-process and Redis) with its invalidation through the search outbox."""
from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import os
import re
import uuid
from pathlib import Path

import brotli
import pytest
from flask import render_template
from sqlalchemy import event

from portal.core import hardening, page_cache, static_files
from portal.core.extensions import db
from portal.models.exchange import OfferStatus, RequestStatus
from portal.models.practitioners import ProfileStatus
from portal.search import sync
from portal.services.exchange import reviews
from portal.services.practitioners import questionnaire, verification
from tests import factories

# The public pages, at their language URLs (/ru/...: core.lang_urls); unprefixed, each is a 301 there.
PAGES = ("/", "/practitioners/", "/practitioners/{id}", "/agreement/", "/practitioners/category/notary",
         "/practitioners/?q=адвокат", "/practitioners/category/advocate?region=KZ-75")
STATIC_ROOT = Path(__file__).resolve().parents[2] / "portal" / "static"


def public_urls(profile, language: str | None = "ru") -> list[str]:
    prefix = f"/{language}" if language else ""
    return [prefix + url.format(id=profile.id) for url in PAGES]


@contextlib.contextmanager
def counted_queries():
    """The number of SQL statements run inside the block (``count[0]``)."""
    count = [0]

    def _count(*args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def _nonce(body: bytes) -> str | None:
    found = re.search(rb'nonce="([^"]+)"', body)
    return found.group(1).decode() if found else None


def _redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return None
    return url


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.fixture(params=["in-process", "redis"])
def page_cache_on(request, app):
    """The session app with its page cache switched on (in-process, or Redis under a key prefix
    of its own), emptied and off again afterwards."""
    keys = ("REDIS_URL", "PAGE_CACHE_ENABLED", "PAGE_CACHE_KEY_PREFIX")
    saved = {key: app.config[key] for key in keys}
    if request.param == "redis":
        url = _redis_url()
        if url is None:
            pytest.skip("no Redis at TEST_REDIS_URL / 127.0.0.1:6379")
        app.config.update(REDIS_URL=url, PAGE_CACHE_KEY_PREFIX=f"test-page-cache-{uuid.uuid4().hex}:")
    app.config["PAGE_CACHE_ENABLED"] = True
    state = app.extensions[page_cache.EXTENSION]
    state.store, state.resting_until = page_cache._backend(app), 0.0
    try:
        yield state.store
    finally:
        state.store.clear()
        state.store, state.resting_until = None, 0.0
        app.config.update(saved)


# --- no cookie for a visitor ------------------------------------------------------------------


def test_a_visitor_gets_no_cookie_on_public_pages(app, client, world, csrf_on):
    for language in ("kk", "ru", "en"):
        for url in public_urls(world.profile, language):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers.getlist("Set-Cookie") == [], url
    for url in public_urls(world.profile, None):  # the redirect to the language URL neither
        response = client.get(url)
        assert response.status_code in (200, 301, 302, 308) and response.headers.getlist("Set-Cookie") == [], url
    # nor with the language and cookie-choice cookies (no session)
    client.set_cookie("cookie_consent", "all")
    client.set_cookie(app.config["LANGUAGE_COOKIE"], "en")
    for url in public_urls(world.profile, None):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200 and response.headers.getlist("Set-Cookie") == [], url
        assert 'lang="en"' in response.get_data(as_text=True), url


def test_the_cookie_notice_posts_without_a_token_only_from_this_site(app, client, world, csrf_on):
    page = client.get("/ru/").get_data(as_text=True)
    assert 'id="cookie-notice"' in page and 'name="csrf_token"' not in page
    data = {"choice": "all", "next": "/practitioners/"}
    forged = client.post("/cookies/consent", data=data, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 400 and "cookie_consent" not in str(forged.headers.getlist("Set-Cookie"))
    other_site = client.post("/cookies/consent", data=data, headers={"Sec-Fetch-Site": "cross-site",
                                                                     "Origin": "http://localhost"})
    assert other_site.status_code == 400
    assert client.post("/cookies/consent", data=data).status_code == 400  # no sign of where it came from
    assert client.post("/cookies/consent", data=dict(data, csrf_token="forged"),
                       headers={"Origin": "http://localhost"}).status_code == 400  # a token must be valid
    for headers in ({"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"},
                    {"Referer": "http://localhost/practitioners/"}):
        response = client.post("/cookies/consent", data=data, headers=headers)
        assert response.status_code == 302 and response.headers["Location"].endswith("/practitioners/")
        assert "cookie_consent=all" in " ".join(response.headers.getlist("Set-Cookie"))


def test_the_language_choice_still_works_and_that_visitor_is_not_served_shared_pages(app, client, world):
    client.get("/practitioners/", follow_redirects=True)
    response = client.get("/lang/en", headers={"Referer": "http://localhost/practitioners/"})
    assert response.status_code == 302 and response.headers.getlist("Set-Cookie")  # the session remembers it
    page = client.get("/practitioners/", follow_redirects=True)
    assert 'lang="en"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache"  # a session cookie: for this browser only


# --- compression, static files, ETag ----------------------------------------------------------


def test_responses_are_compressed_with_brotli_or_gzip_when_asked(app, client, world):
    plain = client.get("/ru/")
    assert "Content-Encoding" not in plain.headers
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get("/ru/", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decompress(response.data) == plain.data
        assert len(response.data) < len(plain.data) / 2
    with app.test_request_context():
        css = static_files.static_url("css/portal.css")
    response = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data) == (STATIC_ROOT / "css" / "portal.css").read_bytes()


def test_static_files_under_a_content_hash_are_cached_for_a_year(app, client):
    digest = hashlib.sha256((STATIC_ROOT / "css" / "portal.css").read_bytes()).hexdigest()[:12]
    with app.test_request_context():
        url = static_files.static_url("css/portal.css")
        icon = static_files.static_url("favicon.svg")
        html = render_template("appbuilder/init.html", appbuilder=app.appbuilder)
    assert url == f"/static/css/portal.css?v={digest}"
    assert f'href="{url}"' in html and f'href="{icon}"' in html  # the base template uses it
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/static/css/portal.css", "/static/css/portal.css?v=000000000000"):
        response = client.get(other)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == f"public, max-age={app.config['STATIC_MAX_AGE']}", other


def test_public_pages_have_caching_headers_a_stable_etag_and_answer_304(app, client, world):
    for url in public_urls(world.profile):
        first = client.get(url)
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == f"public, max-age={app.config['PUBLIC_PAGE_MAX_AGE']}", url
        vary = {part.strip() for part in first.headers["Vary"].split(",")}
        assert {"Cookie", "Accept-Encoding"} <= vary, url
        again = client.get(url)  # rendered again (no page cache): the same bytes, the same ETag
        assert again.data == first.data and again.headers["ETag"] == etag, url
        nonce = _nonce(first.data)
        if nonce:
            assert f"'nonce-{nonce}'" in first.headers["Content-Security-Policy"], url
        not_modified = client.get(url, headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.data == b"", url
        assert not_modified.headers["ETag"] == etag
        if nonce:  # the policy still fits the page the browser kept
            assert f"'nonce-{nonce}'" in not_modified.headers["Content-Security-Policy"], url
        brotli_page = client.get(url, headers={"Accept-Encoding": "br"})
        assert brotli_page.headers["ETag"] != etag
        assert client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": brotli_page.headers["ETag"]}
                          ).status_code == 304, url


def test_the_nonce_of_a_public_page_is_derived_from_the_page(app):
    """Same page, same nonce (whatever random one it was rendered with); another page, another."""
    def stable(text: str) -> tuple[bytes, str, str]:
        with app.app_context(), app.test_request_context("/"):  # a fresh g, as for every request
            nonce = hardening.csp_nonce()
            body, etag, derived = page_cache._stable_nonce(text.format(n=nonce).encode())
            assert hardening.current_nonce() == derived != nonce
            assert nonce.encode() not in body and f'nonce="{derived}"'.encode() in body
            return body, etag, derived

    page = '<script nonce="{n}">x()</script><p>{n}</p>'
    assert stable(page) == stable(page)
    assert stable(page)[2] != stable(page + "<p>more</p>")[2]


def test_signed_in_pages_are_never_public(app, client, login_as, world):
    login_as(world.client_a)
    for url in public_urls(world.profile):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert "public" not in response.headers["Cache-Control"]


# --- the page cache -----------------------------------------------------------------------------


def test_the_cache_answers_a_visitors_second_get_without_running_the_view(app, client, world, page_cache_on):
    for url in public_urls(world.profile):
        first = client.get(url)
        with counted_queries() as queries:
            second = client.get(url)
        assert second.status_code == 200 and queries[0] == 0, url
        assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"], url
        assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
        assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert second.headers.getlist("Set-Cookie") == []
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            with counted_queries() as queries:
                compressed = client.get(url, headers={"Accept-Encoding": encoding})
            assert queries[0] == 0 and compressed.headers["Content-Encoding"] == encoding
            assert decompress(compressed.data) == first.data
            assert compressed.headers["ETag"] == first.headers["ETag"][:-1] + f':{encoding}"'
            assert client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": compressed.headers["ETag"]}
                              ).status_code == 304


def test_the_cache_keeps_languages_and_the_cookie_choice_apart(app, client, world, page_cache_on):
    url = f"/practitioners/{world.profile.id}"
    russian = client.get("/ru" + url)
    english = client.get("/en" + url)
    assert 'lang="ru"' in russian.get_data(as_text=True) and 'lang="en"' in english.get_data(as_text=True)
    assert client.get("/ru" + url).data == russian.data
    assert client.get("/en" + url, headers={"Accept-Language": "ru"}).data == english.data
    assert client.get(url, headers={"Accept-Language": "ru"}).status_code != 200  # the redirect, not a page
    assert 'id="cookie-notice"' in russian.get_data(as_text=True)
    client.set_cookie("cookie_consent", "necessary")
    chosen = client.get("/ru" + url)
    assert chosen.status_code == 200 and 'id="cookie-notice"' not in chosen.get_data(as_text=True)


def test_a_signed_in_users_page_is_never_cached_nor_served_from_the_cache(app, client, login_as, world,
                                                                          page_cache_on):
    url = f"/ru/practitioners/{world.profile.id}"
    visitor = app.test_client()
    visitor_page = visitor.get(url).data  # now in the cache
    login_as(world.client_a)
    for _ in range(2):
        with counted_queries() as queries:
            page = client.get(url)
        assert queries[0] > 0 and page.data != visitor_page  # rendered for the user each time
        assert page.headers["Cache-Control"] == "no-store"
    assert visitor.get(url).data == visitor_page  # the user's page was not stored


def test_a_profile_change_through_the_service_and_the_outbox_drops_its_pages(app, client, sm, world,
                                                                             page_cache_on):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    mine, other, listing = f"/ru/practitioners/{profile.id}", f"/ru/practitioners/{world.profile.id}", "/ru/practitioners/"
    ru = {}
    for url in (mine, other, listing):
        client.get(url, headers=ru)
        client.get(url + "?page=2", headers=ru)
    data = dataclasses.replace(questionnaire.input_from(profile), about_ru="Наследственные споры и завещания.")
    verification.update_public_profile(profile.user, data)  # SEARCH_SYNC=inline: the outbox is applied now
    for url in (mine, mine + "?page=2", listing, listing + "?page=2"):
        with counted_queries() as queries:
            page = client.get(url, headers=ru)
        assert queries[0] > 0, f"{url} was served from the cache after the change"
    assert "Наследственные споры и завещания." in client.get(mine, headers=ru).get_data(as_text=True)
    with counted_queries() as queries:
        page = client.get(other, headers=ru)  # another practitioner's page stays cached
    assert queries[0] == 0 and page.status_code == 200


def test_in_worker_mode_the_pages_go_when_the_worker_applies_the_outbox(app, client, sm, page_cache_on):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    url = f"/ru/practitioners/{profile.id}"
    client.get(url)
    app.config["SEARCH_SYNC"] = "worker"
    try:
        data = dataclasses.replace(questionnaire.input_from(profile), about_ru="Корпоративное право и сделки.")
        verification.update_public_profile(profile.user, data)
        with counted_queries() as queries:
            client.get(url)
        assert queries[0] == 0  # the row waits for the worker; the page too
        assert sync.drain(app) == (1, 0)
    finally:
        app.config["SEARCH_SYNC"] = "inline"
    page = client.get(url)
    assert "Корпоративное право и сделки." in page.get_data(as_text=True)


def test_a_review_drops_the_cached_profile_page(app, client, world, page_cache_on):
    url = f"/ru/practitioners/{world.profile.id}"
    client.get(url)
    request_ = factories.make_request(world.client_a, status=RequestStatus.COMPLETED, title="Запрос C")
    factories.make_offer(request_, world.profile, status=OfferStatus.ACCEPTED)
    reviews.create(world.client_a, request_.id, 4, "Очень внимательный и быстрый адвокат.")
    page = client.get(url)
    assert "Очень внимательный и быстрый адвокат." in page.get_data(as_text=True)


def test_a_catalogue_change_drops_the_listings(app, client, world, page_cache_on):
    home = client.get("/ru/")
    category = factories.category("advocate")
    category.name_ru = "Адвокаты и защитники"
    db.session.commit()
    with counted_queries() as queries:
        page = client.get("/ru/")
    assert queries[0] > 0 and page.data != home.data


def test_a_failing_cache_is_bypassed_and_left_alone_for_a_while(app, client, world, page_cache_on):
    calls = []

    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                calls.append(name)
                raise ConnectionError("cache down")
            return fail

    state = app.extensions[page_cache.EXTENSION]
    working, state.store = state.store, Broken()
    try:
        for _ in range(3):
            response = client.get(f"/ru/practitioners/{world.profile.id}")
            assert response.status_code == 200 and "ETag" in response.headers
        assert calls == ["get_many"]  # then not asked again for REST_SECONDS
    finally:
        state.store, state.resting_until = working, 0.0
