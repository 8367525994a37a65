"""AlemTrust portal: the application factory."""
from __future__ import annotations

import logging
import os

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_login import user_logged_in
from sqlalchemy import inspect

from portal.core.extensions import csrf, db, mail, migrate

log = logging.getLogger(__name__)
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config: object | str = "config.Config") -> Flask:
    app = Flask(__name__, instance_path=_instance_path(config))
    app.config.from_object(config)
    if app.config["REQUIRE_STRONG_SECRET_KEY"]:
        check_secret_key(app.config["SECRET_KEY"])
    os.makedirs(app.instance_path, exist_ok=True)
    # Private files (never under the web root); FAB's file views read these.
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads", "")
    app.config["IMG_UPLOAD_FOLDER"] = os.path.join(app.config["UPLOAD_FOLDER"], "img", "")

    import portal.models  # noqa: F401  (registers every table on Model.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    mail.init_app(app)
    csrf.init_app(app)
    from portal import search

    search.init_app(app)
    from portal.services.notifications import mailer
    mailer.register(app)

    with app.app_context():
        fresh_database = not _is_migrated()
        if app.config["AUTO_MIGRATE"]:
            from flask_migrate import upgrade

            upgrade(directory=MIGRATIONS_DIR)
        ready = _at_head()  # False e.g. while `flask db upgrade` runs on an older database
        if not ready:
            app.config["FAB_UPDATE_PERMS"] = False
        appbuilder = AppBuilder()
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


def _at_head() -> bool:
    """The database carries the newest migration (so every mapped column exists)."""
    if not _is_migrated():
        return False
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    heads = set(ScriptDirectory(MIGRATIONS_DIR).get_heads())
    with db.engine.connect() as conn:
        current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
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

    from flask_babel import format_date, format_datetime

    from portal.core.i18n import current_locale
    from portal.core.icons import icon
    from portal.core.labels import label

    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["format_date"] = format_date
    app.jinja_env.globals["format_datetime"] = format_datetime
    app.jinja_env.filters["label"] = label


def _initial_data(app: Flask, appbuilder: AppBuilder, fresh_database: bool) -> None:
    from portal.services import catalog
    from portal.services.accounts import registration

    catalog.ensure_reference_data()
    if fresh_database and app.config["LOAD_DEMO_DATA"]:
        from portal import demo

        counts = demo.load_demo_data(appbuilder.sm)
        log.warning("Demo data loaded: %s", counts)
    if fresh_database and not app.config["ELASTICSEARCH_URL"]:
        # A new database: drop whatever an earlier embedded index held.
        from portal.services import search as search_service

        search_service.reindex()
    admin, generated = registration.ensure_admin(appbuilder.sm, app.config["ADMIN_EMAIL"],
                                             app.config["ADMIN_PASSWORD"])
    if generated:
        message = (f"\n  Admin account created: {admin.email} / {generated}\n"
                   "  (shown once; set PORTAL_ADMIN_PASSWORD to choose it)\n")
        print(message, flush=True)
        with open(os.path.join(app.instance_path, "admin-credentials.txt"), "w") as fh:
            fh.write(message)
