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
SERVER_START_TIMEOUT = 180  # seconds: a loaded machine (xdist workers, CI) can take long to migrate and seed
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
    visit(page, base, f"/lang/{lang}")  # sets the language, redirects to the home page (no referrer)
    assert urlsplit(page.url).path in ("/", f"/{lang}/"), f"/lang/{lang} redirected to {page.url}"
    assert page.get_attribute("html", "lang") == lang


def path_of(page) -> str:
    return urlsplit(page.url).path


def shot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / name), full_page=True)


def open_menu(page) -> None:
    """Open the header's menu (a <details>) unless it is open already."""
    menu = page.locator("header .site-menu")
    if menu.get_attribute("open") is None:
        menu.locator(":scope > summary").click()
    assert menu.get_attribute("open") is not None, "the header menu did not open"


def menu_link(page, selector: str):
    """A link of the header's menu, the menu opened first (as a user would)."""
    open_menu(page)
    return page.locator(f"header .site-menu {selector}")


def sign_in(page, base: str, email: str, password: str) -> None:
    visit(page, base, "/login/")
    page.fill("#username", email)
    page.fill("#password", password)
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"sign-in as {email} failed: {page.locator('main').inner_text()[:300]}"


def nav_locator(page, selector: str, *, open_it: bool = True):
    """``selector`` inside the page's main navigation: the lean header's menu (opened first unless
    ``open_it`` is false) or, on a staff back-office page, FAB's navbar."""
    if page.locator("header .site-menu").count():
        if open_it:
            open_menu(page)
        return page.locator(f"header .site-menu {selector}")
    return page.locator(f".navbar {selector}")
