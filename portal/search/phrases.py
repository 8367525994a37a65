"""Concept phrases: how people say a legal thing, found in texts and queries.

The concept dictionary (portal.search.concepts, edited by staff) is read as
phrase tables of terms (normalize.forms). At index time ``analyze`` adds the
token ``qq<code>`` of every concept a text mentions; at query time parsing.py
turns a phrase into that token, and a query-only concept ("юрист") widens to
the concepts of its categories. ``near_concepts`` finds the concepts of a
single misspelt word ("натарус" -> notary) by edit distance over the
dictionary's one-word phrases, so a typo in a concept still finds the profiles
that carry it, whatever language they are written in."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.search import concepts
from portal.search.normalize import edit_distance, word_forms

CONCEPT_PREFIX = concepts.CONCEPT_PREFIX
# A word this long may be this many edits away from a one-word concept phrase
# (shorter words: none; the engines' own fuzzy match takes one edit from 5 letters).
NEAR_EDITS = ((7, 2), (5, 1))


@dataclass(frozen=True)
class _Tables:
    """Phrase tables of one snapshot of the concept dictionary (as term sequences)."""
    concepts: dict  # phrase terms -> concept tokens (index and query time)
    expansions: dict  # phrase terms -> concept tokens (query-only concepts)
    starts: frozenset
    longest: int
    concept_terms: dict  # concept token -> terms of its phrases (to highlight the words that matched)
    single: dict  # length -> ((term, concept tokens), ...) of the one-word phrases
    prefixes: frozenset  # every leading part of every phrase (of either table): where to stop reading
    near: dict = field(default_factory=dict)  # near_concepts memo for this snapshot


def _build(snapshot: concepts.Snapshot) -> _Tables:
    table: dict[tuple[str, ...], set[str]] = {}
    widen: dict[tuple[str, ...], set[str]] = {}
    for concept in snapshot.concepts:
        if concept.query_only:
            target, tokens = widen, {CONCEPT_PREFIX + code for code in concept.categories}
        else:
            target, tokens = table, {concept.token}
        for phrase in concept.phrases:
            seq = word_forms(phrase)
            for key in {tuple(f[0] for f in seq), tuple(f[-1] for f in seq)}:
                if key and tokens:
                    target.setdefault(key, set()).update(tokens)
    concept_table = {k: tuple(sorted(v)) for k, v in table.items()}
    expansion_table = {k: tuple(sorted(v)) for k, v in widen.items()}
    concept_terms: dict[str, frozenset[str]] = {}
    for key, tokens in concept_table.items():
        for token in tokens:
            concept_terms[token] = concept_terms.get(token, frozenset()) | frozenset(key)
    keys = list(concept_table) + list(expansion_table)
    single: dict[int, list] = {}
    for key, tokens in list(concept_table.items()) + list(expansion_table.items()):
        if len(key) == 1:
            single.setdefault(len(key[0]), []).append((key[0], tokens))
    return _Tables(concept_table, expansion_table, frozenset(k[0] for k in keys),
                   max((len(k) for k in keys), default=1), concept_terms,
                   {n: tuple(v) for n, v in single.items()},
                   frozenset(k[:n] for k in keys for n in range(1, len(k) + 1)))


_tables_cache: list = [None, None]  # [snapshot, tables]


def tables() -> _Tables:
    """The phrase tables of the current concept dictionary (rebuilt when it changed)."""
    snapshot = concepts.current()
    cached_snapshot, cached = _tables_cache
    if cached_snapshot is snapshot:
        return cached
    built = _build(snapshot)
    _tables_cache[:] = [snapshot, built]
    return built


def concept_terms(token: str) -> frozenset[str]:
    return tables().concept_terms.get(token, frozenset())


def find_phrases(seq: list[tuple[str, ...]], table: dict, tabs: _Tables,
                 every: bool = False) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, concepts) of the phrases of ``table`` in ``seq`` (the forms of
    each word). A phrase is read on the stemmed terms, then on the base forms, so
    "доверенность" and "doverennost" both find their concept. A query reads the
    longest phrase at each place and goes on after it; a text to index
    (``every``) yields every phrase it contains, so "трудовое право для
    работодателей" mentions "трудовое право" as well."""
    found = []
    starts, prefixes = tabs.starts, tabs.prefixes
    first = [f[0] for f in seq]
    base = [f[-1] for f in seq]
    i = 0
    while i < len(seq):
        if first[i] not in starts and base[i] not in starts:  # most words start no phrase
            i += 1
            continue
        hits = []
        # read on while the words so far begin some phrase (mostly not even the first)
        for n in range(1, min(tabs.longest, len(seq) - i) + 1):
            key_first, key_base = tuple(first[i:i + n]), tuple(base[i:i + n])
            on_first, on_base = key_first in prefixes, key_base in prefixes
            if not (on_first or on_base):
                break
            hit = (on_first and table.get(key_first)) or (on_base and table.get(key_base))
            if hit:
                hits.append((i, i + n, hit))
        if every:
            found += hits
            i += 1
        elif hits:
            found.append(hits[-1])  # the longest phrase here
            i = hits[-1][1]
        else:
            i += 1
    return found


def analyze(text: str) -> list[str]:
    """Tokens to index for ``text``, each once: every form of its words plus the
    concept tokens it mentions. A field is a set of terms, so a text that repeats a
    word (or names a place in three languages) does not weigh more for it: no
    keyword stuffing, and the engines' scores depend only on which terms a field
    holds and how many (Elasticsearch and tantivy agree on that)."""
    seq = word_forms(text)
    tabs = tables()
    extra = [c for _, _, tokens in find_phrases(seq, tabs.concepts, tabs, every=True) for c in tokens]
    return list(dict.fromkeys([t for f in seq for t in f] + extra))


def analyzed(text: str) -> str:
    """``analyze`` as one space-separated string (what backends store in their token fields)."""
    return " ".join(analyze(text))


def near_concepts(candidates: tuple[str, ...]) -> tuple[str, ...]:
    """Concept tokens of the one-word phrases a few edits away from any of
    ``candidates`` (the forms and skeleton of one query word): NEAR_EDITS."""
    tabs = tables()
    key = tuple(sorted(set(candidates)))
    if key in tabs.near:
        return tabs.near[key]
    found: set[str] = set()
    for cand in key:
        k = next((edits for length, edits in NEAR_EDITS if len(cand) >= length), 0)
        for n in range(len(cand) - k, len(cand) + k + 1):
            for phrase, tokens in tabs.single.get(n, ()) if k else ():
                if edit_distance(cand, phrase, k) <= k:
                    found.update(tokens)
    result = tuple(sorted(found))
    if len(tabs.near) < 50_000:
        tabs.near[key] = result
    return result
