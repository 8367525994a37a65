"""One record of a registry file as the importer applies it (an ``Entry``):
every value checked and normalized, the category, regions and specializations
looked up in the catalog. What is wrong with a line is raised as one
``LineError`` with all its reasons."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from email_validator import EmailNotValidError, validate_email
from flask_appbuilder.security.registerviews import get_first_last_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.validation import normalize_phone
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import SERVICE_LANGUAGES, ProfileStatus
from portal.services.catalog import FactMatcher
from portal.services.practitioners.import_files import COLUMNS, REQUIRED, SURROGATE, LineError, column_name

TRUE = frozenset(("true", "1", "yes", "y", "да", "иә", "ия"))
FALSE = frozenset(("false", "0", "no", "n", "нет", "жоқ", ""))
# Registries write "Surname Given Patronymic"; the portal stores the given name
# (and patronymic) in first_name and the surname in last_name (see demo.py).
PATRONYMIC = re.compile(r"(ович|евич|ьич|ична|овна|евна|[уұ]лы|[кқ]ызы)$", re.IGNORECASE)
LIST_SEPARATORS = re.compile(r"[;,]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Column lengths (the model's String sizes; username, which is the email, is 128).
MAX_LEN = {"external_id": 64, "license_number": 64, "city": 80, "licensor": 255, "chamber": 255, "email": 128}
NAME_MAX = 64
MAX_EXPERIENCE = 80


@dataclass
class Entry:
    line: int
    present: set[str]
    external_id: str | None
    first_name: str
    last_name: str
    email: str
    category: Category
    regions: list[Region]
    profile: dict[str, Any]  # model attribute -> value, only for the columns present
    phone: str | None = None
    languages: list[str] = field(default_factory=list)
    # (column, value) of the city, licensor or chamber that matched no reference row (kept as free text)
    unmapped: list[tuple[str, str]] = field(default_factory=list)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise LineError(_l("%(column)s must be text.", column=column))
    text = " ".join(str(value).split()) if column not in ("about_ru", "about_kk") else str(value).strip()
    limit = MAX_LEN.get(column)
    if limit and len(text) > limit:
        raise LineError(_l("%(column)s is longer than %(max)s characters.", column=column, max=limit))
    return text


def _list(value, column: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else LIST_SEPARATORS.split(_text(value, column))
    return [t for t in (_text(i, column) for i in items) if t]


def _int(value, column: str, low: int, high: int | None = None) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise LineError(_l('%(column)s must be a whole number, not "%(value)s".', column=column, value=value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        digits = re.sub(r"[\s_\u00a0\u202f]", "", str(value))
        if not re.fullmatch(r"[+-]?\d+", digits):
            raise LineError(_l('%(column)s must be a whole number, not "%(value)s".',
                               column=column, value=value))
        value = int(digits)
    if value < low or (high is not None and value > high):
        raise LineError(_l("%(column)s is out of range: %(value)s.", column=column, value=value))
    return value


def _bool(value, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise LineError(_l('%(column)s must be true or false, not "%(value)s".', column=column, value=value))


def _date(value, column: str) -> dt.date | None:
    if _blank(value):
        return None
    text = str(value).strip()
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise LineError(_l('Bad date "%(value)s" in %(column)s: use YYYY-MM-DD.',
                           value=text, column=column)) from None
    if date > dt.date.today():
        raise LineError(_l("The date in %(column)s is in the future: %(value)s.", column=column, value=text))
    return date


def _key(text: str) -> str:
    """Case-, ё- and space-insensitive key for matching names."""
    return " ".join(text.casefold().replace("ё", "е").split())


def split_full_name(full_name: str) -> tuple[str, str]:
    """(first_name, last_name) the way the portal stores names: the given name
    first, the surname last ("Ерлан Жұмабеков"). The registries' order
    "Surname Given Patronymic" is recognised by its patronymic."""
    words = full_name.split()
    if len(words) >= 3 and PATRONYMIC.search(words[-1]):
        return " ".join(words[1:]), words[0]
    first, last = get_first_last_name(" ".join(words))
    return first, last or "-"  # as registration does: last_name is required


def _email(value) -> str:
    text = _text(value, "email")
    try:
        email = validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise LineError(_l('Invalid email address "%(value)s".', value=text)) from None
    if len(email) > MAX_LEN["email"]:
        raise LineError(_l("%(column)s is longer than %(max)s characters.", column="email",
                           max=MAX_LEN["email"]))
    return email


class RowParser:
    """Turns a record (column -> value) into an ``Entry``; columns it does not
    know are added to ``ignored``."""

    def __init__(self, session, ignored: set[str]):
        self.ignored = ignored
        self.categories = {c.code.lower(): c for c in session.scalars(select(Category))}
        self.regions = {r.code.upper(): r for r in session.scalars(select(Region))}
        self.specializations: dict[int, dict[str, Specialization]] = defaultdict(dict)
        for s in session.scalars(select(Specialization)):
            for name in (s.name_en, s.name_kk, s.name_ru, s.code):  # the code wins a clash
                if name:
                    self.specializations[s.category_id][_key(name)] = s
        self.facts = FactMatcher()

    def centre(self, region: Region) -> dict[str, Any]:
        """The profile values of a city in the region's centre (the default city)."""
        city = self.facts.centres.get(region.id)
        return {"city_id": city.id, "city": ""} if city is not None else {"city_id": None, "city": region.centre_ru}

    def _map_facts(self, values: dict, profile: dict, unmapped: list) -> None:
        """City, licensor and chamber onto the reference rows; unmatched text is kept as the
        free text and listed in ``unmapped``."""
        regions, category = values["regions"], values["category"]
        for column, find in (("city", lambda t: self.facts.city(t, regions)),
                             ("licensor", self.facts.licensor),
                             ("chamber", lambda t: self.facts.chamber(t, category.id))):
            if column not in values:
                continue
            text = values[column]
            if not text and column == "city":  # present but empty: the home region's centre
                profile.update(self.centre(regions[0]))
                continue
            row = find(text) if text else None
            profile[column + "_id"] = row.id if row is not None else None
            profile[column] = "" if row is not None else text
            if text and row is None:
                unmapped.append((column, text))

    def parse(self, line: int, record: dict) -> Entry:
        data: dict[str, Any] = {}
        for key, value in record.items():
            column = column_name(key)
            if column in COLUMNS:
                data[column] = value
            else:
                self.ignored.add(str(key))
        if any(isinstance(v, str) and SURROGATE.search(v) for v in data.values()):
            raise LineError(_l("The line is not valid UTF-8."))
        errors: list = []
        values: dict[str, Any] = {}

        def check(column: str, parse: Callable[[Any], Any]) -> None:
            if column not in data:
                return
            try:
                values[column] = parse(data[column])
            except LineError as exc:
                errors.extend(exc.reasons)

        for column in REQUIRED:
            if _blank(data.get(column)):
                errors.append(_l("%(column)s is required.", column=column))
                data.pop(column, None)

        def category(value):
            code = _text(value, "category")
            found = self.categories.get(code.lower())
            if found is None:
                raise LineError(_l('Unknown category "%(value)s".', value=code))
            return found

        def regions(value):
            found, unknown = [], []
            for code in _list(value, "regions"):
                region = self.regions.get(code.upper())
                if region is None:
                    unknown.append(code)
                elif region not in found:
                    found.append(region)
            if unknown:
                raise LineError(*(_l('Unknown region "%(value)s".', value=c) for c in unknown))
            if not found:
                raise LineError(_l("%(column)s is required.", column="regions"))
            return found

        def languages(value):
            codes = [c.lower() for c in _list(value, "languages")]
            unknown = [c for c in codes if c not in SERVICE_LANGUAGES]
            if unknown:
                raise LineError(*(_l('Unknown language "%(value)s": use kk, ru or en.', value=c)
                                  for c in unknown))
            return list(dict.fromkeys(codes))

        def phone(value):
            if _blank(value):
                return None
            text = _text(value, "phone")
            try:
                return normalize_phone(text)
            except ValueError:
                raise LineError(_l('Invalid phone number "%(value)s".', value=text)) from None

        def status(value):
            text = _text(value, "status").lower()
            if text and text not in ProfileStatus.ALL:
                raise LineError(_l('Unknown status "%(value)s".', value=text))
            return text or None

        def full_name(value):
            first, last = split_full_name(_text(value, "full_name"))
            if len(first) > NAME_MAX or len(last) > NAME_MAX:
                raise LineError(_l("A name in full_name is longer than %(max)s characters.", max=NAME_MAX))
            return first, last

        check("external_id", lambda v: _text(v, "external_id") or None)
        check("full_name", full_name)
        check("email", _email)
        check("phone", phone)
        check("category", category)
        check("regions", regions)
        check("languages", languages)
        check("city", lambda v: _text(v, "city"))
        check("experience_years", lambda v: _int(v, "experience_years", 0, MAX_EXPERIENCE) or 0)
        check("license_number", lambda v: _text(v, "license_number"))
        check("license_date", lambda v: _date(v, "license_date"))
        check("licensor", lambda v: _text(v, "licensor"))
        check("chamber", lambda v: _text(v, "chamber"))
        check("about_ru", lambda v: _text(v, "about_ru"))
        check("about_kk", lambda v: _text(v, "about_kk"))
        check("price_from", lambda v: _int(v, "price_from", 0))
        check("online", lambda v: _bool(v, "online"))
        check("status", status)
        if "specializations" in data and "category" in values:
            cat = values["category"]
            by_name = self.specializations[cat.id]
            specs, unknown = [], []
            try:
                names = _list(data["specializations"], "specializations")
            except LineError as exc:
                errors.extend(exc.reasons)
                names = []
            for name in names:
                spec = by_name.get(_key(name))
                if spec is None:
                    unknown.append(name)
                elif spec not in specs:
                    specs.append(spec)
            errors.extend(_l('Unknown specialization "%(value)s" in the category "%(category)s".',
                             value=n, category=cat.code) for n in unknown)
            values["specializations"] = specs
        if errors:
            raise LineError(*errors)

        profile: dict[str, Any] = {}
        for column, attr in (("experience_years", "experience_years"),
                             ("license_number", "licence_number"), ("license_date", "licence_date"),
                             ("about_ru", "about_ru"), ("about_kk", "about_kk"),
                             ("price_from", "price_from"), ("online", "online_consultation"),
                             ("specializations", "specializations")):
            if column in values:
                profile[attr] = values[column]
        if "languages" in values:
            profile["languages"] = ",".join(values["languages"]) or "ru"
        if values.get("status"):
            profile["status"] = values["status"]
        unmapped: list[tuple[str, str]] = []
        self._map_facts(values, profile, unmapped)
        first, last = values["full_name"]
        return Entry(line=line, present=set(data), external_id=values.get("external_id"),
                      first_name=first, last_name=last, email=values["email"],
                      category=values["category"], regions=values["regions"], profile=profile,
                      phone=values.get("phone"), languages=values.get("languages") or [], unmapped=unmapped)
