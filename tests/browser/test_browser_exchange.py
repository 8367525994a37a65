"""Headless-browser journey of the portal's core exchange, in kk and ru.

Clicked through like users on the real server (the ``server`` fixture of
tests/browser/test_browser.py: ``python run.py`` on a fresh SQLite instance with demo
data): the demo client files a request with a PDF, two demo advocates send
offers from the feed, the client compares and selects one, client and
practitioner talk in the thread (bell count, contact details), the practitioner
asks for completion, the client completes and reviews, the practitioner replies,
and the public profile shows the review with the reply and "verified engagement".

The kk/ru UI strings are checked elsewhere: here the assertions use the data the
users typed, statuses through the DOM (classes/ids) and ``<html lang>``. Also a
phone-sized render (no horizontal scroll) of the request and thread pages and
axe-core (no serious/critical violations) on the request page, the feed and the
thread page.

Screenshots, axe results and the server log go to
``<repo>/test-artifacts/browser/exchange/``.
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

EXCHANGE_ARTIFACTS = ARTIFACTS / "exchange"
DEMO_PASSWORD = "Demo-pass-1"
CLIENT = "client@demo.alemtrust.kz"
PRACTITIONERS = ("practitioner@demo.alemtrust.kz", "practitioner2@demo.alemtrust.kz")
CATEGORY_CODE = "advocate"
REGION_CODE = "KZ-75"  # Almaty city
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

TEXT = {
    "kk": {
        "title": "Мердігермен келісімшартты тексеру",
        "description": "Құрылыс мердігерімен жасалған келісімшартты тексеріп, тәуекелдерді түсіндіру керек.",
        "offer": ("Келісімшартты екі күнде тексеремін, жазбаша қорытынды беремін.",
                  "Толық талдау және кездесуде кеңес беремін."),
        "question": "Сәлеметсіз бе! Келісімшарттың толық мәтінін жібере аласыз ба?",
        "answer": "Әрине, бүгін кешке жіберемін. Рақмет!",
        "review": "Жылдам әрі түсінікті жұмыс, ұсынамын.",
        "reply": "Рақмет, сізбен жұмыс істеу жақсы болды!",
    },
    "ru": {
        "title": "Проверка договора подряда",
        "description": "Нужно проверить договор со строительным подрядчиком и объяснить риски.",
        "offer": ("Проверю договор за два дня, дам письменное заключение.",
                  "Полный анализ и консультация при встрече."),
        "question": "Здравствуйте! Можете прислать полный текст договора?",
        "answer": "Конечно, пришлю сегодня вечером. Спасибо!",
        "review": "Быстро и понятно, рекомендую.",
        "reply": "Спасибо, было приятно работать с вами!",
    },
}
BUDGET = 60000
PRICES = (45000, 52000)
TERMS = (2, 5)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Overrides the fixture of tests/browser/test_browser.py for this module (the
    ``server`` fixture copies its log here too): a subfolder, so the two
    modules never delete each other's screenshots."""
    EXCHANGE_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in EXCHANGE_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return EXCHANGE_ARTIFACTS


# ---------------------------------------------------------------- helpers


