"""Headless-browser journey of a booking, in kk and ru, on the real server with demo data.

The demo notary (notary@demo.alemtrust.kz) sets working hours for Sunday and adds a
service to the price list on a desktop; the demo client, on a phone, opens the
notary's public profile, sees the new service, books it (service, day, free time,
note); the notary confirms it on the bookings page; both see it confirmed; the
client cancels it with a reason (after a confirmation page), and the notary sees
it cancelled. Phone pages are checked for sideways scrolling.

Screenshots and the server log go to ``<repo>/test-artifacts/browser/bookings/``."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.support import (
    ARTIFACTS,
    DESKTOP,
    LANGS,
    PHONE,
    path_of,
    shot,
    sign_in,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

BOOKING_ARTIFACTS = ARTIFACTS / "bookings"
DEMO_PASSWORD = "Demo-pass-1"
CLIENT = "client@demo.alemtrust.kz"
NOTARY = "notary@demo.alemtrust.kz"
# Sunday hours each run adds (local time): the demo notaries do not work on Sundays
SUNDAY = {"kk": ("10:00", "13:00"), "ru": ("15:00", "18:00")}
SERVICE = {
    "kk": {"name_kk": "Пәтерді сатуға келісім", "name_ru": "Согласие на продажу квартиры", "price": "7500"},
    "ru": {"name_kk": "Ерлі-зайыптылардың келісімі", "name_ru": "Согласие супруга на сделку", "price": "6200"},
}
NOTE = {"kk": "Төлқұжатымды алып келемін.", "ru": "Принесу паспорт и свидетельство о браке."}
REASON = {"kk": "Жоспарым өзгерді, кешіріңіз.", "ru": "Планы изменились, извините."}


@pytest.fixture(scope="module")
def booking_artifacts(artifacts):
    BOOKING_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return BOOKING_ARTIFACTS


def no_sideways_scroll(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{what}: the page scrolls sideways ({width}px wide)"


def submit(page, form_selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator(f"{form_selector} button[type=submit]").first.click()


@pytest.mark.parametrize("lang", LANGS)
def test_a_notary_sets_hours_and_prices_a_client_books_on_a_phone_and_cancels(
        server, new_context, booking_artifacts, lang):
    tag = uuid.uuid4().hex[:6]
    service = {key: (f"{value} {tag}" if key.startswith("name") else value) for key, value in SERVICE[lang].items()}

    # --- the notary, on a desktop: Sunday hours and a new price list line ---------------
    notary = new_context(viewport=DESKTOP).new_page()
    sign_in(notary, server, NOTARY, DEMO_PASSWORD)
    switch_language(notary, server, lang)  # signed in: the account's language
    visit(notary, server, f"/{lang}/practice/schedule")
    assert notary.get_attribute("html", "lang") == lang
    starts = notary.locator('input[name^="day_6-"][name$="-start"]')
    blank = starts.count() - 1  # the empty row under Sunday's ranges
    assert blank >= 0, "no row for Sunday's hours"
    notary.fill(f'input[name="day_6-{blank}-start"]', SUNDAY[lang][0])
    notary.fill(f'input[name="day_6-{blank}-end"]', SUNDAY[lang][1])
    submit(notary, "#hours form")
    assert notary.locator(".alert-danger, .field-error").count() == 0, notary.locator("main").inner_text()[:600]
    assert notary.input_value(f'input[name="day_6-{blank}-start"]') == SUNDAY[lang][0]
    # the rules: 30-minute slots, and each booking confirmed by hand
    notary.fill('#rules input[name="slot_minutes"]', "30")
    notary.locator('#rules input[name="auto_confirm"]').set_checked(False)
    submit(notary, "#rules form")
    assert notary.locator(".alert-danger, .field-error").count() == 0, notary.locator("main").inner_text()[:600]
    assert not notary.locator('#rules input[name="auto_confirm"]').is_checked()
    shot(notary, booking_artifacts, f"{lang}-notary-schedule.png")

    visit(notary, server, f"/{lang}/practice/prices")
    notary.fill('input[name="name_kk"]', service["name_kk"])
    notary.fill('input[name="name_ru"]', service["name_ru"])
    notary.fill('input[name="price"]', service["price"])
    notary.fill('input[name="duration_minutes"]', "30")
    notary.locator('input[name="price_kind"][value="fixed"]').check()
    notary.select_option('select[name="mode"]', "in_person")
    submit(notary, 'form:has(input[name="name_kk"])')
    assert notary.locator(".alert-danger, .field-error").count() == 0, notary.locator("main").inner_text()[:600]
    listed = service["name_kk"] if lang == "kk" else service["name_ru"]
    assert listed in notary.locator("main").inner_text()
    shot(notary, booking_artifacts, f"{lang}-notary-prices.png")

    visit(notary, server, "/practice/")
    profile_path = notary.locator("a", has_text=re.compile(".")).evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /\\/practitioners\\/\\d+/.test(h || ''))")
    assert profile_path, "the practice page links no public profile"
    profile_id = re.search(r"/practitioners/(\d+)", profile_path[0]).group(1)

    # --- the client, on a phone: the profile, the service, a day, a time, a note ------------
    client = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(client, server, CLIENT, DEMO_PASSWORD)
    switch_language(client, server, lang)
    visit(client, server, f"/{lang}/practitioners/{profile_id}")
    assert client.get_attribute("html", "lang") == lang
    prices = client.locator(".price-list")
    assert listed in prices.first.inner_text(), "the new service is not on the public profile"
    client.locator(".profile-slots .slot").first.wait_for()  # the free times, loaded apart from the cached page
    no_sideways_scroll(client, "profile")
    shot(client, booking_artifacts, f"{lang}-client-profile.png")

    with client.expect_navigation(wait_until="load"):
        prices.first.locator("a", has_text=listed).click()
    assert re.search(r"/practitioners/\d+/book", path_of(client))
    no_sideways_scroll(client, "booking: day and time")
    slot = client.locator(".slot-grid a.slot").first
    chosen_time = slot.inner_text().strip()
    with client.expect_navigation(wait_until="load"):
        slot.click()
    client.fill("#note", NOTE[lang])
    shot(client, booking_artifacts, f"{lang}-client-book.png")
    no_sideways_scroll(client, "booking: confirm")
    submit(client, "form.booking-form")
    match = re.search(r"/bookings/(\d+)", path_of(client))
    assert match, f"booking did not land on its page: {client.url} {client.locator('main').inner_text()[:400]}"
    booking_id = match.group(1)
    page_text = client.locator("main").inner_text()
    assert listed in page_text and chosen_time in page_text and NOTE[lang] in page_text
    assert client.locator('main .booking-status-requested').count() == 1
    no_sideways_scroll(client, "the client's booking")
    shot(client, booking_artifacts, f"{lang}-client-booked.png")

    # --- the notary confirms; both see it ------------------------------------------------------
    visit(notary, server, "/practice/bookings/")
    assert notary.locator(f'a[href$="/practice/bookings/{booking_id}"]').count() >= 1
    visit(notary, server, f"/practice/bookings/{booking_id}")
    assert NOTE[lang] in notary.locator("main").inner_text()
    submit(notary, 'form[action$="/confirm"]')
    assert notary.locator('main .booking-status-confirmed').count() == 1
    shot(notary, booking_artifacts, f"{lang}-notary-confirmed.png")

    visit(client, server, f"/bookings/{booking_id}")
    assert client.locator('main .booking-status-confirmed').count() == 1
    visit(client, server, "/bookings/")
    assert client.locator(f'a[href$="/bookings/{booking_id}"]').count() >= 1
    no_sideways_scroll(client, "my bookings")

    # --- the client cancels, after a confirmation page, with a reason -----------------------
    visit(client, server, f"/bookings/{booking_id}")
    with client.expect_navigation(wait_until="load"):
        client.locator(f'a[href$="/bookings/{booking_id}/cancel"]').click()
    client.fill("#reason", REASON[lang])
    no_sideways_scroll(client, "cancel")
    submit(client, f'form[action$="/bookings/{booking_id}/cancel"]')
    assert client.locator('main .booking-status-cancelled').count() == 1
    shot(client, booking_artifacts, f"{lang}-client-cancelled.png")

    visit(notary, server, f"/practice/bookings/{booking_id}")
    assert notary.locator('main .booking-status-cancelled').count() == 1
    assert REASON[lang] in notary.locator("main").inner_text()
