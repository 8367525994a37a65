"""Reading a practitioner registry file (docs/import.md): its format, its
columns, and its records, JSON Lines or CSV, with the line each starts on. A
line that cannot be read is a ``LineError`` in its place; a file that cannot
be read at all raises ``ImportFileError``."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from contextlib import contextmanager
from typing import Any, Iterator

from flask_babel import lazy_gettext as _l

FORMATS = ("jsonl", "csv")
COLUMNS = ("external_id", "full_name", "category", "regions", "city", "specializations", "languages",
           "experience_years", "license_number", "license_date", "licensor", "chamber", "about_ru", "about_kk",
           "price_from", "online", "email", "phone", "status")
REQUIRED = ("full_name", "category", "regions", "email")
ALIASES = {"licence_number": "license_number", "licence_date": "license_date",
           "online_consultation": "online", "specialisations": "specializations"}
SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (errors="surrogateescape")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unknown format, CSV header
    without the required columns). ``message`` is a lazy gettext string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class LineError(Exception):
    """A line that cannot be imported; ``reasons`` are lazy gettext strings."""

    def __init__(self, *reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = list(reasons)


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


@contextmanager
def text_stream(source) -> Iterator[io.TextIOBase]:
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


def jsonl_records(stream) -> Iterator[tuple[int, Any]]:
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


def csv_records(stream, ignored: set[str]) -> Iterator[tuple[int, Any]]:
    """Rows of a CSV file with a header row; the delimiter is "," or ";" (the
    one the header uses more). Yields (line where the row starts, dict)."""
    first = stream.readline()
    if not first.strip():
        return
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter)
    header = [column_name(h) for h in next(reader)]
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


def column_name(name) -> str:
    key = str(name or "").strip().lstrip("\ufeff").lower()
    return ALIASES.get(key, key)
