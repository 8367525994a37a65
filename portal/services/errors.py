from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken. ``message`` is a lazy gettext string the view shows;
    ``field`` names the form field it belongs to, when there is one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(ServiceError):
    """The row does not exist or the current user may not see it (no IDOR leak)."""
