"""Shared fixtures. The suite runs on SQLite (a temp file) by default and on
PostgreSQL when DATABASE_URL points at a server: then a throwaway database is
created next to the given one and dropped at the end.

Isolation: the session app is built once (migrations, FAB permissions,
reference data); what its database holds right then is kept as a snapshot
(tests/snapshot.py) and every test starts from a fresh copy of it, with an
empty search index and empty upload and mail folders. Modules whose
module-scoped fixtures create rows for all their tests are marked
``pytest.mark.db_per_module``: they get the fresh copy once, before those
fixtures run. Apps with settings fixed at creation (``separate_app``) start
on a copy of the same migrated and seeded SQLite file."""
from __future__ import annotations

import contextlib
import contextvars
import gc
import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig, _database_url
from tests import factories
from tests.snapshot import Snapshot, copy_sqlite, no_fsync, remember_sqlite_template, sqlite_template


def _postgres_throwaway(url: str):
    base = make_url(url)
    name = f"alemtrust_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if os.environ.get("DATABASE_URL"):
        url, drop = _postgres_throwaway(_database_url())
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from portal import create_app

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_PATH = str(tmp_path_factory.mktemp("instance"))

    application = create_app(Cfg)
    ctx = application.app_context()
    ctx.push()
    snapshot = Snapshot.take(application, tmp_path_factory.mktemp("template"))
    gc.collect()
    gc.freeze()  # the app's long-lived objects: the collector no longer walks them for every test
    gc.set_threshold(50_000, 20, 100)  # and runs less often (the tests allocate much, in short bursts)
    yield application
    from portal.core.extensions import db

    db.session.remove()
    snapshot.close()
    db.engine.dispose()
    ctx.pop()


def _snapshot_of(request) -> Snapshot | None:
    """The snapshot of the ``app`` this test uses (None: a module's own app, e.g. test_xss)."""
    return Snapshot.of(request.getfixturevalue("app"))


@pytest.fixture(scope="module", autouse=True)
def _fresh_database_per_module(request):
    """Marked modules: one fresh copy, before the module's own fixtures add their rows."""
    if request.node.get_closest_marker("db_per_module") is None:
        yield
        return
    snapshot = _snapshot_of(request)
    if snapshot is not None:
        snapshot.restore()
    yield


@pytest.fixture(autouse=True)
def _fresh_database(request):
    """Every other test starts on a fresh copy of the snapshot."""
    if request.node.get_closest_marker("db_per_module") is None:
        snapshot = _snapshot_of(request)
        if snapshot is not None:
            snapshot.restore()
    yield


class IsolatedClient(FlaskClient):
    """Runs every request in an empty context, as a real server does: the
    request gets its own app context, ``g`` and database session instead of
    sharing the test's (which would leak the logged-in user between requests)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@contextlib.contextmanager
def separate_app(config: type, folder):
    """A second app on its own SQLite file in ``folder``, for settings FAB fixes
    at creation (the rate limiter: the session app's disabled limiter cannot be
    switched on afterwards). Its clients are isolated like ``client``."""
    from portal import create_app
    from portal.core.extensions import db

    class Cfg(config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'app.db'}"
        INSTANCE_PATH = str(folder / "instance")

    template = sqlite_template()
    if template is not None:  # migrated and seeded already: the app only checks it
        copy_sqlite(template, folder / "app.db")
    application = create_app(Cfg)
    with application.app_context():
        db.session.remove()
        no_fsync(db.engine)
    if template is None:  # (on PostgreSQL) the first separate app's fresh file is the template
        remember_sqlite_template(folder / "app.db", copy=True)
    application.test_client_class = IsolatedClient
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def start_from_template(path) -> None:
    """A SQLite file for an app a module builds itself: the migrated, seeded template
    when there is one (create_app then only checks it)."""
    template = sqlite_template()
    if template is not None:
        copy_sqlite(template, path)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def db_session(app):
    from portal.core.extensions import db

    yield db.session
    db.session.rollback()


@pytest.fixture
def world(app):
    """A small world: two clients with requests/reviews, a practitioner with
    an approved profile and offers, a moderator and an admin."""
    return factories.make_world(app.appbuilder.sm)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def login(client, email: str, password: str = factories.PASSWORD):
    return client.post("/login/", data={"username": email, "password": password})


@pytest.fixture
def login_as(client):
    def _login(user):
        client.post("/logout/")
        response = login(client, user.email)
        assert response.status_code == 302
        return client
    return _login


def build_url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return app.url_for(endpoint, **values)
