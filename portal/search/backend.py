"""The contract every search backend implements, and the query/result types.

Backends store documents built by :mod:`portal.search.documents` (already
normalised tokens plus filter/sort values) and answer :class:`SearchQuery`.
Text matching, synonyms and highlighting rules live in
:mod:`portal.search.normalize`, so both engines return the same profiles."""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from markupsafe import Markup

from portal.search.normalize import ParsedQuery, highlight, parse_query

SORTS = ("relevance", "rating", "reviews", "experience", "price")
FACETS = ("category", "region", "specialization", "language")
# Field weights for text matching (identical in every backend).
TEXT_FIELDS = {"t_name": 3.0, "t_tags": 2.0, "t_place": 2.0, "t_about": 1.0, "t_served": 0.5}
FUZZY_WEIGHT = 0.4          # a one-typo match counts this much of an exact one (per field weight)
HIGHLIGHT_FIELDS = ("about_ru", "about_kk", "tags_text")
# Documents missing a price sort after every priced one.
NO_PRICE = 10**12


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


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    relaxed: bool = False        # no profile matched every word; these match some of them

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.hits]


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
        parsed = query.parsed
        result = self._search(query, parsed, require_all=True)
        if result.total == 0 and len(parsed.groups) > 1:
            result = self._search(query, parsed, require_all=False)
            result.relaxed = result.total > 0
        return result

    def _highlights(self, source: dict, parsed: ParsedQuery) -> dict[str, Markup]:
        out = {}
        for name in HIGHLIGHT_FIELDS:
            snippet = highlight(source.get(name) or "", parsed)
            if snippet:
                out[name] = snippet
        return out

    @abc.abstractmethod
    def _search(self, query: SearchQuery, parsed: ParsedQuery, require_all: bool) -> SearchResult:
        ...

    @abc.abstractmethod
    def suggest_names(self, prefix: str, limit: int = 5) -> list[tuple[int, str]]:
        """(profile id, name) of public profiles whose name has a word starting with ``prefix``."""

    def close(self) -> None:
        pass
