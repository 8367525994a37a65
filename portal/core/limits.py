"""Rate limits on what a signed-in user does (Flask-Limiter through the
``limits`` list of a FAB view): sending support messages, filing complaints,
closing the account (password guessing) and downloading one's data.

Each limit is counted per account under its own name, so one action does not
use up another's allowance; its value ("10 per hour") comes from a config key
(defaults in config.py). A limit can count every request or only the ones the
view marks as done (``counted=``: the view sets that flag on ``g``), so a form
sent back with an error does not use up the allowance. Visitors are not
counted here: ``@has_access`` sends them to the login page. Over the limit the
answer is 429, rendered by the translated error page (portal/views/errors.py).
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_appbuilder.utils.limit import Limit
from flask_login import current_user


def per_account(name: str, config_key: str, *, methods: tuple[str, ...] = ("POST",),
                endpoint: str | None = None, counted: str | None = None) -> Limit:
    """A limit of ``config_key`` per account on ``methods``
    of the view, only on ``endpoint`` when given; with ``counted``, only the
    requests after which ``g.<counted>`` is true use up the allowance."""

    def value() -> str:
        return current_app.config[config_key]

    def key() -> str:
        return f"{name}:{current_user.id}"

    def exempt() -> bool:
        return not current_user.is_authenticated or (endpoint is not None and request.endpoint != endpoint)

    deduct = (lambda response: bool(g.get(counted))) if counted else None
    return Limit(value, key_func=key, methods=methods, exempt_when=exempt, deduct_when=deduct)
