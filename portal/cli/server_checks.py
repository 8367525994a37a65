"""The checks of ``flask portal check-config`` that contact a server, with short timeouts:
PostgreSQL (and its migration revision), Elasticsearch (and the index alias), Redis (PING),
the file store (a small file written, read back and deleted) and the SMTP server (EHLO,
STARTTLS and login when configured). ``offline``: the settings only."""
from __future__ import annotations

import os
import uuid
from typing import Mapping

from portal.cli.config_checks import (
    MISSING,
    OK,
    TIMEOUT,
    WARN,
    WRONG,
    Check,
    _folder_problem,
    _instance_path,
    _short,
    shown_url,
)

PROBE_AREA = "checks"  # storage key area of the probe file (no service lists it)


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
