"""The contract every search backend implements, and the query/result types.

Backends store documents built by :mod:`portal.search.documents` (already
normalised tokens plus filter/sort values) and answer :class:`SearchQuery`.
Text matching, synonyms and highlighting rules live in
:mod:`portal.search.normalize` and :mod:`portal.search.parsing`, so both engines return the same profiles."""
from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from markupsafe import Markup

from portal.search.parsing import ParsedQuery, highlight, parse_query

SORTS = ("relevance", "rating", "reviews", "experience", "price", "earliest")
FACETS = ("category", "region", "specialization", "language")
# Field weights for text matching (identical in every backend).
TEXT_FIELDS = {"t_name": 3.0, "t_tags": 2.0, "t_place": 2.0, "t_about": 1.0, "t_served": 0.5}
FUZZY_WEIGHT = 0.4          # a one-typo match counts this much of an exact one (per field weight)
HIGHLIGHT_FIELDS = ("about_ru", "about_kk", "tags_text")
# Documents missing a price sort after every priced one.
NO_PRICE = 10**12
# Documents of profiles without a free slot: their ``next_free`` (epoch seconds, UTC) sorts
# after every real instant, and their ``refresh_at`` never comes (the daily refresh takes them).
NO_SLOT = 10**12

# --- relevance (identical in every backend) ------------------------------------------
# A query of several groups (words) matches a profile holding ANY of them
# (minimum_should_match 1), ranked by coordination: every matched group adds
# group_score(parsed), a constant larger than the sum of the BM25 text scores of
# every group, so a profile matching more groups always outranks one matching
# fewer, whatever its text. The profile's quality (documents.quality: rating,
# reviews, years verified; 0..QUALITY_MAX points) multiplies the score by
# 1 + QUALITY_SCALE x points (the engines' log2(2 + stored quality), see
# quality_weight): with GROUP_UNIT 10,000, a tenth of a score point per matched
# group and quality point (at most ~1 per group), so it orders profiles whose text
# matches alike, below clear text differences and far below one more matched group.
# The profiles matching every group are listed; when fewer than FEW_RESULTS do,
# every profile matching any group is listed, still in that order ("развод
# алименты Алматы": the one advocate using all three words, then the Almaty
# divorce advocates who do not write about alimony, then the rest); ``relaxed``
# when none matches them all. (A "k of n" middle rule was measured: tantivy has
# no minimum_should_match, and its emulation cost more than listing any group.)
# Sorting by a field (rating, price...) lists the profiles matching every group,
# or if there are none, those matching any group (``relaxed``).
BM25_K1 = 1.2
IDF_MAX = 20.0            # ln(1 + N / 1.5) for N up to 7.2e8 documents: no term's idf is larger
QUALITY_MAX = 10.5        # documents.quality_points is 0..QUALITY_MAX
QUALITY_SCALE = 1e-5      # log2 of the score multiplier, per quality point
GROUP_UNIT = 10_000.0


FEW_RESULTS = 10          # fewer profiles match every group: list those matching any group


def quality_weight(points: float) -> float:
    """The stored ``quality`` of a document: the engines multiply scores by
    log2(2 + quality) (tantivy's weight_by_field, Elasticsearch's ln2p / ln 2),
    which makes it 1 + QUALITY_SCALE * points."""
    return 2.0 * (2.0 ** (QUALITY_SCALE * min(max(points, 0.0), QUALITY_MAX)) - 1.0)


def group_score(parsed: ParsedQuery) -> float:
    """What one matched group adds: GROUP_UNIT (or a multiple of it) above 10/9 of
    the largest possible sum of the text scores of every group (a term scores at
    most field weight x (k1 + 1) x idf in BM25, a fuzzy clause its constant).
    With the quality multiplier m <= 1 + 1.05e-4, a profile matching g groups
    scores below m (g + 0.9) unit < (g + 1) unit for any g < 950 (a query holds
    at most 100 words), so matched groups = floor(score / group_score)."""
    per_term = sum(TEXT_FIELDS.values()) * (BM25_K1 + 1) * IDF_MAX
    per_fuzzy = sum(TEXT_FIELDS.values()) * FUZZY_WEIGHT
    bound = sum(len(g.exact) * per_term + (len(g.fuzzy) + len(g.near)) * per_fuzzy
                for g in parsed.groups)
    return GROUP_UNIT * max(1, math.ceil(bound / (0.9 * GROUP_UNIT)))


class SearchUnavailable(RuntimeError):
    """The backend cannot be reached; callers show a message and keep working."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    region: str | None = None
    serves: bool = False          # region filter also matches practitioners who serve the region
    specialization: str | None = None
    language: str | None = None
    online: bool = False
    min_rating: float | None = None
    max_price: int | None = None
    free_week: bool = False       # only profiles with a free slot within 7 days (documents.free_week)
    service: str = ""             # only profiles with an active service whose names hold every word
    sort: str = "relevance"
    page: int = 1
    per_page: int = 12
    with_facets: bool = True

    def __post_init__(self):
        if self.sort not in SORTS:
            object.__setattr__(self, "sort", "relevance")
        object.__setattr__(self, "page", max(1, int(self.page or 1)))
        object.__setattr__(self, "per_page", min(100, max(1, int(self.per_page or 12))))

    @property
    def parsed(self) -> ParsedQuery:
        return parse_query(self.text)

    @property
    def parsed_service(self) -> ParsedQuery:
        """The service filter's words (same normalisation as the text; a group is matched
        by its exact forms or one typo, in the documents' ``t_services``)."""
        return parse_query(self.service)

    @property
    def region_field(self) -> str:
        return "regions" if self.serves else "home_region"

    def filters(self, without: str | None = None) -> dict[str, object]:
        """Active filters as {document field: value}, optionally leaving one facet out."""
        out: dict[str, object] = {}
        if self.category and without != "category":
            out["category"] = self.category
        if self.region and without != "region":
            out[self.region_field] = self.region
        if self.specialization and without != "specialization":
            out["specializations"] = self.specialization
        if self.language and without != "language":
            out["languages"] = self.language
        if self.online:
            out["online"] = 1
        return out


