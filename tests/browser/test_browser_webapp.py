"""The installable web app in Chromium (portal/views/catalog/webapp.py): every page links a valid
manifest of its language, the service worker registers with the whole site as its scope and
controls the page, and once the server is gone (emulated offline, then the server process
stopped) a navigation shows the offline page in the language of the requested URL.

This module runs its own server (the shared one must outlive every test) and stops it in the
last test. Phone screenshots of the offline pages go to ``test-artifacts/browser/webapp/``."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.support import ARTIFACTS, PHONE, REPO, SERVER_START_TIMEOUT, path_of

pytestmark = pytest.mark.browser

OFFLINE_TITLES = {"kk": "Байланыс жоқ", "ru": "Нет соединения"}
TRY_AGAIN = {"kk": "Қайта көру", "ru": "Попробовать ещё раз"}
REQUIRED = ("id", "name", "short_name", "start_url", "scope", "display", "icons", "theme_color",
            "background_color", "lang")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Overrides the browser fixture: its own subfolder (the other modules' screenshots stay)."""
    folder = ARTIFACTS / "webapp"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """The dev server in a process of its own, which a test may stop."""

    def __init__(self, instance: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = instance / "server.log"
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update(PORTAL_INSTANCE_PATH=str(instance), PORTAL_HOST="127.0.0.1", PORTAL_PORT=str(port),
                   PORTAL_DEMO_DATA="0", RATELIMIT_ENABLED="0", PORTAL_ADMIN_PASSWORD="Browser-admin-1",
                   PORTAL_ADMIN_EMAIL="admin@alemtrust.kz", PYTHONUNBUFFERED="1")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "run.py"], cwd=REPO, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers(self.base + "/"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.flush()
                pytest.fail(f"server did not start:\n{self.log_path.read_text(encoding='utf-8')[-3000:]}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        assert not _answers(self.base + "/"), "the server still answers"


@pytest.fixture(scope="module")
def own_server(chromium_path, artifacts, tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("webapp-instance"))
    try:
        server.wait()
        yield server
    finally:
        server.stop()
        server.log.close()
        (artifacts / "server.log").write_bytes(server.log_path.read_bytes())


def _installed(page, base: str, path: str) -> dict:
    """Open ``path``; wait for the worker to be ready and to control the page (after a reload)."""
    page.goto(base + path, wait_until="load")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == base + "/"
    page.reload(wait_until="load")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = names.find(n => /^alemtrust-[0-9a-f]{16}$/.test(n));
        const keys = cache ? (await (await caches.open(cache)).keys()).map(r => new URL(r.url).pathname) : [];
        return {names, cache, keys};
    }""")


def _offline_page(page, base: str, path: str, language: str, artifacts: Path, name: str | None = None,
                  referer: str | None = None) -> None:
    response = page.goto(base + path, wait_until="load", referer=referer)
    assert response is not None and response.from_service_worker
    assert path_of(page) == path.split("?")[0], "the address must stay the requested one"
    assert page.get_attribute("html", "lang") == language
    assert page.locator("h1").inner_text() == OFFLINE_TITLES[language]
    assert page.get_by_role("link", name=TRY_AGAIN[language]).is_visible()
    # drawn with the precached stylesheet: the header has the brand colour
    colour = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert colour == "rgb(11, 95, 127)", colour
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    if name:
        page.screenshot(path=str(artifacts / name), full_page=True)
    # the page told the worker its language (what an offline page for /requests/ will speak)
    page.wait_for_function("""(language) => caches.open("alemtrust-state")
        .then(c => c.match("/__webapp/language")).then(r => r && r.text()).then(t => t === language)""",
                           arg=language)


def test_manifest_linked_and_valid(own_server, new_context):
    page = new_context(viewport=PHONE).new_page()
    for language in ("kk", "ru"):
        page.goto(f"{own_server.base}/{language}/", wait_until="load")
        href = page.get_attribute("link[rel=manifest]", "href")
        assert href == f"/{language}/manifest.webmanifest"
        manifest = page.evaluate("""async (href) => {
            const response = await fetch(href);
            const data = await response.json();
            const icons = [];
            for (const icon of data.icons) {
                const bitmap = await createImageBitmap(await (await fetch(icon.src)).blob());
                icons.push({declared: icon.sizes, drawn: bitmap.width + "x" + bitmap.height});
            }
            return {type: response.headers.get("content-type"), data, icons};
        }""", href)
        assert manifest["type"].startswith("application/manifest+json")
        assert all(manifest["data"].get(field) for field in REQUIRED), manifest["data"]
        assert manifest["data"]["lang"] == language and manifest["data"]["start_url"] == f"/{language}/"
        assert all(icon["declared"] == icon["drawn"] for icon in manifest["icons"]), manifest["icons"]
        assert page.get_attribute("meta[name=theme-color]", "content") == manifest["data"]["theme_color"]


def test_worker_controls_the_page_and_emulated_offline_shows_the_offline_page(own_server, new_context, artifacts):
    context = new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    cached = _installed(page, own_server.base, "/ru/")
    assert cached["cache"], cached["names"]
    for url in ("/kk/offline", "/ru/offline", "/en/offline", "/static/css/site.css", "/static/js/webapp.js"):
        assert url in cached["keys"], (url, cached["keys"])
    assert "/ru/" not in cached["keys"], "a page was stored"
    assert not errors, errors
    context.set_offline(True)
    try:
        _offline_page(page, own_server.base, "/ru/practitioners/", "ru", artifacts)
        _offline_page(page, own_server.base, "/kk/agreement/", "kk", artifacts)
    finally:
        context.set_offline(False)
    page.goto(own_server.base + "/ru/practitioners/", wait_until="load")  # back online: the real page
    assert page.locator(".offline-page").count() == 0


def test_server_stopped_shows_the_offline_page_in_the_urls_language(own_server, new_context, artifacts):
    """Last in the module: it stops the module's server."""
    context = new_context(viewport=PHONE)
    page = context.new_page()
    _installed(page, own_server.base, "/kk/")
    own_server.stop()
    _offline_page(page, own_server.base, "/kk/practitioners/", "kk", artifacts, "webapp-offline-kk-phone.png")
    # no language in the URL (a private page): the language of the last page the worker heard of
    # (the browser's own is English here) ...
    _offline_page(page, own_server.base, "/requests/", "kk", artifacts)
    _offline_page(page, own_server.base, "/ru/practitioners/?q=нотариус", "ru", artifacts,
                  "webapp-offline-ru-phone.png")
    # ... unless the visitor came from a page with a language in its URL
    _offline_page(page, own_server.base, "/threads/", "kk", artifacts, referer=own_server.base + "/kk/")
    # "Try again" asks the server again (still down: the offline page again, same address)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=TRY_AGAIN["kk"]).click()
    assert path_of(page) == "/threads/" and page.locator(".offline-page").count() == 1
