"""Hardening without a database change: security headers (CSP with a nonce,
no inline scripts), session cookie flags, open-redirect-safe ``next``, generic
login errors, and login rate limits per IP and per account (translated 429)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from config import TestConfig
from tests.conftest import IsolatedClient, login, separate_app
from tests.factories import PASSWORD

ADMIN_EMAIL = "admin@alemtrust.kz"


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize("path", ["/", "/login/", "/register/form", "/no-such-page/"])
def test_security_headers_on_public_pages(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_every_inline_script_carries_the_request_nonce(client, login_as, world):
    """The nonce in the header is the one on the page's script tags, differs per
    request, and no script element runs without it (inline ones included)."""
    login_as(world.admin)
    nonces = set()
    # the admin list pages render FAB's inline scripts (actions, delete buttons)
    for path in ["/kk/", "/users/list/", "/roles/list/", "/users/add", "/account/"]:
        response = client.get(path)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        nonce = next(v for v in _csp(response)["script-src"] if v.startswith("'nonce-"))[7:-1]
        nonces.add(nonce)
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" in tag and "nonce=" not in tag:
                src = re.search(r'src="([^"]+)"', tag).group(1)
                assert src.startswith("/"), f"{path}: off-site script {tag}"  # 'self' covers it
                continue
            assert f'nonce="{nonce}"' in tag, f"{path}: script without this request's nonce: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html, re.I), f"{path}: inline event handler"
        assert "javascript:" not in html.lower(), f"{path}: javascript: URL"
    assert len(nonces) >= 4  # a new nonce every request


def test_hsts_only_with_the_production_flag(hardened_app):
    response = IsolatedClient(hardened_app).get("/login/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_config_turns_hsts_and_secure_cookies_on():
    from config import Config, ProductionConfig

    assert ProductionConfig.SECURITY_HSTS is True
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert Config.SECURITY_HSTS is False


# ---------------------------------------------------------------- cookies


def _session_cookie(response, app) -> str:
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert cookies, response.headers
    return cookies[-1]


def test_login_sets_an_httponly_samesite_session_cookie(app, client, world):
    response = login(client, world.client_a.email)
    assert response.status_code == 302
    cookie = _session_cookie(response, app)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development/test over plain HTTP


def test_login_cookie_is_secure_with_production_settings(hardened_app):
    client = IsolatedClient(hardened_app, use_cookies=True)
    response = client.post("/login/", base_url="https://localhost",
                           data={"username": ADMIN_EMAIL, "password": TestConfig.ADMIN_PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.9.0.1"})
    assert response.status_code == 302
    assert "/login/" not in response.headers["Location"]
    cookie = _session_cookie(response, hardened_app)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# ---------------------------------------------------------------- next


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://localhost@evil.example/",
    "javascript:alert(1)",
    " //evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_never_leaves_the_site(client, world, target):
    client.post("/logout/")
    response = client.post("/login/", query_string={"next": target},
                           data={"username": world.client_a.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    # where a browser goes (it reads a backslash as a slash in http URLs)
    resolved = urlsplit(urljoin("http://localhost/login/", location.strip().replace("\\", "/")))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location


def test_login_next_keeps_a_local_target(client, world):
    client.post("/logout/")
    response = client.post("/login/", query_string={"next": "/account/"},
                           data={"username": world.client_a.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/"


def test_already_logged_in_login_page_ignores_hostile_next(client, login_as, world):
    login_as(world.client_a)
    response = client.get("/login/", query_string={"next": "//evil.example"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


# ---------------------------------------------------------------- generic errors


def _failed_login_page(client, email: str) -> str:
    client.post("/logout/")
    response = client.post("/login/", data={"username": email, "password": "Wrong-pass-9"},
                           headers={"Accept-Language": "ru"})
    assert response.status_code == 302
    location = response.headers["Location"]
    html = client.get(location, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r"<input[^>]*csrf_token[^>]*>", "", html), location


def test_wrong_password_and_unknown_email_look_the_same(client, world):
    known, known_location = _failed_login_page(client, world.client_a.email)
    unknown, unknown_location = _failed_login_page(client, "nobody-here-1@example.kz")
    assert known_location == unknown_location
    assert "Неверный логин или пароль" in known
    assert known == unknown


# ---------------------------------------------------------------- rate limits


class HardenedConfig(TestConfig):
    """Production-like security settings on a throwaway SQLite database."""

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    AUTH_RATE_LIMIT = "10 per 5 minute"
    AUTH_ACCOUNT_RATE_LIMIT = "10 per 15 minute"
    SESSION_COOKIE_SECURE = True
    SECURITY_HSTS = True


@pytest.fixture(scope="module")
def hardened_app(app, tmp_path_factory):
    with separate_app(HardenedConfig, tmp_path_factory.mktemp("hardened")) as application:
        yield application


def _attempt(client, email: str, ip: str, lang: str = "ru"):
    return client.post("/login/", data={"username": email, "password": "Wrong-pass-9"},
                       environ_base={"REMOTE_ADDR": ip}, headers={"Accept-Language": lang})


def test_eleventh_failed_login_from_one_ip_is_refused_in_the_users_language(hardened_app):
    client = hardened_app.test_client()
    for n in range(10):
        response = _attempt(client, f"ip-probe-{n}@example.kz", "10.1.0.1")
        assert response.status_code == 302, n
    response = _attempt(client, "ip-probe-10@example.kz", "10.1.0.1")
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    kk = _attempt(client, "ip-probe-11@example.kz", "10.1.0.1", lang="kk")
    assert kk.status_code == 429
    assert "Әрекеттер тым көп" in kk.get_data(as_text=True)
    # another address is not affected
    assert _attempt(client, "ip-probe-12@example.kz", "10.1.0.2").status_code == 302


def test_failed_logins_for_one_account_are_limited_across_ips(hardened_app):
    client = hardened_app.test_client()
    email = "Account-Probe@example.kz"
    for n in range(10):
        response = _attempt(client, email if n % 2 else email.lower(), f"10.2.0.{n + 1}")
        assert response.status_code == 302, n
    response = _attempt(client, " " + email.upper(), "10.2.1.1")
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)
    # other accounts from a fresh address still get through
    assert _attempt(client, "other-account@example.kz", "10.2.1.2").status_code == 302


def test_successful_logins_do_not_use_up_the_account_limit(hardened_app):
    client = hardened_app.test_client()
    for n in range(10):
        client.post("/logout/")
        response = client.post("/login/", data={"username": ADMIN_EMAIL, "password": TestConfig.ADMIN_PASSWORD},
                               environ_base={"REMOTE_ADDR": f"10.3.0.{n + 1}"})
        assert response.status_code == 302 and "/login/" not in response.headers["Location"], n
    client.post("/logout/")
    assert _attempt(client, ADMIN_EMAIL, "10.3.1.1").status_code == 302  # a failure still gets its answer
