"""Public practitioner search: one backend contract (:mod:`.backend`), two
engines (:mod:`.embedded` tantivy, :mod:`.elastic` Elasticsearch), shared text
normalisation (:mod:`.normalize`, :mod:`.phrases`, :mod:`.parsing`), documents built from the database
(:mod:`.documents`) and the outbox that keeps the index in step (:mod:`.sync`).

The backend is chosen once per app: Elasticsearch when ``ELASTICSEARCH_URL`` is
set, otherwise the embedded index in ``SEARCH_INDEX_PATH``."""
from __future__ import annotations

import os

from flask import Flask, current_app

from portal.search.backend import SearchBackend, SearchQuery, SearchResult, SearchUnavailable

__all__ = ["SearchBackend", "SearchQuery", "SearchResult", "SearchUnavailable", "backend",
           "init_app", "make_backend"]


def make_backend(app: Flask) -> SearchBackend:
    url = app.config["ELASTICSEARCH_URL"]
    if url:
        from portal.search.elastic import ElasticBackend

        return ElasticBackend(
            url, index=app.config["SEARCH_INDEX_NAME"],
            node_class=app.config["ELASTICSEARCH_NODE_CLASS"],
            timeout=app.config["ELASTICSEARCH_TIMEOUT"],
        )
    from portal.search.embedded import EmbeddedBackend

    path = app.config["SEARCH_INDEX_PATH"]
    if path == ":memory:":
        path = None
    elif not path:
        path = os.path.join(app.instance_path, "search")
    return EmbeddedBackend(path)


def init_app(app: Flask) -> None:
    from portal.search import sync

    app.extensions["search"] = None
    sync.register(app)


def backend(app: Flask | None = None) -> SearchBackend:
    """The app's backend, created on first use (so an unreachable server does
    not stop the portal from starting)."""
    app = app or current_app._get_current_object()
    if app.extensions.get("search") is None:
        app.extensions["search"] = make_backend(app)
    return app.extensions["search"]
