"""Finding and masking one person's identifiers in stored text, for account
closure (services.closure).

Two reaches, because a name is not unique but an email, a phone number and an
IIN are:

* ``Identifiers.pattern(names=True)`` also matches the first and the last name
  on their own; it is applied only to text that belongs to the person's own
  exchanges (their requests, offers, conversations, reviews, complaints about
  them), where a bare first name means them.
* ``sweep`` masks the strong identifiers (email, phone, IIN, the full name)
  in every string column of every table: the portal copies names into other
  users' notifications, emails and audit reasons, and a table added later is
  covered without knowing about closure. The database preselects candidate
  rows (LIKE on each column); Python makes the exact replacement.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Session

MASK = "***"
NAME_MIN = 3  # shorter single names ("-", initials) are not masked on their own
_SEP = r"[\s\-().]*"


@dataclass(frozen=True)
class Identifiers:
    email: str
    phone_digits: str  # the national number (last 10 digits), "" if none
    iin: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def needles(self) -> list[str]:
        """Literal strings for the database's preselection (case-insensitive LIKE)."""
        found = [self.email, self.phone_digits, self.iin]
        if self.first_name and self.last_name:
            found.append(self.full_name)
        return [n for n in found if n]

    def pattern(self, names: bool = False) -> re.Pattern | None:
        parts = []
        if self.email:  # not inside a longer address ("ivan@x.kz" is not in "sivan@x.kz")
            parts.append(rf"(?<![\w.+\-]){re.escape(self.email)}(?![\w\-]|\.\w)")
        if self.phone_digits:
            digits = _SEP.join(self.phone_digits)
            parts.append(rf"(?<!\d)(?:(?:\+{_SEP}\d{{1,3}}|8){_SEP})?{digits}(?!\d)")
        if self.iin:
            parts.append(rf"(?<!\d){re.escape(self.iin)}(?!\d)")
        first, last = re.escape(self.first_name), re.escape(self.last_name)
        if self.first_name and self.last_name:
            parts += [rf"(?<!\w){first}\s+{last}(?!\w)", rf"(?<!\w){last}\s+{first}(?!\w)"]
        if names:
            parts += [rf"(?<!\w){re.escape(n)}(?!\w)" for n in (self.first_name, self.last_name)
                      if len(n) >= NAME_MIN]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def identifiers_of(user) -> Identifiers:
    digits = re.sub(r"\D", "", user.phone or "")
    return Identifiers(email=(user.email or "").strip().lower(), phone_digits=digits[-10:] if len(digits) >= 7
                       else "", iin=(user.iin or "").strip(), first_name=(user.first_name or "").strip(),
                       last_name=(user.last_name or "").strip())


def redact(text: str | None, pattern: re.Pattern | None) -> str | None:
    if not text or pattern is None:
        return text
    return pattern.sub(MASK, text)


def redact_rows(rows, attrs: tuple[str, ...], pattern: re.Pattern | None) -> int:
    """Mask ``pattern`` in the given attributes of ORM rows; returns how many values changed."""
    changed = 0
    for row in rows:
        for attr in attrs:
            value = getattr(row, attr)
            masked = redact(value, pattern)
            if masked != value:
                setattr(row, attr, masked)
                changed += 1
    return changed


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def sweep(session: Session, metadata, ids: Identifiers, exclude: tuple[str, ...] = ()) -> int:
    """Mask the strong identifiers in every string column of every table of
    ``metadata`` but the ``exclude``d "table" or "table.column" names (e.g.
    other accounts' own phone: a shared number is theirs too). Runs SQL
    directly: flush ORM changes first and expire loaded rows afterwards.
    Returns how many rows changed."""
    needles = ids.needles()
    pattern = ids.pattern()
    if not needles or pattern is None:
        return 0
    changed = 0
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text)) and not c.primary_key
                   and f"{table.name}.{c.name}" not in exclude]
        keys = list(table.primary_key.columns)
        if table.name in exclude or not columns or not keys:
            continue
        where = or_(*[c.ilike(_like(n), escape="\\") for c in columns for n in needles])
        for row in session.execute(select(*keys, *columns).where(where)).mappings():
            values = {}
            for c in columns:
                masked = redact(row[c], pattern)
                if masked != row[c]:
                    values[c.name] = masked[:c.type.length] if c.type.length else masked
            if values:
                session.execute(update(table).where(*[k == row[k] for k in keys]).values(**values))
                changed += 1
    return changed
