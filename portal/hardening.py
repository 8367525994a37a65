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

from flask import Flask, Response, current_app, flash, g, redirect, request

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def csp_nonce() -> str:
    """The nonce of the current request (created on first use)."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(18)
    return nonce


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


def _security_headers(response: Response) -> Response:
    from flask import current_app

    headers = response.headers
    # setdefault: a view may send a stricter policy (e.g. for downloads)
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SECURITY_HSTS"):
        max_age = int(current_app.config.get("SECURITY_HSTS_MAX_AGE", 31536000))
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


def _refuse_unknown_action():
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
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)
    app.before_request(_refuse_unknown_action)
