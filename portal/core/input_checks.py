"""Checks on the values of a request, for the input guard (``input_guard``):
ids in the URL that no row can have, NUL characters and bytes that are not
UTF-8, numbers past the database's range. A refusal is a 404 or a translated
400 (:class:`RefusedInput`)."""
from __future__ import annotations

import json
import logging
from urllib.parse import unquote_to_bytes

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, NotFound

log = logging.getLogger(__name__)

INT_MIN, INT_MAX = -(2**31), 2**31 - 1   # PostgreSQL INTEGER, the type of every id column
PAGING_ARGS = ("page", "per_page", "page_size", "limit", "offset")
ID_TEXT_MAX = 64                          # longer "ids" are not ids

BAD_CHARACTERS = _l("The request contains characters that are not allowed.")
BAD_NUMBERS = _l("The request contains a number that is out of range.")


class RefusedInput(BadRequest):
    """A 400 whose translated message the error pages show (portal.core.http)."""

    def __init__(self, message, reason: str = ""):
        super().__init__(description=reason or str(message))
        self.portal_message = message


def refuse(message, reason: str) -> None:
    log.info("refused hostile input on %s: %s", request.path[:200], reason)
    raise RefusedInput(message, reason)


# --- numbers ---------------------------------------------------------------------------------

def as_int(value) -> int | None:
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


def bad_numbers(value, key: str = "") -> bool:
    """Whether a decoded argument (JSON or rison) holds a number the database cannot
    take, or a negative ``page``."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        if key == "page" and value < 0:
            return True
        return not INT_MIN <= value <= INT_MAX
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf")) or abs(value) > INT_MAX
    if isinstance(value, dict):
        return any(bad_numbers(v, str(k)) for k, v in value.items())
    if isinstance(value, list):
        return any(bad_numbers(v, key) for v in value)
    return False


# --- characters ------------------------------------------------------------------------------

def _check_raw(raw: bytes, where: str, utf8: bool = True) -> None:
    if b"\x00" in raw:
        refuse(BAD_CHARACTERS, f"NUL in the {where}")
    if utf8:
        try:
            raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            refuse(BAD_CHARACTERS, f"invalid UTF-8 in the {where}")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def check_characters() -> None:
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
            refuse(BAD_CHARACTERS, "NUL in a form field")
        for key, upload in request.files.items(multi=True):
            if "\x00" in key or "\x00" in (upload.filename or ""):
                refuse(BAD_CHARACTERS, "NUL in an uploaded file name")
    elif request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body:
            refuse(BAD_CHARACTERS, "NUL in the JSON body")
        if b"\\u0000" in body.lower():
            try:
                data = json.loads(body)
            except ValueError:
                return  # not JSON: the view answers its own 400
            if _has_nul(data):
                refuse(BAD_CHARACTERS, "NUL in a JSON string")


# --- ids in the URL --------------------------------------------------------------------------

def _id_like(name: str) -> bool:
    return name in ("pk", "id") or name.endswith("_id")


def check_view_args() -> None:
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
            number = as_int(value)
            if number is not None and not INT_MIN <= number <= INT_MAX:
                log.info("404 for an out-of-range id %s=%s on %s", name, value[:40], request.path[:200])
                raise NotFound()


# --- paging ----------------------------------------------------------------------------------

def clamp_paging_args() -> None:
    """The portal's own ``page`` / ``per_page`` arguments: a whole number past the database's
    range is clamped to it (an offset computed from it must fit in 64 bits); the views still
    answer their own message for a page that does not exist."""
    args = request.args
    changed = False
    items = []
    for key, value in args.items(multi=True):
        if key in PAGING_ARGS:
            number = as_int(value)
            if number is not None and not INT_MIN <= number <= INT_MAX:
                value, changed = str(max(INT_MIN, min(INT_MAX, number))), True
        items.append((key, value))
    if changed:
        request.args = ImmutableMultiDict(items)
