"""Embedded search backend: tantivy (Rust full-text engine) in a folder under
instance/, no server needed.

The folder holds one physical index per build (``profiles-<timestamp>``) and a
``CURRENT`` file naming the live one; ``rebuild`` writes a new index and swaps
the pointer with an atomic rename, so searches never see a half-built index.
Other processes notice the swap on their next search.

Failures degrade instead of raising a server error: any engine or OS error
(an unreadable or corrupt index, a path that is a file, a broken ``CURRENT``
pointer, a writer lock held elsewhere) becomes :class:`SearchUnavailable`, so
the portal falls back to the database directory. A missing index (folder
deleted, ``CURRENT`` naming a folder that is gone) or an existing but empty
one is not served silently: the backend opens a new index and sets
``rebuild_reason``; portal/services/search.py then rebuilds it from the
database before answering."""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import threading
import time
from typing import Iterable, Iterator

import tantivy
from tantivy import FieldType, Occur, Order, Query

from portal.search.backend import (
    FACETS,
    TEXT_FIELDS,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    facet_buckets,
    facet_field,
    stored_next_free,
)
from portal.search.embedded_query import combined, filter_clauses, text_query
from portal.search.normalize import skeleton, words
from portal.search.parsing import ParsedQuery

log = logging.getLogger(__name__)
INDEX_NAME = re.compile(r"profiles-\d{1,30}")  # what CURRENT may name