def money(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")  # the pages join thousands with a no-break space


def click_and_load(page, locator, lang: str) -> None:
    """Click something that navigates; insist on a page in ``lang`` that is
    neither the error page nor a failure flash."""
    assert locator.count() == 1, f"expected one element to click, found {locator.count()} on {page.url}"
    with page.expect_navigation(wait_until="load"):
        locator.click()
    check_page(page, lang)


def check_page(page, lang: str) -> None:
    assert page.locator(".error-page").count() == 0, f"{page.url} rendered the error page: {page.title()}"
    assert page.get_attribute("html", "lang") == lang, f"{page.url} is not in {lang}"
    problems = page.locator(".alert-danger, .field-error").all_inner_texts()
    assert not problems, f"{page.url} shows errors: {problems}"


def go(page, base: str, path: str, lang: str) -> None:
    visit(page, base, path)
    check_page(page, lang)


def log_in(new_context, base: str, email: str, lang: str):
    """A fresh browser context (own cookies) logged in through the login form."""
    page = new_context().new_page()
    visit(page, base, "/login/")
    page.fill("#username", email)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"login of {email} failed: {page.locator('main').inner_text()[:300]}"
    switch_language(page, base, lang)
    return page


def open_nav_link(page, href: str, lang: str) -> None:
    """Open a link of the header's menu like a user (open the menu, then the link)."""
    link = nav_locator(page, f'a[href="{href}"]')
    assert link.count() == 1, f"no menu link to {href}"
    link.wait_for(state="visible")
    click_and_load(page, link, lang)


def assert_success_flash(page) -> None:
    assert page.locator(".alert-success").count() >= 1, f"no success message on {page.url}"


def phone_overflow(page, artifacts: Path, name: str) -> None:
    """Re-render the current page at phone width: no horizontal scroll."""
    page.set_viewport_size(PHONE)
    try:
        page.reload(wait_until="load")
        shot(page, artifacts, name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (f"{page.url} scrolls horizontally by {overflow}px at {PHONE['width']}px width; "
                               f"widest elements: {page.evaluate(WIDEST_JS)}")
    finally:
        page.set_viewport_size(DESKTOP)
        page.reload(wait_until="load")


WIDEST_JS = """() => {
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
  return [...document.querySelectorAll('body *')]
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.right > window.innerWidth + 1
                        && (!clipped(e) || ['absolute', 'fixed'].includes(getComputedStyle(e).position)))
    .sort((a, b) => b[1].right - a[1].right).slice(0, 6)
    .map(([e, r]) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
                     + ` right=${Math.round(r.right)}`);
}"""


def run_axe(page, artifacts: Path, lang: str, name: str, found: list[dict]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    (artifacts / f"axe-{lang}-{name}.json").write_text(
        json.dumps(response, ensure_ascii=False, indent=2), encoding="utf-8")
    for v in response["violations"]:
        if v.get("impact") in BLOCKING_IMPACTS:
            found.append({"id": v["id"], "impact": v["impact"], "page": name, "url": page.url,
                          "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]})


def offer_row(page, message: str):
    rows = page.locator("table.offers-table tr.offer-row", has_text=message)
    assert rows.count() == 1, f"expected one offer row with {message!r}, found {rows.count()}"
    return rows


# ---------------------------------------------------------------- the journey


@pytest.mark.parametrize("lang", LANGS)
def test_exchange_journey(lang, server, new_context, artifacts, tmp_path):
    t = TEXT[lang]
    run = uuid.uuid4().hex[:6]
    title = f"{t['title']} {run}"
    offers = [f"{m} [{run}-{i}]" for i, m in enumerate(t["offer"])]
    question, answer = f"{t['question']} [{run}]", f"{t['answer']} [{run}]"
    review_text, reply_text = f"{t['review']} [{run}]", f"{t['reply']} [{run}]"
    # kk selects the first demo advocate, ru the second: both get through the whole journey.
    chosen = 0 if lang == "kk" else 1
    other = 1 - chosen
    axe_found: list[dict] = []

    # 1. The client files a request with a PDF ---------------------------------------
    client = log_in(new_context, server, CLIENT, lang)
    category_name = client.locator(
        f'a.category-tile[href$="/category/{CATEGORY_CODE}"] .category-name').inner_text().strip()
    region_name = client.locator(f'#region option[value="{REGION_CODE}"]').inner_text().strip()
    assert category_name and region_name
    open_nav_link(client, "/requests/new", lang)
    assert path_of(client) == "/requests/new"
    client.select_option("#category_id", label=category_name)
    client.select_option("#region_id", label=region_name)
    client.fill("#title", title)
    client.fill("#description", t["description"])
    client.fill("#budget", str(BUDGET))
    pdf = tmp_path / f"contract-{run}.pdf"
    pdf.write_bytes(PDF_BYTES)
    client.set_input_files("#attachments", str(pdf))
    click_and_load(client, client.locator('form.request-form button[name=action][value=publish]'), lang)
    match = re.fullmatch(r"/requests/(\d+)", path_of(client))
    assert match, f"publishing landed on {client.url}"
    request_id = int(match.group(1))
    request_path = f"/requests/{request_id}"
    assert_success_flash(client)
    heading = client.locator(".request-page h1")
    assert title in heading.inner_text()
    assert heading.locator(".req-status-open").count() == 1, "a published request is not open"
    facts = client.locator(".request-facts").inner_text()
    assert category_name in facts and region_name in facts and money(BUDGET) in facts
    assert t["description"] in client.locator(".request-description").inner_text()
    assert client.locator(f'.attachment-list a:has-text("{pdf.name}")').count() == 1, "the PDF is not listed"
    shot(client, artifacts, f"1-request-published-{lang}.png")

    # 2. Two advocates find it in the feed and send offers ----------------------------
    practitioner_pages = []
    for i, email in enumerate(PRACTITIONERS):
        page = log_in(new_context, server, email, lang)
        practitioner_pages.append(page)
        open_nav_link(page, "/feed/", lang)
        assert path_of(page) == "/feed/"
        card = page.locator("li.feed-card", has_text=title)
        assert card.count() == 1, f"{email} does not see the request in the feed"
        assert card.locator(".badge-offered").count() == 0
        if i == 0:
            shot(page, artifacts, f"2-feed-{lang}.png")
            run_axe(page, artifacts, lang, "feed", axe_found)
        click_and_load(page, card.locator(f'a[href="{request_path}"]'), lang)
        assert title in page.locator(".request-page h1").inner_text()
        assert page.locator(f'.attachment-list a:has-text("{pdf.name}")').count() == 1
        form = page.locator("form.offer-form")
        assert form.count() == 1, f"{email} gets no offer form"
        form.locator("#price").fill(str(PRICES[i]))
        form.locator("#price_kind").select_option("fixed")
        form.locator("#term_days").fill(str(TERMS[i]))
        form.locator("#message").fill(offers[i])
        if i == 0:
            shot(page, artifacts, f"2-offer-form-{lang}.png")
        click_and_load(page, form.locator("button[type=submit]"), lang)
        assert path_of(page) == request_path
        assert_success_flash(page)
        mine = page.locator("section.my-offer")
        assert mine.locator(".req-status-active").count() == 1, "the sent offer is not active"
        assert offers[i] in mine.inner_text() and money(PRICES[i]) in mine.inner_text()
        assert page.locator("form.offer-form").count() == 0, "a second offer form after offering"
    go(practitioner_pages[0], server, "/feed/", lang)
    assert practitioner_pages[0].locator("li.feed-card", has_text=title).locator(".badge-offered").count() == 1

    # 3. The client compares both offers and selects one ------------------------------
    go(client, server, request_path, lang)
    rows = client.locator("table.offers-table tr.offer-row")
    assert rows.count() == 2, f"expected two offers, got {rows.count()}"
    for i in range(2):
        row = offer_row(client, offers[i])
        text = row.inner_text()
        assert money(PRICES[i]) in text, f"price {PRICES[i]} missing in {text!r}"
        assert "offer-active" in row.get_attribute("class")
        assert row.locator(".stars").count() == 1, "no rating in the comparison"
        assert row.locator('a[href*="/select/"]').count() == 1, "no select button"
    shot(client, artifacts, f"3-offers-compared-{lang}.png")
    run_axe(client, artifacts, lang, "request", axe_found)

    chosen_row = offer_row(client, offers[chosen])
    profile_link = chosen_row.locator('a[href^="/practitioners/"]').get_attribute("href")
    assert profile_link and re.fullmatch(r"(/(kk|ru|en))?/practitioners/\d+", profile_link), profile_link
    click_and_load(client, chosen_row.locator('a[href*="/select/"]'), lang)
    assert re.fullmatch(rf"/requests/{request_id}/select/\d+", path_of(client)), client.url
    assert offers[chosen] in client.locator(".confirm-page").inner_text()
    shot(client, artifacts, f"3-select-confirm-{lang}.png")
    click_and_load(client, client.locator(".confirm-actions button[type=submit]"), lang)
    assert path_of(client) == request_path
    assert_success_flash(client)
    assert client.locator(".request-page h1 .req-status-in_progress").count() == 1, "request not in progress"
    assert "offer-accepted" in offer_row(client, offers[chosen]).get_attribute("class")
    assert "offer-declined" in offer_row(client, offers[other]).get_attribute("class")
    assert client.locator('a[href*="/select/"]').count() == 0, "select buttons left after selection"
    shot(client, artifacts, f"3-selected-{lang}.png")

    # 4. Conversation: the practitioner writes, the client sees the bell and replies ----
    pro = practitioner_pages[chosen]
    go(pro, server, request_path, lang)
    assert pro.locator("section.my-offer .req-status-accepted").count() == 1, "practitioner: offer not accepted"
    loser = practitioner_pages[other]
    go(loser, server, request_path, lang)
    assert loser.locator("section.my-offer .req-status-declined").count() == 1, "other offer not declined"
    # an existing conversation is a link; starting one is a POST button
    conversation = pro.locator('.next-step a[href^="/threads/"], '
                               '.next-step form[action^="/threads/open"] button[type=submit]')
    assert conversation.count() == 1, "the selected practitioner has no conversation link on the request page"
    click_and_load(pro, conversation, lang)
    match = re.fullmatch(r"/threads/(\d+)", path_of(pro))
    assert match, f"the conversation link went to {pro.url}"
    thread_path = path_of(pro)
    pro.fill("form.message-form #body", question)
    click_and_load(pro, pro.locator("form.message-form button[type=submit]"), lang)
    assert path_of(pro) == thread_path
    assert question in pro.locator(".message-list .message-mine").last.inner_text()

    go(client, server, request_path, lang)
    bell = client.locator(".notification-bell .notification-count")
    assert bell.count() == 1, "the bell shows no unread count"
    assert int(bell.inner_text().strip().rstrip("+")) > 0
    unread = offer_row(client, offers[chosen]).locator(f'a[href="{thread_path}"] .badge')
    assert unread.count() == 1 and unread.inner_text().strip() == "1", "no unread mark on the conversation"
    shot(client, artifacts, f"4-bell-unread-{lang}.png")
    click_and_load(client, client.locator(".notification-bell a"), lang)  # the bell opens the notifications
    newest = client.locator("li.notification").first
    assert "notification-unread" in newest.get_attribute("class"), "the newest notification is not unread"
    assert title in newest.inner_text(), "the message notification does not name the request"
    shot(client, artifacts, f"4-notifications-{lang}.png")
    click_and_load(client, newest.locator("a"), lang)
    assert path_of(client) == thread_path, f"the message notification led to {client.url}"
    assert question in client.locator(".message-list").inner_text()
    contacts = client.locator("section.thread-contacts")
    assert contacts.count() == 1, "contact details hidden after selection"
    assert PRACTITIONERS[chosen] in contacts.inner_text()
    client.fill("form.message-form #body", answer)
    click_and_load(client, client.locator("form.message-form button[type=submit]"), lang)
    assert answer in client.locator(".message-list .message-mine").last.inner_text()
    shot(client, artifacts, f"4-thread-client-{lang}.png")
    run_axe(client, artifacts, lang, "thread", axe_found)
    phone_overflow(client, artifacts, f"4-thread-phone-{lang}.png")

    go(pro, server, thread_path, lang)
    assert answer in pro.locator(".message-list").inner_text()
    assert pro.locator(".message-mine .message-read").count() >= 1, "no read mark for the client's reading"
    pro_contacts = pro.locator("section.thread-contacts")
    assert pro_contacts.count() == 1 and CLIENT in pro_contacts.inner_text(), "client contacts not shown"
    shot(pro, artifacts, f"4-thread-practitioner-{lang}.png")

    # 5. Completion, review, reply, public profile ------------------------------------
    go(pro, server, request_path, lang)
    pro.locator('form[action$="/ask-completion"] input[name=work_done]').check()
    click_and_load(pro, pro.locator('form[action$="/ask-completion"] button[type=submit]'), lang)
    assert_success_flash(pro)
    assert pro.locator('form[action$="/ask-completion"]').count() == 0

    go(client, server, request_path, lang)
    assert client.locator(".completion-asked").count() == 1, "the client does not see the completion request"
    phone_overflow(client, artifacts, f"5-request-phone-{lang}.png")
    click_and_load(client, client.locator(f'.request-actions a[href="{request_path}/complete"]'), lang)
    assert path_of(client) == f"{request_path}/complete"
    click_and_load(client, client.locator(".confirm-actions button[type=submit]"), lang)
    assert path_of(client) == request_path
    assert client.locator(".request-page h1 .req-status-completed").count() == 1, "request not completed"
    review_form = client.locator(f'form[action="{request_path}/review"]')
    assert review_form.count() == 1, "no review form after completion"
    review_form.locator('input[name=rating][value="5"] + label').click()  # the star control's label
    assert review_form.locator('input[name=rating][value="5"]').is_checked()
    review_form.locator("#comment").fill(review_text)
    click_and_load(client, review_form.locator("button[type=submit]"), lang)
    assert_success_flash(client)
    box = client.locator("section.review-box")
    assert review_text in box.inner_text() and box.locator("form[action$='/review']").count() == 0
    shot(client, artifacts, f"5-reviewed-{lang}.png")

    go(pro, server, "/feed/", lang)
    click_and_load(pro, pro.locator('.feed-page a[href="/requests/reviews/received"]'), lang)
    review = pro.locator("li.review", has_text=review_text)
    assert review.count() == 1, "the review is not on 'Reviews of my work'"
    review.locator("textarea[name=reply]").fill(reply_text)
    click_and_load(pro, review.locator("form.reply-form button[type=submit]"), lang)
    assert_success_flash(pro)
    review = pro.locator("li.review", has_text=review_text)
    assert reply_text in review.locator(".review-reply").inner_text()
    assert review.locator("form.reply-form").count() == 0, "a second reply is still possible"

    public = new_context().new_page()  # anonymous visitor
    switch_language(public, server, lang)
    go(public, server, profile_link, lang)
    shown = public.locator("li.review", has_text=review_text)
    assert shown.count() == 1, "the review is not on the public profile"
    assert shown.locator(".badge-engagement").count() == 1, "no 'verified engagement' mark"
    assert reply_text in shown.locator(".review-reply").inner_text()
    assert public.locator("li.review").first.inner_text() == shown.inner_text(), "the new review is not first"
    shown.scroll_into_view_if_needed()
    shot(public, artifacts, f"5-profile-review-{lang}.png")

    (artifacts / f"axe-summary-{lang}.json").write_text(
        json.dumps(axe_found, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not axe_found, "serious/critical axe violations:\n" + "\n".join(
        f"  - {v['id']} [{v['impact']}] {v['page']} {v['url']}: {v['targets']} -- {v['help']}" for v in axe_found)
