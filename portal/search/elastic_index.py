"""The Elasticsearch index: settings, strict mappings, and the ``_source`` of a
document (:mod:`.documents`) as the mappings take it.

Documents carry tokens already normalised in Python (:mod:`.normalize`), so
the text fields only need a whitespace analyzer."""
from __future__ import annotations

from portal.search.backend import TEXT_FIELDS

KEYWORD_FIELDS = ("category", "home_region", "regions", "specializations", "languages")
SOURCE_FIELDS = ("name", "about_ru", "about_kk", "tags_text")

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
        # free time (documents.py, free_time.py): 0/1 and epoch seconds (UTC)
        "free_week": {"type": "byte"},
        "next_free": {"type": "long"},
        "refresh_at": {"type": "long"},
        "quality": {"type": "double"},
        **{name: _TOKENS for name in TEXT_FIELDS},
        # Name autocomplete: edge n-grams (2..12 letters) of the name's skeleton
        # words, made in Python (documents.prefixes), matched with term queries.
        "suggest": {"type": "text", "analyzer": "tokens", "index_options": "docs", "norms": True},
        # the service filter: tokens of the active price-list services' names
        "t_services": {"type": "text", "analyzer": "tokens", "index_options": "docs", "norms": False},
        # Shown, not searched (highlights are made in Python from these).
        **{name: _STORED for name in SOURCE_FIELDS},
    },
}


def document_source(doc: dict) -> dict:
    """The ``_source`` of a search document, typed for :data:`MAPPINGS`."""
    out = {"id": int(doc["id"])}
    for name in KEYWORD_FIELDS:
        values = doc[name] if isinstance(doc[name], list) else [doc[name]]
        out[name] = [v for v in values if v]      # "" would become a facet bucket
    for name in ("online", "reviews", "experience", "price", "free_week", "next_free", "refresh_at"):
        out[name] = int(doc[name])
    out["rating"] = float(doc["rating"])
    out["quality"] = float(doc["quality"])
    for name in TEXT_FIELDS:
        out[name] = doc[name] or ""
    out["suggest"] = doc["suggest"] or ""
    out["t_services"] = doc["t_services"] or ""
    for name in SOURCE_FIELDS:
        out[name] = doc.get(name) or ""
    return out
