"""The checks of ``flask portal check-config`` (portal.cli.check_config) that read settings
only, and what every check shares: the statuses, the ``Check`` line and its helpers. The
checks that contact a server are in portal.cli.server_checks."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit, urlunsplit

OK, WARN, MISSING, WRONG = "OK", "WARN", "MISSING", "WRONG"
FAILED = (MISSING, WRONG)
TIMEOUT = 5  # seconds for each server contacted


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



def _folder_problem(folder: str) -> str | None:
    """None when a file can be created in ``folder`` (made if missing), else why not."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-config-"):
            pass
    except OSError as exc:
        return _short(exc)
    return None




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
