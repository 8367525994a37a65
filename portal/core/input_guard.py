"""Hostile input never reaches a view as a server error (500).

One ``before_request`` hook, run before every other hook of the app (FAB's,
the session check, CSRF), that:

- answers 404 for an id in the URL that no row can have: an ``<int:...>``
  value, or a ``<pk>`` / ``..._id`` string that reads as a number, outside the
  32-bit signed range of the database's integer columns (PostgreSQL raises
  "integer out of range" for ``/practitioners/2147483648``);
- refuses with a translated 400 a NUL character anywhere in the request (path,
  query string, form fields, uploaded file names, JSON strings) and bytes that
  are not UTF-8 in the raw path, the raw query string and an urlencoded body
  (PostgreSQL cannot store NUL in text; the rest of the portal expects text);
- answers 404 for FAB routes that would crash on a value: ``/download/<filename>``
  of a missing file, ``/chart/<group_by>`` past the chart's definitions;
- rewrites FAB's list arguments a view would crash on: an unknown order column
  (``_oc_<View>=titlex``), page numbers and sizes that are not sane
  non-negative whole numbers (``page_<View>``, ``psize_<View>``), filters on an
  unknown column or filter index and out-of-range ids in filters
  (``_flt_<n>_<column>``); clamps the portal's own ``page`` / ``per_page``
  to the 32-bit range; and refuses with a 400 a FAB REST API ``q=(...)``
  argument carrying numbers outside the database's range.

The checks on values are in ``input_checks``, those of FAB's arguments and
routes in ``fab_input``.

As a safety net, :class:`sqlalchemy.exc.DataError` (a value the database
refuses) becomes a 404 (ids in the URL) or a 400 after the session is rolled
back, instead of a 500.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, request
from werkzeug.exceptions import NotFound

from portal.core import fab_input, input_checks

log = logging.getLogger(__name__)


def guard_request():
    """Before every other hook: refuse or tidy hostile input (see the module docstring)."""
    input_checks.check_characters()
    input_checks.check_view_args()
    fab_input.check_fab_routes()
    input_checks.clamp_paging_args()
    fab_input.clean_fab_args()
    fab_input.check_rison()
    return None


def _database_refused(error):
    """Safety net: a value the database refused (out of range, invalid input) is the
    client's doing, not a server error."""
    from portal.core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        log.exception("rollback after a DataError failed")
    log.warning("database refused a value on %s %s: %s", request.method, request.path[:200],
                str(getattr(error, "orig", error)).splitlines()[0][:200])
    if request.view_args:
        return current_app.handle_user_exception(NotFound())
    return current_app.handle_user_exception(
        input_checks.RefusedInput(input_checks.BAD_NUMBERS, "database refused a value"))


def init_app(app: Flask) -> None:
    """The DataError safety net; ``guard_request`` is put first among the request
    hooks by portal.create_app (core.hooks)."""
    from sqlalchemy.exc import DataError

    app.register_error_handler(DataError, _database_refused)
