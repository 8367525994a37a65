"""Staff pages in a real browser (issue 19): at 1280 px, signed in as the admin,
FAB's navbar fits one row in Kazakh and Russian (it wrapped to two); the pages
carry a meaningful title. Also the grouped account page. Screenshots in
test-artifacts/browser/staff-*.png."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import _answers, _free_port
from tests.browser.support import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    REPO,
    SERVER_START_TIMEOUT,
    shot,
    sign_in,
    switch_language,
    visit,
)

ADMIN = ("admin@alemtrust.kz", "Browser-admin-1")  # the browser server's admin (tests/browser/conftest.py)
ONE_ROW = 50  # Bootstrap's navbar row height, px


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """The shared folder; only this module's own old screenshots are removed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("staff-*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(chromium_path, artifacts, tmp_path_factory):
    """The dev server with the demo data (the dashboard then shows a negative review with its stars)."""
    instance = tmp_path_factory.mktemp("staff-instance")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORTAL_INSTANCE_PATH=str(instance), PORTAL_HOST="127.0.0.1", PORTAL_PORT=str(port),
               PORTAL_DEMO_DATA="1", RATELIMIT_ENABLED="0", PORTAL_ADMIN_PASSWORD=ADMIN[1],
               PORTAL_ADMIN_EMAIL=ADMIN[0], PYTHONUNBUFFERED="1")
    base = f"http://127.0.0.1:{port}"
    with open(instance / "server.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "run.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _answers(base + "/"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((instance / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:])
                time.sleep(0.25)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def rows_of(page) -> dict:
    """The navbar's height and the distinct tops of its items (one per row)."""
    return page.evaluate("""() => {
        const nav = document.querySelector('nav.navbar');
        const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > li')];
        return {height: nav.getBoundingClientRect().height,
                tops: [...new Set(items.map(el => Math.round(el.getBoundingClientRect().top)))],
                labels: items.map(el => el.innerText.trim().split('\\n')[0])};
    }""")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_admin_navbar_is_one_row_at_1280(server, new_context, artifacts, lang):
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, server, *ADMIN)
    switch_language(page, server, lang)
    for path, name in [("/moderation/", "moderation"), ("/admin/users/list/", "users")]:
        visit(page, server, path)
        assert page.get_attribute("html", "lang") == lang
        rows = rows_of(page)
        shot(page, artifacts, f"staff-navbar-{name}-{lang}.png")
        assert len(rows["tops"]) == 1, f"{path} in {lang}: the navbar wraps: {rows}"
        assert rows["height"] <= ONE_ROW + 4, f"{path} in {lang}: navbar {rows['height']} px high"
        assert page.title().endswith(" — AlemTrust") and page.title() != "AlemTrust"
        # the inline SVG icons are sized on staff pages too (unsized, a star took the page's width)
        widths = page.eval_on_selector_all("svg.icon", "els => els.map(e => e.getBoundingClientRect().width)")
        assert max(widths, default=0) <= 40, f"{path} in {lang}: icon widths {sorted(widths)[-3:]}"
        assert widths or name != "moderation", "the dashboard shows the demo's negative review with stars"
    # short language codes keep the full name as their accessible name
    other = page.locator(".navbar .lang-switch a").first
    assert other.locator(".sr-only").inner_text() in ("Қазақша", "Русский", "English")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_account_page_groups(server, new_context, artifacts, lang):
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, server, *ADMIN)
        switch_language(page, server, lang)
        visit(page, server, "/account/")
        danger = page.locator("#account-danger")
        assert danger.locator("a.btn-danger").count() == 1
        last_group = page.locator(".account-group").last.bounding_box()
        assert danger.bounding_box()["y"] > last_group["y"] + last_group["height"]  # below every group
        shot(page, artifacts, f"staff-account-{size}-{lang}.png")
