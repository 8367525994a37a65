"""Headless-browser check of support (agreement 5.6, 12.1), in kk and ru.

On the real server (the ``server`` fixture of tests/browser/test_browser.py, demo
data): the demo client opens "Support" from the navbar and writes; the admin
sees the count on the navbar and the unread conversation in the inbox, opens
it and replies; the client sees the badge, opens the chat and reads the reply
at the bottom, and the badge is gone. A visitor reaches the feedback form from
the footer, gets the errors with the input kept, then sends it. axe-core (no
serious or critical violations) on the chat, the inbox, the conversation and
the feedback form; no horizontal scroll at 390 px.

Screenshots, axe results and the server log go to
``<repo>/test-artifacts/browser/support/``.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.browser.support import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    DESKTOP,
    LANGS,
    PHONE,
    nav_locator,
    path_of,
    shot,
    switch_language,
    visit,
)

# The browser fixtures (tests/browser/conftest.py) come by name: the module-scoped
# ``server`` starts a separate server (and demo database) for this module.

pytestmark = pytest.mark.browser

SUPPORT_ARTIFACTS = ARTIFACTS / "support"
CLIENT = ("client@demo.alemtrust.kz", "Demo-pass-1")
ADMIN = ("admin@alemtrust.kz", "Browser-admin-1")  # PORTAL_ADMIN_PASSWORD of the server fixture
TEXT = {
    "kk": {"question": "Сәлеметсіз бе! Өтінімді қалай өзгертуге болады?",
           "answer": "Сәлеметсіз бе! Өтінімді ашып, «Өзгерту» батырмасын басыңыз.",
           "feedback": "Тіркелмей-ақ сұрақ қойғым келеді: маман қалай тексеріледі?"},
    "ru": {"question": "Здравствуйте! Как изменить мою заявку?",
           "answer": "Здравствуйте! Откройте заявку и нажмите «Изменить».",
           "feedback": "Хочу спросить без регистрации: как проверяют специалистов?"},
}


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Overrides the fixture of tests/browser/test_browser.py for this module: a
    subfolder, so the modules never delete each other's screenshots."""
    SUPPORT_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in SUPPORT_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return SUPPORT_ARTIFACTS


# ---------------------------------------------------------------- helpers


def fresh_page(new_context, base: str, lang: str, **kwargs):
    """A new browser context (own cookies) with the cookie notice answered, in ``lang``."""
    context = new_context(**kwargs)
    context.add_cookies([{"name": "cookie_consent", "value": "necessary", "url": base}])
    page = context.new_page()
    switch_language(page, base, lang)
    return page


def log_in(new_context, base: str, account: tuple[str, str], lang: str):
    page = fresh_page(new_context, base, lang)
    visit(page, base, "/login/")
    page.fill("#username", account[0])
    page.fill("#password", account[1])
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"login of {account[0]} failed: {page.locator('main').inner_text()[:300]}"
    switch_language(page, base, lang)
    return page


def check_page(page, lang: str) -> None:
    assert page.locator(".error-page").count() == 0, f"{page.url} rendered the error page: {page.title()}"
    assert page.get_attribute("html", "lang") == lang, f"{page.url} is not in {lang}"


def click_and_load(page, locator, lang: str) -> None:
    assert locator.count() == 1, f"expected one element to click, found {locator.count()} on {page.url}"
    with page.expect_navigation(wait_until="load"):
        locator.click()
    check_page(page, lang)


def support_badge(page) -> int:
    """The number on the menu's support link (0 without a badge)."""
    badge = nav_locator(page, "li.support-link .support-count", open_it=False)
    return int(badge.text_content().strip().rstrip("+")) if badge.count() else 0


