"""The end of a use case: commit its changes, or roll back all of them."""
from __future__ import annotations

from functools import wraps

from portal.core.extensions import db


def commit() -> None:
    """Commit the session; on any error roll back (nothing half-done stays) and re-raise."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def atomic(fn):
    """Run ``fn`` and commit; if it (or the commit) fails, roll back and re-raise."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return result
    return wrapper
