"""API schemas of bookings: a profile's price list and free slots (public), a
client's bookings, the practitioner's bookings, price list, weekly hours, rules
and exceptions.

Times: instants are UTC in ISO 8601 with ``Z`` (``starts_at``, ``ends_at``),
each with the Kazakhstan local date and time beside it (``local_date``,
``local_time``, and ``local_starts_at`` with its +05:00 offset); a time sent
(``starts_at``) must carry its offset (``Z`` or ``+05:00``). Times of day
(working hours, exceptions) are local "HH:MM" (24:00 ends a day). Money is a
whole number of tenge. Statuses and kinds are codes with a translated
``*_label`` beside them. The practitioner's price list, hours, rules and
exceptions are in ``bookings_practice``.

Refusals: a rule broken (service's message) is a 422 with the field; a time
that cannot be booked (taken meanwhile, or not a free slot) is a **409** with
``errors.starts_at`` and ``next_slots``: the next free slots of the same
length to offer instead (``SlotTakenProblem``)."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from portal.core.labels import LABELS, label
from portal.forms.api import Id, In, Localized, Out, ProblemSchema, Query, Text, UtcDateTime
from portal.forms.api.exchange import FileOut
from portal.models.bookings import BookingStatus, ServiceMode, ServicePriceKind
from portal.services.bookings.slots import KZ_UTC_OFFSET, to_local

MAX_DAYS = 60  # at most this many days of free slots per call
KZ_ZONE = dt.timezone(KZ_UTC_OFFSET)
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))
# codes the portal's shared labels may not name yet (those win when they do)
_LABELS = {"requested": _l("Awaiting confirmation"), "confirmed": _l("Confirmed"),
           "attended": _l("Attended"), "no_show": _l("Did not come"), "online": _l("Online")}


def booking_label(code) -> str:
    if code is not None and str(code) in LABELS:
        return label(code)
    return str(_LABELS.get(str(code), code or ""))


def local_iso(utc: dt.datetime) -> str:
    """A naive UTC instant as Kazakhstan local time with its offset (2026-03-09T10:00:00+05:00)."""
    return to_local(utc).replace(tzinfo=KZ_ZONE).isoformat()


def hhmm(minute: int | None) -> str | None:
    return None if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


class BookingLabel(fields.String):
    """The translated label of a stored code."""

    def __init__(self, attribute_name: str, **kwargs):
        self._code = attribute_name
        super().__init__(dump_only=True, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return booking_label(obj.get(self._code) if isinstance(obj, dict) else getattr(obj, self._code))


class LocalTime(fields.String):
    """A local time of day: "HH:MM" in, minutes after midnight to the service; "24:00" ends a day."""

    default_error_messages = {"time": _l("Enter a time as HH:MM, from 00:00 to 24:00.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("pattern", r"^\d{2}:\d{2}$")
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return hhmm(value)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        hours, sep, minutes = text.partition(":")
        if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
            raise self.make_error("time")
        h, m = int(hours), int(minutes)
        if m > 59 or h > 24 or (h == 24 and m):
            raise self.make_error("time")
        return h * 60 + m


class Instant(fields.AwareDateTime):
    """A moment sent by a client: ISO 8601 with its offset (Z or +05:00); handed on as aware."""

    default_error_messages = {
        "invalid": _l("Enter a date and time in ISO 8601 with its offset, e.g. 2026-03-09T10:00:00+05:00."),
        "invalid_awareness": _l("Enter a date and time in ISO 8601 with its offset, e.g. "
                                "2026-03-09T10:00:00+05:00."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "ISO 8601 with the offset (Z or +05:00): one of the free slots' starts_at")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs)
            utc = moment.astimezone(dt.timezone.utc)
        except (OverflowError, ValueError) as err:
            raise self.make_error("invalid") from err
        if not 2000 <= utc.year <= 2100:
            raise self.make_error("invalid")
        return utc


# --- free slots ------------------------------------------------------------------------------


class SlotOut(Out):
    starts_at = UtcDateTime(required=True, metadata={"description": "UTC; send it back to book this slot"})
    ends_at = UtcDateTime(required=True)
    local_starts_at = fields.Function(lambda s: local_iso(s.starts_at), required=True, metadata={
        "type": "string", "format": "date-time", "description": "Kazakhstan local time with its offset"})
    local_date = fields.Function(lambda s: to_local(s.starts_at).date().isoformat(), required=True,
                                 metadata={"type": "string", "format": "date"})
    local_time = fields.Function(lambda s: to_local(s.starts_at).strftime("%H:%M"), required=True,
                                 metadata={"type": "string", "description": "Local start, HH:MM"})
    local_end_time = fields.Function(lambda s: to_local(s.ends_at).strftime("%H:%M"), required=True,
                                     metadata={"type": "string", "description": "Local end, HH:MM"})


def _sane_date(value: dt.date) -> None:
    if not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ValidationError(_l("Enter a date from 2000 to 2100."))


class SlotsQuery(Query):
    from_ = fields.Date(data_key="from", validate=_sane_date,
                        metadata={"description": "First local date (default: today)"})
    to = fields.Date(validate=_sane_date, metadata={"description": f"Last local date, included (default: 7 days from 'from'; "
                                              f"at most {MAX_DAYS} days per call)"})
    service_id = Id(strict=False, metadata={"description": "A service of the price list: slots of its duration "
                                             "(default: the slot length)"})

    def validate_range(self, data: dict, today: dt.date) -> tuple[dt.date, dt.date]:
        first = data.get("from_") or today
        last = data.get("to") or first + dt.timedelta(days=6)
        if last < first:
            raise ValidationError({"to": [_l("The last date must not be before the first.")]})
        if (last - first).days >= MAX_DAYS:
            raise ValidationError({"to": [_l("At most %(days)d days at a time.", days=MAX_DAYS)]})
        return first, last


class SlotsOut(Out):
    profile_id = fields.Integer(required=True)
    takes_bookings = fields.Boolean(required=True, metadata={"description": "False: no slots are offered"})
    service_id = fields.Integer(allow_none=True)
    duration_minutes = fields.Integer(required=True)
    from_ = fields.Date(data_key="from", attribute="from", required=True)
    to = fields.Date(required=True)
    slots = fields.List(fields.Nested(SlotOut), required=True)


class SlotTakenProblem(ProblemSchema):
    """409: the time cannot be booked; the next free slots of the same length."""

    next_slots = fields.List(fields.Nested(SlotOut), required=True)


# --- the price list --------------------------------------------------------------------------


class ServiceItemOut(Out):
    id = fields.Integer(required=True)
    name = Localized("name", required=True)
    price = fields.Integer(required=True, metadata={"description": "Tenge"})
    price_kind = fields.String(required=True, metadata={"enum": list(ServicePriceKind.ALL)})
    price_kind_label = BookingLabel("price_kind", required=True)
    duration_minutes = fields.Integer(required=True)
    mode = fields.String(required=True, metadata={"enum": list(ServiceMode.ALL)})
    mode_label = BookingLabel("mode", required=True)


class PriceListOut(Out):
    profile_id = fields.Integer(required=True)
    takes_bookings = fields.Boolean(required=True, metadata={"description": "The services can be booked"})
    services = fields.List(fields.Nested(ServiceItemOut), required=True)


# --- bookings --------------------------------------------------------------------------------


class BookingProfileOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class BookingClientOut(Out):
    name = fields.String(attribute="display_name", required=True)


class BookingServiceOut(Out):
    id = fields.Integer(required=True)
    name = Localized("name", required=True)
    duration_minutes = fields.Integer(required=True)
    mode = fields.String(required=True, metadata={"enum": list(ServiceMode.ALL)})
    mode_label = BookingLabel("mode", required=True)


def _cancelled_by(booking) -> str | None:
    if booking.cancelled_by_id is None:
        return None
    return "client" if booking.cancelled_by_id == booking.client_id else "practitioner"


class BookingOut(Out):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(BookingStatus.ALL)})
    status_label = BookingLabel("status", required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    local_starts_at = fields.Function(lambda b: local_iso(b.starts_at), required=True, metadata={
        "type": "string", "format": "date-time", "description": "Kazakhstan local time with its offset"})
    local_date = fields.Function(lambda b: to_local(b.starts_at).date().isoformat(), required=True,
                                 metadata={"type": "string", "format": "date"})
    local_time = fields.Function(lambda b: to_local(b.starts_at).strftime("%H:%M"), required=True,
                                 metadata={"type": "string"})
    local_end_time = fields.Function(lambda b: to_local(b.ends_at).strftime("%H:%M"), required=True,
                                     metadata={"type": "string"})
    service = fields.Nested(BookingServiceOut, attribute="service_item", required=True)
    profile = fields.Nested(BookingProfileOut, required=True)
    client = fields.Nested(BookingClientOut, required=True)
    price = fields.Integer(required=True, metadata={"description": "Tenge, as when booked"})
    price_kind = fields.String(required=True, metadata={"enum": list(ServicePriceKind.ALL)})
    price_kind_label = BookingLabel("price_kind", required=True)
    note = fields.String(attribute="client_note", required=True, metadata={"description": "The client's note"})
    reason = fields.String(required=True, metadata={"description": "Why it was declined, cancelled or moved"})
    cancelled_by = fields.Function(_cancelled_by, allow_none=True, metadata={
        "type": "string", "enum": ["client", "practitioner", None]})
    files = fields.List(fields.Nested(FileOut), attribute="attachments", required=True)
    thread_id = fields.Function(lambda b: b.thread.id if getattr(b, "thread", None) is not None else None,
                                allow_none=True, metadata={"type": "integer", "description": "The booking's conversation"})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    confirmed_at = UtcDateTime(allow_none=True)
    declined_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    outcome_at = UtcDateTime(allow_none=True)


class BookingIn(In):
    profile_id = Id(required=True, strict=False)  # (a multipart form sends digits)
    service_id = Id(required=True, strict=False, metadata={"description": "A service of the profile's price list"})
    starts_at = Instant(required=True)
    note = Text(2000, load_default="")


class ReasonIn(In):
    reason = Text(1000, load_default="")


class MoveIn(In):
    starts_at = Instant(required=True)
    reason = Text(1000, load_default="")


class BookingQuery(Query):
    when = fields.String(validate=validate.OneOf(("upcoming", "past")), metadata={
        "description": "upcoming (the default): requested or confirmed and not over, soonest first; "
                       "past: over, declined or cancelled, latest first"})


class PracticeBookingQuery(Query):
    status = fields.String(validate=validate.OneOf(BookingStatus.ALL), metadata={"description": "Only this status"})
    when = fields.String(validate=validate.OneOf(("upcoming", "past")), metadata={
        "description": "upcoming: requested or confirmed and not over, soonest first; past: the others, "
                       "latest first (default: all, latest first)"})
