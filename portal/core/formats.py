"""Dates, numbers, money and file sizes as each language writes them: the one
place that chooses the patterns. Templates reach these as ``format_date``,
``format_datetime``, ``format_number``, ``filesize`` and the ``money`` filter (``amounts.format_money``).

Dates follow Babel's CLDR data for the language, with two corrections that
hold everywhere: the year has four digits (CLDR's short kk and en dates have
two: "05.03.26") and Kazakh day numbers have no leading zero (CLDR's medium kk
date is "2026 ж. 05 нау."). Times have no seconds except in the long formats. As in
CLDR, a narrow no-break space keeps the year and "ж." / "г." together.

    kk  short 05.03.2026   medium 2026 ж. 5 нау.   long 2026 ж. 5 наурыз
    ru  short 05.03.2026   medium 5 мар. 2026 г.   long 5 марта 2026 г.
    en  short 3/5/2026     medium Mar 5, 2026      long March 5, 2026

Numeric dates keep the standard two-digit day and month (dd.MM.yyyy).
"""
from __future__ import annotations

import datetime as dt

import flask_babel
from babel import Locale
from babel.numbers import format_decimal
from flask_babel import gettext as _

from portal.core.amounts import format_money
from portal.core.collation import sorted_by_name
from portal.core.i18n import current_locale

NAMED = ("short", "medium", "long", "full")
DEFAULT_FORMAT = "medium"

# Date patterns that differ from CLDR's (Babel's data for the language is used for the rest).
DATE_PATTERNS: dict[str, dict[str, str]] = {
    "kk": {"short": "dd.MM.y", "medium": "y\u202f'ж'. d MMM"},  # CLDR's, with "d" for "dd"
    "ru": {"short": "dd.MM.y"},
    "en": {"short": "M/d/y"},
}
# The time in each date-and-time format: hours and minutes, the seconds and zone only in the long ones.
TIME_FORMAT_OF = {"short": "short", "medium": "short", "long": "long", "full": "full"}


def _locale(locale: str | None) -> str:
    return locale or current_locale()


def date_pattern(format: str | None = None, locale: str | None = None) -> str:
    """The Babel pattern of a named date format (``short``…``full``) in ``locale``;
    any other ``format`` is already a pattern and is returned as it is."""
    format = format or DEFAULT_FORMAT
    if format not in NAMED:
        return format
    code = _locale(locale)
    custom = DATE_PATTERNS.get(code, {}).get(format)
    return custom or Locale.parse(code).date_formats[format].pattern


def datetime_pattern(format: str | None = None, locale: str | None = None) -> str:
    """The Babel pattern of a named date-and-time format in ``locale`` (the
    language's own way of joining the date and the time, "{1}, {0}")."""
    format = format or DEFAULT_FORMAT
    if format not in NAMED:
        return format
    data = Locale.parse(_locale(locale))
    time = data.time_formats[TIME_FORMAT_OF[format]].pattern
    glue = str(data.datetime_formats.get(format) or "{1} {0}")
    return glue.replace("{1}", date_pattern(format, locale)).replace("{0}", time)


def format_date(value: dt.date | None = None, format: str | None = None, rebase: bool = True) -> str:
    """A date (a datetime in the user's time zone) in the page's language: ``format`` is a
    name (``short``, ``medium``, ``long``, ``full``) or a Babel pattern."""
    return flask_babel.format_date(value, date_pattern(format), rebase)


def format_datetime(value: dt.datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """A date and time in the user's time zone and the page's language (see ``format_date``)."""
    return flask_babel.format_datetime(value, datetime_pattern(format), rebase)


def format_number(value, locale: str | None = None) -> str:
    """``150000`` -> ``"150 000"`` in kk/ru (no-break space), ``"150,000"`` in en."""
    return "" if value is None else format_decimal(value, locale=_locale(locale))


def format_filesize(size: int | None) -> str:
    """A file size in bytes as "12 KB" / "1,5 MB" in the page's language (translated units)."""
    size = int(size or 0)
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_number(round(size / (1024 * 1024), 1)))
    if size >= 1024:
        return _("%(size)s KB", size=format_number(round(size / 1024)))
    return _("%(size)s B", size=format_number(size))


def install(jinja_env) -> None:
    """Make the formatters available to every template."""
    jinja_env.globals.update(format_date=format_date, format_datetime=format_datetime,
                             format_number=format_number, filesize=format_filesize)
    jinja_env.filters["money"] = format_money
    jinja_env.filters["number"] = format_number
    jinja_env.filters["by_name"] = sorted_by_name  # {% for s in c.specializations|by_name %}
