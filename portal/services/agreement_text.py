"""An agreement version's plain text as a document the pages render.

Versions are stored as plain text (admins write them in a textarea). ``parse``
reads one into sections (``5. ИНФОРМАЦИЯ ПОЛЬЗОВАТЕЛЯ``: a number and a title
without lower-case letters), numbered clauses (``5.6. …``), lettered or bulleted
items (``a) …``, ``(b) …``, ``• …``) and paragraphs. Each section gets the
anchor ``s5`` and each clause ``c5-6``, in every language, so a table of contents
and links such as "agreement 6.6" work on the kk, ru and en pages alike.

Nothing in the text is markup: the templates escape every piece. The only
links are the placeholders ``{support_url}``, ``{support_email}`` and
``{site_url}``, filled from the configuration when the page is rendered (so a
new support address needs no new version of the agreement).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app

from portal.core import links

SECTION = re.compile(r"^(\d{1,2})\.\s*(\S.*)$")
CLAUSE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$")
ITEM = re.compile(r"^(\([a-zа-я]\)|[a-zа-я]\)|[•□▪])\s*(\S.*)$")
PLACEHOLDER = re.compile(r"\{(support_url|support_email|site_url)\}")
LEADING_DASH = re.compile(r"^[-–]\s+")


@dataclass
class Piece:
    """A run of text, or a link when ``href`` is set."""

    text: str
    href: str = ""


@dataclass
class Block:
    """A paragraph (``marker`` empty) or a list item (``marker`` "a)", "(b)" or "•")."""

    pieces: list[Piece]
    marker: str = ""

    @property
    def bullet(self) -> bool:
        return self.marker in ("•", "□", "▪")


@dataclass
class Clause:
    number: str  # "6.6"
    anchor: str  # "c6-6", or "" when the number repeats
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Section:
    number: str
    title: str
    anchor: str  # "s6", or "" when the number repeats
    parts: list[Clause | Block] = field(default_factory=list)  # clauses, and paragraphs before the first clause


@dataclass
class Document:
    preamble: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def contacts() -> dict[str, Piece]:
    """The addresses the placeholders stand for (configuration: SUPPORT_URL,
    SUPPORT_EMAIL, PORTAL_BASE_URL)."""
    config = current_app.config
    site = config["PORTAL_BASE_URL"].rstrip("/")
    support = config["SUPPORT_URL"] or site + links.support_page()
    email = config["SUPPORT_EMAIL"]
    return {"support_url": Piece(support, support), "support_email": Piece(email, f"mailto:{email}"),
            "site_url": Piece(site, site)}


def fill(text: str, values: dict[str, Piece]) -> list[Piece]:
    """The text cut into plain pieces and the links its placeholders stand for."""
    pieces, start = [], 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > start:
            pieces.append(Piece(text[start:match.start()]))
        pieces.append(values.get(match.group(1)) or Piece(match.group(0)))
        start = match.end()
    if start < len(text):
        pieces.append(Piece(text[start:]))
    return pieces


def _is_heading(title: str) -> bool:
    return any(c.isalpha() for c in title) and not any(c.islower() for c in title)


def parse(text: str, values: dict[str, Piece] | None = None) -> Document:
    """The document of an agreement text; ``values`` fills the placeholders
    (default: ``contacts()``)."""
    values = values if values is not None else contacts()
    doc = Document()
    used: set[str] = set()
    section: Section | None = None
    clause: Clause | None = None

    def anchor(name: str) -> str:
        if name in used:
            return ""
        used.add(name)
        return name

    def add(block: Block) -> None:
        if clause is not None:
            clause.blocks.append(block)
        elif section is not None:
            section.parts.append(block)
        else:
            doc.preamble.append(block)

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = " ".join(raw.split())  # tabs and runs of spaces: one space
        if not line:
            continue
        line = LEADING_DASH.sub("", line)
        if m := CLAUSE.match(line):
            if section is None or m.group(1) != section.number:
                section = Section(m.group(1), "", anchor(f"s{m.group(1)}"))  # a clause before its heading
                doc.sections.append(section)
            clause = Clause(f"{m.group(1)}.{m.group(2)}", anchor(f"c{m.group(1)}-{m.group(2)}"),
                            [Block(fill(m.group(3), values))])
            section.parts.append(clause)
        elif (m := SECTION.match(line)) and _is_heading(m.group(2)):
            section, clause = Section(m.group(1), m.group(2), anchor(f"s{m.group(1)}")), None
            doc.sections.append(section)
        elif m := ITEM.match(line):
            add(Block(fill(m.group(2), values), marker=m.group(1)))
        else:
            add(Block(fill(line, values)))
    return doc


def text_language(version, lang: str) -> str:
    """The language of the text shown on a ``lang`` page: its own, else Russian."""
    return lang if getattr(version, f"text_{lang}", "") else "ru"


def document(version, lang: str) -> Document:
    """The document of ``version`` in ``lang`` (Russian when there is no ``lang`` text)."""
    return parse(getattr(version, f"text_{text_language(version, lang)}") or "")


def plain_text(version, lang: str) -> str:
    """The text of ``version`` in ``lang`` (Russian when there is none) as plain text,
    its placeholders filled with the addresses of the configuration: what the JSON API
    gives a mobile app, which lays the text out itself."""
    text = getattr(version, f"text_{text_language(version, lang)}") or ""
    return "".join(piece.text for piece in fill(text, contacts()))
