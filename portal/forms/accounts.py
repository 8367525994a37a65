"""Forms of the accounts domain: registration, profile, password, privacy and the staff's blocking."""
from __future__ import annotations

from flask import (
    current_app,
)
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Form, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.core.labels import label
from portal.core.validation import StrongPassword, ValidPhone
from portal.models.accounts import BlockReason
from portal.services.accounts import blocking


def _language_choices():
    return [(code, meta["name"]) for code, meta in current_app.config["LANGUAGES"].items()]


class LanguageSelectField(SelectField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=_language_choices, **kwargs)


class RegisterForm(DynamicForm):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=_l("Enter your full name.")),
                    Length(max=128, message=_l("At most %(max)d characters.", max=128))],
        widget=BS3TextFieldWidget(),
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter your email address.")),
                    Email(message=_l("Enter a valid email address."), check_deliverability=False),
                    Length(max=254, message=_l("At most %(max)d characters.", max=254))],
        widget=BS3TextFieldWidget(),
        render_kw={"autocomplete": "email", "type": "email"},
    )
    phone = StringField(
        _l("Phone"),
        validators=[DataRequired(message=_l("Enter your phone number.")), ValidPhone()],
        description=_l("For example +7 701 234 56 78"),
        widget=BS3TextFieldWidget(),
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter a password.")), StrongPassword()],
        description=_l("At least 8 characters, letters and digits."),
        widget=BS3PasswordFieldWidget(),
        render_kw={"autocomplete": "new-password"},
    )
    conf_password = PasswordField(
        _l("Confirm password"),
        validators=[EqualTo("password", message=_l("The passwords do not match."))],
        widget=BS3PasswordFieldWidget(),
        render_kw={"autocomplete": "new-password"},
    )
    locale = LanguageSelectField(_l("Preferred language"))
    agree = BooleanField(
        _l("I have read and agree to the user agreement"),
        validators=[DataRequired(message=_l("You must accept the user agreement to register."))],
    )


class ChangePasswordForm(DynamicForm):
    """"Change password" when signed in: the current password first (checked by
    portal.services.accounts.password_reset.check_current_password), then the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        widget=BS3PasswordFieldWidget(),
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter a password.")), StrongPassword()],
        description=_l("At least 8 characters, with letters and digits."),
        widget=BS3PasswordFieldWidget(),
        render_kw={"autocomplete": "new-password"},
    )
    conf_password = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The passwords do not match."))],
        widget=BS3PasswordFieldWidget(),
        render_kw={"autocomplete": "new-password"},
    )


class CloseForm(Form):
    password = PasswordField(_l("Your password"))
    confirm = BooleanField(_l("I understand that my account is closed for good and my personal data is "
                              "erased; this cannot be undone."))


class BlockForm(Form):
    reason = SelectField(_l("Reason (agreement 11.4)"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=blocking.NOTE_MAX)],
                         description=_l("Staff only: recorded in the audit trail."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [("", _l("Choose a reason"))] + [(code, label(code)) for code in BlockReason.ALL]


class UnblockForm(Form):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=blocking.NOTE_MAX)],
                         description=_l("Staff only: recorded in the audit trail."))


class ResetRequestForm(Form):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=256), Email()])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             description=_l("At least 8 characters, with letters and digits."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
