"""Suggestions while typing (names, categories, specializations, situations and
concepts) and the popular situations of the home page."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.catalog import Category, Specialization
from portal.search import SearchUnavailable
from portal.search.normalize import skeleton, words
from portal.services import search as search_service  # its ready_backend, looked up when called

log = logging.getLogger(__name__)


@dataclass
class Situation:
    """A common matter on the home page: a label and the words to search for,
    per language (what a visitor would type; each finds the right practitioners)."""
    code: str
    label: str
    icon: str
    terms: dict[str, str]

    def query(self, locale: str) -> str:
        return self.terms.get(locale) or self.terms["en"]


SITUATIONS = (
    Situation("inheritance", _l("Inheritance"), "stamp",
              {"kk": "мұра", "ru": "наследство", "en": "inheritance"}),
    Situation("divorce", _l("Divorce"), "handshake",
              {"kk": "ажырасу", "ru": "развод", "en": "divorce"}),
    Situation("flat", _l("Buying a flat"), "key",
              {"kk": "жылжымайтын мүлік", "ru": "недвижимость", "en": "real estate"}),
    Situation("debt", _l("Debt collection"), "briefcase",
              {"kk": "қарыз өндіру", "ru": "взыскание долга", "en": "debt recovery"}),
    Situation("criminal", _l("Criminal defence"), "gavel",
              {"kk": "қылмыстық істер бойынша қорғау", "ru": "защита по уголовным делам", "en": "criminal defence"}),
    Situation("accident", _l("Road accident"), "microscope",
              {"kk": "автотехникалық сараптама", "ru": "автотехническая экспертиза", "en": "road accident"}),
    Situation("labour", _l("Labour dispute"), "consult",
              {"kk": "еңбек даулары", "ru": "трудовой спор", "en": "labour disputes"}),
    Situation("attorney", _l("Power of attorney"), "file",
              {"kk": "сенімхат", "ru": "доверенность", "en": "power of attorney"}),
)


def popular_situations() -> tuple[Situation, ...]:
    return SITUATIONS


@dataclass
class Suggestion:
    """One suggestion; ``url`` is built when read (in a request), so suggesting works
    in any application context."""
    kind: str
    text: str
    endpoint: str
    values: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for(self.endpoint, **self.values)


def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """What the visitor may be typing (any script): names of public practitioners,
    categories, specializations, the popular situations ("Inheritance") and the
    concepts of the dictionary (in the page's language) one of whose phrases starts
    like the text ("увол" -> "Увольнение"). Names take at most half the list when
    there are others; a text already suggested is not repeated."""
    from flask_babel import get_locale

    prefix = (prefix or "").strip()[:100]
    keys = [skeleton(w) for w in words(prefix)]
    if not keys or len(keys[-1]) < 2:
        return []
    locale = str(get_locale() or "en")
    out: list[Suggestion] = []
    categories = list(db.session.scalars(select(Category).order_by(Category.sort_order)))
    for obj in categories + list(db.session.scalars(select(Specialization).order_by(Specialization.sort_order))):
        names = [obj.name_kk, obj.name_ru, obj.name_en]
        if any(_starts_like(name, keys) for name in names if name):
            if isinstance(obj, Category):
                out.append(Suggestion("category", obj.tr("name"),
                                      "DirectoryView.index", {"category": obj.code}))
            else:
                out.append(Suggestion("specialization", obj.tr("name"),
                                      "DirectoryView.index",
                                      {"category": obj.category.code, "specialization": obj.code}))
    for situation in popular_situations():
        if any(_phrase_starts(text, keys) for text in (str(situation.label), *situation.terms.values())):
            out.append(Suggestion("situation", str(situation.label),
                                  "DirectoryView.index", {"q": situation.query(locale)}))
    codes = {c.code for c in categories}
    for concept, phrases in _concept_phrases():
        if concept.code not in codes and any(_prefix_of(keys, phrase) for phrase in phrases):
            name = concept.name(locale)
            out.append(Suggestion("concept", name, "DirectoryView.index", {"q": name}))
    seen: set[str] = set()
    others = []
    for item in out:
        if item.text.lower() not in seen:
            seen.add(item.text.lower())
            others.append(item)
    try:
        names = search_service.ready_backend().suggest_names(prefix, limit=limit)
    except SearchUnavailable:
        log.exception("search backend failed while suggesting")
        names = []
    names = names[:max(limit - len(others), limit // 2)]
    return ([Suggestion("name", name, "DirectoryView.profile", {"profile_id": pid}) for pid, name in names]
            + others)[:limit]


_concept_cache: dict[object, list] = {}


def _concept_phrases() -> list:
    """(concept, skeleton words of each of its names and phrases) of the current
    dictionary, computed once per version of it."""
    from portal.search import concepts

    snapshot = concepts.current()
    cached = _concept_cache.get(snapshot.version)
    if cached is None or cached[0] is not snapshot:
        rows = [(c, [[skeleton(w) for w in words(text)] for text in (*c.names.values(), *c.phrases)])
                for c in snapshot.concepts]
        _concept_cache.clear()
        _concept_cache[snapshot.version] = cached = (snapshot, rows)
    return cached[1]


def _prefix_of(keys: list[str], phrase: list[str]) -> bool:
    """The typed words start the phrase's words, in order ("жұмыстан шығ" -> "жұмыстан шығару")."""
    return len(keys) <= len(phrase) and all(p.startswith(k) for k, p in zip(keys, phrase))


def _phrase_starts(text: str, keys: list[str]) -> bool:
    return _prefix_of(keys, [skeleton(w) for w in words(text)])


def _starts_like(text: str, keys: list[str]) -> bool:
    """Every typed word starts some word of ``text`` (compared as skeletons)."""
    skeletons = [skeleton(w) for w in words(text)]
    return all(any(s.startswith(k) for s in skeletons) for k in keys)
