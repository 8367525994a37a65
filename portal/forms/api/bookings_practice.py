"""API schemas of the practitioner's bookings set-up: the price list as its owner
edits it, weekly hours, booking rules and one-off changes of dates. Times of day
are local "HH:MM" (``LocalTime``); the rules on the values (ranges, lengths, who
may edit) are the services' (price_list, schedule) and come back as a 422 with
the field, so the schemas check types."""
from __future__ import annotations

from marshmallow import fields, validate

from portal.forms.api import In, Out, Text
from portal.forms.api.bookings import WEEKDAYS, LocalTime, ServiceItemOut
from portal.forms.api.exchange_fields import WholeNumber
from portal.models.bookings import ServiceMode, ServicePriceKind

# --- the price list ---------------------------------------------------------------------------


class OwnServiceItemOut(ServiceItemOut):
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(required=True)
    active = fields.Boolean(required=True, metadata={"description": "False: kept for past bookings, not offered"})
    sort_order = fields.Integer(required=True)


class ServiceItemIn(In):
    name_kk = Text(200, load_default="")
    name_ru = Text(200, load_default="")
    name_en = Text(200, load_default="")
    price = WholeNumber(required=True, metadata={"description": "Tenge"})
    price_kind = fields.String(load_default=ServicePriceKind.FIXED, validate=validate.OneOf(ServicePriceKind.ALL))
    duration_minutes = WholeNumber(required=True)
    mode = fields.String(load_default=ServiceMode.IN_PERSON, validate=validate.OneOf(ServiceMode.ALL))
    sort_order = WholeNumber(load_default=0)


# --- weekly hours, rules, exceptions ----------------------------------------------------------


class RangeSchema(In):
    """A local time range, in and out."""

    start = LocalTime(required=True)
    end = LocalTime(required=True)


class DayHours(In):
    weekday = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=6),
                             metadata={"description": "0 Monday ... 6 Sunday"})
    ranges = fields.List(fields.Nested(RangeSchema), required=True, validate=validate.Length(max=24))


class WeeklyHoursIn(In):
    weekly = fields.List(fields.Nested(DayHours), required=True, validate=validate.Length(max=7), metadata={
        "description": "Every weekday's local working ranges; a weekday left out has none (replaces all)"})


class DayHoursOut(Out):
    weekday = fields.Integer(required=True)
    weekday_label = fields.Function(lambda d: str(WEEKDAYS[d["weekday"]]), required=True,
                                    metadata={"type": "string"})
    ranges = fields.List(fields.Nested(RangeSchema), required=True)


class WeeklyHoursOut(Out):
    weekly = fields.List(fields.Nested(DayHoursOut), required=True, metadata={"description": "Monday to Sunday"})


class RulesIn(In):
    slot_minutes = WholeNumber(allow_none=True)
    buffer_minutes = WholeNumber(allow_none=True)
    min_notice_minutes = WholeNumber(allow_none=True, metadata={"description": "How late a booking may be made"})
    horizon_days = WholeNumber(allow_none=True, metadata={"description": "How far ahead a booking may be made"})
    cancel_notice_minutes = WholeNumber(allow_none=True, metadata={
        "description": "How late the client may cancel or move a confirmed booking"})
    auto_confirm = fields.Boolean(allow_none=True)


class RulesOut(Out):
    slot_minutes = fields.Integer(required=True)
    buffer_minutes = fields.Integer(required=True)
    min_notice_minutes = fields.Integer(required=True)
    horizon_days = fields.Integer(required=True)
    cancel_notice_minutes = fields.Integer(required=True)
    auto_confirm = fields.Boolean(required=True)


class ExceptionIn(In):
    day = fields.Date(required=True, metadata={"description": "Local date"})
    ranges = fields.List(fields.Nested(RangeSchema), load_default=None, allow_none=True,
                         validate=validate.Length(max=24), metadata={
                             "description": "The date's working ranges instead of the weekday's; "
                                            "empty or null: a day off"})
    note = Text(200, load_default="")


class ExceptionOut(Out):
    id = fields.Integer(required=True)
    day = fields.Date(required=True)
    day_off = fields.Boolean(attribute="is_day_off", required=True)
    start = LocalTime(attribute="start_minute", allow_none=True)
    end = LocalTime(attribute="end_minute", allow_none=True)
    note = fields.String(required=True)


class FeedOut(Out):
    feed_url = fields.String(required=True, allow_none=True, metadata={
        "description": "The private iCalendar feed's address (keep it secret; null: none yet)"})
