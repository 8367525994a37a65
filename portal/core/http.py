"""Translated error pages for the public site (HTML) and JSON for /api/, and
how a view shows a service's refusal (``refuse``, ``put_error``).

Every error response carries the security headers (set here too, not only in
the ``after_request`` hook), and a 500 never turns into a second failure: the
database session is rolled back first (on PostgreSQL a failed statement aborts
the transaction, and the page's menu needs the database), and a page that
cannot be rendered falls back to plain text."""
from __future__ import annotations

import logging

from flask import abort, flash, g, render_template
from flask_login import current_user

from portal.core.api import is_api_path, problem
from portal.core.errors import MESSAGES, NotFound, ServiceError

log = logging.getLogger(__name__)


def put_error(form, err: ServiceError, field: str | None = None):
    """Show a ``ServiceError`` on the form field it names (or on ``field``);
    return its message when the form has no such visible field, for a flash or
    the page."""
    name = field or err.field
    target = getattr(form, name, None) if form is not None and name else None
    if target is None or getattr(target.widget, "input_type", None) == "hidden":
        return err.message
    target.errors = list(target.errors or ()) + [err.message]
    return None


def refused(err: ServiceError) -> None:
    """A refused change: nothing of it stays in the session, and a ``NotFound``
    is a 404 (the caller shows any other message itself)."""
    _rollback()
    if isinstance(err, NotFound):
        abort(404)


def refuse(err: ServiceError, form=None, field: str | None = None) -> None:
    """``refused``, and the message goes on its form field when the form has
    it, else into a flash."""
    refused(err)
    message = put_error(form, err, field)
    if message is not None:
        flash(str(message), "danger")


def _rollback() -> None:
    from portal.core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        log.exception("rollback in the error handler failed")


def register_error_handlers(app) -> None:
    from portal.core.hardening import apply_security_headers

    def page(code, message):
        if not hasattr(g, "user"):  # errors raised before FAB's before_request (CSRF)
            g.user = current_user
        return render_template("portal/error.html", code=code, message=message,
                               appbuilder=app.appbuilder, base_template=app.appbuilder.base_template)

    def handle(error):
        code = getattr(error, "code", 500) or 500
        # a RefusedInput (core.input_checks) brings its own translated message
        message = getattr(error, "portal_message", None) or MESSAGES.get(code, MESSAGES[500])
        headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
        if code >= 500:
            _rollback()  # the failed statement may have aborted the transaction
        if is_api_path():
            kind = "rate_limit" if code == 429 else None
            return apply_security_headers(problem(code, message, kind=kind, headers=headers))
        try:
            body = page(code, message)
        except Exception:  # noqa: BLE001  (e.g. the database went away under the menu)
            log.exception("error page %s could not be rendered; retrying after a rollback", code)
            _rollback()
            try:
                body = page(code, message)
            except Exception:  # noqa: BLE001
                log.exception("error page %s could not be rendered; plain text instead", code)
                body = str(message)
                headers = {**headers, "Content-Type": "text/plain; charset=utf-8"}
        return apply_security_headers(app.make_response((body, code, headers)))

    def not_found(error: NotFound):
        _rollback()
        return handle(_NotFoundPage())

    for code in MESSAGES:
        app.register_error_handler(code, handle)
    app.register_error_handler(NotFound, not_found)


class _NotFoundPage(Exception):
    """A service's ``NotFound`` that no view caught: the 404 page."""

    code = 404
