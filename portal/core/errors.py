from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class Message(LazyString):
    """A service's message: translated when shown, like the lazy string it wraps, but plain
    text in a template. Flask-Babel's LazyString declares itself safe HTML (``__html__``), so
    ``_l("The file %(name)s ...", name=upload.filename)`` would reach the page unescaped."""

    def __init__(self, message):
        super().__init__(str, message)

    def __html__(self) -> Markup:
        return escape(str(self))


class ServiceError(Exception):
    """A rule was broken. ``message`` is a lazy gettext string the view shows (as plain
    text: see Message); ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message if isinstance(message, Message) else Message(message)
        self.field = field


class NotFound(ServiceError):
    """The row does not exist or the current user may not see it (no IDOR leak)."""


# What an error page (or a JSON error under /api/) says for each HTTP status.
MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this page."),
    404: _l("Page not found."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("This is temporarily unavailable. Please try again in a few minutes."),
}
