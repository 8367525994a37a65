"""The concept dictionary as the search code sees it (see portal/content/concepts.py).

Concepts are data: staff edit them in the back office (table ``search_concept``).
``current()`` returns the active concepts of the database, cached in the process
and re-read when the table changed (its row count or latest ``updated_at``),
which is checked at most every ``CHECK_SECONDS``; ``invalidate()`` makes the next
call check at once (the process that saved an edit). Without an application
context, or before the migration created the table, the seed data module is used.

Concept tokens are added to documents at index time (phrases.analyze), so a
staff edit also enqueues a reindex of every profile (services.search.concepts_changed)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from portal.content.concepts import CONCEPTS as SEED

log = logging.getLogger(__name__)

CONCEPT_PREFIX = "qq"  # never produced by the skeleton (q -> k), so concept tokens cannot collide
CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Concept:
    code: str
    names: dict  # locale -> display name
    categories: tuple[str, ...]
    phrases: tuple[str, ...]  # every language
    query_only: bool = False

    @property
    def token(self) -> str:
        return CONCEPT_PREFIX + self.code

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.code


@dataclass(frozen=True)
class Snapshot:
    version: object
    concepts: tuple[Concept, ...]

    @cached_property
    def by_token(self) -> dict[str, Concept]:
        """Concepts by token, built once per snapshot."""
        return {c.token: c for c in self.concepts}


def split_phrases(text: str | None) -> tuple[str, ...]:
    """The phrases of a textarea value: one per line, trimmed, blank lines dropped."""
    return tuple(p.strip() for p in (text or "").splitlines() if p.strip())


def _seed_snapshot() -> Snapshot:
    return Snapshot("seed", tuple(
        Concept(s.code, {"kk": s.name_kk, "ru": s.name_ru, "en": s.name_en}, s.categories,
                s.phrases_kk + s.phrases_ru + s.phrases_en, s.query_only) for s in SEED))


_SEED = _seed_snapshot()


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.snapshot: Snapshot = _SEED
        self.engine_key: object = None
        self.checked = float("-inf")


_state = _State()


def _engine():
    try:
        from flask import has_app_context
        if not has_app_context():
            return None
        from portal.core.extensions import db
        return db.engine
    except Exception:  # noqa: BLE001  (no app, no database configured)
        return None


def _read(engine, known_version) -> Snapshot | None:
    """The table's concepts (None when there is no table): re-read only when its version changed."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from portal.models.search import SearchConcept as C

    try:
        with engine.connect() as conn:
            count, latest = conn.execute(select(func.count(C.id), func.max(C.updated_at))).one()
            version = (count, str(latest))
            if version == known_version:
                return None
            rows = conn.execute(select(C.code, C.name_kk, C.name_ru, C.name_en, C.categories,
                                       C.phrases_kk, C.phrases_ru, C.phrases_en, C.query_only)
                                .where(C.active.is_(True)).order_by(C.id)).all()
    except SQLAlchemyError:
        return _SEED  # before the migration: the seed data
    return Snapshot(version, tuple(
        Concept(r.code, {"kk": r.name_kk, "ru": r.name_ru, "en": r.name_en}, tuple((r.categories or "").split()),
                split_phrases(r.phrases_kk) + split_phrases(r.phrases_ru) + split_phrases(r.phrases_en),
                bool(r.query_only)) for r in rows))


def current() -> Snapshot:
    """The active concepts (database, or the seed data without one)."""
    engine = _engine()
    if engine is None:
        return _SEED
    key = id(engine)
    now = time.monotonic()
    if key == _state.engine_key and now - _state.checked < CHECK_SECONDS:
        return _state.snapshot
    with _state.lock:
        known = _state.snapshot.version if key == _state.engine_key else None
        fresh = _read(engine, known)
        if fresh is not None:
            _state.snapshot = fresh
        _state.engine_key, _state.checked = key, time.monotonic()
        return _state.snapshot


def invalidate() -> None:
    """Check the table at the next call (after this process saved a concept)."""
    _state.checked = float("-inf")


def _concepts_of(tokens: Iterable[str]) -> list[Concept]:
    by_token = current().by_token
    out: list[Concept] = []
    for token in tokens:
        concept = by_token.get(token)
        if concept is not None and concept not in out:
            out.append(concept)
    return out


def categories_for(tokens: Iterable[str]) -> list[str]:
    """Category codes of the concepts whose tokens (``qq<code>``) are given, most
    specific first: a concept pointing to one category counts before one pointing to
    several; ties keep the order of ``tokens``. Place names point nowhere."""
    concepts = [c for c in _concepts_of(tokens) if c.categories]
    concepts.sort(key=lambda c: len(c.categories))  # stable
    out: list[str] = []
    for c in concepts:
        out += [code for code in c.categories if code not in out]
    return out


def concept_names(tokens: Iterable[str], locale: str) -> list[str]:
    """Display names (in ``locale``, else English) of the concepts of ``tokens``, in their order."""
    return [c.name(locale) for c in _concepts_of(tokens)]


def missing_concepts() -> list:
    """New rows for the seed concepts missing from the database, matched by code
    (services.catalog.ensure_reference_data adds and commits them at every start);
    concepts already there, edited by staff or not, are never overwritten."""
    from sqlalchemy import select

    from portal.core.extensions import db
    from portal.models.search import SearchConcept

    present = set(db.session.scalars(select(SearchConcept.code)))
    return [SearchConcept(code=s.code, name_kk=s.name_kk, name_ru=s.name_ru, name_en=s.name_en,
                          categories=" ".join(s.categories), phrases_kk="\n".join(s.phrases_kk),
                          phrases_ru="\n".join(s.phrases_ru), phrases_en="\n".join(s.phrases_en),
                          query_only=s.query_only, active=True)
            for s in SEED if s.code not in present]
