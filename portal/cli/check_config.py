"""``flask portal check-config``: is this environment ready to run the portal in
production? One line per check, in plain words, then a summary:

    OK       SECRET_KEY: set, 64 characters
    MISSING  Redis: REDIS_URL is not set: ...
    WRONG    database: PostgreSQL alemtrust on db1:5432 cannot be reached: ...
    WARN     file storage: STORAGE_BACKEND is local: ...

``OK``: ready. ``MISSING``: a required setting is not there. ``WRONG``: it is there but
does not work (a weak key, a server that does not answer, a database behind the code).
``WARN``: fine on one machine, not with several app servers (local files, the embedded
search index). Exit code 0 when no line is MISSING or WRONG (``--strict``: nor WARN), else 1.

What is checked is a configuration *class*, ``config.ProductionConfig`` unless ``--config``
names another, read from the environment exactly as the app servers and workers read it;
the app ``flask`` loaded is not used. So the same check runs where the app cannot start (a
weak SECRET_KEY or an unreachable database stop ``create_app``, and with it every ``flask``
command of the portal) as::

    python -m portal.cli.check_config [--config CLASS] [--offline] [--strict]

Servers are contacted with short timeouts: PostgreSQL (and its migration revision),
Elasticsearch (and the index alias), Redis (PING), the object store (a small file written,
read back and deleted), the SMTP server (EHLO, STARTTLS and login when configured).
``--offline`` checks the settings only. No check ever ends the command with a traceback: a
check that fails in an unexpected way is a WRONG line naming the error."""
from __future__ import annotations

import os
import sys
import tempfile
import uuid
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

import click

from portal.cli.portal import portal_cli

OK, WARN, MISSING, WRONG = "OK", "WARN", "MISSING", "WRONG"
FAILED = (MISSING, WRONG)
DEFAULT_CONFIG = "config.ProductionConfig"
TIMEOUT = 5  # seconds for each server contacted
PROBE_AREA = "checks"  # storage key area of the probe file (no service lists it)


@dataclass(frozen=True)
class Check:
    status: str
    name: str
    text: str

    def line(self) -> str:
        return f"{self.status:<8} {self.name}: {self.text}"


# --- helpers -----------------------------------------------------------------------------

def _short(exc: BaseException) -> str:
    """An error as one short line (the driver's own error when SQLAlchemy wraps one)."""
    inner = getattr(exc, "orig", None) or exc
    text = " ".join(str(inner).split()) or type(inner).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    except ValueError:
        return "(a URL that cannot be read)"


def _instance_path(config: Mapping) -> str:
    return os.path.abspath(config.get("INSTANCE_PATH"))


def load_config(name: str) -> Mapping:
    """The settings of configuration class ``name`` over Flask's defaults, as ``create_app``
    would see them (ValueError, ImportError... when the class or an environment value cannot
    be read)."""
    from flask import Flask
    from flask.config import Config as FlaskConfig
    from werkzeug.utils import import_string

    settings = FlaskConfig(os.getcwd(), Flask.default_config)
    settings.from_object(import_string(name))
    return settings


# --- the checks (each returns one Check; ``offline``: contact no server) -----------------

def check_secret_key(config: Mapping, offline: bool) -> Check:
    from portal import GENERATE_SECRET_KEY
    from portal import check_secret_key as strong

    key = config.get("SECRET_KEY")
    try:
        strong(key)
    except RuntimeError as exc:
        problem = str(exc).split(": the production configuration", 1)[0]
        status = MISSING if not str(key or "").strip() else WRONG
        return Check(status, "SECRET_KEY", f"{problem}. Generate one with {GENERATE_SECRET_KEY} "
                                           "and give every app server and worker the same value")
    return Check(OK, "SECRET_KEY", f"set, {len(key)} characters")


