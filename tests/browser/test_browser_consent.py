"""Headless-browser check of the cookie notice, in kk and ru.

On the real server (the ``server`` fixture of tests/browser/test_browser.py): a first
visit shows the banner at the bottom (a labelled region, not a modal), it is
reached with the keyboard, "Only necessary" hides it for good and no
``portal_lang`` cookie is ever set, yet switching the language still works;
"Accept all" on a phone sets the language cookie. axe-core (no serious or
critical violations) on a page with the banner and on the cookies page.

Screenshots, axe results and the server log go to
``<repo>/test-artifacts/browser/consent/``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.support import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    LANGS,
    PHONE,
    path_of,
    shot,
    switch_language,
    visit,
)

# The browser fixtures (tests/browser/conftest.py) come by name: the module-scoped
# ``server`` starts a separate server (and demo database) for this module.

pytestmark = pytest.mark.browser

CONSENT_ARTIFACTS = ARTIFACTS / "consent"
LANGUAGE_COOKIE = "portal_lang"
CONSENT_COOKIE = "cookie_consent"
OTHER = {"kk": "ru", "ru": "kk"}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Overrides the fixture of tests/browser/test_browser.py for this module: a
    subfolder, so the modules never delete each other's screenshots."""
    CONSENT_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in CONSENT_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return CONSENT_ARTIFACTS


def cookies_of(context) -> dict[str, str]:
    return {c["name"]: c["value"] for c in context.cookies()}


def banner(page):
    return page.locator("#cookie-notice")


def run_axe(page, artifacts: Path, name: str) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    (artifacts / f"axe-{name}.json").write_text(json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


@pytest.mark.parametrize("lang", LANGS)
def test_only_necessary_hides_the_banner_and_sets_no_language_cookie(server, new_context, artifacts, lang):
    context = new_context()
    page = context.new_page()
    switch_language(page, server, lang)  # the first visit: /lang/<lang> then the home page
    assert LANGUAGE_COOKIE not in cookies_of(context), "language cookie set before any consent"

    notice = banner(page)
    assert notice.is_visible(), "no cookie notice on the first visit"
    assert notice.get_attribute("role") == "region"
    title_id = notice.get_attribute("aria-labelledby")
    assert title_id and page.locator(f"#{title_id}").inner_text().strip(), "the notice has no accessible label"
    assert notice.inner_text().strip() and LANGUAGE_COOKIE not in notice.inner_text()
    # not a modal: the page behind stays usable, and the notice sits at the bottom of the viewport
    assert page.locator("[aria-modal=true]:visible, .modal-backdrop").count() == 0
    box, height = notice.bounding_box(), page.viewport_size["height"]
    assert abs(box["y"] + box["height"] - height) <= 2, f"notice is not at the bottom: {box}, viewport {height}"
    assert page.locator("main h1").first.is_visible()
    shot(page, artifacts, f"banner-{lang}.png")
    found = run_axe(page, artifacts, f"{lang}-home-with-banner")
    assert not found, f"axe: {found}"

    # keyboard: Shift+Tab from the top of the page reaches the notice (it is the last
    # thing in the page), one more goes to "Only necessary", Enter submits it
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('#cookie-notice') !== null"), "notice not reachable by keyboard"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "cookie-only-necessary"
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert path_of(page) in ("/", f"/{lang}/"), f"the choice went to {page.url}"  # back to the home page
    assert page.get_attribute("html", "lang") == lang
    assert banner(page).count() == 0

    page.reload(wait_until="load")
    assert banner(page).count() == 0, "the notice came back after reload"
    cookies = cookies_of(context)
    assert cookies.get(CONSENT_COOKIE) == "necessary"
    assert LANGUAGE_COOKIE not in cookies

    # the language still switches (session), back and forth, without the cookie
    other = OTHER[lang]
    switch_language(page, server, other)
    switch_language(page, server, lang)
    assert banner(page).count() == 0
    assert LANGUAGE_COOKIE not in cookies_of(context)
    shot(page, artifacts, f"after-choice-{lang}.png")

    # the cookies page shows the choice and offers to change it
    visit(page, server, "/cookies/")
    assert page.get_attribute("html", "lang") == lang
    assert not page.is_checked("#cookie-preferences") and page.is_disabled("input[name=necessary]")
    found = run_axe(page, artifacts, f"{lang}-cookies-page")
    assert not found, f"axe: {found}"
    shot(page, artifacts, f"cookies-page-{lang}.png")


@pytest.mark.parametrize("lang", LANGS)
def test_accept_all_on_a_phone_sets_the_language_cookie(server, new_context, artifacts, lang):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    switch_language(page, server, lang)
    notice = banner(page)
    assert notice.is_visible()
    for button in ("#cookie-accept-all", "#cookie-only-necessary"):
        assert page.locator(button).is_visible(), f"{button} is not visible on a phone"
    box = notice.bounding_box()
    assert box["height"] < PHONE["height"] * 0.5, f"the notice covers most of the phone screen: {box}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls horizontally by {overflow}px with the notice"
    page.screenshot(path=str(artifacts / f"phone-banner-{lang}.png"))  # the viewport, as the user sees it
    assert LANGUAGE_COOKIE not in cookies_of(context)

    with page.expect_navigation(wait_until="load"):
        page.locator("#cookie-accept-all").tap()
    assert banner(page).count() == 0
    cookies = cookies_of(context)
    assert cookies.get(CONSENT_COOKIE) == "all"
    assert cookies.get(LANGUAGE_COOKIE) == lang, f"the chosen language is not remembered: {cookies}"
    switch_language(page, server, OTHER[lang])
    assert cookies_of(context).get(LANGUAGE_COOKIE) == OTHER[lang]
    shot(page, artifacts, f"phone-after-accept-{lang}.png")
