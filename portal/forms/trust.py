"""Forms of the trust domain: reporting a complaint and the staff's notes and outcomes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, TextAreaField

from portal.services.trust import complaints


class ReportForm(Form):
    reason = SelectField(_l("Reason"), choices=[], validate_choice=False)
    text = TextAreaField(_l("What is wrong"), description=_l(
        "Describe what you saw, at least %(min)d characters. Staff read it; the person you report does not "
        "see your name.", min=complaints.TEXT_MIN))


class NoteForm(Form):
    note = TextAreaField(_l("Internal note"), description=_l("Staff only: never shown to the reporter."))


class OutcomeForm(Form):
    outcome = TextAreaField(_l("Outcome for the reporter"), description=_l(
        "The reporter is told this in a notification and sees it in “My complaints”. Do not include "
        "internal details."))