def check_database(config: Mapping, offline: bool) -> Check:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    name = "database"
    try:
        url = make_url(config.get("SQLALCHEMY_DATABASE_URI") or "")
    except Exception as exc:  # noqa: BLE001  (any unreadable URL)
        return Check(WRONG, name, f"DATABASE_URL cannot be read as a database URL ({_short(exc)})")
    backend = url.get_backend_name()
    if backend == "sqlite":
        return Check(MISSING, name, f"DATABASE_URL is not set (or names SQLite): the portal would use the file "
                                    f"{url.database or 'in memory'}, which one process on one machine can use; "
                                    "set DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/alemtrust")
    if backend != "postgresql":
        return Check(WRONG, name, f"DATABASE_URL names {backend}; the portal runs on PostgreSQL")
    where = f"PostgreSQL {url.database} on {url.host or 'localhost'}:{url.port or 5432}"
    if offline:
        return Check(OK, name, f"{where} (not contacted: --offline)")
    from portal import MIGRATIONS_DIR, migration_revisions

    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": TIMEOUT})
    try:
        with engine.connect() as conn:
            current, heads = migration_revisions(conn)
    except SQLAlchemyError as exc:
        return Check(WRONG, name, f"{where} cannot be reached: {_short(exc)}")
    finally:
        engine.dispose()
    if not current:
        return Check(WRONG, name, f"{where} answers but has no tables yet: run `flask db upgrade`")
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(MIGRATIONS_DIR)
    if current == heads:
        return Check(OK, name, f"{where}, migrations at the newest revision ({', '.join(sorted(heads))})")
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current - known:
        return Check(WRONG, name, f"{where} is at revision {', '.join(sorted(current))}, which this release does "
                                  "not know (migrated by a newer release?)")
    return Check(WRONG, name, f"{where} is at revision {', '.join(sorted(current))}, this release needs "
                              f"{', '.join(sorted(heads))}: run `flask db upgrade`")


def check_search(config: Mapping, offline: bool) -> Check:
    name = "search"
    url = config.get("ELASTICSEARCH_URL")
    if not url:
        path = config.get("SEARCH_INDEX_PATH") or os.path.join(_instance_path(config), "search")
        return Check(WARN, name, f"ELASTICSEARCH_URL is not set: the embedded index in {path} serves the app "
                                 "servers and workers of this one machine only; several machines need "
                                 "Elasticsearch")
    alias = config.get("SEARCH_INDEX_NAME")
    where = f"Elasticsearch at {shown_url(url)}"
    if offline:
        return Check(OK, name, f"{where}, index {alias} (not contacted: --offline)")
    from portal.search import SearchUnavailable
    from portal.search.elastic import ElasticBackend

    engine = ElasticBackend(url, index=alias, node_class=config.get("ELASTICSEARCH_NODE_CLASS"),
                            timeout=min(float(config.get("ELASTICSEARCH_TIMEOUT")), TIMEOUT))
    try:
        targets = engine.physical_indices()
    except SearchUnavailable as exc:
        return Check(WRONG, name, f"{where} cannot be reached: {_short(exc.__cause__ or exc)}")
    except Exception as exc:  # noqa: BLE001  (the server refused: authentication, a proxy error...)
        return Check(WRONG, name, f"{where} refused the request: {_short(exc)}")
    finally:
        engine.close()
    if not targets:
        return Check(WRONG, name, f"{where} answers, but the index {alias} does not exist yet: "
                                  "run `flask search reindex`")
    return Check(OK, name, f"{where}, index {alias} ({', '.join(targets)})")


def check_redis(config: Mapping, offline: bool) -> Check:
    name = "Redis"
    url = config.get("REDIS_URL")
    if not url:
        return Check(MISSING, name, "REDIS_URL is not set: every app server process would keep its own login "
                                    "rate limits and page cache, so the limits do not hold across processes and "
                                    "servers and a change does not drop pages cached elsewhere; "
                                    "set REDIS_URL=redis://HOST:6379/0")
    if not config.get("RATELIMIT_ENABLED"):
        return Check(WRONG, name, "RATELIMIT_ENABLED is off: nothing slows down password guessing")
    if str(config.get("RATELIMIT_STORAGE_URI") or "").startswith("memory"):
        return Check(WRONG, name, "REDIS_URL is set but the rate limits are kept in memory "
                                  "(RATELIMIT_STORAGE_URI): set REDIS_URL in the environment, not in a class")
    where = f"Redis at {shown_url(url)}"
    if offline:
        return Check(OK, name, f"{where} (not contacted: --offline)")
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001  (a bad URL, a closed port, a wrong password)
        return Check(WRONG, name, f"{where} does not answer PING: {_short(exc)}")
    return Check(OK, name, f"{where} answers PING (login rate limits and the page cache are shared by every "
                           "app server and the workers)")


