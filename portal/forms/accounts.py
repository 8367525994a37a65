from __future__ import annotations

from flask import current_app
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.core.validation import StrongPassword, ValidPhone


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