FACET_FIELDS = {"category": "category", "specialization": "specializations", "language": "languages"}


def facet_field(query: SearchQuery, facet: str) -> str:
    return query.region_field if facet == "region" else FACET_FIELDS[facet]


def facet_buckets(agg) -> list[tuple[str, int]]:
    """(value, count) from a terms aggregation (same JSON shape in both engines),
    most frequent first, ties by value."""
    if not agg:
        return []
    buckets = [(str(b["key"]), int(b["doc_count"])) for b in agg.get("buckets", []) if b["doc_count"]]
    return sorted(buckets, key=lambda kv: (-kv[1], kv[0]))


@dataclass
class Hit:
    id: int
    score: float
    highlights: dict[str, Markup] = field(default_factory=dict)
    matched: int | None = None   # query groups this profile matches (relevance order; None: not known)
    next_free: int | None = None  # its earliest free slot as indexed (epoch seconds, UTC; None: none)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    relaxed: bool = False        # no profile matched every word; these match some of them
    groups: int = 0              # the query's groups (words); a hit with matched == groups matches all

    @property
    def complete_ids(self) -> list[int]:
        """Hits matching every group (in relevance order they come first)."""
        if self.relaxed:
            return []
        return [h.id for h in self.hits if h.matched is None or h.matched == self.groups]

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.hits]


def stored_next_free(source: dict) -> int | None:
    """A hit's earliest free slot from its stored source (None: no free slot)."""
    value = source.get("next_free")
    return int(value) if value is not None and int(value) < NO_SLOT else None


class SearchBackend(abc.ABC):
    name = "abstract"

    # --- documents -----------------------------------------------------
    @abc.abstractmethod
    def ensure_index(self) -> None:
        """Create the index if it does not exist."""

    @abc.abstractmethod
    def bulk(self, docs: Iterable[dict]) -> int:
        """Add or replace documents (by ``id``); returns how many were written."""

    def index(self, doc: dict) -> None:
        self.bulk([doc])

    @abc.abstractmethod
    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents; unknown ids are ignored."""

    @abc.abstractmethod
    def count(self) -> int:
        ...

    @abc.abstractmethod
    def all_ids(self) -> set[int]:
        ...

    @abc.abstractmethod
    def rebuild(self, docs: Iterator[dict]) -> int:
        """Build a fresh index from ``docs`` and switch searches to it atomically."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Drop every document (tests)."""

    # --- queries -------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        """Relevance order: the profiles matching every group, or if fewer than
        FEW_RESULTS do, any group, those matching more groups first (see
        group_score); ``Hit.matched`` tells how many. A field order: the profiles
        matching every group, or if none does, those matching any group.
        ``relaxed`` is set when no profile matches every group but some match one."""
        parsed = query.parsed
        n = len(parsed.groups)
        relaxed = False
        if n == 0:
            result = self._search(query, parsed, 0)
        elif query.sort == "relevance":
            result = self._search(query, parsed, n)
            if result.total < FEW_RESULTS and n > 1:
                result = self._search(query, parsed, 1)
            unit = group_score(parsed)
            for hit in result.hits:
                hit.matched = min(n, int(hit.score // unit))
            if n > 1 and result.total and not any(hit.matched == n for hit in result.hits):
                # every match of every group comes first: on page 1, none; further on, count them
                relaxed = query.page == 1 and bool(result.hits) or self._count_all(query, parsed) == 0
        else:
            result = self._search(query, parsed, n)
            if result.total == 0 and n > 1:
                result = self._search(query, parsed, 1)
                relaxed = result.total > 0
        result.groups, result.relaxed = n, relaxed
        return result

    def _highlights(self, source: dict, parsed: ParsedQuery) -> dict[str, Markup]:
        out = {}
        for name in HIGHLIGHT_FIELDS:
            snippet = highlight(source.get(name) or "", parsed)
            if snippet:
                out[name] = snippet
        return out

    @abc.abstractmethod
    def _search(self, query: SearchQuery, parsed: ParsedQuery, minimum: int) -> SearchResult:
        """Profiles matching every group (``minimum`` >= the number of groups) or any
        group, scored by coordination (group_score per matched group + text, times
        the quality weight)."""

    @abc.abstractmethod
    def _count_all(self, query: SearchQuery, parsed: ParsedQuery) -> int:
        """How many profiles (with the query's filters) match every group."""

    @abc.abstractmethod
    def refresh_due(self, before: int) -> set[int]:
        """Ids of documents whose ``refresh_at`` (epoch seconds, UTC) is at or before
        ``before``: their free_week / next_free went stale (services.search.free_time)."""

    @abc.abstractmethod
    def suggest_names(self, prefix: str, limit: int = 5) -> list[tuple[int, str]]:
        """(profile id, name) of public profiles whose name has a word starting with ``prefix``."""

    def close(self) -> None:
        pass
