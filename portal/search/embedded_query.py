"""Queries of the embedded (tantivy) search backend, built from a SearchQuery: the text
query with coordination (see backend.py), the filters (facets, rating, price, free time,
the service words) and the two combined. The counterpart of elastic_query.py."""
from __future__ import annotations

from tantivy import FieldType, Occur, Query

from portal.search.backend import FUZZY_WEIGHT, TEXT_FIELDS, SearchQuery, group_score
from portal.search.parsing import ParsedQuery


def group_query(schema, group) -> Query:
    clauses = []
    for field, weight in TEXT_FIELDS.items():
        for token in group.exact:
            clauses.append((Occur.Should, Query.boost_query(
                Query.term_query(schema, field, token), weight)))
        for token in group.fuzzy:
            clauses.append((Occur.Should, Query.const_score_query(
                Query.fuzzy_term_query(schema, field, token, 1, True, False),
                weight * FUZZY_WEIGHT)))
        for token in group.near:
            clauses.append((Occur.Should, Query.const_score_query(
                Query.term_query(schema, field, token), weight * FUZZY_WEIGHT)))
    return Query.boolean_query(clauses)

def text_query(schema, parsed: ParsedQuery, minimum: int) -> Query:
    """Profiles matching every group (``minimum`` >= their number) or any group,
    with coordination: a matched group adds group_score(parsed) to its text
    score (see backend.py)."""
    if parsed.is_empty:
        return Query.all_query()
    # a group's text AND a constant matching every document: the group's text score
    # plus the constant where the group matches (the text evaluated once)
    unit = Query.const_score_query(Query.all_query(), group_score(parsed))
    occur = Occur.Must if minimum >= len(parsed.groups) else Occur.Should
    return Query.boolean_query([
        (occur, Query.boolean_query([(Occur.Must, group_query(schema, g)), (Occur.Must, unit)]))
        for g in parsed.groups])

def filter_clauses(schema, query: SearchQuery, without: str | None = None) -> list:
    clauses = []
    for field, value in query.filters(without).items():
        if field == "online":
            term = Query.term_query(schema, "online", 1)
        else:
            term = Query.term_query(schema, field, value)
        clauses.append((Occur.Must, Query.const_score_query(term, 0.0)))
    if query.min_rating is not None:
        clauses.append((Occur.Must, Query.range_query(
            schema, "rating", FieldType.Float, lower_bound=float(query.min_rating))))
    if query.max_price is not None:
        clauses.append((Occur.Must, Query.range_query(
            schema, "price", FieldType.Unsigned, upper_bound=int(query.max_price))))
    if query.free_week:
        clauses.append((Occur.Must, Query.const_score_query(
            Query.term_query(schema, "free_week", 1), 0.0)))
    for group in query.parsed_service.groups:
        clauses.append((Occur.Must, Query.const_score_query(service_group(schema, group), 0.0)))
    return clauses

def service_group(schema, group) -> Query:
    """A service-filter word: one of its forms (or concepts) or one typo in t_services."""
    clauses = [(Occur.Should, Query.term_query(schema, "t_services", token))
               for token in group.exact + group.near]
    clauses += [(Occur.Should, Query.fuzzy_term_query(schema, "t_services", token, 1, True, False))
                for token in group.fuzzy]
    return Query.boolean_query(clauses)

def combined(text: Query, filters: list) -> Query:
    if not filters:
        return text
    return Query.boolean_query([(Occur.Must, text)] + filters)
