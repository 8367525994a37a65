"""App server processes for the scale-out tests (helpers, not a test module).

* :class:`ServerConfig`: ``config.ProductionConfig`` as the environment sets it, with what
  a test over plain HTTP on loopback needs (cookies without ``Secure``, no HSTS) and the
  Elasticsearch node class of the tests' in-memory search server. Gunicorn loads it as
  ``portal:create_app("tests.scaleout.servers.ServerConfig")``.
* :func:`server_env`: the environment of such a process (every setting the portal reads
  from it explicitly: nothing leaks in from the test run's own environment).
* :func:`config_class`: the same class evaluated under such an environment inside the test
  process (an app for migrations, seeding and checks, on the same database and services).
* :func:`release`: the Procfile's release step (``flask db upgrade``) in a process of its own.
* :class:`AppServer`: one ``gunicorn -w 1`` process on a free loopback port, its output in a
  log file; :func:`start_all` starts several at once and waits until each answers
  (:func:`wait_ready`, for servers started already); :func:`stop_all`.
"""
from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Mapping

import requests

import config as _config

ROOT = Path(__file__).resolve().parents[2]
APP_SPEC = 'portal:create_app("tests.scaleout.servers.ServerConfig")'
PLAIN_JSON_ENV = "SCALEOUT_ES_PLAIN_JSON"  # "1": the in-memory test search server's node class
READY_PATH = "/robots.txt"  # cheap, no sign-in, no page cache
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Variables the portal's config reads that a server must never take from the test run's
# environment unless server_env sets them (the suite's DATABASE_URL, a developer's REDIS_URL...).
_CLEARED = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SEARCH_INDEX_NAME", "SEARCH_INDEX_PATH",
            "STORAGE_BACKEND", "STORAGE_S3_BUCKET", "STORAGE_S3_PREFIX", "STORAGE_S3_ENDPOINT_URL",
            "STORAGE_S3_REGION", "STORAGE_DOWNLOADS", "UPLOAD_FOLDER", "PORTAL_CONFIG", "PORTAL_INSTANCE_PATH",
            "PORTAL_AUTO_MIGRATE", "PORTAL_DEMO_DATA", "RATELIMIT_ENABLED", "RATELIMIT_KEY_PREFIX",
            "PAGE_CACHE", "PAGE_CACHE_KEY_PREFIX", "SECRET_KEY", "MAIL_SERVER", "TRUSTED_PROXIES",
            "SEARCH_SYNC", "NOTIFY_SYNC", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", PLAIN_JSON_ENV)


def _server_config(base: type, env: Mapping[str, str]) -> type:
    node_class = None  # the client's default node (a real Elasticsearch)
    if env.get(PLAIN_JSON_ENV) == "1":  # the in-memory test server answers the 8.x mimetype with 406
        from tests.search_servers import PlainJsonNode as node_class

    class ServerConfig(base):
        # plain HTTP on loopback: a TLS-terminating proxy keeps these on in production
        SESSION_COOKIE_SECURE = False
        REMEMBER_COOKIE_SECURE = False
        SECURITY_HSTS = False
        PREFERRED_URL_SCHEME = "http"
        ELASTICSEARCH_NODE_CLASS = node_class

    return ServerConfig


# What gunicorn loads (evaluated from this process's environment, as config.py is).
ServerConfig = _server_config(_config.ProductionConfig, os.environ)


def config_class(env: Mapping[str, str]) -> type:
    """:class:`ServerConfig` as a process with environment ``env`` sees it: config.py
    evaluated again under ``env`` (this process's environment is put back after)."""
    saved = {name: os.environ.get(name) for name in set(env) | set(_CLEARED)}
    try:
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(env)
        namespace = runpy.run_path(str(ROOT / "config.py"), run_name="scaleout_config")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return _server_config(namespace["ProductionConfig"], env)


def server_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The environment of an app server: this process's (PATH, AWS credentials...) without
    any portal setting, then ``settings``; ``tests`` importable from the project root."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in settings.items()})
    return env


def release(env: Mapping[str, str], log_path: Path, timeout: float = 300.0) -> None:
    """The release step of the Procfile: ``flask db upgrade`` once, before the servers start
    (RuntimeError with the output's tail if it fails)."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", APP_SPEC, "db", "upgrade"], cwd=str(ROOT),
                              env=dict(env), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              timeout=timeout)
    if done.returncode != 0:
        tail = "\n".join(log_path.read_text("utf-8", "replace").splitlines()[-40:])
        raise RuntimeError(f"flask db upgrade exited with {done.returncode}:\n{tail}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """One gunicorn master with one sync worker on ``127.0.0.1:<port>``."""

    def __init__(self, name: str, env: Mapping[str, str], log_path: Path, port: int | None = None):
        self.name = name
        self.env = dict(env)
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __repr__(self) -> str:
        return f"<AppServer {self.name} {self.url}>"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115  (the child keeps it; closed below)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}",
                 "--timeout", "60", "--graceful-timeout", "3", "--access-logfile", "-",
                 "--error-logfile", "-", "--log-level", "info", APP_SPEC],
                cwd=str(ROOT), env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group: the worker goes with the master
        finally:
            log.close()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def answers(self) -> bool:
        try:
            return requests.get(self.url + READY_PATH, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = None

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return f"({self.name}: no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:])


def start_all(servers: Iterable[AppServer], timeout: float = START_TIMEOUT) -> None:
    """Start every server and wait until each answers (see :func:`wait_ready`)."""
    servers = list(servers)
    for server in servers:
        server.start()
    wait_ready(servers, timeout)


def wait_ready(servers: Iterable[AppServer], timeout: float = START_TIMEOUT) -> None:
    """Wait until every (started) server answers; RuntimeError with its log's tail if one
    exits or does not answer within ``timeout`` seconds (every server is stopped then)."""
    servers = list(servers)
    deadline = time.monotonic() + timeout
    waiting = list(servers)
    while waiting:
        for server in list(waiting):
            if not server.running():
                stop_all(servers)
                raise RuntimeError(f"{server.name} exited while starting:\n{server.tail()}")
            if server.answers():
                waiting.remove(server)
        if waiting and time.monotonic() > deadline:
            stop_all(servers)
            raise RuntimeError("not answering after %.0f s: %s\n%s" % (
                timeout, ", ".join(s.name for s in waiting), "\n".join(s.tail() for s in waiting)))
        if waiting:
            time.sleep(0.2)


def stop_all(servers: Iterable[AppServer]) -> None:
    for server in servers:
        server.stop()
