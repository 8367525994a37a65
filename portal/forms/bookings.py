"""Forms of the practitioner's booking pages: a price list line, the weekly hours
(several ranges a weekday), the booking rules, a one-off change of a date, and a
reason for declining, cancelling or moving a booking.

The forms parse (times as HH:MM, whole numbers); the rules (limits, overlaps,
dates) are the services' (services.bookings.price_list / schedule), whose errors
the views put on the fields named here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from portal.forms.exchange import OptionalDateField, WholeNumberField, _Form
from portal.models.bookings import ServiceMode, ServicePriceKind
from portal.services.bookings.practice import MAX_RANGES_PER_DAY, hhmm, parse_hhmm

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday"))
MODE_LABELS = {ServiceMode.IN_PERSON: _l("In person"), ServiceMode.PHONE: _l("By phone"),
               ServiceMode.ONLINE: _l("Online")}
PRICE_KIND_LABELS = {ServicePriceKind.FIXED: _l("Fixed price"), ServicePriceKind.FROM: _l("Price from")}
STATUS_LABELS = {"requested": _l("Awaiting confirmation"), "confirmed": _l("Confirmed"),
                 "declined": _l("Declined"), "cancelled": _l("Cancelled"), "attended": _l("Attended"),
                 "no_show": _l("Did not come")}


def _normal_time(raw: str) -> str:
    """What people type on a phone as HH:MM: "9:30", "09.30", "09,30", "0930", "930", "9"; and
    "09:30:00" (seconds) from a browser's time input."""
    text = raw.replace(".", ":").replace(",", ":").replace(" ", "")
    if len(text) == 8 and text[5:] == ":00":
        text = text[:5]
    if text.isdigit() and len(text) in (3, 4):
        text = f"{text[:-2]}:{text[-2:]}"
    elif text.isdigit() and len(text) in (1, 2):
        text = f"{text}:00"
    hours, sep, minutes = text.partition(":")
    if sep and len(hours) == 1:
        text = f"0{hours}:{minutes}"
    return text


class TimeField(StringField):
    """A local time of day as HH:MM (what <input type="time"> sends); data: minutes
    after midnight, or None when empty. "24:00" ends a day."""

    def process_formdata(self, valuelist):
        raw = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = None
        if raw:
            minutes = parse_hhmm(_normal_time(raw))
            if minutes is None:
                raise ValueError(str(_l("Enter a time as HH:MM, e.g. 09:30.")))
            self.data = minutes

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else hhmm(self.data)


class RangeForm(Form):
    start = TimeField(_l("Start time"))
    end = TimeField(_l("End time"))

    def pair(self):
        """(start, end) minutes; None when both are empty; raises ValueError when one is."""
        a, b = self.start.data, self.end.data
        if a is None and b is None:
            return None
        if a is None or b is None:
            raise ValueError(str(_l("Enter both the start and the end of the range.")))
        return a, b


def _ranges(field_list) -> list[tuple[int, int]] | None:
    """The filled ranges of a FieldList of RangeForm, or None after putting an error on it."""
    out, ok = [], True
    for entry in field_list.entries:
        try:
            pair = entry.form.pair()
        except ValueError as err:
            entry.form.end.errors = list(entry.form.end.errors or ()) + [str(err)]
            ok = False
            continue
        if pair is not None:
            out.append(pair)
    return out if ok else None


