"""The per-IP limit on registration POSTs (REGISTRATION_RATE_LIMIT, "10 per
hour" by default). Registration tells whether an email is in use (and points
to sign-in and password reset); the limit keeps that from being a fast way to
list which emails have accounts. Used as the ``limits`` of
portal.security.PortalRegisterView and, for its one registration endpoint, of
the JSON API (``api_registration_limits``); over the limit the answer is 429
with Retry-After (the translated error page, or a problem document)."""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.utils.limit import Limit
from flask_limiter.util import get_remote_address

from portal.core.limits import retry_after


def registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _key() -> str:
    return "register:" + (get_remote_address() or "")


# FAB applies a view's limits to its whole blueprint: POST is only the form submission
REGISTRATION_LIMITS = [Limit(registration_limit, key_func=_key, methods=("POST",), on_breach=retry_after)]


def api_registration_limits(endpoint: str) -> list[Limit]:
    """The same limit on the API's registration ``endpoint`` only (its class has others)."""
    return [Limit(registration_limit, key_func=_key, methods=("POST",), on_breach=retry_after,
                  exempt_when=lambda: request.endpoint != endpoint)]
