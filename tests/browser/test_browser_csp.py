"""Under the real Content-Security-Policy in Chromium: public and FAB admin
pages run their scripts with no violation report and no script error."""
from __future__ import annotations

import pytest

from tests.browser.support import ARTIFACTS


@pytest.fixture(scope="module")
def artifacts():
    """Overrides the browser fixture (tests/browser/conftest.py): its own subfolder (the server log goes there)."""
    folder = ARTIFACTS / "hardening"
    folder.mkdir(parents=True, exist_ok=True)
    return folder

# the portal's own layout (its scripts: search suggestions, filters, share) and FAB's staff pages (jQuery)
LEAN_PAGES = ["/kk/", "/ru/practitioners/", "/ru/practitioners/1", "/login/", "/register/form"]
FAB_PAGES = ["/users/list/", "/users/add", "/roles/list/", "/users/show/1", "/swagger/v1"]
CSP_PAGES = LEAN_PAGES + FAB_PAGES


@pytest.mark.browser
def test_no_csp_violation_or_script_error_in_chromium(server, new_context):
    """Public and FAB admin pages under the real CSP: no violation reports, no
    console errors and no uncaught script errors (on FAB's pages jQuery ran)."""
    page = new_context().new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"{page.url}: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    page.goto(server + "/login/")
    page.fill("#username", "admin@alemtrust.kz")
    page.fill("#password", "Browser-admin-1")
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state("load")
    assert "/login/" not in page.url, "admin login failed"
    for path in CSP_PAGES:
        response = page.goto(server + path, wait_until="load")
        if response.status == 404:
            continue
        assert response.ok, f"{path} -> {response.status}"
        assert "script-src" in response.headers["content-security-policy"]
        if path in FAB_PAGES:
            assert page.evaluate("typeof window.jQuery") == "function", path  # FAB's scripts ran
        else:
            assert page.evaluate("typeof window.jQuery") == "undefined", path  # the lean layout: no jQuery
    assert not problems, "\n".join(problems)
