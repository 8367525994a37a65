"""Translated error pages for the public site (HTML) and JSON for /api/."""
from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_login import current_user
from flask_babel import lazy_gettext as _l

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("Page not found."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
}


def register_error_handlers(app) -> None:
    def handle(error):
        code = getattr(error, "code", 500) or 500
        message = MESSAGES.get(code, MESSAGES[500])
        headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
        if request.path.startswith("/api/"):
            return jsonify(message=str(message)), code, headers
        if not hasattr(g, "user"):  # errors raised before FAB's before_request (CSRF)
            g.user = current_user
        return render_template("portal/error.html", code=code, message=message,
                               appbuilder=app.appbuilder,
                               base_template=app.appbuilder.base_template), code, headers

    for code in MESSAGES:
        app.register_error_handler(code, handle)
