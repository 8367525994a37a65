"""The words of the public profiles, for "did you mean" on a page without results.

Derived data like the index: a table ``term -> (readable word, frequency)``
built from the public profiles' texts in the database (names, about, education,
city), the reference names (categories, specializations, regions, cities) and
the phrases of the concept dictionary, kept in memory per app. It is rebuilt
when the public profiles change (their count, newest id or latest edit) or the
concepts do, after ``TTL`` seconds in any case, and after a reindex
(``invalidate``). Both backends use it alike: it never asks the engine. Large
directories build it in a background thread (``INLINE_LIMIT``); about 4 s for
100k profiles.

Suggestions compare *terms* (the normalised skeletons both engines index), so a
Latin or Cyrillic typo meets the Cyrillic word, but they are shown in a readable
form the profiles use."""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, City, Region, Specialization
from portal.models.practitioners import PractitionerProfile, public_profiles
from portal.search import concepts
from portal.search.normalize import edit_distance, term, words

TTL = 600  # seconds a table is trusted at most, even when the profiles seem unchanged (names)
INLINE_LIMIT = 10_000  # public profiles up to which a request builds a missing or stale table itself
MIN_LENGTH = 3  # shorter words are never corrected nor suggested
_KEY, _THREAD = "search_vocabulary", "search_vocabulary_builder"
_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass
class Vocabulary:
    forms: dict[str, tuple[str, int]]  # term -> (most frequent readable word, frequency)
    by_length: dict[int, list[str]]
    fingerprint: tuple
    built: float

    def __contains__(self, t: str) -> bool:
        return t in self.forms

    def near(self, word: str, limit: int = 3) -> list[str]:
        """Readable words within one edit (two for words of six letters or more) of
        ``word``, closest and most frequent first; [] for a known or short word."""
        t = term(word)
        if len(t) < MIN_LENGTH or t.isdigit() or t in self.forms:
            return []
        most = 1 if len(t) < 6 else 2
        found = []
        for length in range(len(t) - most, len(t) + most + 1):
            for candidate in self.by_length.get(length, ()):
                d = edit_distance(t, candidate, most)
                if d <= most:
                    form, freq = self.forms[candidate]
                    found.append((d, -freq, form))
        found.sort()
        out: list[str] = []
        for _, _, form in found:
            if form not in out and form.lower() != word.lower():
                out.append(form)
            if len(out) == limit:
                break
        return out


def _fingerprint() -> tuple:
    """(public profiles, newest id, latest edit, concept dictionary version)."""
    stmt = public_profiles().with_only_columns(
        func.count(PractitionerProfile.id), func.max(PractitionerProfile.id),
        func.max(PractitionerProfile.updated_at))
    return tuple(db.session.execute(stmt).one()) + (str(concepts.current().version),)


def _texts():
    """Every text whose words the index holds (the same fields as the documents)."""
    stmt = public_profiles().with_only_columns(
        PortalUser.first_name, PortalUser.last_name, PractitionerProfile.city,
        PractitionerProfile.about_ru, PractitionerProfile.about_kk,
        PractitionerProfile.education_ru, PractitionerProfile.education_kk,
    ).execution_options(yield_per=2000)
    for row in db.session.execute(stmt):
        yield " ".join(value for value in row if value)
    for model in (Category, Specialization, Region, City):
        for row in db.session.execute(select(model.name_kk, model.name_ru, model.name_en)
                                      if hasattr(model, "name_en") else
                                      select(model.name_kk, model.name_ru)):
            yield " ".join(value for value in row if value)
    for concept in concepts.current().concepts:  # what people say for the legal terms
        yield " ".join(concept.phrases)


def build(fingerprint: tuple | None = None) -> Vocabulary:
    """The table from the database: words are counted first (most repeat), then each
    distinct word is reduced to its term once; a term shows as its shortest form,
    usually the base one ("павлодар", not "павлодаре"), the most used of equal length."""
    fingerprint = fingerprint or _fingerprint()
    counts: Counter = Counter()
    for text in _texts():
        counts.update(words(text.lower()))
    forms: dict[str, list] = {}
    for word, n in counts.items():
        if len(word) < MIN_LENGTH or word.isdigit():
            continue
        t = term(word)
        if len(t) < MIN_LENGTH:
            continue
        entry = forms.get(t)
        if entry is None:
            forms[t] = [word, n, n]
            continue
        entry[2] += n
        if (len(word), -n, word) < (len(entry[0]), -entry[1], entry[0]):
            entry[0], entry[1] = word, n
    by_length: dict[int, list[str]] = {}
    for t in forms:
        by_length.setdefault(len(t), []).append(t)
    return Vocabulary({t: (e[0], e[2]) for t, e in forms.items()}, by_length, fingerprint, time.monotonic())


def vocabulary() -> Vocabulary | None:
    """The app's table, current with the public profiles. Up to ``INLINE_LIMIT`` public
    profiles a missing or stale table is built right away (well under a second);
    above, it is built in a background thread while the previous table (or none:
    no "did you mean" for a moment after a start) keeps serving."""
    app = current_app._get_current_object()
    fingerprint = _fingerprint()
    current = app.extensions.get(_KEY)
    if current is not None and current.fingerprint == fingerprint and time.monotonic() - current.built < TTL:
        return current
    if fingerprint[0] <= INLINE_LIMIT:
        with _lock:
            current = app.extensions.get(_KEY)
            if current is None or current.fingerprint != fingerprint or time.monotonic() - current.built >= TTL:
                current = app.extensions[_KEY] = build(fingerprint)
            return current
    with _lock:
        running = app.extensions.get(_THREAD)
        if running is None or not running.is_alive():
            running = app.extensions[_THREAD] = threading.Thread(
                target=_build_in_background, args=(app, fingerprint), name="search-vocabulary", daemon=True)
            running.start()
    return current


def _build_in_background(app, fingerprint: tuple) -> None:
    with app.app_context():
        try:
            app.extensions[_KEY] = build(fingerprint)
        except Exception:  # noqa: BLE001  (a failed build only costs the suggestions)
            log.exception("building the search vocabulary failed")
        finally:
            db.session.remove()


def invalidate(app=None) -> None:
    (app or current_app._get_current_object()).extensions.pop(_KEY, None)
