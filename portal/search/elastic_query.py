"""Elasticsearch query bodies that answer exactly like the embedded (tantivy)
backend, which is the reference.

Every query is built from the same parts: per query group, a ``bool`` of
``should`` clauses over every text field (``term`` with the field weight for
exact tokens, ``fuzzy`` with one edit in ``constant_score`` for typos), filters
on keyword fields, a relevance blend with the profile's quality, and
disjunctive facets.

Relevance order (backend.py): the groups are ``should`` clauses with
``minimum_should_match`` (all of them, or 1); Elasticsearch has no coordination factor since 7,
so each group is ``must: [group, constant_score(match_all, group_score)]`` (its
text score plus the constant where it matches), as in tantivy; quality multiplies
the score as tantivy's weight_by_field does."""
from __future__ import annotations

from portal.search.backend import (
    BM25_K1,
    FACETS,
    FUZZY_WEIGHT,
    TEXT_FIELDS,
    SearchQuery,
    facet_field,
    group_score,
)
from portal.search.elastic_index import SOURCE_FIELDS
from portal.search.parsing import ParsedQuery

SORT_FIELDS = {"rating": ("rating", "desc"), "reviews": ("reviews", "desc"),
               "experience": ("experience", "desc"), "price": ("price", "asc"),
               "earliest": ("next_free", "asc")}
# Lucene's BM25 (Elasticsearch >= 7) leaves out the constant (k1 + 1) factor that
# tantivy's BM25 keeps; exact-term boosts are multiplied by it so a term scores
# the same in both engines, and so the balance between exact and fuzzy
# (constant-score) matches is the same.
EXACT_SCALE = BM25_K1 + 1
# tantivy's weight_by_field multiplies by log2(2 + quality); ln2p gives ln(2 + quality).
# Scaling by 1/ln 2 makes the scores themselves equal (the order would be the same anyway).
LN2P_TO_LOG2 = 1.4426950408889634
MAX_WINDOW = 10_000  # index.max_result_window: hits past it are not fetched (the total still is)
FUZZY_EXPANSIONS = 256  # one-edit neighbours of a token considered (tantivy takes them all)
FACET_SIZE = 200


def _group(group) -> dict:
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
        for token in group.near:
            clauses.append({"constant_score": {"filter": {"term": {field: token}},
                                               "boost": weight * FUZZY_WEIGHT}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def text_query(parsed: ParsedQuery, minimum: int) -> dict:
    """Profiles matching every group (``minimum`` >= their number) or any group, with
    coordination (backend.group_score)."""
    if parsed.is_empty:
        return {"match_all": {}}
    unit = {"constant_score": {"filter": {"match_all": {}}, "boost": group_score(parsed)}}
    n = len(parsed.groups)
    return {"bool": {"should": [{"bool": {"must": [_group(g), unit]}} for g in parsed.groups],
                     "minimum_should_match": n if minimum >= n else 1}}


def _facet_filters(query: SearchQuery, without: str | None = None) -> list:
    """Term filters of the active facets (category, region, specialization, language)."""
    return [{"term": {field: value}} for field, value in query.filters(without).items()
            if field != "online"]


def _other_filters(query: SearchQuery) -> list:
    """Filters that are not facets: online, minimum rating, maximum price."""
    out = []
    if query.online:
        out.append({"term": {"online": 1}})
    if query.min_rating is not None:
        out.append({"range": {"rating": {"gte": float(query.min_rating)}}})
    if query.max_price is not None:
        out.append({"range": {"price": {"lte": int(query.max_price)}}})
    if query.free_week:
        out.append({"term": {"free_week": 1}})
    for group in query.parsed_service.groups:
        out.append(_service_group(group))
    return out


def _service_group(group) -> dict:
    """A service-filter word: one of its forms (or concepts) or one typo in t_services
    (as the embedded engine's _service_group)."""
    clauses: list[dict] = [{"term": {"t_services": token}} for token in group.exact + group.near]
    clauses += [{"fuzzy": {"t_services": {"value": token, "fuzziness": 1, "prefix_length": 0,
                                           "transpositions": True, "max_expansions": FUZZY_EXPANSIONS}}}
                for token in group.fuzzy]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def search_body(query: SearchQuery, parsed: ParsedQuery, minimum: int) -> dict:
    """The keyword arguments of ``Elasticsearch.search`` for ``query``."""
    text = text_query(parsed, minimum)
    start = min((query.page - 1) * query.per_page, MAX_WINDOW)
    body: dict = {"track_total_hits": True, "from": start,
                  "size": max(0, min(query.per_page, MAX_WINDOW - start)),
                  "_source": ["id", "next_free", *SOURCE_FIELDS]}
    # Filters that are not facets narrow the query itself; facet filters go
    # to post_filter, so every facet can count with the *other* filters.
    facet_filters = _facet_filters(query)
    scored = {"bool": {"must": [text], "filter": _other_filters(query)}}
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
            others = _facet_filters(query, without=facet)
            aggs[facet] = {"filter": {"bool": {"filter": others}},
                           "aggs": {"values": {"terms": {"field": facet_field(query, facet),
                                                         "size": FACET_SIZE}}}}
        body["aggs"] = aggs
    elif facet_filters:
        scored["bool"]["filter"] += facet_filters
    return body


def count_query(query: SearchQuery, parsed: ParsedQuery) -> dict:
    """Profiles matching every group, with every filter of ``query``."""
    return {"bool": {"must": [text_query(parsed, len(parsed.groups))],
                     "filter": _other_filters(query) + _facet_filters(query)}}


def suggest_query(keys: list[str]) -> dict:
    """Profiles whose name has every one of ``keys`` (name-prefix skeletons), by quality."""
    return {"function_score": {
        "query": {"bool": {"must": [{"term": {"suggest": {"value": k, "boost": EXACT_SCALE}}}
                                    for k in keys]}},
        "functions": [{"field_value_factor": {"field": "quality", "modifier": "ln2p", "missing": 0},
                       "weight": LN2P_TO_LOG2}],
        "score_mode": "multiply", "boost_mode": "multiply"}}
