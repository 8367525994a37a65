"""Rate limits in Redis when REDIS_URL is set: the login
limits per IP and per account, and the password-reset request limit per IP
and per email address, counted in Redis by a second app configured the way
production is. Uses the local Redis server, or starts a private one."""
from __future__ import annotations

import html
import importlib.util
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from config import BASE_DIR, TestConfig
from portal.core.extensions import db
from tests.conftest import IsolatedClient, start_from_template


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- rate limits, in Redis when REDIS_URL is set -------------------------------------------------

def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_url():
    """The local Redis server, or a private one started for this module, or a skip."""
    url = "redis://127.0.0.1:6379/0"
    if _redis_answers(url):
        yield url
        return
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("no Redis server on this machine")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(50):
            if _redis_answers(url):
                break
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _config_with_env(monkeypatch, **env):
    """config.py loaded afresh under ``env`` (the settings are read at import)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("config_under_test", BASE_DIR / "config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def limited_app(app, redis_url, tmp_path_factory):
    """A second app with rate limits on, configured the way production is: REDIS_URL set."""
    from portal import create_app

    monkeypatch = pytest.MonkeyPatch()
    fresh = _config_with_env(monkeypatch, REDIS_URL=redis_url)
    monkeypatch.undo()
    folder = tmp_path_factory.mktemp("limited")
    prefix = f"alemtrust-test-{uuid.uuid4().hex[:8]}"

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'limited.db'}"
        INSTANCE_PATH = str(folder / "instance")
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = fresh.Config.RATELIMIT_STORAGE_URI
        RATELIMIT_KEY_PREFIX = prefix
        PASSWORD_RESET_RATE_LIMIT = "3 per 15 minute"

    start_from_template(folder / "limited.db")
    application = create_app(Cfg)
    application.test_client_class = IsolatedClient
    application.config["_test_prefix"] = prefix
    yield application
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_limiter_uses_redis_when_redis_url_is_set(monkeypatch, limited_app, redis_url):
    from limits.storage import MemoryStorage, RedisStorage

    assert _config_with_env(monkeypatch, REDIS_URL=redis_url).Config.RATELIMIT_STORAGE_URI == redis_url
    monkeypatch.delenv("REDIS_URL")
    assert _config_with_env(monkeypatch).Config.RATELIMIT_STORAGE_URI == "memory://"

    limiter = limited_app.appbuilder.sm.limiter
    assert isinstance(limiter.storage, RedisStorage) and not isinstance(limiter.storage, MemoryStorage)
    client = limited_app.test_client()
    client.post("/login/", data={"username": "redis-probe@example.kz", "password": "Wrong-pass-9"},
                environ_base={"REMOTE_ADDR": "10.60.0.1"})
    import redis

    keys = [k.decode() for k in redis.Redis.from_url(redis_url).scan_iter(f"*{limited_app.config['_test_prefix']}*")]
    assert any("10.60.0.1" in k for k in keys), keys  # the per-IP login counter
    from portal.core.login_limits import _account_key

    # the per-account one, under a hash of the email (no addresses stored in Redis)
    assert any(_account_key("redis-probe@example.kz") in k for k in keys), keys


def test_reset_requests_are_limited_per_ip_and_per_email(limited_app):
    client = limited_app.test_client()

    def ask(email, ip, lang="ru"):
        return client.post("/reset-password/", data={"email": email}, headers={"Accept-Language": lang},
                           environ_base={"REMOTE_ADDR": ip})

    for n in range(3):
        assert ask(f"ip-probe-{n}@example.kz", "10.61.0.1").status_code == 200, n
    refused = ask("ip-probe-9@example.kz", "10.61.0.1")
    assert refused.status_code == 429 and "Слишком много попыток" in text_of(refused)
    assert client.get("/reset-password/", environ_base={"REMOTE_ADDR": "10.61.0.1"}).status_code == 200

    for n in range(3):
        assert ask("Same-Target@example.kz", f"10.62.0.{n + 1}").status_code == 200, n
    assert ask(" same-target@example.kz", "10.62.1.1", lang="kk").status_code == 429
    assert ask("someone-else@example.kz", "10.62.1.2").status_code == 200


def test_wrong_current_passwords_are_limited_per_account(limited_app):
    """"Change password" refuses a stolen session's guesses like logins: AUTH_DEVICE_RATE_LIMIT
    wrong current passwords per account, then even the right one waits."""
    from tests.factories import PASSWORD, make_user

    with limited_app.app_context():
        email = make_user(limited_app.appbuilder.sm).email
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.63.0.1"
    assert client.post("/login/", data={"username": email, "password": PASSWORD}).status_code == 302
    allowed = int(limited_app.config["AUTH_DEVICE_RATE_LIMIT"].split()[0])  # the session is a known device
    guess = {"current_password": "Wrong-pass-1", "password": "Changed-pass-9", "conf_password": "Changed-pass-9"}
    for n in range(allowed):
        assert client.post("/resetmypassword/form", data=guess).status_code == 400, n
    assert client.post("/resetmypassword/form", data=dict(guess, current_password=PASSWORD)).status_code == 429
    assert client.get("/resetmypassword/form").status_code == 200
