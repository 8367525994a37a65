"""AlemTrust portal: the application factory."""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.const import LOGMSG_WAR_SEC_NO_USER
from flask_login import user_logged_in
from sqlalchemy import inspect

from portal.core.extensions import csrf, db, mail, migrate

log = logging.getLogger(__name__)
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config: object | str = "config.Config", announce: bool = True) -> Flask:
    """The application. On a first start (a new database, or a generated admin
    password) the sign-in facts are kept in ``app.extensions["first_start"]``,
    written to instance/admin-credentials.txt and, with ``announce``, printed
    once (``run.py`` prints them itself, with the address it serves on)."""
    app = Flask(__name__, instance_path=_instance_path(config))
    app.config.from_object(config)
    if app.config["REQUIRE_STRONG_SECRET_KEY"]:
        check_secret_key(app.config["SECRET_KEY"])
    os.makedirs(app.instance_path, exist_ok=True)
    # Private files (never under the web root); FAB's file views read these.
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads", "")
    app.config["IMG_UPLOAD_FOLDER"] = os.path.join(app.config["UPLOAD_FOLDER"], "img", "")

    from portal.core import storage

    storage.init_app(app)  # uploaded files: the local folder or an S3-compatible store
    import portal.models  # noqa: F401  (registers every table on Model.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    mail.init_app(app)
    csrf.init_app(app)
    from portal import search
    from portal.search import free_time
    from portal.services.bookings import availability, slots

    search.init_app(app)
    # the index's free-time fields follow the bookings domain's slot rules (search may not import services)
    free_time.use(free_slots=slots.free_slots, to_local=slots.to_local, rules=slots.SlotRules,
                  default_rules=availability.DEFAULT_RULES)
    from portal.services.notifications import mailer, push
    mailer.register(app)
    push.register(app)  # the push outbox sent after commit (NOTIFY_SYNC=inline); a log line when push is off

    # one process at a time over one database: migrations (AUTO_MIGRATE), FAB's permissions,
    # roles and the first data (several app servers and workers may start at once)
    with app.app_context(), _startup_turn():
        fresh_database = not _is_migrated()
        if app.config["AUTO_MIGRATE"]:
            from flask_migrate import upgrade

            upgrade(directory=MIGRATIONS_DIR)
        ready = _at_head()  # False e.g. while `flask db upgrade` runs on an older database
        if not ready:
            app.config["FAB_UPDATE_PERMS"] = False
        appbuilder = AppBuilder()
        with _without_fab_no_user_warning():
            appbuilder.init_app(app, db.session)
        _setup_locale(app, appbuilder)
        from portal.core import hardening, input_guard, page_cache, static_files

        hardening.init_app(app)
        page_cache.init_app(app)  # after hardening: compression, ETag/304, the page cache
        static_files.init_app(app)
        input_guard.init_app(app)
        from portal.views import register_views

        register_views(appbuilder)
        _order_request_hooks(app)
        if ready:
            appbuilder.sm.sync_roles()
            _initial_data(app, appbuilder, fresh_database)
            if announce and FIRST_START in app.extensions:
                print(announce_first_start(app, app.config["PORTAL_BASE_URL"]), flush=True)

    from portal import cli

    cli.register(app)
    from portal.core.http import register_error_handlers

    register_error_handlers(app)
    return app


SECRET_KEY_MIN_LENGTH = 32
DEV_SECRET_KEY = "dev-only-change-me"  # config.Config's default, for development only
GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def check_secret_key(key) -> None:
    """Refuse to start (RuntimeError) without a strong SECRET_KEY: it signs the
    sessions, CSRF tokens, API tokens and device cookies, so a missing, known or
    guessable one lets anybody forge them. ProductionConfig asks for this check."""
    key = key.decode("utf-8", "replace") if isinstance(key, bytes) else (key or "")
    if not key.strip():
        problem = "SECRET_KEY is not set"
    elif DEV_SECRET_KEY in key:
        problem = "SECRET_KEY is (or contains) the development key"
    elif len(key) < SECRET_KEY_MIN_LENGTH:
        problem = f"SECRET_KEY is too short (at least {SECRET_KEY_MIN_LENGTH} characters)"
    elif len(set(key)) < 8:
        problem = "SECRET_KEY is too simple (too few different characters)"
    else:
        return
    raise RuntimeError(f"{problem}: the production configuration refuses to start. Generate a key with\n"
                       f"    {GENERATE_SECRET_KEY}\n"
                       "and set it in the SECRET_KEY environment variable (the same on every worker).")


