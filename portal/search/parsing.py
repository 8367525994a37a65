"""Queries as the backends run them: groups of terms (one per word or concept
phrase), the typo alternatives of each, and highlighting of the words that matched."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from portal.search.normalize import WORD, edit_distance, forms, skeleton, words
from portal.search.phrases import find_phrases, near_concepts, tables


@dataclass(frozen=True)
class Group:
    """One word (or synonym phrase) of a query: a document matches the group when
    any field holds one of ``exact``, a term one edit away from one of ``fuzzy``,
    or one of ``near``: the concepts of phrases a few edits from the word
    (phrases.near_concepts). ``fuzzy`` and ``near`` matches score like a typo
    (backend.FUZZY_WEIGHT), below an exact match."""
    exact: tuple[str, ...]
    fuzzy: tuple[str, ...] = ()
    near: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[Group, ...] = ()
    raw: str = ""
    highlight_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.groups


FUZZY_MIN_LENGTH = 5


def parse_query(text: str) -> ParsedQuery:
    text = (text or "")[:200]
    typed = [(w, f) for w, f in ((w, forms(w)) for w in words(text)) if f]
    seq = [f for _, f in typed]
    tabs = tables()
    spans = {s: (e, c) for s, e, c in find_phrases(seq, tabs.concepts, tabs)}
    expansions = {s: (e, c) for s, e, c in find_phrases(seq, tabs.expansions, tabs)}
    groups: list[Group] = []
    i = 0
    while i < len(seq):
        if i in spans or i in expansions:
            end, concepts = spans.get(i, (i + 1, ()))
            if i in expansions:
                end2, more = expansions[i]
                end = max(end, end2)
                concepts = tuple(sorted(set(concepts) | set(more)))
            literal = seq[i:end]
            exact = tuple(concepts) + (literal[0] if len(literal) == 1 else ())
            groups.append(Group(exact=exact))
            i = end
            continue
        alternatives = seq[i]
        # typos are looked for around each form and around the word as typed (its
        # skeleton keeps the letters a short stem drops: "астна" -> astna ~ astan)
        candidates = tuple(dict.fromkeys(alternatives + (skeleton(typed[i][0]),)))
        fuzzy = tuple(t for t in candidates if len(t) >= FUZZY_MIN_LENGTH and not t.isdigit())
        near = tuple(c for c in near_concepts(fuzzy) if c not in alternatives)
        groups.append(Group(exact=alternatives, fuzzy=fuzzy, near=near))
        i += 1
    # de-duplicate repeated words
    unique: list[Group] = []
    for g in groups:
        if g not in unique:
            unique.append(g)
    marks = {t for f in seq for t in f}
    for g in unique:
        for token in g.exact + g.near:
            marks |= tabs.concept_terms.get(token, frozenset())
    return ParsedQuery(tuple(unique), text, frozenset(marks))


def word_matches(word: str, query: ParsedQuery) -> bool:
    mine = forms(word)
    if not mine:
        return False
    if any(t in query.highlight_terms for t in mine):
        return True
    return any(edit_distance(t, f, 1) <= 1 for t in mine for g in query.groups for f in g.fuzzy)


def highlight(text: str, query: ParsedQuery, width: int = 180) -> Markup | None:
    """An escaped snippet of ``text`` around the first words that match ``query``,
    with those words in <mark>; None if nothing matches."""
    if not text or query.is_empty:
        return None
    spans = [(m.start(), m.end()) for m in WORD.finditer(text) if word_matches(m.group(), query)]
    if not spans:
        return None
    start = max(0, spans[0][0] - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
