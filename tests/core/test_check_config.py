"""``flask portal check-config`` on real servers: a complete production environment
(PostgreSQL migrated to head, Elasticsearch with the index, Redis, an S3-compatible store, an
SMTP server, VAPID keys, the proxy and HTTPS settings) gives exit code 0 and only OK lines;
broken environments give exit code 1 and one plain line per problem, never a traceback.

The complete environment runs the documented command, ``flask --app
'portal:create_app("config.ProductionConfig")' portal check-config``, in a subprocess (the
production app itself loads), on the PostgreSQL database of the test session; it is skipped on
the SQLite run. Broken environments run ``python -m portal.cli.check_config`` (the app cannot
start there) and run on both."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import ProductionConfig
from portal.cli import check_config as cc
from tests.search_servers import PlainJsonNode, elasticsearch_url
from tests.storage_servers import closed_endpoint, make_bucket, s3_config

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_APP = 'portal:create_app("config.ProductionConfig")'
TIMEOUT = 120
REDIS = "redis://127.0.0.1:6379/0"


class OnTestServers(ProductionConfig):
    """ProductionConfig as the environment sets it, with a search client that also talks to
    the in-memory test search server (plain JSON; a real Elasticsearch accepts it too)."""
    ELASTICSEARCH_NODE_CLASS = PlainJsonNode


ON_TEST_SERVERS = f"{__name__}.OnTestServers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environ() -> dict[str, str]:
    """This process's environment without any setting config.py reads (nor FLASK_APP, nor
    Flask's debug switches): each test says every setting it means."""
    names = set(re.findall(r"""(?:environ\.get|_bool)\(\s*["']([A-Z][A-Z0-9_]+)["']""",
                           (ROOT / "config.py").read_text(encoding="utf-8")))
    names |= {"FLASK_APP", "FLASK_DEBUG", "FLASK_ENV"}
    return {k: v for k, v in os.environ.items() if k not in names}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def lines_of(output: str) -> dict[str, tuple[str, str]]:
    """{check name: (status, text)} of the report lines."""
    found = {}
    for line in output.splitlines():
        m = re.match(r"^(OK|WARN|MISSING|WRONG) +([^:]+): (.*)$", line)
        if m:
            found[m.group(2)] = (m.group(1), m.group(3))
    return found


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class Smtp:
    """An SMTP server on a loopback port (aiosmtpd) that accepts and drops every message."""

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


