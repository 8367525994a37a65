"""The portal's own lean layout, in a real browser (kk and ru, desktop 1280x900 and phone 390x844).

Every page of the lean layout that a visitor, a client or a practitioner sees (sign-in, registration,
password reset, agreement, cookies, support, account, change password, requests, conversations,
notifications, practice, quiz, feed, the error page) is visited: axe-core finds no serious or
critical violation, no FAB stylesheet, jQuery, Bootstrap or Font Awesome is requested, the page does
not scroll sideways on a phone, and a screenshot is saved. The phone menu (a <details>) opens without
JavaScript helpers and the cookie notice stays a compact bar at the bottom of a phone screen.

Screenshots and axe results go to ``<repo>/test-artifacts/browser/`` (``layout-*``)."""
from __future__ import annotations

import json
import re

import pytest

from tests.browser.support import (
    BLOCKING_IMPACTS,
    DESKTOP,
    LANGS,
    PHONE,
    open_menu,
    path_of,
    sign_in,
    switch_language,
)

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-pass-1"
CLIENT = "client@demo.alemtrust.kz"
PRACTITIONER = "practitioner@demo.alemtrust.kz"

VISITOR_PAGES = ["/login/", "/register/form", "/reset-password/", "/agreement/", "/cookies/",
                 "/support/feedback", "/no-such-page/"]
CLIENT_PAGES = ["/account/", "/account/security/", "/account/close", "/resetmypassword/form",
                "/userinfoeditview/form", "/requests/", "/threads/", "/notifications/",
                "/notifications/settings", "/support/", "/complaints/", "/logout/"]
PRACTITIONER_PAGES = ["/practice/", "/practice/edit", "/practice/quiz/", "/feed/",
                      "/requests/reviews/received", "/threads/"]
# what a lean page must never load (FAB's static folder holds Bootstrap, jQuery, Font Awesome, select2)
FORBIDDEN = re.compile(r"/static/appbuilder/|jquery|bootstrap|font-?awesome|select2|datepicker", re.I)


def _first_link(page, pattern: str) -> str | None:
    for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href):
            return href
    return None


def _detail_pages(page, base: str) -> list[str]:
    """A request and a conversation of the signed-in user, found by following links."""
    found = []
    for index, pattern in (("/requests/", r"/requests/\d+"), ("/threads/", r"/threads/\d+"),
                           ("/feed/", r"/requests/\d+")):
        page.goto(base + index, wait_until="load")
        link = _first_link(page, pattern)
        if link:
            found.append(link)
    return found


def _check_page(page, base: str, path: str, lang: str, who: str, size: str, artifacts, axe,
                found: list[dict], requested: list[str]) -> None:
    requested.clear()
    response = page.goto(base + path, wait_until="load")
    assert response is not None
    if path == "/no-such-page/":
        assert response.status == 404 and page.locator(".error-page").count() == 1
    else:
        assert response.ok, f"{who} GET {path} -> {response.status} ({page.url})"
        assert page.locator(".error-page").count() == 0, f"{who} {path} rendered the error page"
    assert page.get_attribute("html", "lang") == lang, f"{path} lost the language {lang}"
    assert page.locator("link[href*='css/site.css']").count() == 1, f"{path} is not in the lean layout"
    fab = [u for u in requested if FORBIDDEN.search(u)]
    assert not fab, f"{who} {path} loads FAB/Bootstrap assets: {fab}"
    if size == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{who} {path} scrolls sideways by {overflow}px on a phone"
    slug = path_of(page).strip("/").replace("/", "_") or "home"
    page.screenshot(path=str(artifacts / f"layout-{lang}-{size}-{who}-{slug}.png"), full_page=True)
    response = axe.run(page).response
    for v in response["violations"]:
        if v.get("impact") in BLOCKING_IMPACTS:
            found.append({"id": v["id"], "impact": v["impact"], "who": who, "size": size, "path": path,
                          "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:3]})


def _describe(found: list[dict]) -> str:
    lines = [f"{len(found)} serious/critical axe violation(s) on lean pages:"]
    lines += [f"  - {v['id']} [{v['impact']}] {v['who']} {v['size']} {v['path']}: {v['targets']} -- {v['help']}"
              for v in found]
    return "\n".join(lines)


@pytest.mark.parametrize("lang", LANGS)
def test_lean_pages_axe_assets_and_screenshots(server, new_context, artifacts, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[dict] = []
    for size, viewport in (("desk", DESKTOP), ("phone", PHONE)):
        for who, email, pages in (("visitor", None, VISITOR_PAGES), ("client", CLIENT, CLIENT_PAGES),
                                  ("practitioner", PRACTITIONER, PRACTITIONER_PAGES)):
            page = new_context(viewport=viewport).new_page()
            requested: list[str] = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            if email:
                sign_in(page, server, email, DEMO_PASSWORD)
            switch_language(page, server, lang)
            paths = list(pages) + (_detail_pages(page, server) if email else [])
            if who == "client":
                assert any(re.fullmatch(r"/requests/\d+", p) for p in paths), "the demo client has no request"
            for path in paths:
                _check_page(page, server, path, lang, who, size, artifacts, axe, found, requested)
            page.context.close()
    (artifacts / f"layout-axe-{lang}.json").write_text(json.dumps(found, ensure_ascii=False, indent=2),
                                                       encoding="utf-8")
    assert not found, _describe(found)


@pytest.mark.parametrize("lang", LANGS)
def test_phone_menu_and_cookie_bar(server, new_context, artifacts, lang):
    from axe_playwright_python.sync_playwright import Axe

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    switch_language(page, server, lang)
    page.goto(server + "/login/", wait_until="load")
    # the cookie notice is a compact bar at the bottom: the sign-in form stays usable above it
    notice = page.locator("#cookie-notice")
    assert notice.is_visible()
    box = notice.bounding_box()
    assert box["height"] <= PHONE["height"] * 0.25, f"the cookie bar covers too much of the phone screen: {box}"
    assert page.locator("#cookie-accept-all").is_visible() and page.locator("#cookie-only-necessary").is_visible()
    form_box = page.locator("form[name=login] button[type=submit]").bounding_box()
    assert form_box["y"] + form_box["height"] <= box["y"], "the cookie bar hides the sign-in button"

    # the menu: closed at first, opens with a tap, its label is translated
    summary = page.locator(".site-menu > summary")
    label = summary.inner_text().strip()
    assert label and label != "Menu", f"the menu label is not translated in {lang}: {label!r}"
    login_link = page.locator(".site-menu a[href^='/login/']")
    assert not login_link.is_visible()
    open_menu(page)
    assert login_link.is_visible() and page.locator(".site-menu .lang-list").is_visible()
    panel = page.locator(".menu-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"], f"the menu leaves the screen: {panel}"
    page.screenshot(path=str(artifacts / f"layout-{lang}-phone-menu-open.png"))
    result = Axe().run(page).response
    serious = [v["id"] for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not serious, f"axe with the phone menu open: {serious}"
    with page.expect_navigation(wait_until="load"):
        login_link.click()
    assert path_of(page) == "/login/"
