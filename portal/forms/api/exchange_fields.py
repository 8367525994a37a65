"""Field types of the exchange's API schemas (portal.forms.api.exchange):
datetimes as UTC ISO 8601 with ``Z``, translated labels of stored codes, and
values that arrive from JSON or from a multipart form alike (whole numbers,
dates, repeated codes)."""
from __future__ import annotations

from marshmallow import fields, validate

from portal.core.labels import label


class Label(fields.String):
    """The translated label of a stored code (statuses, price kinds), as the web shows it."""

    def __init__(self, attribute_name: str, **kwargs):
        self._code = attribute_name
        super().__init__(dump_only=True, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return label(obj.get(self._code) if isinstance(obj, dict) else getattr(obj, self._code))


class WholeNumber(fields.Integer):
    """A whole number from JSON (a number) or a multipart form (digits); a blank form
    value is no value."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=-(2**31), max=2**31 - 1))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.lstrip("-").isdigit():
                raise self.make_error("invalid")
        elif isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def _validate(self, value):
        if value is not None:  # a blank form value: nothing to range-check
            super()._validate(value)


class OptionalDate(fields.Date):
    """A date (YYYY-MM-DD); a blank form value is no date."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip():
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class Codes(fields.List):
    """A list of codes: a JSON array, or the multipart field repeated (once: one value)."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(max=64)),
                         validate=validate.Length(max=50), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value] if value.strip() else []
        return super()._deserialize(value, attr, data, **kwargs)
