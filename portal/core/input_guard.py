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

As a safety net, :class:`sqlalchemy.exc.DataError` (a value the database
refuses) becomes a 404 (ids in the URL) or a 400 after the session is rolled
back, instead of a 500.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, NotFound

log = logging.getLogger(__name__)

INT_MIN, INT_MAX = -(2**31), 2**31 - 1   # PostgreSQL INTEGER, the type of every id column
PAGE_MAX = INT_MAX                        # page numbers FAB multiplies by a page size
PAGE_SIZE_MAX = 1000                      # FAB's page-size menu offers 25 to 100
PAGING_ARGS = ("page", "per_page", "page_size", "limit", "offset")
ID_TEXT_MAX = 64                          # longer "ids" are not ids
# FAB's own regular expressions (flask_appbuilder/urltools.py): searched anywhere in an argument name
FAB_PAGE = re.compile("page_(.*)")
FAB_PAGE_SIZE = re.compile("psize_(.*)")
FAB_ORDER = re.compile("_oc_(.*)")
FAB_FILTER = re.compile(r"_flt_(\d)_(.*)")

BAD_CHARACTERS = _l("The request contains characters that are not allowed.")
BAD_NUMBERS = _l("The request contains a number that is out of range.")


class RefusedInput(BadRequest):
    """A 400 whose translated message the error pages show (portal/views/errors.py)."""

    def __init__(self, message, reason: str = ""):
        super().__init__(description=reason or str(message))
        self.portal_message = message


def _refuse(message, reason: str) -> None:
    log.info("refused hostile input on %s: %s", request.path[:200], reason)
    raise RefusedInput(message, reason)


# --- characters -----------------------------------------------------------------------------

def _check_raw(raw: bytes, where: str, utf8: bool = True) -> None:
    if b"\x00" in raw:
        _refuse(BAD_CHARACTERS, f"NUL in the {where}")
    if utf8:
        try:
            raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            _refuse(BAD_CHARACTERS, f"invalid UTF-8 in the {where}")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _check_characters() -> None:
    environ = request.environ
    # WSGI strings are the raw bytes decoded as latin-1: encode back to see the bytes sent
    _check_raw(environ.get("PATH_INFO", "").encode("latin-1", "replace"), "path")
    # the request line as sent (Werkzeug's server and gunicorn keep it): %FF and %00 undecoded
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    if raw_uri:
        path = raw_uri.split("?", 1)[0].encode("latin-1", "replace")
        _check_raw(unquote_to_bytes(path), "path")
    query = environ.get("QUERY_STRING", "")
    if query:
        _check_raw(unquote_to_bytes(query.encode("latin-1", "replace").replace(b"+", b" ")), "query string")
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") and not request.content_length:
        return
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(cache=True)   # form parsing reads the cached copy afterwards
        _check_raw(unquote_to_bytes(body.replace(b"+", b" ")), "form body")
    elif mimetype == "multipart/form-data":
        if any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            _refuse(BAD_CHARACTERS, "NUL in a form field")
        for key, upload in request.files.items(multi=True):
            if "\x00" in key or "\x00" in (upload.filename or ""):
                _refuse(BAD_CHARACTERS, "NUL in an uploaded file name")
    elif request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body:
            _refuse(BAD_CHARACTERS, "NUL in the JSON body")
        if b"\\u0000" in body.lower():
            try:
                data = json.loads(body)
            except ValueError:
                return  # not JSON: the view answers its own 400
            if _has_nul(data):
                _refuse(BAD_CHARACTERS, "NUL in a JSON string")


# --- ids in the URL ---------------------------------------------------------------------------

def _id_like(name: str) -> bool:
    return name in ("pk", "id") or name.endswith("_id")


def _check_view_args() -> None:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                log.info("404 for an out-of-range id %s=%s on %s", name, str(value)[:40], request.path[:200])
                raise NotFound()
        elif isinstance(value, str) and _id_like(name):
            if len(value) > ID_TEXT_MAX:
                raise NotFound()
            number = _as_int(value)
            if number is not None and not INT_MIN <= number <= INT_MAX:
                log.info("404 for an out-of-range id %s=%s on %s", name, value[:40], request.path[:200])
                raise NotFound()


