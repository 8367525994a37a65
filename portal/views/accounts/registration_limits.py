"""The per-IP limit on registration POSTs (REGISTRATION_RATE_LIMIT, "10 per
hour" by default). Registration tells whether an email is in use (and points
to sign-in and password reset); the limit keeps that from being a fast way to
list which emails have accounts. Used as the ``limits`` of
portal.security.PortalRegisterView; over the limit the answer is 429 (the
translated error page)."""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.utils.limit import Limit
from flask_limiter.util import get_remote_address


def registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _key() -> str:
    return "register:" + (get_remote_address() or "")


# FAB applies a view's limits to its whole blueprint: POST is only the form submission
REGISTRATION_LIMITS = [Limit(registration_limit, key_func=_key, methods=("POST",))]