def check_storage(config: Mapping, offline: bool) -> Check:
    from portal.core import storage

    name = "file storage"
    backend = str(config.get("STORAGE_BACKEND") or "local").lower()
    if backend not in storage.BACKENDS:
        return Check(WRONG, name, f"STORAGE_BACKEND is {backend!r}; it must be one of {', '.join(storage.BACKENDS)}")
    downloads = config.get("STORAGE_DOWNLOADS")
    if downloads not in ("stream", "redirect"):
        return Check(WRONG, name, f"STORAGE_DOWNLOADS is {downloads!r}; it must be stream or redirect")
    if backend == "s3" and not config.get("STORAGE_S3_BUCKET"):
        return Check(MISSING, name, "STORAGE_BACKEND is s3 but STORAGE_S3_BUCKET is not set")
    instance = _instance_path(config)
    store = storage.create(config, instance)
    if backend == "local":
        folder = getattr(store, "root", "")
        problem = None if offline else _folder_problem(folder)
        if problem:
            return Check(WRONG, name, f"the upload folder {folder} cannot be written: {problem}")
        return Check(WARN, name, f"STORAGE_BACKEND is local: uploaded files stay in {folder} on this machine, "
                                 "so one machine only; several app servers need STORAGE_BACKEND=s3 "
                                 "(`flask portal storage migrate` copies the existing files into the store)")
    if offline:
        return Check(OK, name, f"{store.describe()} (not contacted: --offline)")
    probe = storage.key(PROBE_AREA, f"check-config-{uuid.uuid4().hex}")
    data = f"AlemTrust check-config {probe}".encode()
    try:
        store.put(probe, data, "text/plain")
        try:
            back = store.read(probe)
        finally:
            store.delete(probe)
    except Exception as exc:  # noqa: BLE001  (StorageError, and whatever boto3 raises besides)
        text = _short(exc)
        if "credentials" in text.lower():
            text += " (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        elif "NoSuchBucket" in text:
            text += " (create the bucket: private, with versioning)"
        return Check(WRONG, name, f"{store.describe()}: a test file could not be written, read back and "
                                  f"deleted: {text}")
    if back != data:
        return Check(WRONG, name, f"{store.describe()}: a test file read back different bytes")
    return Check(OK, name, f"{store.describe()}: a test file was written, read back and deleted")