def _as_int(value) -> int | None:
    """``int(value)`` as FAB and the views call it, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or len(value) > 4000:  # int() refuses more digits anyway
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- FAB list arguments ----------------------------------------------------------------------

def _view_of_endpoint():
    endpoint = request.endpoint
    if not endpoint:
        return None
    return getattr(current_app.view_functions.get(endpoint), "__self__", None)


def _views_by_name() -> dict[str, list]:
    """FAB views (and the related views shown inside them) by class name."""
    cache = current_app.extensions.get("input_guard_views")
    if cache is None:
        cache = {}
        appbuilder = current_app.extensions.get("appbuilder") or getattr(current_app, "appbuilder", None)
        seen = set()
        stack = list(getattr(appbuilder, "baseviews", []) or [])
        while stack:
            view = stack.pop()
            if id(view) in seen:
                continue
            seen.add(id(view))
            cache.setdefault(view.__class__.__name__, []).append(view)
            stack.extend(getattr(view, "_related_views", None) or [])
            stack.extend(getattr(view, "_views", None) or [])
        current_app.extensions["input_guard_views"] = cache
    return cache


def _is_fab_model_view(view) -> bool:
    from flask_appbuilder.baseviews import BaseModelView
    from flask_appbuilder.views import MultipleView

    return isinstance(view, (BaseModelView, MultipleView))


def _sane(value, low: int, high: int) -> bool:
    number = _as_int(value)
    return number is not None and low <= number <= high


def _int_column_type(datamodel, column: str):
    """'int' for an INTEGER column, 'relation' for a relation to a model with an integer key, else None."""
    from sqlalchemy import BigInteger, Integer

    try:
        if datamodel.is_relation(column):
            model = datamodel.get_related_model(column)
            keys = list(model.__mapper__.primary_key)
            if len(keys) == 1 and isinstance(keys[0].type, Integer) and not isinstance(keys[0].type, BigInteger):
                return "relation"
            return None
        col = datamodel.list_columns.get(column)
        kind = getattr(col, "type", None)
        if isinstance(kind, Integer) and not isinstance(kind, BigInteger):
            return "int"
    except Exception:  # noqa: BLE001  (an unusual column: leave it to FAB)
        return None
    return None


def _filter_ok(view, column: str, index: int, values: list[str]) -> bool:
    filters = getattr(getattr(view, "_filters", None), "_all_filters", None)
    if filters is None:
        return True
    if column not in filters or index >= len(filters[column]):
        return False
    kind = _int_column_type(view.datamodel, column)
    for value in values:
        number = _as_int(value)
        if kind == "relation" and (number is None or not INT_MIN <= number <= INT_MAX):
            return False
        if kind == "int" and number is not None and not INT_MIN <= number <= INT_MAX:
            return False
    return True


def _clamp_paging_args() -> None:
    """The portal's own ``page`` / ``per_page`` arguments: a whole number past the database's
    range is clamped to it (an offset computed from it must fit in 64 bits); the views still
    answer their own message for a page that does not exist."""
    args = request.args
    changed = False
    items = []
    for key, value in args.items(multi=True):
        if key in PAGING_ARGS:
            number = _as_int(value)
            if number is not None and not INT_MIN <= number <= INT_MAX:
                value, changed = str(max(INT_MIN, min(INT_MAX, number))), True
        items.append((key, value))
    if changed:
        request.args = ImmutableMultiDict(items)


def _clean_fab_args() -> None:
    """Drop the FAB list arguments a FAB view would crash on."""
    view = _view_of_endpoint()
    if view is None or not _is_fab_model_view(view) or not request.args:
        return
    args = request.args
    views = _views_by_name()
    drop: set[str] = set()
    for name in args:
        match = FAB_PAGE.search(name)
        if match and not _sane(args.get(name), 0, PAGE_MAX):
            drop.add(name)
        match = FAB_PAGE_SIZE.search(name)
        if match and not _sane(args.get(name), 1, PAGE_SIZE_MAX):
            drop.add(name)
        match = FAB_ORDER.search(name)
        if match:
            targets = views.get(match.group(1)) or []
            column = args.get(name)
            if not targets or any(column not in (getattr(v, "order_columns", None) or []) for v in targets):
                drop.update((name, "_od_" + match.group(1)))
        match = FAB_FILTER.search(name)
        if match:
            index, column = int(match.group(1)), match.group(2)
            if not _filter_ok(view, column, index, args.getlist(name)):
                drop.add(name)
    drop &= set(args)
    if drop:
        log.info("ignored FAB list arguments %s on %s", sorted(drop)[:10], request.path[:200])
        request.args = ImmutableMultiDict([(k, v) for k, v in args.items(multi=True) if k not in drop])


def _check_fab_routes() -> None:
    """FAB routes that crash on a value they do not expect: ``/download/<filename>`` of a
    file that is not there (or not named ``<uuid>_sep_<name>``), ``/chart/<group_by>`` past
    the chart's definitions."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    view = _view_of_endpoint()
    if view is None or not endpoint.startswith(view.__class__.__name__ + "."):
        return
    if endpoint.endswith(".download") and "filename" in args and _is_fab_model_view(view):
        import os

        name = str(args["filename"])
        folder = current_app.config.get("UPLOAD_FOLDER") or ""
        if ("_sep_" not in name or name.startswith(".") or "/" in name or "\\" in name
                or not os.path.isfile(os.path.join(folder, name))):
            raise NotFound()
    if endpoint.endswith(".chart") and args.get("group_by") not in (None, ""):
        group_by = args["group_by"]
        definitions = getattr(view, "definitions", None)
        if isinstance(definitions, list):
            if not _sane(group_by, 0, len(definitions) - 1):
                raise NotFound()
            return
        columns = getattr(view, "group_by_columns", None)
        if columns is not None and group_by not in columns:
            raise NotFound()
        direct = getattr(view, "direct_columns", None)
        if isinstance(direct, dict) and columns is None and group_by not in direct:
            raise NotFound()


