"""Marshmallow schemas of the JSON API (``/api/v1``), one module per domain,
and what they share: the page query, the problem document, field errors in
the language of the call (``translated_errors``), and a few field types.

The schemas validate what a client sends (``load``) and shape what it gets
(``dump``); the OpenAPI document is generated from the same classes
(portal.views.api), so the two cannot drift apart."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

# marshmallow's own messages, translated (exact texts)
_EXACT = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Send a JSON object."),
    "Invalid type.": _l("Invalid value."),
    "Invalid value.": _l("Invalid value."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Number too large.": _l("The number is too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Enter a number."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid datetime.": _l("Enter a date and time in ISO 8601."),
    "Not a valid list.": _l("Send a list."),
    "Not a valid mapping type.": _l("Send a JSON object."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid URL.": _l("Enter a valid URL."),
    "Not a valid utf-8 string.": _l("Enter text."),
}
# formatted ones: (pattern, message with the captured numbers)
_PATTERNS = [
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
     lambda d: gettext("At most %(max)s characters.", **d)),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
     lambda d: gettext("At least %(min)s characters.", **d)),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     lambda d: gettext("Between %(min)s and %(max)s items or characters.", **d)),
    (re.compile(r"^Must be greater than or equal to (?P<min>[\d.]+) and less than or equal to (?P<max>[\d.]+)\.$"),
     lambda d: gettext("Enter a number from %(min)s to %(max)s.", **d)),
    (re.compile(r"^Must be greater than or equal to (?P<min>[\d.]+)\.$"),
     lambda d: gettext("Enter a number of at least %(min)s.", **d)),
    (re.compile(r"^Must be less than or equal to (?P<max>[\d.]+)\.$"),
     lambda d: gettext("Enter a number of at most %(max)s.", **d)),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), lambda d: gettext("Choose one of: %(choices)s.", **d)),
    (re.compile(r"^Not a valid .*\.$"), lambda d: gettext("Invalid value.")),
]


def _translate(message) -> str:
    text = str(message)
    if text in _EXACT:
        return str(_EXACT[text])
    for pattern, translated in _PATTERNS:
        match = pattern.match(text)
        if match:
            return translated(match.groupdict())
    return gettext(text)


def translated_errors(messages):
    """marshmallow's error messages ({field: [message]} or nested) in the language of the call."""
    if isinstance(messages, dict):
        return {str(key): translated_errors(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translated_errors(m) for m in messages]
    return _translate(messages)


class In(Schema):
    """A body a client sends: unknown fields are refused, so a typo is not silently ignored."""

    class Meta:
        unknown = RAISE


class Query(Schema):
    """Query-string parameters: others (``_l_``, cache busters) are ignored."""

    class Meta:
        unknown = EXCLUDE


class Out(Schema):
    """A body the API sends."""


class PageQuery(Query):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000),
                          metadata={"description": "Page number, from 1"})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100),
                              metadata={"description": "Items per page (1-100)"})


class ProblemSchema(Out):
    """RFC 9457 problem details, the shape of every error."""

    type = fields.String(required=True, metadata={"description": "A URI naming the kind of problem, or about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, in the language of Accept-Language"})
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), metadata={"description": "Field name: list of messages"})
    agreement_version = fields.Integer(metadata={"description": "With type /agreement: the version to accept"})
    accept_url = fields.String(metadata={"description": "With type /agreement: where to accept it"})


def iso(value: dt.datetime | None) -> str | None:
    """A stored (naive, UTC) datetime as RFC 3339 with ``Z``, as OpenAPI's date-time wants."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


class UtcDateTime(fields.DateTime):
    """A stored datetime, sent as ``iso`` writes it."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


class Text(fields.String):
    """A text field: surrounding blanks trimmed, at most ``limit`` characters."""

    def __init__(self, limit: int = 2000, **kwargs):
        kwargs.setdefault("validate", validate.Length(max=limit))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Id(fields.Integer):
    """A row id."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=2**31 - 1))
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)


class Localized(fields.String):
    """The attribute in the language of the call (objects with ``tr``)."""

    def __init__(self, attribute_name: str = "name", **kwargs):
        self._name = attribute_name
        super().__init__(dump_only=True, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return obj.tr(self._name) if obj is not None else None
