"""Catalogue maintenance behind ``flask portal translations``.

The portal's catalogue also carries Flask-AppBuilder's own strings (its menus,
buttons, flash messages): FAB has no Kazakh catalogue and an incomplete
Russian one, and the portal's catalogue is merged over FAB's at run time."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import flask_appbuilder
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]  # the repository (babel.cfg, portal/)
TRANSLATIONS = ROOT / "portal" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("kk", "ru", "en")
KEYWORDS = ["-k", "lazy_gettext", "-k", "_l"]


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)


def update_catalogues() -> dict[str, tuple[int, int]]:
    fab_dir = Path(flask_appbuilder.__file__).parent
    portal_pot, fab_pot = TRANSLATIONS / "portal.pot.tmp", TRANSLATIONS / "fab.pot.tmp"
    _babel("extract", "-F", "babel.cfg", *KEYWORDS, "--no-wrap", "-o", str(portal_pot), "portal")
    _babel("extract", "-F", "babel.cfg", *KEYWORDS, "--no-location", "-o", str(fab_pot), str(fab_dir))
    with open(portal_pot, "rb") as fh:
        catalog = read_po(fh)
    with open(fab_pot, "rb") as fh:
        for message in read_po(fh):
            if message.id and message.id not in catalog:
                catalog[message.id] = message
                catalog[message.id].auto_comments = ["Flask-AppBuilder"]
    catalog.project, catalog.version = "AlemTrust", "1.0"
    with open(POT, "wb") as fh:
        write_po(fh, catalog, width=0)
    portal_pot.unlink()
    fab_pot.unlink()
    counts = {}
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _babel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-wrap",
                   "--ignore-obsolete", "--no-fuzzy-matching")
        else:
            _babel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-wrap")
        if locale == "en":
            _fill_source_language(po)
        counts[locale] = _count(po)
    return counts


def _fill_source_language(po: Path) -> None:
    """English is the source language: its msgstr is the msgid."""
    with open(po, "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = tuple(message.id[min(i, 1)] for i in range(catalog.num_plurals))
        elif not message.string:
            message.string = message.id
    with open(po, "wb") as fh:
        write_po(fh, catalog, width=0)


def _count(po: Path) -> tuple[int, int]:
    with open(po, "rb") as fh:
        catalog = read_po(fh)
    messages = [m for m in catalog if m.id]
    missing = [m for m in messages if m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    return len(messages), len(missing)


def compile_catalogues() -> None:
    _babel("compile", "-d", str(TRANSLATIONS), "--statistics" if os.environ.get("VERBOSE") else "-f")
