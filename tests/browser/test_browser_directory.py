"""The mobile-first search page in a real browser, in Kazakh and Russian: the first result
is on the first phone screen, the "Filters (n)" panel works with and without JavaScript,
chips remove filters, and with JavaScript changes apply without a reload (back works)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.support import LANGS, PHONE, shot, switch_language, visit


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def first_card_bottom_limit(page) -> float:
    """The lowest y a thing may reach and still be seen on the first screen: the viewport's
    bottom, or the top of the cookie notice while it covers the screen's bottom."""
    limit = page.evaluate("window.innerHeight")
    notice = page.locator(".cookie-notice")
    if notice.count() and notice.first.is_visible():
        limit = min(limit, notice.first.bounding_box()["y"])
    return limit


@pytest.mark.parametrize("lang", LANGS)
def test_first_result_is_on_the_first_phone_screen(server, new_context, artifacts, lang):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    switch_language(page, server, lang)
    visit(page, server, "/practitioners/")
    query_box = page.locator("#q").bounding_box()
    name = page.locator(".profile-card .profile-card-name").first.bounding_box()
    limit = first_card_bottom_limit(page)
    assert query_box["y"] + query_box["height"] <= limit, "the query box is below the first screen"
    assert name["y"] + name["height"] <= limit, f"the first result's name ends at {name['y'] + name['height']}px, the screen at {limit}px"
    assert page.locator(".filter-panel-body").first.is_visible() is False, "filters are not folded"
    assert page.locator(".profile-card").first.locator(".card-request, .no-reviews, .rating-value").count() >= 1
    shot(page, artifacts, f"directory-phone-{lang}.png")


@pytest.mark.parametrize("lang", LANGS)
def test_filter_panel_with_javascript_applies_without_reload(server, new_context, artifacts, lang):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    switch_language(page, server, lang)
    visit(page, server, "/practitioners/")
    total_before = page.locator("#result-count").inner_text()
    page.evaluate("window.__sameDocument = 'yes'")  # gone after any full page load
    page.locator(".filter-toggle").click()
    assert page.locator(".filter-panel-body").is_visible()
    page.select_option("#region", "KZ-75")
    page.wait_for_url("**region=KZ-75**")
    chips = page.locator(".chip-remove")
    chips.first.wait_for(state="visible")
    assert chips.count() == 1
    assert "(1)" in page.locator(".filter-toggle").inner_text()
    assert page.locator(".filter-panel-body").is_visible(), "the panel closed while choosing filters"
    assert page.locator(".profile-card").count() > 0
    assert page.locator("#result-count").inner_text() != total_before
    page.select_option("#sort", "rating")
    page.wait_for_url("**sort=rating**")
    assert params(page)["region"] == ["KZ-75"], "the URL lost a filter"
    assert page.evaluate("window.__sameDocument") == "yes", "a filter change reloaded the page"
    shot(page, artifacts, f"directory-filters-js-{lang}.png")
    page.locator(".chip-remove").first.click()
    page.wait_for_url(lambda url: "region=" not in url)
    page.locator(".filter-toggle").wait_for()
    assert page.locator(".chip-remove").count() == 0 and "sort=rating" in page.url
    assert page.evaluate("window.__sameDocument") == "yes", "removing a chip reloaded the page"
    page.go_back()
    page.wait_for_url("**region=KZ-75**")
    page.locator(".chip-remove").first.wait_for(state="visible")
    assert page.locator("#region").input_value() == "KZ-75", "back did not restore the filters"


@pytest.mark.parametrize("lang", LANGS)
def test_filter_panel_and_chips_without_javascript(server, new_context, artifacts, lang):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False).new_page()
    switch_language(page, server, lang)
    visit(page, server, "/practitioners/")
    body = page.locator(".filter-panel-body")
    assert not body.is_visible()
    page.locator(".filter-toggle").click()  # a <details>: opens without JavaScript
    assert body.is_visible()
    page.select_option("#region", "KZ-75")
    page.check("input[name=online]")
    with page.expect_navigation():
        page.locator(".filter-actions button[type=submit]").click()
    assert params(page)["region"] == ["KZ-75"] and params(page)["online"] == ["1"]
    chips = page.locator(".chip-remove")
    assert chips.count() == 2
    assert "(2)" in page.locator(".filter-toggle").inner_text()
    assert page.locator(".sort-apply").is_visible(), "without JavaScript sorting needs its button"
    page.select_option("#sort", "price")
    with page.expect_navigation():
        page.locator(".sort-apply").click()
    assert params(page)["sort"] == ["price"] and params(page)["region"] == ["KZ-75"]
    shot(page, artifacts, f"directory-filters-nojs-{lang}.png")
    with page.expect_navigation():
        page.locator('.chip-remove:not([href*="region="])').click()  # the chip that drops the region
    assert "region" not in params(page) and params(page)["online"] == ["1"] and params(page)["sort"] == ["price"]
    assert page.locator(".chip-remove").count() == 1
    assert page.locator(".profile-card").count() > 0
