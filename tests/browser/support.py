"""What the browser tests share besides fixtures: settings and page helpers."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
SERVER_START_TIMEOUT = 60.0
PAGE_TIMEOUT_MS = 15_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LANGS = ("kk", "ru")
BLOCKING_IMPACTS = {"serious", "critical"}

PHONE_NUMBER = "+7 701 234 56 78"
PASSWORD = "Browser-pass-1"


def visit(page, base: str, path: str):
    """Navigate and insist on a 2xx page that is not the portal's error page."""
    response = page.goto(base + path, wait_until="load")
    assert response is not None, f"no response for {path}"
    assert response.ok, f"GET {path} -> HTTP {response.status} (landed on {page.url})"
    assert page.locator(".error-page").count() == 0, f"{path} rendered the error page: {page.title()}"
    return response


def switch_language(page, base: str, lang: str) -> None:
    visit(page, base, f"/lang/{lang}")  # sets session + cookie, redirects to / (no referrer)
    assert urlsplit(page.url).path == "/", f"/lang/{lang} redirected to {page.url}"
    assert page.get_attribute("html", "lang") == lang


def path_of(page) -> str:
    return urlsplit(page.url).path


def shot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / name), full_page=True)
