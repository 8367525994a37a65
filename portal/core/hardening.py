"""Security hardening that needs no database: response headers and login limits.

- Every response carries a Content-Security-Policy without ``'unsafe-inline'``
  for scripts: FAB 5 templates put ``nonce="{{ baselib.get_nonce() }}"`` on
  their script tags, and that macro calls a ``csp_nonce()`` Jinja global when
  one exists; this module provides it (one random nonce per request) and puts
  the same nonce in ``script-src``. Styles keep ``'unsafe-inline'``: FAB's
  templates and its JS widgets (select2, datepicker) use ``style`` attributes.
- X-Content-Type-Options, Referrer-Policy, X-Frame-Options, Permissions-Policy
  and Cross-Origin-Opener-Policy everywhere; Strict-Transport-Security only
  when ``SECURITY_HSTS`` is on (ProductionConfig).
- The headers are set in an ``after_request`` hook and again, for the responses
  that never pass through it (an exception escaping the error handlers, a
  response finalised by Werkzeug), by :class:`SecurityHeadersMiddleware` around
  the WSGI app, which also answers a bare 500 with the headers when the app
  itself fails.
- ``Cache-Control: no-store`` on every response to a signed-in user (session
  or an ``Authorization`` header) and on every response under ``/api/`` but
  the public search API; public pages for visitors keep their caching.
- Login limits live in portal/login_limits.py (one guard for every path that
  checks a password).
- ``TRUSTED_PROXIES`` > 0 wraps the app in ProxyFix so the per-IP limit sees
  the client's address behind a reverse proxy, not the proxy's.
- FAB's ModelView action routes (``/action/<name>/<pk>``, ``/action_post``) crash
  with a 500 on a POST naming an action the view does not have (the portal
  defines none), for anyone, visitors included: refused here as FAB refuses a
  missing permission (a flash and back to the list).
"""
from __future__ import annotations

import secrets
import sys

from flask import Flask, Response, current_app, flash, g, redirect, request

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


NONCE_ENVIRON_KEY = "portal.csp_nonce"
# The public JSON API (no login, same answers for everybody): caches may keep it.
PUBLIC_API_ENDPOINTS = ("SearchApi.",)


def csp_nonce() -> str:
    """The nonce of the current request (created on first use)."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(18)
        # for SecurityHeadersMiddleware, should the response miss the after_request hook
        request.environ[NONCE_ENVIRON_KEY] = nonce
    return nonce


def current_nonce() -> str | None:
    """The nonce of the current request, if anything used one yet."""
    return g.get("_csp_nonce")


def use_nonce(nonce: str) -> None:
    """Send ``nonce`` in this response's policy (core.page_cache: the nonce the cached or
    rewritten page carries)."""
    g._csp_nonce = nonce
    request.environ[NONCE_ENVIRON_KEY] = nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


def security_headers(nonce: str, config) -> list[tuple[str, str]]:
    """The headers every response carries (a view may send a stricter value of its own)."""
    out = [
        ("Content-Security-Policy", content_security_policy(nonce)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if config["SECURITY_HSTS"]:
        max_age = int(config["SECURITY_HSTS_MAX_AGE"])
        out.append(("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains"))
    return out


def apply_security_headers(response: Response) -> Response:
    """Set the missing security headers on ``response`` (inside a request; also used by
    the error handlers)."""
    headers = response.headers
    # setdefault: a view may send a stricter policy (e.g. for downloads)
    for name, value in security_headers(csp_nonce(), current_app.config):
        headers.setdefault(name, value)
    _cache_control(response)
    return response


def _signed_in() -> bool:
    """A signed-in request: a Flask-Login user in the session, or an API token."""
    if request.headers.get("Authorization"):
        return True
    user = g.get("_login_user")
    if user is not None:
        return bool(getattr(user, "is_authenticated", False))
    try:
        from flask import session

        return bool(session.get("_user_id"))
    except Exception:  # noqa: BLE001  (no session: nobody is signed in)
        return False


def _cache_control(response: Response) -> None:
    """Personal answers are never stored by browsers or proxies."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return  # the same files for everybody
    private_api = request.path.startswith("/api/") and not endpoint.startswith(PUBLIC_API_ENDPOINTS)
    if not (private_api or _signed_in()):
        return
    if "no-store" not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = "no-store"


def _security_headers(response: Response) -> Response:
    return apply_security_headers(response)


class SecurityHeadersMiddleware:
    """WSGI middleware: every response leaves with the security headers, also those
    that never reach the ``after_request`` hook, and an exception escaping the app
    becomes a bare 500 with the headers (re-raised when the app propagates
    exceptions, as in tests)."""

    NAMES = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options",
             "permissions-policy", "cross-origin-opener-policy", "strict-transport-security")

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def _headers(self, environ) -> list[tuple[str, str]]:
        nonce = environ.get(NONCE_ENVIRON_KEY) or secrets.token_urlsafe(18)
        return security_headers(nonce, self.app.config)

    def __call__(self, environ, start_response):
        started = []

        def _start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers) + [(n, v) for n, v in self._headers(environ) if n.lower() not in present]
            started.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.wsgi_app(environ, _start)
        except Exception:
            if self.app.config["PROPAGATE_EXCEPTIONS"] or self.app.testing or self.app.debug:
                raise
            self.app.logger.exception("unhandled error outside the error handlers")
            if started:
                raise  # headers are gone already: nothing better to send
            body = self._error_body(environ)
            start_response("500 INTERNAL SERVER ERROR", [
                ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"), *self._headers(environ)], sys.exc_info())
            return [body]

    def _error_body(self, environ) -> bytes:
        try:
            from portal.core.errors import MESSAGES

            with self.app.request_context(environ):
                return str(MESSAGES[500]).encode("utf-8")
        except Exception:  # noqa: BLE001
            return b"Something went wrong on our side. Please try again later."


def same_origin() -> bool:
    """The request was sent by a page of this site: Fetch Metadata (``Sec-Fetch-Site:
    same-origin``), else the ``Origin`` header, else the ``Referer``, compared with this
    request's scheme and host (behind a proxy: ``TRUSTED_PROXIES`` passes them on). Every
    current browser sends one of them with a form POST; a request with none is refused."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    expected = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin:
        return origin == expected
    referer = request.headers.get("Referer") or ""
    return referer == expected or referer.startswith(expected + "/")


def refuse_unknown_action():
    """Before FAB's action views: an action name the view does not have is refused, not a 500."""
    endpoint = request.endpoint or ""
    if request.method != "POST" or not endpoint.endswith((".action", ".action_post")):
        return None
    view = getattr(current_app.view_functions.get(endpoint), "__self__", None)
    actions = getattr(view, "actions", None)
    if actions is None:
        return None
    name = (request.view_args or {}).get("name") if endpoint.endswith(".action") else request.form.get("action")
    if name in actions:
        return None
    from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED

    flash(str(FLAMSG_ERR_SEC_ACCESS_DENIED), "danger")
    return redirect(request.path.rsplit("/action", 1)[0] + "/list/")


def init_app(app: Flask) -> None:
    """Call after ``appbuilder.init_app`` (needs the security manager)."""
    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.wsgi_app = SecurityHeadersMiddleware(app.wsgi_app, app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)
