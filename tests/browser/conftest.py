"""Browser-test fixtures (Chromium through Playwright, the real server process),
a plugin registered by tests/conftest.py (``pytest_plugins``) so every test module
gets them by name, wherever it lives: chromium_path, artifacts, server, browser,
new_context. A module may override one (tests/core/test_hardening.py has its own
``artifacts`` folder)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM,
    DESKTOP,
    LAUNCH_ARGS,
    PAGE_TIMEOUT_MS,
    REPO,
    SERVER_START_TIMEOUT,
)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found: the browser smoke test needs the Debian chromium package")
    return CHROMIUM


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():  # no stale screenshots/results from an earlier run
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # the server answered, even if with an error status
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server(chromium_path, artifacts, tmp_path_factory):
    """The real dev server on a free port, fresh SQLite instance, demo data."""
    instance = tmp_path_factory.mktemp("browser-instance")
    log_path = instance / "server.log"
    port = _free_port()
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # always SQLite, even when the suite runs on PostgreSQL
    env.update(
        PORTAL_INSTANCE_PATH=str(instance),
        PORTAL_HOST="127.0.0.1",
        PORTAL_PORT=str(port),
        PORTAL_DEMO_DATA="1",
        RATELIMIT_ENABLED="0",
        PORTAL_ADMIN_PASSWORD="Browser-admin-1",
        PORTAL_ADMIN_EMAIL="admin@alemtrust.kz",
        PYTHONUNBUFFERED="1",
    )
    base = f"http://127.0.0.1:{port}"
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "run.py"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT)

    def output() -> str:
        log.flush()
        return log_path.read_text(encoding="utf-8", errors="replace")

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers(base + "/"):
            if proc.poll() is not None:
                pytest.fail(f"server exited with code {proc.returncode} during start-up:\n{output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer on {base} within {SERVER_START_TIMEOUT:.0f} s:\n{output()}")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        shutil.copyfile(log_path, artifacts / "server.log")


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_context(browser):
    """Factory for isolated browser contexts (own cookies), closed after the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", DESKTOP)
        ctx = browser.new_context(**kwargs)
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        ctx.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
