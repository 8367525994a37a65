"""Amounts of money in tenge as people type them, and the form field that reads them.

``parse_amount`` accepts every common way of writing a whole amount in Kazakhstan:

    70000   70 000   70 000 (no-break or narrow no-break space)   70'000
    70000 ₸   70 000 тг   70 000 тг.   70 000 тенге   70 000 теңге   70000 KZT   ₸70 000
    70.000   70,000   1.000.000   1,000,000  (a dot or comma between groups of three digits)
    70000.00   70 000,00  (zero tiyn: the same whole amount)
    70 тыс.   70 мың   70к   1,5 млн  (thousands and millions)

Tenge amounts on the portal are whole: an amount with tiyn ("70000,50") is refused
with a message saying so, not rounded (a price silently changed is worse than a
question). Negative amounts, amounts over the maximum and anything else are
refused with their own translated message (``AmountError``, a ``ValueError``).
"""
from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from portal.core.i18n import current_locale

AMOUNT_MAX = 1_000_000_000

# spaces people put between digit groups (plain, no-break, narrow no-break, thin, figure) and apostrophes
_GROUP_MARKS = re.compile(r"[\s\u00a0\u202f\u2009\u2007'’`]+")
_CURRENCY = r"(?:₸|kzt|тенге|теңге|тңг|тг\.?)"
_CURRENCY_AROUND = re.compile(rf"^{_CURRENCY}|{_CURRENCY}$", re.IGNORECASE)
_MULTIPLIERS = (
    (re.compile(r"(млн\.?|миллионов|миллиона|миллион|million|mln)$", re.IGNORECASE), 1_000_000),
    (re.compile(r"(тыс\.?|тысяч|тысячи|тысяча|мың|thousand|k|к)$", re.IGNORECASE), 1_000),
)
_MINUS = "-−–"  # hyphen-minus, minus sign, en dash
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")  # 70.000, 1,000,000: one kind of mark
_DECIMAL = re.compile(r"(\d+)[.,](\d{1,2})")                  # 70000.00, 70000,5
_MIXED = re.compile(r"(\d{1,3}(?:([.,])\d{3})+)(?!\2)[.,](\d{1,2})")  # 1.000,00 or 1,000.50

GARBAGE = _l("Enter the amount in tenge as digits, for example 70 000.")
FRACTION = _l("Enter a whole number of tenge, without tiyn, for example 70 000.")
NEGATIVE = _l("The amount cannot be negative.")


class AmountError(ValueError):
    """The text is not an amount the portal accepts; ``message`` says why (translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def format_amount(value: int | None) -> str:
    """``70000`` -> ``"70 000"`` (plain spaces: what ``parse_amount`` reads back)."""
    return "" if value is None else f"{value:,}".replace(",", " ")


def format_money(value: int | None, locale: str | None = None) -> str:
    """An amount in tenge for reading, in every text that shows a price: ``150000`` ->
    ``"150 000 ₸"`` in kk and ru (no-break spaces: it never wraps), ``"150,000 ₸"`` in en.
    Form fields show ``format_amount`` instead (what people type)."""
    if value is None or value == "":
        return ""
    return f"{format_decimal(value, locale=locale or current_locale())}\u00a0₸"


def _without_currency(text: str) -> str:
    """``text`` without a currency sign or name before or after the number."""
    return _CURRENCY_AROUND.sub("", text)


def _number(text: str) -> Decimal:
    """The number in ``text`` (no sign, currency or spaces left), or AmountError."""
    if re.fullmatch(r"\d+", text):
        return Decimal(text)
    if _THOUSANDS.fullmatch(text):
        return Decimal(re.sub(r"[.,]", "", text))
    match = _MIXED.fullmatch(text)
    if match:
        return Decimal(f"{re.sub(r'[.,]', '', match.group(1))}.{match.group(3)}")
    match = _DECIMAL.fullmatch(text)
    if match:
        return Decimal(f"{match.group(1)}.{match.group(2)}")
    raise AmountError(GARBAGE)


def parse_amount(text: str | None, maximum: int = AMOUNT_MAX) -> int | None:
    """The whole number of tenge written in ``text``; None when it is empty.
    Raises AmountError (with a translated message) for anything else."""
    raw = _GROUP_MARKS.sub("", text or "")
    if not raw:
        return None
    raw = _without_currency(raw)
    negative = raw[:1] in _MINUS
    raw = raw.lstrip(_MINUS + "+")
    multiplier = 1
    for pattern, factor in _MULTIPLIERS:
        stripped = pattern.sub("", raw)
        if stripped != raw:
            raw, multiplier = _without_currency(stripped), factor
            break
    if not raw:
        raise AmountError(GARBAGE)
    if multiplier > 1 and re.fullmatch(r"\d+[.,]\d+", raw):  # 1,5 млн; 2.75 тыс.
        number = Decimal(raw.replace(",", "."))
    else:
        number = _number(raw)
    number *= multiplier
    if negative and number:
        raise AmountError(NEGATIVE)
    if number != number.to_integral_value():
        raise AmountError(FRACTION)
    value = int(number)
    if value > maximum:
        raise AmountError(_l("The amount is too large: at most %(max)s ₸.", max=format_amount(maximum)))
    return value


class AmountField(StringField):
    """An optional amount in tenge (``parse_amount``): ``data`` is an int or None.
    Bad input gets the translated reason and the typed text stays in the box.
    Render it as ``type="text" inputmode="numeric"``: a number input refuses spaces."""

    def __init__(self, label=None, validators=None, maximum: int = AMOUNT_MAX, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist):
        self.data = None
        try:
            self.data = parse_amount(valuelist[0] if valuelist else "", self.maximum)
        except AmountError as err:
            raise ValueError(str(err.message)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_amount(self.data)
