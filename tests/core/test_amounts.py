"""Amounts in tenge as people type them (portal.core.amounts): spaces of every
kind, the tenge sign or name, dots and commas between thousands; fractions,
negatives, garbage and too large amounts refused with their own message."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from portal.core.amounts import AmountError, AmountField, format_amount, parse_amount
from portal.forms.exchange import _Form


@pytest.mark.parametrize("text", [
    "70000", "70 000", "70\u00a0000", "70\u202f000", "70\u2009000", " 70 000 ", "70'000",
    "70000 ₸", "70000₸", "₸ 70 000", "70 000 тг", "70 000 тг.", "70 000 тенге", "70 000 теңге", "70 000 KZT",
    "70.000", "70,000", "70000.00", "70 000,00", "70 000,0", "70 тыс.", "70 тыс. тг", "70 мың", "70к", "70k",
])
def test_every_common_way_of_writing_seventy_thousand(text):
    assert parse_amount(text) == 70_000


@pytest.mark.parametrize("text, value", [
    ("1.000.000", 1_000_000), ("1,000,000", 1_000_000), ("1 000 000 ₸", 1_000_000), ("1,5 млн", 1_500_000),
    ("1.000,00", 1000), ("1,000.00", 1000), ("5", 5), ("0", 0), ("1 000 000 000", 1_000_000_000),
])
def test_thousands_millions_and_zero_tiyn(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_is_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text, reason", [
    ("abc", "digits"), ("70 000 $", "digits"), ("7тг0", "digits"), ("70..000", "digits"), ("₸", "digits"),
    ("70,00,000", "digits"), ("seventy", "digits"), ("1e5", "digits"), ("0x10", "digits"),
    ("70000,50", "tiyn"), ("70.5", "tiyn"), ("1,5", "tiyn"), ("1.000,50", "tiyn"),
    ("-5", "negative"), ("−70 000", "negative"), ("- 70 000 ₸", "negative"),
    ("1 000 000 001", "too large"), ("9" * 40, "too large"), ("2 млн", None),
])
def test_garbage_fractions_negatives_and_too_large_are_refused(app, text, reason):
    if reason is None:  # within the limit
        assert parse_amount(text) == 2_000_000
        return
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    with app.test_request_context(), force_locale("en"):
        assert reason in str(info.value.message)


def test_a_lower_maximum(app):
    with pytest.raises(AmountError) as info:
        parse_amount("5 000", maximum=1000)
    with app.test_request_context(), force_locale("en"):
        assert str(info.value.message) == "The amount is too large: at most 1 000 ₸."


def test_format_amount_reads_back():
    assert format_amount(70000) == "70 000" and parse_amount(format_amount(1234567)) == 1234567
    assert format_amount(None) == ""


class _AmountForm(_Form):
    price = AmountField("Price")


@pytest.mark.parametrize("text, data", [("70 000 ₸", 70000), ("70\u00a0000 тг", 70000), ("", None)])
def test_the_field_reads_amounts(app, text, data):
    with app.test_request_context(method="POST"):
        form = _AmountForm(formdata=MultiDict({"price": text}))
        assert form.validate() and form.price.data == data


def test_the_field_keeps_the_typed_text_and_says_why(app):
    with app.test_request_context(method="POST"), force_locale("en"):
        form = _AmountForm(formdata=MultiDict({"price": "70 000,50"}))
        assert not form.validate()
        assert form.price._value() == "70 000,50"
        assert form.price.errors == ["Enter a whole number of tenge, without tiyn, for example 70 000."]


def test_the_field_shows_a_stored_amount_with_spaces(app):
    with app.test_request_context():
        assert _AmountForm(formdata=None, data={"price": 150000}).price._value() == "150 000"
