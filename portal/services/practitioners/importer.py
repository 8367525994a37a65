"""Import of practitioner registries (``flask portal import-practitioners``).

A file is JSON Lines or CSV with the columns in ``COLUMNS`` (docs/import.md).
Every good line creates or updates one PortalUser (Client + Practitioner) and
its PractitionerProfile; bad lines are reported with their line number and
skipped. The import is idempotent: a profile is matched by ``external_id``,
else by licence number within the category, else through its owner's email.

Transactions: a line is validated completely (values, references, in-file
duplicates, clashes with existing accounts and profiles) before it touches the
session, and the work is committed every ``batch_size`` lines. Should the
database still reject a line (or FAB's ``add_user`` fail, which rolls back the
whole session), the batch is rolled back, the line reported, and the batch's
other lines applied again and committed at once. No savepoints: SQLAlchemy
fires ``after_commit`` when one is released, which would run the search
outbox (portal/search/sync.py) before the batch is committed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import secrets
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_appbuilder.security.registerviews import get_first_last_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.core.clock import utcnow
from portal.core.confusables import email_skeleton
from portal.core.extensions import db
from portal.core.validation import normalize_phone
from portal.models.accounts import CLIENT_ROLE, PortalUser
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import SERVICE_LANGUAGES, PractitionerProfile, ProfileStatus

PRACTITIONER_ROLE = "Practitioner"
BATCH_SIZE = 500
FORMATS = ("jsonl", "csv")
COLUMNS = ("external_id", "full_name", "category", "regions", "city", "specializations", "languages",
           "experience_years", "license_number", "license_date", "chamber", "about_ru", "about_kk",
           "price_from", "online", "email", "phone", "status")
REQUIRED = ("full_name", "category", "regions", "email")
ALIASES = {"licence_number": "license_number", "licence_date": "license_date",
           "online_consultation": "online", "specialisations": "specializations"}
TRUE = frozenset(("true", "1", "yes", "y", "да", "иә", "ия"))
FALSE = frozenset(("false", "0", "no", "n", "нет", "жоқ", ""))
# Registries write "Surname Given Patronymic"; the portal stores the given name
# (and patronymic) in first_name and the surname in last_name (see demo.py).
PATRONYMIC = re.compile(r"(ович|евич|ьич|ична|овна|евна|[уұ]лы|[кқ]ызы)$", re.IGNORECASE)
LIST_SEPARATORS = re.compile(r"[;,]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (errors="surrogateescape")
# Column lengths (the model's String sizes; username, which is the email, is 128).
MAX_LEN = {"external_id": 64, "license_number": 64, "city": 80, "chamber": 255, "email": 128}
NAME_MAX = 64
MAX_EXPERIENCE = 80

Progress = Callable[[int], Any]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unknown format, CSV header
    without the required columns). ``message`` is a lazy gettext string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class LineError(Exception):
    def __init__(self, *reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = list(reasons)


class _BatchLost(Exception):
    """The transaction is gone (the database rejected a line, or FAB's
    add_user failed and rolled back the session)."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (line number, reason): reasons are lazy gettext strings, str() them in the
    # wanted locale. A line may have several reasons.
    errors: list[tuple[int, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({line for line, _ in self.errors})

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Entry:
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


def detect_format(name: str | os.PathLike | None) -> str:
    ext = os.path.splitext(str(name or ""))[1].lower()
    fmt = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(ext)
    if fmt is None:
        raise ImportFileError(_l("Unknown file format: use a .jsonl or .csv file, or give the format."))
    return fmt


def count_lines(path: str | os.PathLike) -> int:
    """Physical lines in a file (for a progress bar)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def import_practitioners(source, fmt: str | None = None, progress: Progress | None = None,
                         batch_size: int = BATCH_SIZE, sm=None) -> ImportReport:
    """Import a registry from a path or an open (text or binary) stream.

    ``fmt`` is "jsonl" or "csv"; by default it comes from the file name.
    ``progress(line)`` is called with the physical line number reached.
    Raises ImportFileError when the file cannot be read as a whole."""
    if fmt is None:
        fmt = detect_format(source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", ""))
    if fmt not in FORMATS:
        raise ImportFileError(_l("Unknown file format: use a .jsonl or .csv file, or give the format."))
    importer = _Importer(sm or current_app.appbuilder.sm, batch_size, progress)
    with _text_stream(source) as stream:
        records = _jsonl_records(stream) if fmt == "jsonl" else _csv_records(stream, importer.ignored)
        return importer.run(records)


# --- reading ----------------------------------------------------------------------------------------


@contextmanager
def _text_stream(source) -> Iterator[io.TextIOBase]:
    kwargs = dict(encoding="utf-8-sig", errors="surrogateescape", newline="")
    if isinstance(source, (str, os.PathLike)):
        with open(source, **kwargs) as f:
            yield f
    elif isinstance(source, io.TextIOBase):
        yield source
    else:  # binary stream: do not close the caller's stream
        wrapper = io.TextIOWrapper(source, **kwargs)
        try:
            yield wrapper
        finally:
            wrapper.detach()


def _jsonl_records(stream) -> Iterator[tuple[int, Any]]:
    for line_no, text in enumerate(stream, 1):
        text = text.strip()
        if not text:
            yield line_no, None
            continue
        if SURROGATE.search(text):
            yield line_no, LineError(_l("The line is not valid UTF-8."))
            continue
        try:
            data = json.loads(text)
        except ValueError as exc:
            yield line_no, LineError(_l("Malformed JSON: %(error)s.", error=str(exc)))
            continue
        if not isinstance(data, dict):
            yield line_no, LineError(_l("The line must be a JSON object."))
            continue
        yield line_no, data


def _csv_records(stream, ignored: set[str]) -> Iterator[tuple[int, Any]]:
    """Rows of a CSV file with a header row; the delimiter is "," or ";" (the
    one the header uses more). Yields (line where the row starts, dict)."""
    first = stream.readline()
    if not first.strip():
        return
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter)
    header = [_column(h) for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(_l("The header row lacks the required columns: %(columns)s.",
                                 columns=", ".join(missing)))
    ignored.update(h for h in header if h and h not in COLUMNS)
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            yield start, LineError(_l("Malformed CSV: %(error)s.", error=str(exc)))
            continue
        end = reader.line_num
        if not any(c.strip() for c in cells):
            yield end, None
        elif len(cells) != len(header):
            yield start, LineError(_l("The line has %(count)s cells but the header has %(expected)s.",
                                      count=len(cells), expected=len(header)))
        else:
            yield start, dict(zip(header, cells))
        if end > start:  # a quoted value spanning lines: report the progress to the last one
            yield end, None


def _column(name) -> str:
    key = str(name or "").strip().lstrip("\ufeff").lower()
    return ALIASES.get(key, key)


# --- values -----------------------------------------------------------------------------------------


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


# --- the importer -----------------------------------------------------------------------------------


class _Importer:
    def __init__(self, sm, batch_size: int, progress: Progress | None):
        self.sm, self.session = sm, db.session
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.report = ImportReport()
        self.ignored: set[str] = set()
        self.roles = [sm.find_role(CLIENT_ROLE), sm.find_role(PRACTITIONER_ROLE)]
        self.categories = {c.code.lower(): c for c in self.session.scalars(select(Category))}
        self.regions = {r.code.upper(): r for r in self.session.scalars(select(Region))}
        self.specializations: dict[int, dict[str, Specialization]] = defaultdict(dict)
        for s in self.session.scalars(select(Specialization)):
            for name in (s.name_en, s.name_kk, s.name_ru, s.code):  # the code wins a clash
                if name:
                    self.specializations[s.category_id][_key(name)] = s
        self.batch: list[_Entry] = []  # applied since the last commit (replayed if the batch is lost)
        self.pending: dict[str, int] = defaultdict(int)
        self.seen: dict[tuple, int] = {}  # in-file duplicates: key -> line
        self._load_index()

    # The lookups a line needs, held in memory: the database has no index for a
    # case-insensitive email or a (category, licence) pair.
    def _load_index(self) -> None:
        self.user_by_email: dict[str, int] = {}
        self.user_by_username: dict[str, int] = {}
        # look-alike emails (services.confusables): a line may not create a second account
        # whose email only looks different from an existing one
        self.user_by_skeleton: dict[str, int] = {}
        for uid, email, username, key in self.session.execute(
                select(PortalUser.id, PortalUser.email, PortalUser.username, PortalUser.email_skeleton)):
            self.user_by_email[(email or "").lower()] = uid
            self.user_by_username[(username or "").lower()] = uid
            key = key or email_skeleton(email)
            if key:
                self.user_by_skeleton.setdefault(key, uid)
        self.profile_by_ext: dict[str, int] = {}
        self.profile_by_user: dict[int, int] = {}
        self.profiles_by_licence: dict[tuple[int, str], set[int]] = defaultdict(set)
        for pid, uid, ext, cat, lic in self.session.execute(select(
                PractitionerProfile.id, PractitionerProfile.user_id, PractitionerProfile.external_id,
                PractitionerProfile.category_id, PractitionerProfile.licence_number)):
            self._index_profile(pid, uid, ext, cat, lic)

    def _index_profile(self, pid, uid, ext, cat, lic) -> None:
        self.profile_by_user[uid] = pid
        if ext:
            self.profile_by_ext[ext] = pid
        if lic:
            self.profiles_by_licence[(cat, lic)].add(pid)

    def _unindex_profile(self, pid, ext, cat, lic) -> None:
        if ext and self.profile_by_ext.get(ext) == pid:
            del self.profile_by_ext[ext]
        if lic:
            self.profiles_by_licence[(cat, lic)].discard(pid)

    # --- driving ---

    def run(self, records) -> ImportReport:
        try:
            for line, record in records:
                if record is not None:
                    self._process(line, record)
                if self.progress:
                    self.progress(line)
            self._commit()
        except BaseException:
            self.session.rollback()
            raise
        self.report.errors.sort(key=lambda e: e[0])
        self.report.ignored_columns = sorted(self.ignored)
        return self.report

    def _error(self, line: int, exc: LineError) -> None:
        self.report.errors.extend((line, r) for r in exc.reasons)

    def _process(self, line: int, record) -> None:
        if isinstance(record, LineError):
            self._error(line, record)
            return
        try:
            entry = self._parse(line, record)
        except LineError as exc:
            self._error(line, exc)
            return
        queue = [entry]
        recovered = False
        while queue:
            entry = queue.pop(0)
            try:
                outcome = self._apply_line(entry)
            except _BatchLost as lost:
                self._error(entry.line, LineError(lost.reason))
                queue = self._recover() + queue
                recovered = True
                continue
            if outcome:
                self.batch.append(entry)
                self.pending[outcome] += 1
        # After a recovery commit at once, so that no line is applied more than twice.
        if recovered or len(self.batch) >= self.batch_size:
            self._commit()

    def _commit(self) -> None:
        self.session.commit()
        for outcome, n in self.pending.items():
            setattr(self.report, outcome, getattr(self.report, outcome) + n)
        self.batch, self.pending = [], defaultdict(int)

    def _recover(self) -> list[_Entry]:
        """The transaction is gone: forget what the lost batch did and return
        its lines to apply again."""
        self.session.rollback()
        lost, lines = self.batch, {e.line for e in self.batch}
        self.batch, self.pending = [], defaultdict(int)
        self.seen = {k: v for k, v in self.seen.items() if v not in lines}
        self._load_index()
        return lost

    def _apply_line(self, entry: _Entry) -> str | None:
        """Apply one parsed line: "created", "updated", "unchanged", or None
        after recording why the line was skipped. Raises _BatchLost."""
        try:
            keys = self._check_duplicates(entry)
            outcome, index = self._apply(entry)
        except LineError as exc:
            self._error(entry.line, exc)
            return None
        except SQLAlchemyError as exc:
            reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0][:300]
            raise _BatchLost(_l("The database rejected the line: %(error)s", error=reason)) from exc
        for key in keys:
            self.seen[key] = entry.line
        index()
        return outcome

    def _check_duplicates(self, entry: _Entry) -> list[tuple]:
        keys = [("email", entry.email)]
        if entry.external_id:
            keys.append(("external_id", entry.external_id))
        licence = entry.profile.get("licence_number")
        if licence:
            keys.append(("licence", entry.category.id, licence))
        for key in keys:
            if key in self.seen:
                line = self.seen[key]
                if key[0] == "external_id":
                    raise LineError(_l('Duplicate external_id "%(value)s": already on line %(line)s.',
                                       value=key[1], line=line))
                if key[0] == "email":
                    raise LineError(_l('Duplicate email "%(value)s": already on line %(line)s.',
                                       value=key[1], line=line))
                raise LineError(_l('Duplicate licence number "%(value)s" in this category: already on '
                                   'line %(line)s.', value=key[2], line=line))
        return keys

    # --- parsing ---

    def _parse(self, line: int, record: dict) -> _Entry:
        data: dict[str, Any] = {}
        for key, value in record.items():
            column = _column(key)
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
        for column, attr in (("city", "city"), ("experience_years", "experience_years"),
                             ("license_number", "licence_number"), ("license_date", "licence_date"),
                             ("chamber", "chamber"), ("about_ru", "about_ru"), ("about_kk", "about_kk"),
                             ("price_from", "price_from"), ("online", "online_consultation"),
                             ("specializations", "specializations")):
            if column in values:
                profile[attr] = values[column]
        if "languages" in values:
            profile["languages"] = ",".join(values["languages"]) or "ru"
        if values.get("status"):
            profile["status"] = values["status"]
        if not profile.get("city", True):  # present but empty: the home region's centre
            profile["city"] = values["regions"][0].centre_ru
        first, last = values["full_name"]
        return _Entry(line=line, present=set(data), external_id=values.get("external_id"),
                      first_name=first, last_name=last, email=values["email"],
                      category=values["category"], regions=values["regions"], profile=profile,
                      phone=values.get("phone"), languages=values.get("languages") or [])

    # --- applying ---

    def _find_profile(self, entry: _Entry, user_id: int | None) -> PractitionerProfile | None:
        """By external_id, else by licence number in the category, else the
        profile of the account with the line's email."""
        pid = self.profile_by_ext.get(entry.external_id) if entry.external_id else None
        licence = entry.profile.get("licence_number")
        owners = set(self.profiles_by_licence.get((entry.category.id, licence), ())) if licence else set()
        if pid is None and len(owners) > 1:
            raise LineError(_l('Several profiles in this category have the licence number "%(value)s".',
                               value=licence))
        if pid is None and owners:
            candidate = self.session.get(PractitionerProfile, next(iter(owners)))
            if candidate is not None and (not entry.external_id or not candidate.external_id):
                pid = candidate.id
        if owners - {pid}:
            raise LineError(_l('The licence number "%(value)s" already belongs to another profile in this '
                               'category (profile %(id)s).', value=licence, id=min(owners - {pid})))
        if pid is None and user_id is not None and user_id in self.profile_by_user:
            profile = self.session.get(PractitionerProfile, self.profile_by_user[user_id])
            if profile is not None:
                if entry.external_id and profile.external_id and profile.external_id != entry.external_id:
                    raise LineError(_l('The account %(email)s already has a practitioner profile '
                                       '(external_id "%(other)s").', email=entry.email,
                                       other=profile.external_id))
                if profile.category_id != entry.category.id:
                    raise LineError(_l("The account %(email)s already has a practitioner profile in another "
                                       "category.", email=entry.email))
                pid = profile.id
        return self.session.get(PractitionerProfile, pid) if pid is not None else None

    def _apply(self, entry: _Entry) -> tuple[str, Callable[[], None]]:
        """Write one line into the session and flush. Every LineError is raised
        before the first change to the session (there is no savepoint to undo a
        half-applied line); database errors surface at the flush at the end."""
        email_owner = self.user_by_email.get(entry.email)
        if email_owner is None:
            email_owner = self.user_by_username.get(entry.email)
        look_alike = self.user_by_skeleton.get(email_skeleton(entry.email)) if email_owner is None else None
        profile = self._find_profile(entry, email_owner)
        changed = False
        if profile is not None:
            user = profile.user
            if email_owner is not None and email_owner != user.id:
                raise LineError(_l("The email %(email)s belongs to another account.", email=entry.email))
            if look_alike is not None and look_alike != user.id:
                raise LineError(_l("The email %(email)s looks like the email of another account.",
                                   email=entry.email))
            old_profile = (profile.id, profile.external_id, profile.category_id, profile.licence_number)
            old_email = (user.email or "").lower(), (user.username or "").lower()
            if old_email[0] != entry.email:
                user.email, changed = entry.email, True
                if old_email[1] == old_email[0]:  # the username is the email (as for imported users)
                    user.username = entry.email
        else:
            if look_alike is not None:
                raise LineError(_l("The email %(email)s looks like the email of another account.",
                                   email=entry.email))
            old_profile = old_email = None
            user = self.session.get(PortalUser, email_owner) if email_owner is not None else None
            if user is None:
                user = self._create_user(entry)

        changed |= _assign(user, "first_name", entry.first_name)
        changed |= _assign(user, "last_name", entry.last_name)
        changed |= _assign(user, "region_id", entry.regions[0].id)
        if "phone" in entry.present:
            changed |= _assign(user, "phone", entry.phone)
        missing = [r for r in self.roles if r not in user.roles]
        if missing:
            user.roles = list(user.roles) + missing
            changed = True

        if profile is None:  # complete before it joins the session (autoflush)
            profile = PractitionerProfile(user=user, category_id=entry.category.id,
                                          status=ProfileStatus.APPROVED, city=entry.regions[0].centre_ru)
            self.session.add(profile)
        if entry.external_id:
            changed |= _assign(profile, "external_id", entry.external_id)
        changed |= _assign(profile, "category_id", entry.category.id)
        changed |= _assign_list(profile, "regions", entry.regions)
        values = dict(entry.profile)
        specs = values.pop("specializations", None)
        if specs is None:  # column absent: keep the ones that still fit the category
            specs = [s for s in profile.specializations if s.category_id == entry.category.id]
        changed |= _assign_list(profile, "specializations", specs)
        for attr, value in values.items():
            changed |= _assign(profile, attr, value)
        if profile.status in ProfileStatus.PUBLIC and profile.verified_since is None:
            profile.verified_since = utcnow()
        self.session.flush()

        def index() -> None:
            if old_profile:
                self._unindex_profile(*old_profile)
            if old_email:
                for mapping, old in zip((self.user_by_email, self.user_by_username), old_email):
                    if mapping.get(old) == user.id:
                        del mapping[old]
                old_key = email_skeleton(old_email[0])
                if old_key and self.user_by_skeleton.get(old_key) == user.id:
                    del self.user_by_skeleton[old_key]
            self.user_by_email[entry.email] = user.id
            if user.email_skeleton:
                self.user_by_skeleton.setdefault(user.email_skeleton, user.id)
            self.user_by_username[(user.username or "").lower()] = user.id
            self._index_profile(profile.id, user.id, profile.external_id, profile.category_id,
                                profile.licence_number)

        outcome = "updated" if changed else "unchanged"
        return ("created" if old_profile is None else outcome), index

    def _create_user(self, entry: _Entry) -> PortalUser:
        # An unusable password: no "$"-separated hash ever matches it (and no
        # scrypt round per imported user). The owner sets one via password reset.
        user = self.sm.add_user(username=entry.email, first_name=entry.first_name, last_name=entry.last_name,
                                email=entry.email, role=list(self.roles), commit=False,
                                hashed_password="!" + secrets.token_urlsafe(32))
        if not user:
            raise _BatchLost(_l("Could not create the user account %(email)s.", email=entry.email))
        user.locale = entry.languages[0] if entry.languages else "ru"
        return user


def _assign(obj, attr: str, value) -> bool:
    if getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


def _assign_list(obj, attr: str, items: list) -> bool:
    if {i.id for i in getattr(obj, attr)} == {i.id for i in items}:
        return False
    setattr(obj, attr, list(items))
    return True
