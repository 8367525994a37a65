"""Forms of the exchange: requests, offers, reviews, conversations and their messages."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.core.amounts import AmountField
from portal.core.labels import label
from portal.models.exchange import PriceKind


class _Form(FlaskForm):
    # CSRFProtect checks every POST already; templates add csrf_token by hand.
    class Meta:
        csrf = False


class WholeNumberField(StringField):
    """An optional whole number; bad input gets a translated error and the
    raw text stays in the field."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Enter a whole number.")

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        raw = raw.replace(" ", "").replace("\u00a0", "").strip()
        self.data = None
        if raw:
            try:
                self.data = int(raw)
            except ValueError:
                raise ValueError(str(self.message)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class OptionalDateField(StringField):
    """An optional ISO date (what <input type="date"> sends)."""

    def process_formdata(self, valuelist):
        raw = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = None
        if raw:
            try:
                self.data = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValueError(str(_l("Enter a date as YYYY-MM-DD."))) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _id_or_invalid(value) -> int:
    """An id; garbage becomes 0, which the service rejects with its own message."""
    return _int_or_none(value) or 0


class RequestForm(_Form):
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)
    specialization_ids = SelectMultipleField(_l("Specializations"), coerce=_id_or_invalid,
                                             validate_choice=False)
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    region_id = SelectField(_l("Region"), coerce=_int_or_none, validate_choice=False)
    city = StringField(_l("City"))
    budget = AmountField(_l("Budget, KZT"))
    desired_date = OptionalDateField(_l("Desired date"))
    attachments = MultipleFileField(_l("Attachments"))
    target_profile_id = HiddenField()


def _price_kind_choices():
    return [(kind, label(kind)) for kind in PriceKind.ALL]


class OfferForm(_Form):
    price = AmountField(_l("Price, KZT"))
    price_kind = SelectField(_l("Price type"), choices=_price_kind_choices, validate_choice=False)
    term_days = WholeNumberField(_l("Term, days"), message=_l("Enter the term as a whole number of days."))
    message = TextAreaField(_l("Message to the client"))


def _rating_choices():
    return [(i, str(i)) for i in range(5, 0, -1)]


class ReviewForm(_Form):
    rating = RadioField(_l("Rating"), choices=_rating_choices(), coerce=_int_or_none, validate_choice=False)
    comment = TextAreaField(_l("Comment"))


class ReplyForm(_Form):
    reply = TextAreaField(_l("Your public reply"))


ACCEPT = ".pdf,.jpg,.jpeg,.png"
REASON_MAX = 500


class MessageForm(DynamicForm):
    body = TextAreaField(_l("Message"), render_kw={"rows": 5})
    files = MultipleFileField(_l("Attach files"), render_kw={"accept": ACCEPT},
                              description=_l("PDF, JPEG or PNG."))


class StaffReasonForm(Form):
    """Asked of staff before they read a conversation (sent with GET: the
    reading itself changes nothing but the audit trail)."""

    reason = StringField(
        _l("Reason for reading"),
        validators=[DataRequired(message=_l("Give the reason for reading this conversation.")),
                    Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX))],
    )
