"""Headless-browser check of agreement versions (agreement
3.1a), in kk and in ru, on the real server (the ``server`` fixture of
tests/browser/test_browser.py, its own demo database):

1. the demo client is signed in and browsing;
2. the admin publishes a new version through the back office: the form
   (kk and ru title and text, effective today), the confirmation page, then
   "Publish"; being a signed-in user too, the admin is asked to accept it;
3. the client's next page is the accept page instead: the new text in the
   client's language with a link to the history; axe-core finds nothing
   serious or critical; on a 390 px phone the page does not scroll sideways;
4. "I accept" takes the client to the page they wanted.

Screenshots, axe results and the server log go to
``<repo>/test-artifacts/browser/agreement/``.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.support import ARTIFACTS, LANGS, PHONE, path_of, shot, switch_language, visit
from tests.browser.test_browser_consent import run_axe

pytestmark = pytest.mark.browser

AGREEMENT_ARTIFACTS = ARTIFACTS / "agreement"
ADMIN = ("admin@alemtrust.kz", "Browser-admin-1")  # set by the server fixture
CLIENT = ("client@demo.alemtrust.kz", "Demo-pass-1")
WANTED = "/requests/"
TITLES = {"kk": "Пайдаланушы келісімі: жаңа нұсқа", "ru": "Пользовательское соглашение: новая редакция"}
PARAGRAPHS = {"kk": "{n}. Жаңа нұсқаның тармағы: пайдаланушы келісімнің шарттарын қабылдайды.",
              "ru": "{n}. Пункт новой редакции: пользователь принимает условия соглашения."}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """A subfolder of its own, cleaned of an earlier run's files."""
    AGREEMENT_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in AGREEMENT_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return AGREEMENT_ARTIFACTS


def sign_in(context, base: str, account: tuple[str, str], lang: str):
    page = context.new_page()
    switch_language(page, base, lang)
    if page.locator("#cookie-only-necessary").count():  # the cookie notice: choose, so it covers nothing
        with page.expect_navigation(wait_until="load"):
            page.locator("#cookie-only-necessary").click()
    visit(page, base, "/login/")
    page.fill("#username", account[0])
    page.fill("#password", account[1])
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"login of {account[0]} failed: {page.locator('main').inner_text()[:300]}"
    switch_language(page, base, lang)  # the user's language from now on
    return page


def text_of(lang: str, label: str) -> str:
    return "\n".join(PARAGRAPHS[lang].format(n=n) + f" ({label})" for n in range(1, 41))


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).click()


def publish_through_the_ui(page, base: str, artifacts: Path, lang: str) -> str:
    """The admin's journey; returns the label that makes this run's texts unique."""
    label = f"{lang}-run"
    visit(page, base, "/admin/agreements/list/")
    click_and_wait(page, "#agreement-publish")
    assert path_of(page) == "/admin/agreements/publish"
    for code in ("kk", "ru"):
        page.fill(f"#title_{code}", f"{TITLES[code]} ({label})")
        page.fill(f"#text_{code}", text_of(code, label))
    page.fill("#title_en", "")
    page.fill("#text_en", "")
    assert page.input_value("#effective_from"), "the effective date is not pre-filled with today"
    shot(page, artifacts, f"admin-form-{lang}.png")
    click_and_wait(page, "#agreement-continue")
    assert page.locator("#agreement-confirm-publish").count() == 1, (
        f"no confirmation page: {page.locator('main').inner_text()[:500]}")
    assert f"{TITLES['kk']} ({label})" in page.locator("main").inner_text()
    shot(page, artifacts, f"admin-confirm-{lang}.png")
    click_and_wait(page, "#agreement-confirm-publish")
    # the admin is a signed-in user too: the new version is in force, so they accept it first
    assert path_of(page) == "/agreement/accept", f"after publishing the admin is on {page.url}"
    click_and_wait(page, "#agreement-accept")
    assert path_of(page).startswith("/admin/agreements/show/"), page.url
    assert f"{TITLES[lang]} ({label})" in page.locator("main h1").inner_text()
    assert page.locator(".alert-success").count() >= 1, "no confirmation that the version is published"
    shot(page, artifacts, f"admin-published-{lang}.png")
    return label


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_version_stops_the_client_until_accepted(server, new_context, artifacts, lang):
    client_context = new_context()
    client = sign_in(client_context, server, CLIENT, lang)
    visit(client, server, "/practitioners/")  # browsing, not stopped
    assert path_of(client) == f"/{lang}/practitioners/"  # the public page at its language URL

    admin = sign_in(new_context(), server, ADMIN, lang)
    label = publish_through_the_ui(admin, server, artifacts, lang)

    # the client's next request: the accept page, with the page they wanted as ``next``
    client.goto(server + WANTED, wait_until="load")
    assert path_of(client) == "/agreement/accept", f"the gate did not stop the client: {client.url}"
    assert parse_qs(urlsplit(client.url).query).get("next") == [WANTED]
    assert client.get_attribute("html", "lang") == lang
    box = client.locator("#agreement-box")
    assert f"{TITLES[lang]} ({label})" in box.locator("h2").inner_text()
    assert PARAGRAPHS[lang].format(n=1) in box.inner_text(), "the text is not in the client's language"
    assert box.locator(".agreement-text").get_attribute("lang") == lang
    assert client.locator("main a[href='/agreement/']").count() >= 1, "no link to the version history"
    assert client.locator("#agreement-accept").is_visible()
    shot(client, artifacts, f"accept-{lang}.png")
    found = run_axe(client, artifacts, f"{lang}-accept-page")
    assert not found, f"axe: {found}"

    # the same session on a phone: readable, no sideways scrolling
    phone_context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                storage_state=client_context.storage_state())
    phone = phone_context.new_page()
    phone.goto(server + WANTED, wait_until="load")
    assert path_of(phone) == "/agreement/accept"
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the accept page scrolls horizontally by {overflow}px at {PHONE['width']}px"
    phone.locator("#agreement-accept").scroll_into_view_if_needed()
    assert phone.locator("#agreement-accept").is_visible()
    phone.screenshot(path=str(artifacts / f"phone-accept-{lang}.png"))  # the viewport, as the user sees it

    # nothing is done before accepting: other pages lead back here
    visit(client, server, "/account/")
    assert path_of(client) == "/agreement/accept"
    client.goto(server + WANTED, wait_until="load")

    click_and_wait(client, "#agreement-accept")
    assert path_of(client) == WANTED, f"after accepting the client is on {client.url}"
    assert client.locator(".error-page").count() == 0
    shot(client, artifacts, f"after-accept-{lang}.png")
    visit(client, server, "/account/")  # and browses on freely
    assert path_of(client) == "/account/"

    # the public history lists the new version with its date
    visit(client, server, "/agreement/")
    history = client.locator(".agreement-history").inner_text()
    assert history.count("\n") >= 1 and len(client.locator(".agreement-history li").all()) >= 2
    shot(client, artifacts, f"agreement-page-{lang}.png")
