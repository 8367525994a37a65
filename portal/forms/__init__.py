"""WTForms forms, one module per domain, and how a service's refusal reaches a form."""
from __future__ import annotations


def put_error(form, err, field: str | None = None):
    """Show a ``ServiceError`` on the form field it names (or on ``field``);
    return its message when the form has no such field, for a flash or the page."""
    name = field or err.field
    target = getattr(form, name, None) if form is not None and name else None
    if target is None:
        return err.message
    target.errors = list(target.errors or ()) + [err.message]
    return None
