"""Elasticsearch search backend (official ``elasticsearch`` client, 8.x).

It answers exactly like the embedded (tantivy) backend, which is the reference:
documents carry the same pre-normalised tokens (see :mod:`.normalize`), so the
index only needs a whitespace analyzer, and every query is built from the same
parts: per query group, a ``bool`` of ``should`` clauses over every text field
(``term`` with the field weight for exact tokens, ``fuzzy`` with one edit in
``constant_score`` for typos), filters on keyword fields, a relevance blend with
the profile's quality, and disjunctive facets.

Index layout: a versioned physical index ``<name>-v<timestamp>`` behind the
alias ``<name>``. ``rebuild`` fills a new physical index and moves the alias in
one ``_aliases`` call, so searches switch atomically and never see a half-built
index; the old physical index is then deleted.

Every call that cannot reach the server raises :class:`SearchUnavailable`."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from typing import Iterable, Iterator

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from portal.search.backend import (
    FACETS,
    FUZZY_WEIGHT,
    TEXT_FIELDS,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    facet_buckets,
    facet_field,
)
from portal.search.normalize import ParsedQuery, skeleton, words

log = logging.getLogger(__name__)

KEYWORD_FIELDS = ("category", "home_region", "regions", "specializations", "languages")
SOURCE_FIELDS = ("name", "about_ru", "about_kk", "tags_text")
SORT_FIELDS = {"rating": ("rating", "desc"), "reviews": ("reviews", "desc"),
               "experience": ("experience", "desc"), "price": ("price", "asc")}
# Lucene's BM25 (Elasticsearch >= 7) leaves out the constant (k1 + 1) factor that
# tantivy's BM25 keeps; exact-term boosts are multiplied by it so a term scores
# the same in both engines, and so the balance between exact and fuzzy
# (constant-score) matches is the same.
BM25_K1 = 1.2
EXACT_SCALE = BM25_K1 + 1
# tantivy's weight_by_field multiplies by log2(2 + quality); ln2p gives ln(2 + quality).
# Scaling by 1/ln 2 makes the scores themselves equal (the order would be the same anyway).
LN2P_TO_LOG2 = 1.4426950408889634
PAGE = 5000          # ids per request in all_ids
MAX_WINDOW = 10_000  # index.max_result_window: hits past it are not fetched (the total still is)
FUZZY_EXPANSIONS = 256  # one-edit neighbours of a token considered (tantivy takes them all)
FACET_SIZE = 200

_TOKENS = {"type": "text", "analyzer": "tokens", "index_options": "freqs", "norms": True}
_KEYWORD = {"type": "keyword"}
_STORED = {"type": "text", "index": False}

SETTINGS = {
    # One shard: BM25 statistics are those of the whole index, as in the
    # embedded engine (a practitioner directory is far below a shard's size).
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",
    "analysis": {
        "analyzer": {
            # Documents and queries carry tokens already normalised in Python
            # (normalize.py): split on whitespace only. lowercase and
            # asciifolding are no-ops on those tokens and only guard against
            # hand-written documents.
            "tokens": {"type": "custom", "tokenizer": "whitespace",
                       "filter": ["lowercase", "asciifolding"]},
        },
    },
}

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        **{name: _KEYWORD for name in KEYWORD_FIELDS},
        "online": {"type": "byte"},
        "rating": {"type": "double"},
        "reviews": {"type": "integer"},
        "experience": {"type": "integer"},
        "price": {"type": "long"},
        "quality": {"type": "double"},
        **{name: _TOKENS for name in TEXT_FIELDS},
        # Name autocomplete: edge n-grams (2..12 letters) of the name's skeleton
        # words, made in Python (documents.prefixes), matched with term queries.
        "suggest": {"type": "text", "analyzer": "tokens", "index_options": "docs", "norms": True},
        # Shown, not searched (highlights are made in Python from these).
        **{name: _STORED for name in SOURCE_FIELDS},
    },
}


def _unavailable(method):
    """Turn 'cannot reach / server failing' errors into SearchUnavailable."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SearchUnavailable:
            raise
        except TransportError as exc:  # connection refused/reset, timeout, TLS, bad response
            self._ready = False   # check the index again once it answers (it may have restarted empty)
            raise SearchUnavailable(f"Elasticsearch at {self.url} cannot be reached: {exc}") from exc
        except ApiError as exc:
            if exc.status_code in (429, 502, 503, 504):
                raise SearchUnavailable(f"Elasticsearch at {self.url} is unavailable: {exc}") from exc
            raise
        except helpers.BulkIndexError as exc:
            statuses = {next(iter(e.values())).get("status") for e in exc.errors}
            if statuses & {429, 502, 503, 504}:
                raise SearchUnavailable(f"Elasticsearch at {self.url} rejected a bulk write: {exc}") from exc
            raise
    return wrapper


class ElasticBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, index: str = "alemtrust-profiles", node_class=None,
                 timeout: float = 5, client: Elasticsearch | None = None, **client_options):
        """``index`` is the alias searches go through. No request is made here:
        the index is created on first use (or by ``ensure_index``)."""
        self.url = url
        self.alias = index
        if client is None:
            options = {"request_timeout": timeout, "max_retries": 1, "retry_on_timeout": False}
            options.update(client_options)
            if node_class is not None:  # tests only (a server without the compatibility mimetype)
                options["node_class"] = node_class
            client = Elasticsearch(url, **options)
        self.es = client
        self._ready = False
        self._lock = threading.RLock()

    # --- index -----------------------------------------------------------
    def _physical_name(self) -> str:
        return f"{self.alias}-v{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%d%H%M%S%f')}"

    def _create_physical(self, aliases: dict | None = None, building: bool = False) -> str:
        name = self._physical_name()
        settings = dict(SETTINGS)
        if building:
            settings["refresh_interval"] = "-1"
        self.es.indices.create(index=name, settings=settings, mappings=MAPPINGS, aliases=aliases)
        return name

    def _alias_targets(self) -> list[str]:
        """Physical indices behind the alias ([] when there is no alias)."""
        try:
            return sorted(self.es.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    @_unavailable
    def physical_indices(self) -> list[str]:
        """What the alias points to (for status pages and tests)."""
        return self._alias_targets()

    @_unavailable
    def ensure_index(self) -> None:
        with self._lock:
            if self._alias_targets() or self.es.indices.exists(index=self.alias):
                self._ready = True
                return
            self._create_physical(aliases={self.alias: {}})
            self._ready = True

    def _ensure(self) -> None:
        if not self._ready:
            self.ensure_index()

    def drop(self) -> None:
        """Delete the alias and every physical index of this backend (tests, teardown)."""
        try:
            targets = self._alias_targets()
            for name in set(targets) | set(self.es.indices.get(index=f"{self.alias}-v*")):
                self.es.indices.delete(index=name, ignore_unavailable=True)
        except (TransportError, ApiError) as exc:
            log.warning("search: could not drop %s: %s", self.alias, exc)
        self._ready = False

    # --- documents -------------------------------------------------------
    @staticmethod
    def _source(doc: dict) -> dict:
        out = {"id": int(doc["id"])}
        for name in KEYWORD_FIELDS:
            values = doc[name] if isinstance(doc[name], list) else [doc[name]]
            out[name] = [v for v in values if v]      # "" would become a facet bucket
        for name in ("online", "reviews", "experience", "price"):
            out[name] = int(doc[name])
        out["rating"] = float(doc["rating"])
        out["quality"] = float(doc["quality"])
        for name in TEXT_FIELDS:
            out[name] = doc[name] or ""
        out["suggest"] = doc["suggest"] or ""
        for name in SOURCE_FIELDS:
            out[name] = doc.get(name) or ""
        return out

    def _actions(self, docs: Iterable[dict], index: str, progress=None) -> Iterator[dict]:
        for doc in docs:
            yield {"_op_type": "index", "_index": index, "_id": str(int(doc["id"])),
                   "_source": self._source(doc)}
            if progress:
                progress(1)

    def _write(self, make_actions, **options) -> int:
        """helpers.bulk through the alias; ``require_alias`` stops Elasticsearch
        from auto-creating a concrete index with guessed mappings when the alias
        is gone (a wiped or new cluster): the index is then created and the
        write retried once."""
        self._ensure()
        for attempt in (1, 2):
            try:
                written, _ = helpers.bulk(self.es, make_actions(), refresh="wait_for", require_alias=True,
                                          chunk_size=500, **options)
                return written
            except helpers.BulkIndexError as exc:
                if attempt == 2 or not _missing_index(exc):
                    raise
                self._ready = False
                self.ensure_index()
        return 0  # not reached

    @_unavailable
    def bulk(self, docs: Iterable[dict]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        return self._write(lambda: self._actions(docs, self.alias))

    @_unavailable
    def delete(self, ids: Iterable[int]) -> None:
        ids = [int(i) for i in ids]
        if not ids:
            return
        # 404: the document (or the whole index) is not there, which is what we want
        self._write(lambda: ({"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids),
                    ignore_status=(404,))

    @_unavailable
    def count(self) -> int:
        self._ensure()
        return int(self.es.count(index=self.alias)["count"])

    @_unavailable
    def all_ids(self) -> set[int]:
        self._ensure()
        out: set[int] = set()
        after = None
        while True:
            kwargs = {"search_after": after} if after is not None else {}
            page = self.es.search(index=self.alias, size=PAGE, sort=[{"id": "asc"}], source=False,
                                  query={"match_all": {}}, track_total_hits=False, **kwargs)
            hits = page["hits"]["hits"]
            out.update(int(h["_id"]) for h in hits)
            if len(hits) < PAGE:
                return out
            after = hits[-1]["sort"]

    @_unavailable
    def rebuild(self, docs: Iterator[dict], progress=None) -> int:
        """Fill a new physical index, then point the alias at it in one
        ``_aliases`` call and delete the previous physical index."""
        with self._lock:
            new = self._create_physical(building=True)
            try:
                n = 0
                for ok, item in helpers.streaming_bulk(self.es, self._actions(docs, new, progress),
                                                       chunk_size=500, raise_on_error=True):
                    n += ok
                self.es.indices.put_settings(index=new, settings={"index": {"refresh_interval": None}})
                self.es.indices.refresh(index=new)
                old = self._alias_targets()
                actions: list[dict] = [{"add": {"index": new, "alias": self.alias}}]
                actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
                if not old and self.es.indices.exists(index=self.alias):
                    # a concrete index squatting on the alias name (created by hand)
                    actions.append({"remove_index": {"index": self.alias}})
                self.es.indices.update_aliases(actions=actions)
            except BaseException:
                try:
                    self.es.indices.delete(index=new, ignore_unavailable=True)
                except (TransportError, ApiError):
                    pass
                raise
            self._ready = True
            for name in old:
                try:
                    self.es.indices.delete(index=name, ignore_unavailable=True)
                except ApiError as exc:  # the swap is done; a leftover index is only disk space
                    log.warning("search: could not delete old index %s: %s", name, exc)
            return n

    def clear(self) -> None:
        """Drop every document: an empty index replaces the current one."""
        self.rebuild(iter(()))

    # --- queries ---------------------------------------------------------
    def _text_query(self, parsed: ParsedQuery, require_all: bool) -> dict:
        if parsed.is_empty:
            return {"match_all": {}}
        groups = []
        for group in parsed.groups:
            clauses = []
            for field, weight in TEXT_FIELDS.items():
                for token in group.exact:
                    clauses.append({"term": {field: {"value": token, "boost": weight * EXACT_SCALE}}})
                for token in group.fuzzy:
                    clauses.append({"constant_score": {
                        "filter": {"fuzzy": {field: {"value": token, "fuzziness": 1, "prefix_length": 0,
                                                     "transpositions": True,
                                                     "max_expansions": FUZZY_EXPANSIONS}}},
                        "boost": weight * FUZZY_WEIGHT}})
            groups.append({"bool": {"should": clauses, "minimum_should_match": 1}})
        if require_all:
            return {"bool": {"must": groups}}
        return {"bool": {"should": groups, "minimum_should_match": 1}}

    @staticmethod
    def _facet_filters(query: SearchQuery, without: str | None = None) -> list:
        """Term filters of the active facets (category, region, specialization, language)."""
        return [{"term": {field: value}} for field, value in query.filters(without).items()
                if field != "online"]

    @staticmethod
    def _other_filters(query: SearchQuery) -> list:
        """Filters that are not facets: online, minimum rating, maximum price."""
        out = []
        if query.online:
            out.append({"term": {"online": 1}})
        if query.min_rating is not None:
            out.append({"range": {"rating": {"gte": float(query.min_rating)}}})
        if query.max_price is not None:
            out.append({"range": {"price": {"lte": int(query.max_price)}}})
        return out

    def _search_body(self, query: SearchQuery, parsed: ParsedQuery, require_all: bool) -> dict:
        text = self._text_query(parsed, require_all)
        start = min((query.page - 1) * query.per_page, MAX_WINDOW)
        body: dict = {"track_total_hits": True, "from": start,
                      "size": max(0, min(query.per_page, MAX_WINDOW - start)),
                      "_source": ["id", *SOURCE_FIELDS]}
        # Filters that are not facets narrow the query itself; facet filters go
        # to post_filter, so every facet can count with the *other* filters.
        facet_filters = self._facet_filters(query)
        scored = {"bool": {"must": [text], "filter": self._other_filters(query)}}
        if query.sort in SORT_FIELDS:
            field, order = SORT_FIELDS[query.sort]
            body["query"] = scored
            body["sort"] = [{field: {"order": order}}, {"id": {"order": "asc"}}]
        else:
            body["query"] = {"function_score": {
                "query": scored,
                "functions": [{"field_value_factor": {"field": "quality", "modifier": "ln2p",
                                                      "missing": 0},
                               "weight": LN2P_TO_LOG2}],
                "score_mode": "multiply", "boost_mode": "multiply"}}
            body["sort"] = [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
        if query.with_facets:
            if facet_filters:
                body["post_filter"] = {"bool": {"filter": facet_filters}}
            aggs = {}
            for facet in FACETS:
                others = self._facet_filters(query, without=facet)
                aggs[facet] = {"filter": {"bool": {"filter": others}},
                               "aggs": {"values": {"terms": {"field": facet_field(query, facet),
                                                             "size": FACET_SIZE}}}}
            body["aggs"] = aggs
        elif facet_filters:
            scored["bool"]["filter"] += facet_filters
        return body

    @_unavailable
    def _search(self, query: SearchQuery, parsed: ParsedQuery, require_all: bool) -> SearchResult:
        self._ensure()
        body = self._search_body(query, parsed, require_all)
        found = self.es.search(index=self.alias, **body)
        hits = []
        for h in found["hits"]["hits"]:
            source = h.get("_source") or {}
            hits.append(Hit(id=int(h["_id"]), score=float(h.get("_score") or 0.0),
                            highlights=self._highlights(source, parsed)))
        total = found["hits"]["total"]["value"]
        facets = {}
        if query.with_facets:
            aggs = found.get("aggregations", {})
            facets = {facet: facet_buckets(aggs.get(facet, {}).get("values")) for facet in FACETS}
        return SearchResult(hits=hits, total=int(total), facets=facets)

    @_unavailable
    def suggest_names(self, prefix: str, limit: int = 5) -> list[tuple[int, str]]:
        keys = [skeleton(w)[:12] for w in words(prefix)]
        keys = [k for k in keys if len(k) >= 2]
        if not keys:
            return []
        self._ensure()
        query = {"function_score": {
            "query": {"bool": {"must": [{"term": {"suggest": {"value": k, "boost": EXACT_SCALE}}}
                                        for k in keys]}},
            "functions": [{"field_value_factor": {"field": "quality", "modifier": "ln2p", "missing": 0},
                           "weight": LN2P_TO_LOG2}],
            "score_mode": "multiply", "boost_mode": "multiply"}}
        found = self.es.search(index=self.alias, query=query, size=limit, source=["name"],
                               sort=[{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
                               track_total_hits=False)
        return [(int(h["_id"]), h["_source"]["name"]) for h in found["hits"]["hits"]]

    def close(self) -> None:
        try:
            self.es.close()
        except Exception:  # closing never matters enough to fail
            pass


def _missing_index(exc: helpers.BulkIndexError) -> bool:
    """Did a bulk write fail because the alias (or the index behind it) is missing?"""
    for error in exc.errors:
        item = next(iter(error.values()), {})
        reason = item.get("error")
        kind = reason.get("type", "") if isinstance(reason, dict) else str(reason or "")
        if item.get("status") == 404 or "index_not_found" in kind or "alias" in kind:
            return True
    return False