def degrades(method):
    """Any engine or OS error of ``method`` is a SearchUnavailable (the callers fall back)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SearchUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001  (tantivy raises ValueError for most failures)
            raise SearchUnavailable(f"embedded index at {self.path or ':memory:'} failed: "
                                    f"{type(exc).__name__}: {exc}") from exc
    return wrapper


KEYWORD_FIELDS = ("category", "home_region", "regions", "specializations", "languages")
SOURCE_FIELDS = ("name", "about_ru", "about_kk", "tags_text")
SORT_FIELDS = {"rating": ("rating", Order.Desc), "reviews": ("reviews", Order.Desc),
               "experience": ("experience", Order.Desc), "price": ("price", Order.Asc),
               "earliest": ("next_free", Order.Asc)}
# unsigned fast fields of the document (free time: documents.py, free_time.py)
NUMBER_FIELDS = ("online", "reviews", "experience", "price", "free_week", "next_free", "refresh_at")


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("online", indexed=True, fast=True)
    sb.add_float_field("rating", indexed=True, fast=True)
    sb.add_unsigned_field("reviews", indexed=True, fast=True)
    sb.add_unsigned_field("experience", indexed=True, fast=True)
    sb.add_unsigned_field("price", indexed=True, fast=True)
    sb.add_unsigned_field("free_week", indexed=True, fast=True)
    sb.add_unsigned_field("next_free", indexed=True, fast=True)
    sb.add_unsigned_field("refresh_at", indexed=True, fast=True)
    sb.add_float_field("quality", fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("suggest", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("t_services", tokenizer_name="whitespace", index_option="basic")  # service filter
    sb.add_bytes_field("source", stored=True)
    return sb.build()


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str | None = None, heap_size: int = 64_000_000):
        """``path`` is a folder (created if missing); None keeps the index in memory."""
        self.path = path
        self.heap_size = heap_size
        self.schema = build_schema()
        self._lock = threading.RLock()
        self._current: str | None = None
        self._index: tantivy.Index | None = None
        # why the index must be rebuilt from the database ("missing", "empty"), or None
        self.rebuild_reason: str | None = None
        try:
            self.ensure_index()
        except SearchUnavailable as exc:  # the portal starts anyway; searches fall back until it is fixed
            log.warning("search index unavailable at start: %s", exc)

    # --- index files -----------------------------------------------------
    def _pointer(self) -> str:
        return os.path.join(self.path, "CURRENT")

    def _read_pointer(self) -> str | None:
        """The live index named by CURRENT; None when there is no CURRENT. A CURRENT that
        cannot be read or names no index folder of ours is a broken index (SearchUnavailable)."""
        try:
            with open(self._pointer(), "rb") as fh:
                raw = fh.read(256)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SearchUnavailable(f"cannot read {self._pointer()}: {exc}") from exc
        try:
            name = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            raise SearchUnavailable(f"broken pointer {self._pointer()}: {raw[:60]!r}") from exc
        if not name:
            return None  # an empty pointer (a crash before the first write): like a missing one
        if not INDEX_NAME.fullmatch(name):
            raise SearchUnavailable(f"broken pointer {self._pointer()}: {raw[:60]!r}")
        return name

    def _write_pointer(self, name: str) -> None:
        tmp = self._pointer() + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._pointer())

    def _new_index(self) -> tuple[str | None, tantivy.Index]:
        if self.path is None:
            return None, tantivy.Index(self.schema)
        name = f"profiles-{time.time_ns()}"
        folder = os.path.join(self.path, name)
        os.makedirs(folder)
        return name, tantivy.Index(self.schema, path=folder)

    @degrades
    def ensure_index(self) -> None:
        with self._lock:
            if self.path is None:
                if self._index is None:
                    self._current, self._index = self._new_index()
                return
            if os.path.exists(self.path) and not os.path.isdir(self.path):
                raise SearchUnavailable(f"{self.path} is not a folder")
            os.makedirs(self.path, exist_ok=True)
            name = self._read_pointer()
            if name and os.path.isdir(os.path.join(self.path, name)):
                if name != self._current or self._index is None:
                    try:
                        index = tantivy.Index(self.schema, path=os.path.join(self.path, name))
                    except ValueError as exc:
                        if "schema does not match" not in str(exc):
                            raise
                        # an index of an older release's schema: a new one, rebuilt from the database
                        log.warning("search index %s has an older schema: a new index awaits a rebuild",
                                    name)
                        self._current, self._index = self._new_index()
                        self._write_pointer(self._current)
                        self.rebuild_reason = "schema"
                        return
                    index.reload()
                    first_open = self._index is None
                    self._index, self._current = index, name
                    if first_open and index.searcher().num_docs == 0:
                        self.rebuild_reason = "empty"  # rebuilt if the database has public profiles
                return
            # no index (folder deleted, CURRENT missing or naming a folder that is gone): a new,
            # empty one, flagged so that it is rebuilt from the database before it is served
            had = self._current or name
            self._current, self._index = self._new_index()
            self._write_pointer(self._current)
            self.rebuild_reason = "missing"
            # a first start has no index yet: only a lost one is worth a warning
            log.log(logging.WARNING if had else logging.INFO,
                    "search index missing at %s (was %s): a new empty index %s awaits a rebuild",
                    self.path, had or "none", self._current)

    def _searcher(self) -> tantivy.Searcher:
        if self.path is not None and (
                self._index is None or self._read_pointer() != self._current
                or not os.path.isdir(os.path.join(self.path, self._current or ""))):
            self.ensure_index()   # another process rebuilt the index, or it went away
        self._index.reload()
        return self._index.searcher()

    def _writer(self, index: tantivy.Index | None = None, heap: int | None = None):
        try:
            return (index or self._index).writer(heap_size=heap or self.heap_size, num_threads=1)
        except ValueError as exc:  # the lock is held by another process's writer
            raise SearchUnavailable(f"embedded index is locked: {exc}") from exc

    # --- documents -------------------------------------------------------
    def _document(self, doc: dict) -> tantivy.Document:
        d = tantivy.Document()
        d.add_unsigned("id", doc["id"])
        for name in KEYWORD_FIELDS:
            values = doc[name] if isinstance(doc[name], list) else [doc[name]]
            for value in values:
                if value:
                    d.add_text(name, value)
        for name in NUMBER_FIELDS:
            d.add_unsigned(name, int(doc[name]))
        d.add_float("rating", float(doc["rating"]))
        d.add_float("quality", float(doc["quality"]))
        for name in TEXT_FIELDS:
            d.add_text(name, doc[name])
        d.add_text("suggest", doc["suggest"])
        d.add_text("t_services", doc["t_services"])
        source = {k: doc[k] for k in SOURCE_FIELDS}
        source["next_free"] = int(doc["next_free"])
        d.add_bytes("source", json.dumps(source, ensure_ascii=False).encode())
        return d

    @degrades
    def bulk(self, docs: Iterable[dict]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        with self._lock:
            self.ensure_index()
            writer = self._writer()
            # (delete_documents_by_term does not match unsigned fields in tantivy-py 0.27)
            writer.delete_documents_by_query(self._ids_query([doc["id"] for doc in docs]))
            for doc in docs:
                writer.add_document(self._document(doc))
            writer.commit()
            writer.wait_merging_threads()
        return len(docs)

    @degrades
    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._lock:
            self.ensure_index()
            writer = self._writer()
            writer.delete_documents_by_query(self._ids_query(ids))
            writer.commit()
            writer.wait_merging_threads()

    def _ids_query(self, ids) -> Query:
        return Query.term_set_query(self.schema, "id", [int(i) for i in ids])

    @degrades
    def clear(self) -> None:
        with self._lock:
            self.ensure_index()
            writer = self._writer()
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()

    @degrades
    def count(self) -> int:
        return self._searcher().num_docs

    @degrades
    def all_ids(self) -> set[int]:
        searcher = self._searcher()
        n = searcher.num_docs
        if not n:
            return set()
        hits = searcher.search(Query.all_query(), limit=n, count=False).hits
        return set(searcher.fast_field_values("id", [addr for _, addr in hits]))

    @degrades
    def rebuild(self, docs: Iterator[dict], progress=None) -> int:
        name, index = self._new_index()
        writer = self._writer(index, heap=256_000_000)
        n = 0
        for doc in docs:
            writer.add_document(self._document(doc))
            n += 1
            if progress:
                progress(1)
        writer.commit()
        writer.wait_merging_threads()
        with self._lock:
            old = self._current
            self._current, self._index = name, index
            if self.path is not None:
                self._write_pointer(name)
                if old and old != name:
                    shutil.rmtree(os.path.join(self.path, old), ignore_errors=True)
            self.rebuild_reason = None
        return n

    @degrades
    def _search(self, query: SearchQuery, parsed: ParsedQuery, minimum: int) -> SearchResult:
        searcher = self._searcher()
        text = text_query(self.schema, parsed, minimum)
        main = combined(text, filter_clauses(self.schema, query))
        offset = (query.page - 1) * query.per_page
        if query.sort in SORT_FIELDS:
            field, order = SORT_FIELDS[query.sort]
            found = searcher.search(main, limit=query.per_page, offset=offset, count=True,
                                    order_by_field=field, order=order)
        else:   # quality multiplies the score (slightly: backend.quality_weight)
            found = searcher.search(main, limit=query.per_page, offset=offset, count=True,
                                    weight_by_field="quality")
        hits = []
        for score, addr in found.hits:
            doc = searcher.doc(addr)
            source = json.loads(bytes(doc.get_first("source")))
            hits.append(Hit(id=int(doc.get_first("id")), score=float(score),
                            highlights=self._highlights(source, parsed), next_free=stored_next_free(source)))
        facets = self._facets(searcher, query, text, main) if query.with_facets else {}
        return SearchResult(hits=hits, total=found.count, facets=facets)

    @degrades
    def _count_all(self, query: SearchQuery, parsed: ParsedQuery) -> int:
        main = combined(text_query(self.schema, parsed, len(parsed.groups)), filter_clauses(self.schema, query))
        return self._searcher().search(main, limit=1, count=True).count

    def _facets(self, searcher, query: SearchQuery, text: Query, main: Query) -> dict:
        active = set(query.filters())
        shared, own = {}, {}
        for facet in FACETS:
            field = facet_field(query, facet)
            spec = {"terms": {"field": field, "size": 200}}
            if field in active:
                own[facet] = (field, spec)
            else:
                shared[facet] = spec
        out: dict[str, list[tuple[str, int]]] = {}
        if shared:
            result = searcher.aggregate(main, shared)
            for facet in shared:
                out[facet] = facet_buckets(result.get(facet))
        for facet, (field, spec) in own.items():
            q = combined(text, filter_clauses(self.schema, query, without=facet))
            out[facet] = facet_buckets(searcher.aggregate(q, {facet: spec}).get(facet))
        return {facet: out[facet] for facet in FACETS}

    @degrades
    def refresh_due(self, before: int) -> set[int]:
        searcher = self._searcher()
        q = Query.range_query(self.schema, "refresh_at", FieldType.Unsigned, upper_bound=int(before))
        n = searcher.search(q, limit=1, count=True).count
        if not n:
            return set()
        hits = searcher.search(q, limit=n, count=False).hits
        return set(searcher.fast_field_values("id", [addr for _, addr in hits]))

    @degrades
    def suggest_names(self, prefix: str, limit: int = 5) -> list[tuple[int, str]]:
        keys = [skeleton(w)[:12] for w in words(prefix)]
        keys = [k for k in keys if len(k) >= 2]
        if not keys:
            return []
        searcher = self._searcher()
        q = Query.boolean_query([(Occur.Must, Query.term_query(self.schema, "suggest", k)) for k in keys])
        found = searcher.search(q, limit=limit, count=False, weight_by_field="quality")
        out = []
        for _, addr in found.hits:
            doc = searcher.doc(addr)
            source = json.loads(bytes(doc.get_first("source")))
            out.append((int(doc.get_first("id")), source["name"]))
        return out
