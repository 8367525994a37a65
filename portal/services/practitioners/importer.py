"""Import of practitioner registries (``flask portal import-practitioners``).

A file is JSON Lines or CSV with the columns in ``import_files.COLUMNS``
(docs/import.md): ``import_files`` reads it, ``import_rows`` checks each line,
this module applies the lines. Every good line creates or updates one
PortalUser (Client + Practitioner) and its PractitionerProfile; bad lines are
reported with their line number and skipped. The import is idempotent: a
profile is matched by ``external_id``, else by licence number within the
category, else through its owner's email.

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

import os
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.core.clock import utcnow
from portal.core.confusables import email_skeleton
from portal.core.extensions import db
from portal.models.accounts import CLIENT_ROLE, PortalUser
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.services.practitioners.import_files import (
    FORMATS,
    ImportFileError,
    LineError,
    csv_records,
    detect_format,
    jsonl_records,
    text_stream,
)
from portal.services.practitioners.import_rows import Entry, RowParser

PRACTITIONER_ROLE = "Practitioner"
BATCH_SIZE = 500

Progress = Callable[[int], Any]


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
    # (column, value, number of imported lines) of the city, licensor and chamber values that
    # matched no reference row (catalog City, Licensor, Chamber) and were kept as free text;
    # the most frequent first
    unmapped: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({line for line, _ in self.errors})

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


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
    with text_stream(source) as stream:
        records = jsonl_records(stream) if fmt == "jsonl" else csv_records(stream, importer.ignored)
        return importer.run(records)


# --- the importer -----------------------------------------------------------------------------------


class _Importer:
    def __init__(self, sm, batch_size: int, progress: Progress | None):
        self.sm, self.session = sm, db.session
        self.batch_size = max(1, batch_size)
        self.progress = progress
        self.report = ImportReport()
        self.ignored: set[str] = set()
        self.rows = RowParser(self.session, self.ignored)
        self.roles = [sm.find_role(CLIENT_ROLE), sm.find_role(PRACTITIONER_ROLE)]
        self.batch: list[Entry] = []  # applied since the last commit (replayed if the batch is lost)
        self.pending: dict[str, int] = defaultdict(int)
        self.unmapped: Counter = Counter()  # (column, value) -> lines, committed
        self.pending_unmapped: Counter = Counter()  # of the lines since the last commit
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
        self.report.unmapped = [(column, value, n) for (column, value), n in
                                sorted(self.unmapped.items(), key=lambda item: (-item[1], item[0]))]
        return self.report

    def _error(self, line: int, exc: LineError) -> None:
        self.report.errors.extend((line, r) for r in exc.reasons)

    def _process(self, line: int, record) -> None:
        if isinstance(record, LineError):
            self._error(line, record)
            return
        try:
            entry = self.rows.parse(line, record)
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
                self.pending_unmapped.update(entry.unmapped)
        # After a recovery commit at once, so that no line is applied more than twice.
        if recovered or len(self.batch) >= self.batch_size:
            self._commit()

    def _commit(self) -> None:
        self.session.commit()
        for outcome, n in self.pending.items():
            setattr(self.report, outcome, getattr(self.report, outcome) + n)
        self.unmapped.update(self.pending_unmapped)
        self.batch, self.pending, self.pending_unmapped = [], defaultdict(int), Counter()

    def _recover(self) -> list[Entry]:
        """The transaction is gone: forget what the lost batch did and return
        its lines to apply again."""
        self.session.rollback()
        lost, lines = self.batch, {e.line for e in self.batch}
        self.batch, self.pending, self.pending_unmapped = [], defaultdict(int), Counter()
        self.seen = {k: v for k, v in self.seen.items() if v not in lines}
        self._load_index()
        return lost

    def _apply_line(self, entry: Entry) -> str | None:
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

    def _check_duplicates(self, entry: Entry) -> list[tuple]:
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


    # --- applying ---

    def _find_profile(self, entry: Entry, user_id: int | None) -> PractitionerProfile | None:
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

    def _apply(self, entry: Entry) -> tuple[str, Callable[[], None]]:
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
                                          status=ProfileStatus.APPROVED, **self.rows.centre(entry.regions[0]))
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

    def _create_user(self, entry: Entry) -> PortalUser:
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
