"""The practitioner's questionnaire (agreement 6.1): the same form for a new
application, a draft and the public profile of an approved practitioner.
It only parses and keeps the input; the rules (formats, what each category
requires, file types) live in portal.services.practitioners (questionnaire,
documents, verification), whose errors the view puts back on these fields."""
from __future__ import annotations

import dataclasses

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    Form,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.amounts import AmountField
from portal.forms.exchange import OptionalDateField, WholeNumberField, _Form, _id_or_invalid, _int_or_none
from portal.models.practitioners import SERVICE_LANGUAGES, InterviewMode, InterviewOutcome
from portal.services.practitioners import decisions, moderation

LANGUAGE_NAMES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}

# The file fields are named after the document kinds the service stores
# (DocumentKind), so its errors (field = kind) land on them.
FILE_FIELDS = ("photo", "licence", "other")


def _language_choices():
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in SERVICE_LANGUAGES]


class ApplicationForm(_Form):
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)
    licence_number = StringField(_l("Licence number"))
    licence_date = OptionalDateField(_l("Licence date"))
    licensor_id = SelectField(_l("Issued by (licensor)"), coerce=_int_or_none, validate_choice=False)
    licensor = StringField(_l("Other licensor"))
    chamber_id = SelectField(_l("Chamber / collegium"), coerce=_int_or_none, validate_choice=False)
    chamber = StringField(_l("Other chamber or collegium"))
    membership_id = StringField(_l("Membership number"))
    region_ids = SelectMultipleField(_l("Regions served"), coerce=_id_or_invalid, validate_choice=False)
    specialization_ids = SelectMultipleField(_l("Specializations"), coerce=_id_or_invalid,
                                             validate_choice=False)
    languages = SelectMultipleField(_l("Languages of service"), choices=_language_choices,
                                    validate_choice=False)
    experience_years = WholeNumberField(_l("Experience, years"),
                                        message=_l("Enter your experience as a whole number of years."))
    education_kk = TextAreaField(_l("Education (in Kazakh)"))
    education_ru = TextAreaField(_l("Education (in Russian)"))
    about_kk = TextAreaField(_l("About you (in Kazakh)"))
    about_ru = TextAreaField(_l("About you (in Russian)"))
    price_from = AmountField(_l("Price from, ₸"))
    online_consultation = BooleanField(_l("I consult online"))
    city_id = SelectField(_l("City"), coerce=_int_or_none, validate_choice=False)
    city = StringField(_l("Other city"))
    photo = FileField(_l("Photo"))
    licence = MultipleFileField(_l("Licence copy"))
    other = MultipleFileField(_l("Other documents"))

    # the fields that make up portal.services.practitioners.questionnaire.ApplicationInput
    INPUT_FIELDS = ("category_id", "licence_number", "licence_date", "licensor", "chamber", "membership_id",
                    "region_ids", "specialization_ids", "languages", "experience_years", "education_kk",
                    "education_ru", "about_kk", "about_ru", "price_from", "online_consultation", "city",
                    "city_id", "licensor_id", "chamber_id")

    @classmethod
    def prefilled(cls, values) -> "ApplicationForm":
        """The form showing saved answers (an ApplicationInput), for a GET."""
        return cls(formdata=None, data=dataclasses.asdict(values))

    def values(self) -> dict:
        """The typed answers as ApplicationInput keyword arguments."""
        out = {name: getattr(self, name).data for name in self.INPUT_FIELDS}
        for name in ("region_ids", "specialization_ids", "languages"):
            out[name] = list(out[name] or [])
        for name in ("licence_number", "licensor", "chamber", "membership_id", "education_kk", "education_ru",
                     "about_kk", "about_ru", "city"):
            out[name] = out[name] or ""
        out["online_consultation"] = bool(out["online_consultation"])
        return out

    def files(self, request_files) -> dict:
        """The chosen files by document kind (empty file inputs left out)."""
        out = {}
        for kind in FILE_FIELDS:
            chosen = [f for f in request_files.getlist(getattr(self, kind).name) if f and f.filename]
            if chosen:
                out[kind] = chosen
        return out


# --- staff: decisions, interviews and reviews ------------------------------------------------------

REASON_MAX = moderation.REASON_MAX
MESSAGE_MAX = decisions.MESSAGE_MAX
NOTES_MAX = 2000  # interview notes


def _reason_field(label=_l("Internal reason")):
    return TextAreaField(label, validators=[
        DataRequired(message=_l("Give the reason.")),
        Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX))],
        description=_l("Staff only: recorded in the audit trail, never shown to the practitioner."))


class ActionForm(Form):
    reason = _reason_field()
    message = TextAreaField(
        _l("Message to the practitioner (optional)"),
        validators=[Optional(), Length(max=MESSAGE_MAX, message=_l("At most %(max)d characters.",
                                                                    max=MESSAGE_MAX))],
        description=_l("Shown on their “my practice” page in the notification of this decision."))


class ScheduleForm(Form):
    date = DateField(_l("Date"), validators=[InputRequired(message=_l("Choose the date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(message=_l("Choose the time."))])
    mode = SelectField(_l("Mode"), choices=[(m, m) for m in InterviewMode.ALL])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])


class RecordForm(Form):
    outcome = SelectField(_l("Outcome"), choices=[(o, o) for o in InterviewOutcome.ALL
                                                  if o != InterviewOutcome.PENDING])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])
    passport_checked = BooleanField(_l("Passport checked"))
    passport_last_digits = StringField(_l("Last digits of the passport number (at most 4, optional)"))


class ReviewActionForm(Form):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=REASON_MAX)])