# Key of the PostgreSQL advisory lock start-ups take turns on (advisory locks are per database).
STARTUP_LOCK_KEY = 0x416C656D  # "Alem"


@contextmanager
def _startup_turn():
    """Hold the database's start-up lock while this process writes what every process
    writes at start-up: migrations, FAB's permissions and roles, the reference data and the
    first admin. Several app servers (and workers) starting together on PostgreSQL took
    these at the same moment: duplicate-key errors, and a server that failed to boot. A
    session-level advisory lock on a connection of its own (autocommit, so no transaction
    stays open); released when done, or by the server if the process dies. SQLite (one
    process; its writes are serialized anyway) takes no lock."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})


def _order_request_hooks(app: Flask) -> None:
    """Every request hook of the portal, in the order they must run (core.hooks)."""
    from portal.core import hardening, hooks, input_guard, page_cache
    from portal.views.accounts.blocking import end_blocked_session
    from portal.views.accounts.security import check_session
    from portal.views.agreement.pages import agreement_gate

    hooks.install(app,
                  # hostile input refused before anything reads it; then a visitor's public page
                  # from the page cache (no session, no user: nothing else to check); then a session
                  # ended elsewhere is signed out before any other check sees its user
                  first=[input_guard.guard_request, page_cache.serve_cached, check_session],
                  # (Flask-WTF's CSRF check and FAB's g.user run here, in their own order)
                  # then the rules that need g.user: FAB actions the view lacks, the agreement in
                  # force, a blocked user's session
                  last=[hardening.refuse_unknown_action, agreement_gate, end_blocked_session])


def _instance_path(config: object | str) -> str:
    from werkzeug.utils import import_string

    obj = import_string(config) if isinstance(config, str) else config
    return os.path.abspath(getattr(obj, "INSTANCE_PATH", "instance"))


def _is_migrated() -> bool:
    return "alembic_version" in inspect(db.engine).get_table_names()


def migration_revisions(conn) -> tuple[set[str], set[str]]:
    """(the revisions the database on ``conn`` is at, empty when it has no tables yet; the
    newest revisions this code has). Also ``flask portal check-config``."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    heads = set(ScriptDirectory(MIGRATIONS_DIR).get_heads())
    if "alembic_version" not in inspect(conn).get_table_names():
        return set(), heads
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}, heads


def _at_head() -> bool:
    """The database carries the newest migration (so every mapped column exists)."""
    with db.engine.connect() as conn:
        current, heads = migration_revisions(conn)
    if not current:
        return False
    if current != heads:
        log.warning("Database is at %s, the code expects %s: run `flask db upgrade`.", current, heads)
    return current == heads


def _setup_locale(app: Flask, appbuilder: AppBuilder) -> None:
    from portal.core.i18n import select_locale
    from portal.views.accounts.language import switch_language

    app.extensions["babel"].locale_selector = select_locale
    app.view_functions["LocaleView.index"] = switch_language

    @user_logged_in.connect_via(app)
    def _restore_locale(sender, user, **extra):
        from flask import session

        if getattr(user, "locale", None):
            session["locale"] = user.locale

    from portal.core import formats
    from portal.core.i18n import current_locale
    from portal.core.icons import icon
    from portal.core.labels import label
    from portal.core.validation import format_phone

    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["current_locale"] = current_locale
    formats.install(app.jinja_env)  # format_date, format_datetime, format_number, filesize, |money
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["phone"] = format_phone


