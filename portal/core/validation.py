"""Validation of Kazakhstan-specific values: IIN checksum, phone numbers,
passwords. Pure functions plus thin WTForms validators around them."""
from __future__ import annotations

import datetime as dt

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_W1 = tuple(range(1, 12))
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def iin_is_valid(value: str | None) -> bool:
    """12 digits, a real birth date in digits 1-7 and the check digit
    (reference/kazakhstan.md)."""
    if not value or len(value) != 12 or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    check = sum(d * w for d, w in zip(digits, _W1)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _W2)) % 11
        if check == 10:
            return False
    if check != digits[11]:
        return False
    century = _CENTURY.get(digits[6])
    if century is None:  # 0 is used for foreigners/legal entities in old numbers
        return digits[6] == 0
    try:
        dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return False
    return True


def normalize_phone(value: str | None, region: str = "KZ") -> str:
    """Return the number in E.164 or raise ValueError."""
    if not value or not value.strip():
        raise ValueError("empty")
    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str | None) -> str:
    """A stored (E.164) number as people read it: "+77087599694" -> "+7 708 759 96 94".

    Numbers of +7 (Kazakhstan, and Russia's numbering plan shared with it) are
    grouped 3-3-2-2 after the code, mobiles and landlines alike ("+7 727 250 12
    34"); numbers of other countries in their international format ("+998 90 123
    45 67"). Anything that is not a valid number is returned unchanged, so the
    page still shows what is stored. Only for display: stored values and
    ``tel:`` links stay E.164."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = text[1:]
    if text.startswith("+7") and len(digits) == 11 and digits.isdigit():
        return f"+7 {digits[1:4]} {digits[4:7]} {digits[7:9]} {digits[9:11]}"
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else "KZ")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    if number.country_code == 7:
        return format_phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


EMAIL_MAX = 254


def normalize_email(value: str | None) -> str:
    """The address in lower case (syntax checked, no DNS lookup) or raise ValueError."""
    text = (value or "").strip()
    if not text or len(text) > EMAIL_MAX:
        raise ValueError("empty or too long")
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def password_problem(password: str) -> str | None:
    if len(password or "") < 8:
        return _l("The password must be at least 8 characters long.")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return _l("The password must contain both letters and digits.")
    return None


def password_complexity(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: used by FAB's own password forms."""
    problem = password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(str(problem))


class ValidPhone:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_phone(field.data)
        except ValueError:
            raise ValidationError(
                _l("Enter a valid phone number, for example +7 701 234 56 78.")
            ) from None


class ValidIIN:
    def __call__(self, form, field):
        if field.data and not iin_is_valid(field.data.strip()):
            raise ValidationError(_l("This IIN is not valid: check the 12 digits."))


class StrongPassword:
    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
