"""Headless-browser smoke test: starts the real server (``python run.py``) on a
fresh SQLite instance with demo data and drives the Debian Chromium through
Playwright.

Checks the kk/ru language switch, a phone-sized render, registration, logout
and login through the real forms, the agreement error on the register form and
axe-core (serious/critical) on the public pages in kk and ru.

Screenshots, axe results (JSON) and the server log are written to
``<repo>/test-artifacts/browser/``. Skipped only when /usr/bin/chromium is
missing; run alone with ``pytest -m browser``.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.browser.support import (  # noqa: F401  (other modules import these from here)
    ARTIFACTS,
    BLOCKING_IMPACTS,
    DESKTOP,
    LANGS,
    PAGE_TIMEOUT_MS,
    PASSWORD,
    PHONE,
    PHONE_NUMBER,
    path_of,
    shot,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------- helpers (the fixtures: tests/browser/conftest.py)


def fill_register_form(page, email: str, *, agree: bool, locale: str) -> None:
    form = page.locator("form:has(#agree)")
    page.fill("#full_name", "Browser Test User")
    page.fill("#email", email)
    page.fill("#phone", PHONE_NUMBER)
    page.fill("#password", PASSWORD)
    page.fill("#conf_password", PASSWORD)
    page.select_option("#locale", locale)
    if agree:
        page.check("#agree")
    else:
        page.uncheck("#agree")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()


def unique_email() -> str:
    return f"browser-{uuid.uuid4().hex[:12]}@example.kz"


# ---------------------------------------------------------------- tests


def test_home_language_switch(server, new_context, artifacts):
    page = new_context().new_page()
    seen = {}
    for lang in LANGS:
        switch_language(page, server, lang)
        h1 = page.locator("main h1").first.inner_text().strip()
        assert h1, f"home page h1 is empty in {lang}"
        current = page.locator(".lang-list [aria-current]")
        assert current.get_attribute("lang") == lang, "language switcher does not mark the current language"
        tiles = [t.strip() for t in page.locator(".category-tile .category-name").all_inner_texts()]
        assert len(tiles) == 5 and all(tiles), f"expected 5 named category tiles in {lang}, got {tiles}"
        assert page.locator("#q").is_visible() and page.locator("#region").is_visible()
        # the switcher sits in the closed header menu: its text, not its rendered text
        seen[lang] = {"h1": h1, "current": (current.text_content() or "").strip(), "tiles": tiles}
        shot(page, artifacts, f"home-{lang}.png")

    kk, ru = seen["kk"], seen["ru"]
    assert kk["h1"] != ru["h1"], f"home page h1 is not translated: {seen}"
    assert kk["current"] != ru["current"], f"language switcher label did not change: {seen}"
    assert kk["tiles"] != ru["tiles"], f"category names are the same in kk and ru: {seen}"


def test_home_on_phone(server, new_context, artifacts):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
    switch_language(page, server, "kk")
    assert page.locator("main h1").first.is_visible()
    assert page.locator("#q").is_visible()
    shot(page, artifacts, "mobile-home-kk.png")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"home page scrolls horizontally by {overflow}px at {PHONE['width']}px width"


def test_register_logout_login(server, new_context, artifacts):
    page = new_context().new_page()
    email = unique_email()
    switch_language(page, server, "ru")
    visit(page, server, "/register/form")
    assert page.get_attribute("html", "lang") == "ru"
    shot(page, artifacts, "register-ru.png")

    fill_register_form(page, email, agree=True, locale="ru")
    errors = page.locator(".field-error").all_inner_texts()
    assert path_of(page) == "/account/", f"registration landed on {page.url}; field errors: {errors}"
    assert email in page.locator("main").inner_text(), "account page does not show the new email"
    shot(page, artifacts, "account-ru.png")

    # signing out is a POST: the navbar's "Logout" is a button in a form; a GET of /logout/
    # only shows a page with that button
    visit(page, server, "/logout/")
    assert page.locator(".logout-page form.logout-form").count() == 1, "no sign-out button on /logout/"
    with page.expect_navigation(wait_until="load"):
        page.locator(".logout-page form.logout-form button[type=submit]").click()
    page.goto(server + "/account/")
    assert email not in page.locator("body").inner_text(), "account still visible after logout"

    visit(page, server, "/login/")
    page.fill("#username", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"login failed: {page.locator('main').inner_text()[:500]}"
    visit(page, server, "/account/")
    assert path_of(page) == "/account/"
    assert email in page.locator("main").inner_text(), "account page does not show the email after login"


def test_register_requires_agreement(server, new_context, artifacts):
    page = new_context().new_page()
    switch_language(page, server, "kk")
    visit(page, server, "/register/form")
    fill_register_form(page, unique_email(), agree=False, locale="kk")

    assert path_of(page) == "/register/form", f"form without agreement went to {page.url}"
    assert not page.is_checked("#agree")
    error = page.locator(".form-group:has(#agree) .field-error")
    assert error.count() >= 1, (
        "no .field-error next to the agreement checkbox; errors on the page: "
        f"{page.locator('.field-error').all_inner_texts()}")
    assert error.first.inner_text().strip(), "agreement error message is empty"
    assert error.first.is_visible()
    shot(page, artifacts, "register-no-agree-kk.png")


def test_search_journey(server, new_context, artifacts):
    """Type in the home search box (suggestions appear), search in Latin letters,
    see highlighted Cyrillic matches and facets, narrow by a facet, share the URL."""
    for lang in LANGS:
        page = new_context().new_page()
        switch_language(page, server, lang)
        page.locator("#q").press_sequentially("нот", delay=40)
        # a locator wait, not wait_for_function: the CSP forbids eval of a string
        page.locator("#search-suggestions option").first.wait_for(state="attached", timeout=PAGE_TIMEOUT_MS)
        page.fill("#q", "notarius")
        with page.expect_navigation(wait_until="load"):
            page.locator("form[role=search] button[type=submit]").click()
        assert path_of(page) == f"/{lang}/practitioners/" and "q=notarius" in page.url
        cards = page.locator(".profile-card")
        total = cards.count()
        assert total > 0, "a Latin query found no notaries"
        assert page.locator(".profile-card-snippet mark").count() > 0, "no highlighted match"
        facet = page.locator(".facets section:nth-of-type(2) a").first
        with page.expect_navigation(wait_until="load"):
            facet.click()
        assert "region=" in page.url and "q=notarius" in page.url
        assert page.locator(".facet-active").count() >= 1
        assert 0 < cards.count() <= total
        shot(page, artifacts, f"search-{lang}.png")
        shared = page.url
        other = new_context().new_page()
        visit(other, "", shared)  # the URL alone restores the search
        assert other.locator(".profile-card").count() == cards.count()
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    switch_language(phone, server, "kk")
    visit(phone, server, "/practitioners/?q=адвокат")
    shot(phone, artifacts, "mobile-search-kk.png")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"search page scrolls horizontally by {overflow}px"


def _axe_pages(page, base: str) -> list[tuple[str, str]]:
    """(name, path) of the public pages; category and profile found by following links."""
    visit(page, base, "/")
    category = page.locator("a.category-tile").first.get_attribute("href")
    assert category and re.match(r"/(kk|ru|en)/practitioners/category/", category), category
    visit(page, base, category)
    profile = page.locator(".profile-card-name a").first.get_attribute("href")
    assert profile and re.fullmatch(r"/(kk|ru|en)/practitioners/\d+", profile), profile
    return [
        ("home", "/"),
        ("directory", "/practitioners/"),
        ("search", "/practitioners/?q=notarius+almaty&sort=rating"),
        ("category", category),
        ("profile", profile),
        ("agreement", "/agreement/"),
        ("register", "/register/form"),
        ("login", "/login/"),
    ]


def _describe(found: list[dict]) -> str:
    lines = [f"{len(found)} serious/critical axe violation(s) on public pages "
             f"(full results in {ARTIFACTS}/axe-*.json):"]
    for v in found:
        targets = ", ".join(" ".join(t) if isinstance(t, list) else str(t) for t in v["targets"][:3])
        more = f" (+{len(v['targets']) - 3} more)" if len(v["targets"]) > 3 else ""
        lines.append(f"  - {v['id']} [{v['impact']}] {v['lang']} {v['path']}: {targets}{more}"
                     f" -- {v['help']}")
    return "\n".join(lines)


def test_public_pages_accessibility(server, new_context, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[dict] = []
    for lang in LANGS:
        page = new_context().new_page()
        switch_language(page, server, lang)
        for name, path in _axe_pages(page, server):
            visit(page, server, path)
            assert page.get_attribute("html", "lang") == lang, f"{path} lost the language {lang}"
            if (name, lang) == ("profile", "kk"):
                shot(page, artifacts, "profile-kk.png")
            response = axe.run(page).response
            (artifacts / f"axe-{lang}-{name}.json").write_text(
                json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
            for v in response["violations"]:
                if v.get("impact") in BLOCKING_IMPACTS:
                    found.append({
                        "id": v["id"], "impact": v["impact"], "lang": lang, "path": path,
                        "help": v["help"], "targets": [n["target"] for n in v["nodes"]],
                    })
    (artifacts / "axe-summary.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not found, _describe(found)
