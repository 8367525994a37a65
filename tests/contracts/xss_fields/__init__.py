"""The table of tests/contracts/test_xss.py: every user-writable text field of the portal, how a value
is written into it (the real HTTP form where there is one, else the service) and which pages
show it. One row = one Field (tests/contracts/xss_fields/common.py), in the module of its domain; a new
feature's field is one more row there.

``write(w, value)`` makes a fresh object for the example, writes ``value`` and returns what
``pages(w, o, marker)`` needs; ``pages`` lists (who, url): who is a browser name of ``w.browsers``
("client", "pro", "moderator", "admin", "visitor") or a signed-in test client of the row's own
user. ``o.seen`` (optional): [(where, response)] answers of the write itself that show the
value (a form error, an echo), checked too. ``emails``: an email the write queued must show
the value too. Names set by a factory stand for the registration and user info forms, which
have their own rows."""
from __future__ import annotations

from tests.contracts.xss_fields import exchange, practice, staff, trust
from tests.contracts.xss_fields.common import Field, browser

# trust last: its final row publishes agreement versions
FIELDS: list[Field] = exchange.FIELDS + practice.FIELDS + staff.FIELDS + trust.FIELDS

__all__ = ["FIELDS", "Field", "browser"]
