"""Rate limits on what a signed-in user does (Flask-Limiter through the
``limits`` list of a FAB view): sending support messages, filing complaints,
closing the account (password guessing) and downloading one's data.

Each limit is counted per account under its own name, so one action does not
use up another's allowance; its value ("10 per hour") comes from a config key
(defaults in config.py). A limit can count every request or only the ones the
view marks as done (``counted=``: the view sets that flag on ``g``), so a form
sent back with an error does not use up the allowance. Visitors are not
counted here: ``@has_access`` sends them to the login page. Over the limit the
answer is 429 with Retry-After (``retry_after``), rendered by the translated
error page (portal/views/errors.py), or a problem document under /api/.

The JSON API (portal.views.api) signs its user in inside the endpoint, after
the limiter has run; so on /api/ paths the account is the Bearer token's
(``account_id``): the same allowance per account as the web page's.
"""
from __future__ import annotations

import time

from flask import current_app, g, request
from flask_appbuilder.utils.limit import Limit
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests


def retry_after(request_limit) -> None:
    """``on_breach`` of a limit: the 429 says when to try again (Retry-After), which
    Flask-Limiter leaves out while its rate-limit headers are off."""
    raise TooManyRequests(retry_after=max(1, int(request_limit.reset_at - time.time()) + 1))


def account_id() -> int | None:
    """The signed-in account of this request: the browser's, or on /api/ the one of a
    valid Bearer token (an invalid one counts as nobody: the endpoint answers 401)."""
    if current_user.is_authenticated:
        return current_user.id
    if not request.path.startswith("/api/") or not request.headers.get("Authorization"):
        return None
    try:
        verify_jwt_in_request(optional=True)
        identity = get_jwt_identity()
        return int(identity) if identity is not None else None
    except Exception:  # noqa: BLE001 (missing, expired, revoked or malformed)
        return None


def per_account(name: str, config_key: str, *, methods: tuple[str, ...] = ("POST",),
                endpoint: str | None = None, counted: str | None = None) -> Limit:
    """A limit of ``config_key`` per account on ``methods``
    of the view, only on ``endpoint`` when given; with ``counted``, only the
    requests after which ``g.<counted>`` is true use up the allowance."""

    def value() -> str:
        return current_app.config[config_key]

    def key() -> str:
        return f"{name}:{account_id()}"

    def exempt() -> bool:
        return (endpoint is not None and request.endpoint != endpoint) or account_id() is None

    deduct = (lambda response: bool(g.get(counted))) if counted else None
    return Limit(value, key_func=key, methods=methods, exempt_when=exempt, deduct_when=deduct,
                 on_breach=retry_after)