def _initial_data(app: Flask, appbuilder: AppBuilder, fresh_database: bool) -> None:
    from portal.services import catalog
    from portal.services.accounts import registration

    catalog.ensure_reference_data()
    facts = FirstStart(os.path.join(app.instance_path, CREDENTIALS_FILE))
    if fresh_database and app.config["LOAD_DEMO_DATA"]:
        from portal import demo

        counts = demo.load_demo_data(appbuilder.sm)
        log.info("Demo data loaded: %s", counts)
        facts.demo_logins = [("client", [demo.CLIENT_LOGIN]), ("practitioner", list(demo.PRACTITIONER_LOGINS)),
                             ("notary", [demo.NOTARY_LOGIN]), ("moderator", [demo.MODERATOR_LOGIN])]
        facts.demo_password = demo.DEMO_PASSWORD
    if fresh_database and not app.config["ELASTICSEARCH_URL"]:
        # A new database: drop whatever an earlier embedded index held.
        from portal.services import search as search_service

        search_service.reindex()
    admin, generated = registration.ensure_admin(appbuilder.sm, app.config["ADMIN_EMAIL"],
                                             app.config["ADMIN_PASSWORD"])
    if fresh_database or generated:
        facts.admin_email, facts.admin_password = admin.email, generated
        app.extensions[FIRST_START] = facts
        _write_credentials(facts, app.config["PORTAL_BASE_URL"])


# --- the first start: what the operator needs once ---------------------------------------

FIRST_START = "first_start"
CREDENTIALS_FILE = "admin-credentials.txt"


@dataclass
class FirstStart:
    """Where to sign in on a new installation, and with which accounts."""
    credentials_file: str
    admin_email: str = ""
    admin_password: str | None = None  # generated now; None: PORTAL_ADMIN_PASSWORD's
    demo_logins: list[tuple[str, list[str]]] = field(default_factory=list)  # (who, emails)
    demo_password: str = ""


def first_start_text(facts: FirstStart, url: str) -> str:
    """The block printed at the first start (and kept in the credentials file)."""
    lines = [f"AlemTrust is ready at {url}"]
    if facts.admin_email:
        secret = facts.admin_password or "the password in PORTAL_ADMIN_PASSWORD"
        lines.append(f"  admin           {facts.admin_email} / {secret}")
    if facts.demo_logins:
        lines.append(f"  demo accounts, password {facts.demo_password}:")
        lines += [f"    {who:<13} {', '.join(emails)}" for who, emails in facts.demo_logins]
    if facts.admin_password:
        lines.append(f"  The admin password is shown once and kept in {facts.credentials_file}:"
                     " delete that file after reading.")
    return "\n".join(lines)


def _write_credentials(facts: FirstStart, url: str) -> None:
    """The block in the credentials file, when it holds a generated password."""
    if facts.admin_password:
        with open(facts.credentials_file, "w", encoding="utf-8") as fh:
            fh.write(first_start_text(facts, url) + "\n\nDelete this file after reading.\n")


def announce_first_start(app: Flask, url: str) -> str:
    """The first-start block with the address the portal really serves on (and the
    credentials file rewritten with it); "" when this was not a first start."""
    facts = app.extensions.get(FIRST_START)
    if facts is None:
        return ""
    _write_credentials(facts, url)
    return "\n" + first_start_text(facts, url) + "\n"


class _NoUserFilter(logging.Filter):
    """FAB logs LOGMSG_WAR_SEC_NO_USER when ab_user is empty (BaseSecurityManager.create_db, run by
    AppBuilder.init_app through the security manager); the portal creates the admin itself right
    after (registration.ensure_admin in _initial_data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != LOGMSG_WAR_SEC_NO_USER


@contextmanager
def _without_fab_no_user_warning():
    """FAB's "No user yet created, use flask fab command to do it." is wrong advice
    here: the admin account is created by the portal a moment later. Only that
    record is dropped, only while AppBuilder initialises."""
    target = logging.getLogger("flask_appbuilder.security.manager")
    quiet = _NoUserFilter()
    target.addFilter(quiet)
    try:
        yield
    finally:
        target.removeFilter(quiet)