def _folder_problem(folder: str) -> str | None:
    """None when a file can be created in ``folder`` (made if missing), else why not."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-config-"):
            pass
    except OSError as exc:
        return _short(exc)
    return None


def check_mail(config: Mapping, offline: bool) -> Check:
    from email.utils import parseaddr

    name = "mail"
    server = config.get("MAIL_SERVER")
    if not server:
        return Check(MISSING, name, "MAIL_SERVER is not set: emails (password resets, notifications) would only "
                                    f"be written to files in {os.path.join(_instance_path(config), 'mail')} and "
                                    "nobody would receive them; set MAIL_SERVER, MAIL_PORT and, as the server "
                                    "needs, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD")
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    if "@" not in parseaddr(str(sender))[1]:
        return Check(MISSING, name, "MAIL_DEFAULT_SENDER is not an email address, e.g. "
                                    "'AlemTrust <noreply@alemtrust.kz>'")
    port = int(config.get("MAIL_PORT"))
    tls, user = bool(config.get("MAIL_USE_TLS")), config.get("MAIL_USERNAME")
    where = f"SMTP {server}:{port}{' with STARTTLS' if tls else ''}"
    if offline:
        return Check(OK, name, f"{where}, sender {sender} (not contacted: --offline)")
    import smtplib
    import ssl

    try:
        with smtplib.SMTP(server, port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if user:
                smtp.login(user, config.get("MAIL_PASSWORD") or "")
    except smtplib.SMTPAuthenticationError as exc:
        return Check(WRONG, name, f"{where} refused MAIL_USERNAME / MAIL_PASSWORD: {_short(exc)}")
    except Exception as exc:  # noqa: BLE001  (refused, timed out, TLS failed, not SMTP)
        return Check(WRONG, name, f"{where} cannot be reached: {_short(exc)}")
    signed_in = f", signed in as {user}" if user else ""
    return Check(OK, name, f"{where} answers{signed_in}; sender {sender}")


def check_base_url(config: Mapping, offline: bool) -> Check:
    name = "links in emails"
    base = str(config.get("PORTAL_BASE_URL") or "")
    try:
        parts = urlsplit(base)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme != "https" or not host or host in ("127.0.0.1", "localhost", "::1"):
        return Check(WRONG, name, f"PORTAL_BASE_URL is {base or '(empty)'}: links in emails and push messages "
                                  "start with it; set the public https address, e.g. https://alemtrust.kz")
    return Check(OK, name, f"PORTAL_BASE_URL {base}")


def check_push(config: Mapping, offline: bool) -> Check:
    name = "Web Push"
    private = str(config.get("VAPID_PRIVATE_KEY") or "").strip()
    public = str(config.get("VAPID_PUBLIC_KEY") or "").strip()
    if not private and not public:
        return Check(OK, name, "off (no VAPID keys): the portal works without push; `flask portal vapid-keys` "
                               "prints a key pair to switch it on")
    if not private or not public:
        have, lack = ("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY") if public else ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY")
        return Check(MISSING, name, f"{have} is set but {lack} is not, so push stays off; set both from "
                                    "`flask portal vapid-keys`")
    from py_vapid import Vapid

    from portal.services.notifications.vapid import public_key_of

    try:
        signer = Vapid.from_string(private_key=private)
    except Exception as exc:  # noqa: BLE001  (any malformed key)
        return Check(WRONG, name, f"VAPID_PRIVATE_KEY cannot be read ({type(exc).__name__}), so push stays off; "
                                  "set a pair from `flask portal vapid-keys`")
    if public_key_of(signer.private_key) != public.rstrip("="):
        return Check(WRONG, name, "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY, so push stays "
                                  "off; set both from one run of `flask portal vapid-keys`")
    subject = str(config.get("VAPID_SUBJECT") or "")
    if not subject.startswith(("mailto:", "https:")):
        return Check(WRONG, name, f"VAPID_SUBJECT is {subject or '(empty)'}: push services want a mailto: or "
                                  "https: contact")
    return Check(OK, name, f"on: the VAPID keys are a pair, subject {subject}")


def check_proxy(config: Mapping, offline: bool) -> Check:
    name = "reverse proxy"
    try:
        hops = int(config.get("TRUSTED_PROXIES") or 0)
    except (TypeError, ValueError):
        return Check(WRONG, name, "TRUSTED_PROXIES is not a number")
    if hops < 1:
        return Check(MISSING, name, "TRUSTED_PROXIES is 0: behind nginx the app would take every visitor for the "
                                    "proxy (one login rate limit for everybody) and would not see HTTPS; set "
                                    "TRUSTED_PROXIES=1 for one nginx in front (2 with a load balancer before it)")
    return Check(OK, name, f"TRUSTED_PROXIES={hops}: the client's address, scheme and host are taken from the "
                           "last proxy's X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host")


# (setting, value wanted, what it does); Flask's and Flask-Login's own keys among them
HTTPS_SETTINGS = (
    ("PREFERRED_URL_SCHEME", "https", "links built outside a request use https"),
    ("SESSION_COOKIE_SECURE", True, "the session cookie is sent over HTTPS only"),
    ("REMEMBER_COOKIE_SECURE", True, "the remember-me cookie is sent over HTTPS only"),
    ("SECURITY_HSTS", True, "browsers are told to use HTTPS only (Strict-Transport-Security)"),
)


def check_https(config: Mapping, offline: bool) -> Check:
    wrong = [f"{key} is {config.get(key)!r} (wanted {want!r}: {what})"
             for key, want, what in HTTPS_SETTINGS if config.get(key) != want]
    if wrong:
        return Check(WRONG, "HTTPS", "; ".join(wrong))
    return Check(OK, "HTTPS", "PREFERRED_URL_SCHEME https, secure session and remember-me cookies, HSTS on")


def check_startup(config: Mapping, offline: bool) -> Check:
    wrong = []
    if config.get("AUTO_MIGRATE"):
        wrong.append("PORTAL_AUTO_MIGRATE is on: every app server and worker would migrate the database as it "
                     "starts, several at once; switch it off and run `flask db upgrade` once per release")
    if config.get("LOAD_DEMO_DATA"):
        wrong.append("demo data would be loaded into a new database (PORTAL_DEMO_DATA)")
    if not config.get("REQUIRE_STRONG_SECRET_KEY"):
        wrong.append("REQUIRE_STRONG_SECRET_KEY is off (not config.ProductionConfig?)")
    if wrong:
        return Check(WRONG, "start-up", "; ".join(wrong))
    return Check(OK, "start-up", "PORTAL_AUTO_MIGRATE off, no demo data, a strong SECRET_KEY required")


def check_instance(config: Mapping, offline: bool) -> Check:
    path = _instance_path(config)
    problem = _folder_problem(path)
    if problem:
        return Check(WRONG, "instance folder", f"{path} cannot be written by this user: {problem} "
                                               "(PORTAL_INSTANCE_PATH; ReadWritePaths= of the systemd units)")
    return Check(OK, "instance folder", f"{path} is writable")


CHECKS: tuple[tuple[str, Callable[[Mapping, bool], Check]], ...] = (
    ("SECRET_KEY", check_secret_key),
    ("database", check_database),
    ("search", check_search),
    ("Redis", check_redis),
    ("file storage", check_storage),
    ("mail", check_mail),
    ("links in emails", check_base_url),
    ("Web Push", check_push),
    ("reverse proxy", check_proxy),
    ("HTTPS", check_https),
    ("start-up", check_startup),
    ("instance folder", check_instance),
)


def run_checks(config: Mapping, offline: bool = False) -> list[Check]:
    """Every check, in order; a check that raises is a WRONG line naming the error."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(check(config, offline))
        except Exception as exc:  # noqa: BLE001  (never a traceback: say what broke)
            results.append(Check(WRONG, name, f"the check itself failed: {type(exc).__name__}: {_short(exc)}"))
    return results