def _check_rison() -> None:
    """FAB REST API ``q=(...)``: numbers the database cannot take are refused (FAB's ``@safe``
    would turn the database error into a 500)."""
    raw = request.args.get("q")
    if not raw:
        return
    view = _view_of_endpoint()
    from flask_appbuilder.api import BaseApi

    if view is None or not isinstance(view, BaseApi):
        return
    try:
        import prison

        data = prison.loads(raw)
    except Exception:  # noqa: BLE001  (FAB answers its own 400 for a bad rison argument)
        try:
            data = json.loads(raw)
        except ValueError:
            return
    if _bad_numbers(data):
        _refuse(BAD_NUMBERS, "number out of range in q")
    datamodel = getattr(view, "datamodel", None)
    filters = data.get("filters") if isinstance(data, dict) else None
    if datamodel is None or not isinstance(filters, list):
        return
    for item in filters:
        if not isinstance(item, dict) or not isinstance(item.get("col"), str):
            continue
        kind = _int_column_type(datamodel, item["col"])
        values = item.get("value")
        values = values if isinstance(values, list) else [values]
        for value in values:
            number = _as_int(value)
            if kind == "relation" and (number is None or not INT_MIN <= number <= INT_MAX):
                _refuse(BAD_NUMBERS, "bad id in a q filter")
            if kind == "int" and number is not None and not INT_MIN <= number <= INT_MAX:
                _refuse(BAD_NUMBERS, "number out of range in a q filter")


def _bad_numbers(value, key: str = "") -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        if key == "page" and value < 0:
            return True
        return not INT_MIN <= value <= INT_MAX
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf")) or abs(value) > INT_MAX
    if isinstance(value, dict):
        return any(_bad_numbers(v, str(k)) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_numbers(v, key) for v in value)
    return False


# --- the hook ----------------------------------------------------------------------------------

def guard_request():
    """Before every other hook: refuse or tidy hostile input (see the module docstring)."""
    _check_characters()
    _check_view_args()
    _check_fab_routes()
    _clamp_paging_args()
    _clean_fab_args()
    _check_rison()
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
    return current_app.handle_user_exception(RefusedInput(BAD_NUMBERS, "database refused a value"))


def init_app(app: Flask) -> None:
    """The DataError safety net; ``guard_request`` is put first among the request
    hooks by portal.create_app (core.hooks)."""
    from sqlalchemy.exc import DataError

    app.register_error_handler(DataError, _database_refused)