@pytest.fixture
def smtp_port():
    port = free_port()
    controller = Controller(Smtp(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def search_index():
    """(URL, alias) of an Elasticsearch index of this test's own, created as the portal does."""
    from portal.search.elastic import ElasticBackend

    url, alias = elasticsearch_url(), f"check-config-{uuid.uuid4().hex[:10]}"
    backend = ElasticBackend(url, index=alias, node_class=PlainJsonNode)
    backend.ensure_index()
    yield url, alias
    backend.drop()
    backend.close()


@pytest.fixture
def postgres(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("checking a production database needs PostgreSQL — set "
                    "DATABASE_URL=postgresql://... to run it")
    return database_url


def test_a_complete_environment_is_all_ok_through_the_production_app(postgres, smtp_port, search_index, tmp_path):
    """The documented command with the production app loaded: every line OK, exit code 0,
    also with --strict (nothing that holds for one machine only)."""
    if not redis_answers():
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    from portal.services.notifications.vapid import generate_keys

    storage = s3_config()
    make_bucket(storage)
    es_url, alias = search_index
    private, public = generate_keys()
    tag = uuid.uuid4().hex[:8]
    env = clean_environ() | {k: str(v) for k, v in storage.items()} | {
        "SECRET_KEY": "k" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DATABASE_URL": postgres,
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_BASE_URL": "https://alemtrust.example",
        "TRUSTED_PROXIES": "1",
        "ELASTICSEARCH_URL": es_url,
        "SEARCH_INDEX_NAME": alias,
        "REDIS_URL": REDIS,
        "RATELIMIT_KEY_PREFIX": f"check-config-{tag}:",
        "PAGE_CACHE_KEY_PREFIX": f"check-config-{tag}:page:",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": public,
        "VAPID_SUBJECT": "mailto:support@alemtrust.example",
    }
    done = run(["-m", "flask", "--app", PRODUCTION_APP, "portal", "check-config", "--config", ON_TEST_SERVERS,
                "--strict"], env)
    report = done.stdout
    assert done.returncode == 0, report + done.stderr
    checks = lines_of(report)
    assert set(checks) == {name for name, _check in cc.CHECKS}
    assert {status for status, _text in checks.values()} == {"OK"}, report
    assert f"All {len(cc.CHECKS)} checks OK." in report
    assert "migrations at the newest revision" in checks["database"][1]
    assert f"index {alias}" in checks["search"][1]
    assert "answers PING" in checks["Redis"][1]
    assert "written, read back and deleted" in checks["file storage"][1]
    assert f"SMTP 127.0.0.1:{smtp_port} answers" in checks["mail"][1]
    assert checks["Web Push"][1].startswith("on: the VAPID keys are a pair")
    assert env["SECRET_KEY"] not in report + done.stderr  # never printed


def test_a_broken_environment_says_what_is_missing_in_plain_words(tmp_path):
    """A weak key, no database URL (SQLite), no Redis, local files, no mail server, push keys
    half set, no proxy setting, the development base URL: exit code 1, one line each."""
    from portal.services.notifications.vapid import generate_keys

    _private, public = generate_keys()
    env = clean_environ() | {
        "SECRET_KEY": "short-key",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "VAPID_PUBLIC_KEY": public,
    }
    done = run(["-m", "portal.cli.check_config"], env)
    report = done.stdout + done.stderr
    assert done.returncode == 1, report
    assert "Traceback" not in report
    checks = lines_of(done.stdout)
    assert checks["SECRET_KEY"][0] == "WRONG"
    assert "too short (at least 32 characters)" in checks["SECRET_KEY"][1]
    assert checks["database"] == ("MISSING", checks["database"][1])
    assert "DATABASE_URL is not set" in checks["database"][1] and "SQLite" in checks["database"][1]
    assert checks["Redis"][0] == "MISSING" and "REDIS_URL is not set" in checks["Redis"][1]
    assert checks["file storage"][0] == "WARN" and "STORAGE_BACKEND is local" in checks["file storage"][1]
    assert checks["search"][0] == "WARN" and "ELASTICSEARCH_URL is not set" in checks["search"][1]
    assert checks["mail"][0] == "MISSING" and "MAIL_SERVER is not set" in checks["mail"][1]
    assert checks["Web Push"] == ("MISSING", "VAPID_PUBLIC_KEY is set but VAPID_PRIVATE_KEY is not, so push "
                                             "stays off; set both from `flask portal vapid-keys`")
    assert checks["reverse proxy"][0] == "MISSING" and "TRUSTED_PROXIES is 0" in checks["reverse proxy"][1]
    assert checks["links in emails"][0] == "WRONG"
    assert checks["HTTPS"][0] == "OK" and checks["start-up"][0] == "OK"
    assert re.search(r"\d+ OK, 2 WARN \(one machine only\), 7 MISSING or WRONG", done.stdout), done.stdout


def test_servers_that_do_not_answer_are_wrong_lines_not_a_traceback(tmp_path):
    """Every setting present, every server unreachable (closed loopback ports), the push keys
    of two different pairs: WRONG lines that name the cause; exit code 1."""
    from portal.services.notifications.vapid import generate_keys

    closed = free_port()
    private, _public = generate_keys()
    _other_private, other_public = generate_keys()
    storage = s3_config(endpoint=closed_endpoint())
    env = clean_environ() | {k: str(v) for k, v in storage.items()} | {
        "SECRET_KEY": "k" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DATABASE_URL": f"postgresql://alemtrust:secret-password@127.0.0.1:{closed}/alemtrust",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_BASE_URL": "https://alemtrust.example",
        "TRUSTED_PROXIES": "1",
        "ELASTICSEARCH_URL": f"http://127.0.0.1:{closed}",
        "REDIS_URL": f"redis://:redis-password@127.0.0.1:{closed}/0",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(closed),
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": other_public,
    }
    done = run(["-m", "portal.cli.check_config"], env)
    report = done.stdout + done.stderr
    assert done.returncode == 1, report
    assert "Traceback" not in report
    checks = lines_of(done.stdout)
    for name in ("database", "search", "mail"):
        assert checks[name][0] == "WRONG" and "cannot be reached" in checks[name][1], checks[name]
    assert f"PostgreSQL alemtrust on 127.0.0.1:{closed} cannot be reached" in checks["database"][1]
    assert checks["Redis"][0] == "WRONG" and "does not answer PING" in checks["Redis"][1]
    assert checks["file storage"][0] == "WRONG" and "could not be written" in checks["file storage"][1]
    assert checks["Web Push"][0] == "WRONG" and "not the public key of" in checks["Web Push"][1]
    assert {checks[n][0] for n in ("SECRET_KEY", "links in emails", "reverse proxy", "HTTPS")} == {"OK"}
    assert "secret-password" not in report and "redis-password" not in report  # passwords masked


def test_a_value_of_the_wrong_kind_is_one_line(tmp_path):
    env = clean_environ() | {"MAIL_PORT": "twenty-five", "PORTAL_INSTANCE_PATH": str(tmp_path)}
    done = run(["-m", "portal.cli.check_config"], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert re.search(r"^WRONG +settings: config\.ProductionConfig cannot be loaded: ValueError: .*'twenty-five'",
                     done.stdout, re.M), done.stdout


# --- single checks, in this process ---------------------------------------------------------------


def settings(**values) -> dict:
    """The settings ``load_config`` gives for ProductionConfig, with ``values`` over them."""
    config = dict(cc.load_config("config.ProductionConfig"))
    config.update(values)
    return config


def test_the_command_is_in_the_portal_group_and_checks_the_class_it_is_given(app, tmp_path, monkeypatch):
    """``flask portal check-config --config ...`` through the app's CLI (no server contacted)."""
    class Good(ProductionConfig):
        SECRET_KEY = "k" + uuid.uuid4().hex + uuid.uuid4().hex
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://alemtrust@db.example:5432/alemtrust"
        INSTANCE_PATH = str(tmp_path)
        ELASTICSEARCH_URL = "http://es.example:9200"
        REDIS_URL = "redis://redis.example:6379/0"
        RATELIMIT_STORAGE_URI = REDIS_URL
        STORAGE_BACKEND = "s3"
        STORAGE_S3_BUCKET = "alemtrust-files"
        MAIL_SERVER = "smtp.example"
        PORTAL_BASE_URL = "https://alemtrust.example"
        TRUSTED_PROXIES = 1

    monkeypatch.setattr(sys.modules[__name__], "Good", Good, raising=False)
    result = app.test_cli_runner().invoke(args=["portal", "check-config", "--offline", "--strict",
                                                "--config", f"{__name__}.Good"])
    assert result.exit_code == 0, result.output
    checks = lines_of(result.output)
    assert {s for s, _t in checks.values()} == {"OK"}, result.output
    assert checks["database"][1] == "PostgreSQL alemtrust on db.example:5432 (not contacted: --offline)"

    Good.TRUSTED_PROXIES = 0
    result = app.test_cli_runner().invoke(args=["portal", "check-config", "--offline", "--config",
                                                f"{__name__}.Good"])
    assert result.exit_code == 1
    assert lines_of(result.output)["reverse proxy"][0] == "MISSING"


def test_warnings_fail_only_with_strict(tmp_path, monkeypatch):
    """One machine: local files and the embedded index are WARN lines; exit code 0, 1 with --strict."""
    class OneMachine(ProductionConfig):
        SECRET_KEY = "k" + uuid.uuid4().hex + uuid.uuid4().hex
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://alemtrust@127.0.0.1:5432/alemtrust"
        INSTANCE_PATH = str(tmp_path)
        ELASTICSEARCH_URL = ""
        REDIS_URL = "redis://127.0.0.1:6379/0"
        RATELIMIT_STORAGE_URI = REDIS_URL
        STORAGE_BACKEND = "local"
        MAIL_SERVER = "127.0.0.1"
        PORTAL_BASE_URL = "https://alemtrust.example"
        TRUSTED_PROXIES = 1

    monkeypatch.setattr(sys.modules[__name__], "OneMachine", OneMachine, raising=False)
    for strict, code in ((False, 0), (True, 1)):
        lines: list[str] = []
        assert cc.report(f"{__name__}.OneMachine", offline=True, strict=strict, echo=lines.append) == code
        checks = lines_of("\n".join(lines))
        assert [n for n, (s, _t) in checks.items() if s != "OK"] == ["search", "file storage"]
        assert lines[-1] == f"{len(cc.CHECKS) - 2} OK, 2 WARN (one machine only), 0 MISSING or WRONG (to fix before going live)."


@pytest.mark.parametrize("key, problem", [
    ("", "SECRET_KEY is not set"),
    ("dev-only-change-me" * 3, "development key"),
    ("a" * 40, "too simple"),
])
def test_weak_secret_keys(key, problem):
    result = cc.check_secret_key({"SECRET_KEY": key}, False)
    assert result.status == ("MISSING" if not key else "WRONG")
    assert problem in result.text and "secrets.token_urlsafe(48)" in result.text


def test_a_search_server_without_the_index_asks_for_a_reindex():
    result = cc.check_search(settings(ELASTICSEARCH_URL=elasticsearch_url(), ELASTICSEARCH_NODE_CLASS=PlainJsonNode,
                                      SEARCH_INDEX_NAME=f"check-config-none-{uuid.uuid4().hex[:8]}"), False)
    assert result.status == "WRONG"
    assert "does not exist yet: run `flask search reindex`" in result.text


def test_a_bucket_that_does_not_exist(tmp_path):
    result = cc.check_storage(settings(INSTANCE_PATH=str(tmp_path), **s3_config()), False)
    assert result.status == "WRONG"
    assert "NoSuchBucket" in result.text and "create the bucket" in result.text


def test_an_s3_store_without_a_bucket_name(tmp_path):
    result = cc.check_storage(settings(INSTANCE_PATH=str(tmp_path), STORAGE_BACKEND="s3", STORAGE_S3_BUCKET=""), False)
    assert (result.status, result.text) == ("MISSING", "STORAGE_BACKEND is s3 but STORAGE_S3_BUCKET is not set")


def test_a_bad_database_url_is_a_line():
    result = cc.check_database({"SQLALCHEMY_DATABASE_URI": "postgresql://x:y@host:notaport/db"}, False)
    assert result.status == "WRONG" and "cannot be read" in result.text
    result = cc.check_database({"SQLALCHEMY_DATABASE_URI": "mysql://x@host/db"}, False)
    assert result.status == "WRONG" and "PostgreSQL" in result.text


@pytest.fixture
def empty_postgres(postgres):
    """A new empty PostgreSQL database next to the session's (dropped afterwards)."""
    base = make_url(postgres)
    name = f"check_config_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _database_at(url, revision: str | None) -> None:
    if revision is None:
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
    engine.dispose()


@pytest.mark.parametrize("revision, says", [
    (None, "answers but has no tables yet: run `flask db upgrade`"),
    ("0001", "is at revision 0001, this release needs"),
    ("9999_future", "which this release does not know"),
])
def test_a_database_behind_the_code(empty_postgres, revision, says):
    _database_at(empty_postgres, revision)
    result = cc.check_database({"SQLALCHEMY_DATABASE_URI": empty_postgres.render_as_string(hide_password=False)},
                               False)
    assert result.status == "WRONG" and says in result.text, result.text