def report(config_name: str, offline: bool = False, strict: bool = False, echo=click.echo) -> int:
    """Print the lines and the summary; the exit code."""
    echo(f"Checking {config_name} with the settings of this environment"
         f"{' (--offline: no server is contacted)' if offline else ''}.")
    try:
        config = load_config(config_name)
    except Exception as exc:  # noqa: BLE001  (a class that is not there, an environment value of the wrong kind)
        echo(Check(WRONG, "settings", f"{config_name} cannot be loaded: {type(exc).__name__}: {_short(exc)} "
                                      "(a setting in the environment with a value of the wrong kind?)").line())
        return 1
    results = run_checks(config, offline)
    for result in results:
        echo(result.line())
    failed = sum(r.status in FAILED for r in results)
    warned = sum(r.status == WARN for r in results)
    if not failed and not warned:
        echo(f"All {len(results)} checks OK.")
    else:
        echo(f"{len(results) - failed - warned} OK, {warned} WARN (one machine only), "
             f"{failed} MISSING or WRONG (to fix before going live).")
    return 1 if failed or (strict and warned) else 0


@click.command("check-config")
@click.option("--config", "config_name", default=DEFAULT_CONFIG, show_default=True,
              help="The configuration class to check (read from the environment, as the app servers do).")
@click.option("--offline", is_flag=True, help="Check the settings only; contact no server.")
@click.option("--strict", is_flag=True, help="Fail on WARN lines too (a deployment on several machines).")
def check_config_command(config_name: str, offline: bool, strict: bool):
    """Check a production environment: SECRET_KEY, database, search, Redis, file storage,
    mail, Web Push, proxy and HTTPS settings. One line per check (OK, WARN, MISSING,
    WRONG); exit code 1 when something is MISSING or WRONG."""
    sys.exit(report(config_name, offline, strict))


# a plain click command (no app context needed): `flask portal check-config`, and
# `python -m portal.cli.check_config` where the app itself cannot start
portal_cli.add_command(check_config_command)


if __name__ == "__main__":
    check_config_command.main(prog_name="python -m portal.cli.check_config")
