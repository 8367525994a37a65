"""Elasticsearch search backend (official ``elasticsearch`` client, 8.x).

It answers exactly like the embedded (tantivy) backend: the index is laid out
by :mod:`.elastic_index` and queried with the bodies of :mod:`.elastic_query`.

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
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    facet_buckets,
    stored_next_free,
)
from portal.search.elastic_index import MAPPINGS, SETTINGS, document_source
from portal.search.elastic_query import count_query, search_body, suggest_query
from portal.search.normalize import skeleton, words
from portal.search.parsing import ParsedQuery

log = logging.getLogger(__name__)

PAGE = 5000          # ids per request in all_ids


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
                # fields added by a later release (mappings only grow): the documents get
                # them when reindexed (the free-time refresh re-queues bookable profiles daily)
                self.es.indices.put_mapping(index=self.alias, properties=MAPPINGS["properties"])
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
    def _actions(self, docs: Iterable[dict], index: str, progress=None) -> Iterator[dict]:
        for doc in docs:
            yield {"_op_type": "index", "_index": index, "_id": str(int(doc["id"])),
                   "_source": document_source(doc)}
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
    @_unavailable
    def _search(self, query: SearchQuery, parsed: ParsedQuery, minimum: int) -> SearchResult:
        self._ensure()
        body = search_body(query, parsed, minimum)
        found = self.es.search(index=self.alias, **body)
        hits = []
        for h in found["hits"]["hits"]:
            source = h.get("_source") or {}
            hits.append(Hit(id=int(h["_id"]), score=float(h.get("_score") or 0.0),
                            highlights=self._highlights(source, parsed), next_free=stored_next_free(source)))
        total = found["hits"]["total"]["value"]
        facets = {}
        if query.with_facets:
            aggs = found.get("aggregations", {})
            facets = {facet: facet_buckets(aggs.get(facet, {}).get("values")) for facet in FACETS}
        return SearchResult(hits=hits, total=int(total), facets=facets)

    @_unavailable
    def _count_all(self, query: SearchQuery, parsed: ParsedQuery) -> int:
        self._ensure()
        return int(self.es.count(index=self.alias, query=count_query(query, parsed))["count"])

    @_unavailable
    def refresh_due(self, before: int) -> set[int]:
        self._ensure()
        out: set[int] = set()
        after = None
        while True:
            kwargs = {"search_after": after} if after is not None else {}
            page = self.es.search(index=self.alias, size=PAGE, sort=[{"id": "asc"}], source=False,
                                  query={"range": {"refresh_at": {"lte": int(before)}}},
                                  track_total_hits=False, **kwargs)
            hits = page["hits"]["hits"]
            out.update(int(h["_id"]) for h in hits)
            if len(hits) < PAGE:
                return out
            after = hits[-1]["sort"]

    @_unavailable
    def suggest_names(self, prefix: str, limit: int = 5) -> list[tuple[int, str]]:
        keys = [skeleton(w)[:12] for w in words(prefix)]
        keys = [k for k in keys if len(k) >= 2]
        if not keys:
            return []
        self._ensure()
        found = self.es.search(index=self.alias, query=suggest_query(keys), size=limit, source=["name"],
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