class WeeklyHoursForm(_Form):
    """day_0 (Monday) ... day_6 (Sunday): each a list of time ranges."""

    day_0 = FieldList(FormField(RangeForm))
    day_1 = FieldList(FormField(RangeForm))
    day_2 = FieldList(FormField(RangeForm))
    day_3 = FieldList(FormField(RangeForm))
    day_4 = FieldList(FormField(RangeForm))
    day_5 = FieldList(FormField(RangeForm))
    day_6 = FieldList(FormField(RangeForm))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day_errors: dict[str, list] = {}  # "day_<weekday>" -> the service's messages

    def days(self):
        """(weekday, its name, its FieldList) for the template."""
        return [(d, WEEKDAY_NAMES[d], getattr(self, f"day_{d}")) for d in range(7)]

    @classmethod
    def from_weekly(cls, weekly: dict[int, list[tuple[int, int]]]) -> "WeeklyHoursForm":
        data = {f"day_{d}": [{"start": a, "end": b} for a, b in weekly.get(d, [])] for d in range(7)}
        form = cls(formdata=None, data=data)
        form.add_blank_rows()
        return form

    def add_blank_rows(self) -> None:
        """One empty range under each weekday that has room for another."""
        for _d, _name, field in self.days():
            if len(field.entries) < MAX_RANGES_PER_DAY and all(
                    e.form.start.data is not None or e.form.end.data is not None for e in field.entries):
                field.append_entry()

    def weekly(self) -> dict[int, list[tuple[int, int]]] | None:
        """The hours entered, or None when a range is half filled (the error is on it)."""
        weekly, ok = {}, True
        for d, _name, field in self.days():
            ranges = _ranges(field)
            if ranges is None:
                ok = False
            elif ranges:
                weekly[d] = ranges
        return weekly if ok else None


class RulesForm(_Form):
    slot_minutes = WholeNumberField(_l("Slot length, minutes"),
                                    description=_l("Clients book times that start every slot (5 to 480 minutes)."))
    buffer_minutes = WholeNumberField(_l("Break after each booking, minutes"),
                                      description=_l("0 to 240 minutes between one client and the next."))
    min_notice_minutes = WholeNumberField(
        _l("Book at least this many minutes ahead"),
        description=_l("How late a client may book: e.g. 120 = at least two hours before the start."))
    horizon_days = WholeNumberField(_l("Bookings open this many days ahead"),
                                    description=_l("1 to 366 days."))
    cancel_notice_minutes = WholeNumberField(
        _l("Clients may cancel or move a confirmed booking up to this many minutes before it"),
        description=_l("0 to 10080 minutes (a week)."))
    auto_confirm = BooleanField(_l("Confirm new bookings automatically"))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("slot_minutes", "buffer_minutes", "min_notice_minutes", "horizon_days", "cancel_notice_minutes",
                 "auto_confirm")}


EXCEPTION_RANGES = 3


class ExceptionForm(_Form):
    day = OptionalDateField(_l("Date"))
    kind = RadioField(_l("What changes"), choices=[("off", _l("Day off")), ("hours", _l("Other hours"))],
                      default="off")
    ranges = FieldList(FormField(RangeForm), min_entries=EXCEPTION_RANGES, max_entries=EXCEPTION_RANGES)
    note = StringField(_l("Note (only you see it)"), validators=[Optional(), Length(max=200)])

    def hours(self) -> list[tuple[int, int]] | None:
        """The ranges (empty for a day off), or None after an error on a half-filled one."""
        if self.kind.data != "hours":
            return []
        ranges = _ranges(self.ranges)
        if ranges == []:
            self.ranges.entries[0].form.start.errors = [str(_l("Enter the hours of this date."))]
            return None
        return ranges


class ServiceItemForm(_Form):
    name_kk = StringField(_l("Name in Kazakh"), validators=[Optional(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name in English (optional)"), validators=[Optional(), Length(max=200)])
    price = WholeNumberField(_l("Price, tenge"), message=_l("Enter the price in whole tenge."))
    price_kind = RadioField(_l("Price"), choices=list(PRICE_KIND_LABELS.items()), default=ServicePriceKind.FIXED)
    duration_minutes = WholeNumberField(_l("Duration, minutes"), default=30,
                                        message=_l("Enter the duration in whole minutes."))
    mode = SelectField(_l("How it is given"), choices=list(MODE_LABELS.items()), default=ServiceMode.IN_PERSON)

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("name_kk", "name_ru", "name_en", "price", "price_kind", "duration_minutes", "mode")}


class ReasonForm(_Form):
    reason = TextAreaField(_l("Reason (the client sees it)"), validators=[Optional(), Length(max=1000)])
