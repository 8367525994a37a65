"""Headless-browser journey "intent is never lost", in kk and ru, on the real server
(the ``server`` fixture: ``python run.py`` on a fresh SQLite instance with demo data).

A visitor (no account) in kk or ru opens a verified advocate's profile, presses the
request button, fills in the request with a PDF and presses "Publish"; the portal asks
them to sign in or register (the notice above the sign-in form, no "Access is
Denied"); they choose "Create an account", register (the language of the form is the
one they were reading, the agreement accepted) and land on their request: published,
sent to that practitioner, with the PDF, the page still in their language.

The kk/ru UI strings are checked elsewhere: the assertions use the data typed, the
DOM (classes, links) and ``<html lang>``. Screenshots go to
``<repo>/test-artifacts/browser/visitor-request/``.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.browser.support import (
    ARTIFACTS,
    LANGS,
    PASSWORD,
    PHONE_NUMBER,
    path_of,
    shot,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

LANG_PREFIX = "(?:/(?:kk|ru|en))?"  # public pages may carry their language in the URL

VISITOR_ARTIFACTS = ARTIFACTS / "visitor-request"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = {
    "kk": {"title": "Мұра бойынша дау", "name": "Гүлнар Оспанова",
           "description": "Әкемнен қалған пәтер бойынша ағаммен дау бар, құжаттарды тіркедім."},
    "ru": {"title": "Спор о наследстве", "name": "Ольга Ким",
           "description": "Спор с братом о квартире, оставшейся от отца; документы приложены."},
}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """This module's own screenshot folder (the ``server`` fixture copies its log here too)."""
    VISITOR_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in VISITOR_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".log"}:
            old.unlink()
    return VISITOR_ARTIFACTS


def _click(page, locator) -> None:
    assert locator.count() >= 1, f"nothing to click on {page.url}"
    with page.expect_navigation(wait_until="load"):
        locator.first.click()
    assert page.locator(".error-page").count() == 0, f"{page.url} rendered the error page"


@pytest.mark.parametrize("lang", LANGS)
def test_visitor_files_a_request_registers_at_submit_and_finds_it_published(
        server, new_context, artifacts, tmp_path, lang):
    t = TEXT[lang]
    run = uuid.uuid4().hex[:6]
    title = f"{t['title']} {run}"
    page = new_context().new_page()
    switch_language(page, server, lang)

    # a verified advocate's profile, and its request button
    visit(page, server, "/practitioners/category/advocate")
    card_link = page.locator(".profile-card-name a").first
    practitioner_name = card_link.inner_text().strip()
    _click(page, card_link)
    profile_path = path_of(page)
    assert re.fullmatch(LANG_PREFIX + r"/practitioners/\d+", profile_path), f"not a profile page: {page.url}"
    profile_id = profile_path.rsplit("/", 1)[1]
    _click(page, page.locator(f"main a[href$='/requests/new?profile={profile_id}']"))
    assert re.fullmatch(LANG_PREFIX + "/requests/new", path_of(page)) and page.get_attribute("html", "lang") == lang
    assert practitioner_name in page.locator("main").inner_text(), "the chosen practitioner is not named"

    # the visitor fills it in, with a PDF, and presses "Publish"
    page.select_option("#region_id", index=1)  # a request to one practitioner goes to them wherever
    page.fill("#title", title)
    page.fill("#description", t["description"])
    pdf = tmp_path / f"dogovor-{run}.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.set_input_files("#attachments", str(pdf))
    shot(page, artifacts, f"1-visitor-form-{lang}.png")
    _click(page, page.locator("form.request-form button[name=action][value=publish]"))

    # asked to sign in or register, with what they were doing; not "Access is Denied"
    assert re.fullmatch(LANG_PREFIX + "/login/", path_of(page)), f"the submit landed on {page.url}"
    assert page.get_attribute("html", "lang") == lang
    notice = page.locator(".intent-notice")
    assert notice.count() == 1 and notice.inner_text().strip(), "no 'Sign in or register to ...' notice"
    assert page.locator(".alert-danger").count() == 0, "a red error on the sign-in page"
    shot(page, artifacts, f"2-sign-in-or-register-{lang}.png")
    _click(page, notice.locator("a[href*='/register/form']"))

    # registration in the same language, the agreement accepted
    assert re.fullmatch(LANG_PREFIX + "/register/form", path_of(page)) and page.get_attribute("html", "lang") == lang
    assert page.locator("#locale").input_value() == lang, "the registration form forgot the language"
    email = f"visitor-{run}-{lang}@test.alemtrust.kz"
    page.fill("#full_name", t["name"])
    page.fill("#email", email)
    page.fill("#phone", PHONE_NUMBER)
    page.fill("#password", PASSWORD)
    page.fill("#conf_password", PASSWORD)
    page.check("#agree")
    _click(page, page.locator("form:has(#agree) button[type=submit]"))

    # the request is theirs, published to that practitioner, with its file, in their language
    match = re.fullmatch(LANG_PREFIX + r"/requests/(\d+)", path_of(page))
    errors = page.locator(".field-error, .alert-danger").all_inner_texts()
    assert match, f"registration landed on {page.url}; errors: {errors}"
    assert page.get_attribute("html", "lang") == lang
    assert page.locator(".alert-success").count() >= 1, "no success message"
    heading = page.locator(".request-page h1")
    assert title in heading.inner_text()
    assert heading.locator(".req-status-open").count() == 1, "the request was not published"
    assert practitioner_name in page.locator("main").inner_text()
    assert page.locator(f'.attachment-list a:has-text("{pdf.name}")').count() == 1, "the PDF is not listed"
    shot(page, artifacts, f"3-request-published-{lang}.png")

    # it is in "My requests", and the PDF downloads as it was uploaded
    with page.expect_download() as download:
        page.locator(f'.attachment-list a:has-text("{pdf.name}")').click()
    assert Path(download.value.path()).read_bytes() == PDF_BYTES
    visit(page, server, "/requests/")
    assert title in page.locator("main").inner_text()