def run_axe(page, artifacts: Path, name: str) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    (artifacts / f"axe-{name}.json").write_text(json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def no_horizontal_scroll(page, artifacts: Path, name: str) -> None:
    """Re-render the current page at 390 px: no horizontal scroll."""
    page.set_viewport_size(PHONE)
    try:
        page.reload(wait_until="load")
        page.screenshot(path=str(artifacts / name))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{page.url} scrolls horizontally by {overflow}px at {PHONE['width']}px"
    finally:
        page.set_viewport_size(DESKTOP)


# ---------------------------------------------------------------- the chat


@pytest.mark.parametrize("lang", LANGS)
def test_client_writes_admin_replies_client_reads(server, new_context, artifacts, lang):
    t = TEXT[lang]
    question = f"{t['question']} #{uuid.uuid4().hex[:6]}"
    answer = f"{t['answer']} #{uuid.uuid4().hex[:6]}"
    found: list[dict] = []

    # the client writes from the navbar's "Support" link
    client = log_in(new_context, server, CLIENT, lang)
    click_and_load(client, nav_locator(client, "li.support-link a"), lang)
    assert path_of(client) == "/support/"
    client.fill("#body", question)
    click_and_load(client, client.locator("form.support-form button[type=submit]"), lang)
    assert client.locator(".alert-success").count() >= 1, "no confirmation after sending"
    latest = client.locator(".support-messages #latest")
    assert question in latest.inner_text(), "the new message is not the last one"
    shot(client, artifacts, f"chat-sent-{lang}.png")
    found += run_axe(client, artifacts, f"{lang}-chat")

    # the admin sees the count on the navbar and the unread conversation in the inbox
    admin = log_in(new_context, server, ADMIN, lang)
    waiting = support_badge(admin)
    assert waiting >= 1, "no unread count on the admin's support link"
    click_and_load(admin, nav_locator(admin, "li.support-link a"), lang)
    assert path_of(admin) == "/moderation/support/"
    assert admin.locator(".support-waiting .support-count").inner_text().strip() == str(waiting)
    row = admin.locator("tr.support-row", has_text=question)
    assert row.count() == 1, "the client's conversation is not in the inbox"
    assert row.locator(".support-unread .badge").inner_text().strip() == "1"
    shot(admin, artifacts, f"inbox-{lang}.png")
    found += run_axe(admin, artifacts, f"{lang}-inbox")
    no_horizontal_scroll(admin, artifacts, f"phone-inbox-{lang}.png")

    # ... opens it (read: the count goes down) and replies
    click_and_load(admin, row.locator("td a").first, lang)
    assert question in admin.locator(".support-messages .support-new").last.inner_text()
    assert support_badge(admin) == waiting - 1
    admin.fill("#body", answer)
    click_and_load(admin, admin.locator("form.support-form button[type=submit]"), lang)
    assert admin.locator(".alert-success").count() >= 1
    assert answer in admin.locator(".support-messages #latest").inner_text()
    shot(admin, artifacts, f"conversation-{lang}.png")
    found += run_axe(admin, artifacts, f"{lang}-conversation")
    no_horizontal_scroll(admin, artifacts, f"phone-conversation-{lang}.png")

    # the client sees the badge, opens the chat, reads the reply at the bottom; the badge goes
    visit(client, server, "/")
    assert support_badge(client) == 1, "no unread badge on the client's support link"
    shot(client, artifacts, f"client-badge-{lang}.png")
    click_and_load(client, nav_locator(client, "li.support-link a"), lang)
    assert answer in client.locator(".support-messages #latest").inner_text()
    assert client.locator(".support-messages #latest.support-staff").count() == 1
    assert support_badge(client) == 0, "the badge stays after reading"
    shot(client, artifacts, f"chat-reply-{lang}.png")
    no_horizontal_scroll(client, artifacts, f"phone-chat-{lang}.png")

    assert not found, f"axe: {found}"


# ---------------------------------------------------------------- the feedback form


@pytest.mark.parametrize("lang", LANGS)
def test_visitor_sends_the_feedback_form(server, new_context, artifacts, lang):
    text = f"{TEXT[lang]['feedback']} #{uuid.uuid4().hex[:6]}"
    email = f"visitor-{uuid.uuid4().hex[:8]}@example.kz"
    page = fresh_page(new_context, server, lang)
    click_and_load(page, page.locator(".footer-links a[href='/support/feedback']"), lang)
    assert path_of(page) == "/support/feedback"
    found = run_axe(page, artifacts, f"{lang}-feedback")

    # wrong input: both errors, next to their fields, the input kept
    page.fill("#email", "not-an-email")
    page.fill("#body", "short")
    click_and_load(page, page.locator("form.support-form button[type=submit]"), lang)
    assert page.locator(".form-group:has(#email) .field-error").count() == 1
    assert page.locator(".form-group:has(#body) .field-error").count() == 1
    assert page.input_value("#email") == "not-an-email" and page.input_value("#body") == "short"
    assert page.get_attribute("#email", "aria-invalid") == "true"
    shot(page, artifacts, f"feedback-errors-{lang}.png")
    found += run_axe(page, artifacts, f"{lang}-feedback-errors")

    page.fill("#email", email)
    page.fill("#body", text)
    click_and_load(page, page.locator("form.support-form button[type=submit]"), lang)
    assert email in page.locator(".alert-success").inner_text(), "no confirmation naming the email"
    assert page.input_value("#email") == "" and page.locator(".field-error").count() == 0
    shot(page, artifacts, f"feedback-sent-{lang}.png")
    no_horizontal_scroll(page, artifacts, f"phone-feedback-{lang}.png")

    # staff find it among the feedback, in the visitor's language
    admin = log_in(new_context, server, ADMIN, lang)
    visit(admin, server, "/moderation/support/?kind=feedback&status=open")
    row = admin.locator("tr.support-row", has_text=email)
    assert row.count() == 1 and lang.upper() in row.inner_text()
    assert not found, f"axe: {found}"
