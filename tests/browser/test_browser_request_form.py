"""Headless-browser test of the request form on a phone (390x844), in kk and ru, on the real
server (the ``server`` fixture: ``python run.py`` on a fresh SQLite instance with demo data).

The demo client opens "New request": no specialization is listed before a category is
chosen; choosing the advocates' category lists exactly theirs (the lists of the page's
JSON data block), switching to the notaries swaps the list in place without loading a
page; they fill in the sections, publish, and the request page says how many
practitioners it was sent to, with the region's name in the page's language. Without
JavaScript the "Continue" button shows the chosen category's specializations. The page's
height on the phone is written to ``heights.json``; axe-core finds no serious or critical
problem on the form. Screenshots go to ``<repo>/test-artifacts/browser/request-form/``.
"""
from __future__ import annotations

import json
import re
import uuid
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

pytestmark = pytest.mark.browser

FORM_ARTIFACTS = ARTIFACTS / "request-form"
CLIENT = "client@demo.alemtrust.kz"
DEMO_PASSWORD = "Demo-pass-1"
REGION_CODE = "KZ-75"  # Almaty city: the demo advocates serve it
MAX_PHONE_HEIGHT = 2600  # px, the whole filled-in page (it was 2,770-2,885 px before issue 19)
TEXT = {
    "kk": {"title": "Жалдау шартын тексеру", "budget": "70 000",
           "description": "Пәтерді жалға алу шартын тексеріп, тәуекелдерді түсіндіріп беру керек."},
    "ru": {"title": "Проверка договора аренды", "budget": "70 000",
           "description": "Нужно проверить договор аренды квартиры и объяснить риски для арендатора."},
}
HEIGHTS: dict[str, int] = {}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """This module's own folder (the ``server`` fixture copies its log here too)."""
    FORM_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in FORM_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return FORM_ARTIFACTS


def _phone_page(new_context, base: str, lang: str, javascript: bool = True):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript).new_page()
    visit(page, base, "/login/")
    page.fill("#username", CLIENT)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", "the demo client could not sign in"
    switch_language(page, base, lang)
    accept = page.locator("#cookie-accept-all")
    if accept.count():  # the cookie bar would cover the screenshots
        with page.expect_navigation(wait_until="load"):
            accept.click()
    return page


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def _listed(page) -> set[str]:
    return set(page.locator("form.request-form input[name=specialization_ids]").evaluate_all(
        "boxes => boxes.map(b => b.value)"))


def _category_option(page, code: str) -> str:
    """The value (id) of the category's option, found by its code (data-code)."""
    option = page.locator(f'#category_id option[data-code="{code}"]')
    return option.get_attribute("value") if option.count() == 1 else ""


@pytest.mark.parametrize("lang", LANGS)
def test_request_form_on_a_phone(server, new_context, artifacts, lang):
    t = TEXT[lang]
    title = f"{t['title']} {uuid.uuid4().hex[:6]}"
    page = _phone_page(new_context, server, lang)
    visit(page, server, "/requests/new")
    assert page.get_attribute("html", "lang") == lang
    HEIGHTS[f"{lang}-empty"] = _height(page)
    shot(page, artifacts, f"1-empty-{lang}.png")

    # no specialization before the category; the "Continue" button is for pages without JavaScript
    assert _listed(page) == set()
    assert page.locator("[data-spec-empty]").is_visible()
    assert not page.locator("[data-category-continue]").is_visible()
    lists = json.loads(page.locator("#request-form-specs").inner_text())
    advocate, notary = _category_option(page, "advocate"), _category_option(page, "notary")
    assert advocate and notary

    # choose the advocates: exactly their specializations, listed in place (no page load)
    url = page.url
    page.select_option("#category_id", advocate)
    advocate_specs = {str(s[0]) for s in lists[advocate]}
    assert advocate_specs and _listed(page) == advocate_specs
    assert not page.locator("[data-spec-empty]").is_visible()
    page.locator("form.request-form input[name=specialization_ids]").first.check()
    page.select_option("#category_id", notary)
    assert _listed(page) == {str(s[0]) for s in lists[notary]} and page.url == url
    page.select_option("#category_id", advocate)
    assert _listed(page) == advocate_specs
    first = page.locator("form.request-form input[name=specialization_ids]").first
    first.check()

    # fill in the sections
    page.fill("#title", title)
    page.fill("#description", t["description"])
    region_name = page.locator(f'#region_id option[data-code="{REGION_CODE}"]').inner_text().strip()
    page.select_option("#region_id", label=region_name)
    page.fill("#budget", t["budget"])
    assert page.locator("form.request-form fieldset.form-section").count() == 5
    HEIGHTS[f"{lang}-filled"] = _height(page)
    shot(page, artifacts, f"2-filled-{lang}.png")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the form scrolls sideways by {overflow}px on a phone"
    assert HEIGHTS[f"{lang}-filled"] <= MAX_PHONE_HEIGHT, HEIGHTS

    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    (artifacts / f"axe-{lang}.json").write_text(json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
    blocking = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                for v in response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, blocking

    # publish: the request page says to how many practitioners it went, and where
    with page.expect_navigation(wait_until="load"):
        page.locator("form.request-form button[name=action][value=publish]").click()
    assert re.fullmatch(r"/requests/\d+", path_of(page)), f"publishing landed on {page.url}"
    flash = page.locator(".flashes .alert-success").inner_text()
    sent = re.search(r"\d+", flash)
    assert sent and int(sent.group(0)) >= 1 and region_name in flash, flash
    assert title in page.locator(".request-page h1").inner_text()
    shot(page, artifacts, f"3-published-{lang}.png")
    (artifacts / "heights.json").write_text(json.dumps(HEIGHTS, indent=2), encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_continue_shows_the_category_specializations(server, new_context, artifacts, lang):
    page = _phone_page(new_context, server, lang, javascript=False)
    visit(page, server, "/requests/new")
    assert _listed(page) == set()
    lists = json.loads(page.locator("#request-form-specs").inner_text())
    advocate = _category_option(page, "advocate")
    page.fill("#title", "Без JavaScript")
    page.select_option("#category_id", advocate)
    assert _listed(page) == set()  # nothing happens without a script...
    with page.expect_navigation(wait_until="load"):
        page.locator("[data-category-continue]").click()  # ...until "Continue"
    assert _listed(page) == {str(s[0]) for s in lists[advocate]}
    assert page.input_value("#title") == "Без JavaScript" and page.locator(".field-error").count() == 0
    HEIGHTS[f"{lang}-nojs-category"] = _height(page)
    shot(page, artifacts, f"4-no-javascript-{lang}.png")
    (artifacts / "heights.json").write_text(json.dumps(HEIGHTS, indent=2), encoding="utf-8")
    # Enter in a text box saves a draft (the form's first button), not "Continue"
    page.fill("#description", "Нужна консультация по договору, без JavaScript.")
    region = page.locator(f'#region_id option[data-code="{REGION_CODE}"]').get_attribute("value")
    page.select_option("#region_id", region)
    with page.expect_navigation(wait_until="load"):
        page.locator("#title").press("Enter")
    assert re.fullmatch(r"/requests/\d+(/edit)?", path_of(page)), f"Enter landed on {page.url}"
