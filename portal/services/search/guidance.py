"""The guide to the right practitioner ("inheritance is handled by private
notaries") and the help a page without results offers: "did you mean" spellings
from the profiles' own words, related categories and a request with the text."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from sqlalchemy import select

from portal.core.extensions import db
from portal.models.catalog import Category
from portal.search import SearchQuery, SearchUnavailable, vocabulary
from portal.services import search as search_service  # its ready_backend, looked up when called
from portal.services.search import SearchPage

log = logging.getLogger(__name__)


@dataclass
class GuideItem:
    """"Inheritance is handled by private notaries": the situations of the query
    (concept names in the page's language) that belong to one category."""
    category: Category
    situations: list[str]
    count: int | None = None  # profiles of the category for this query (its facet), when known


def _concept_tokens(query: SearchQuery) -> list[str]:
    from portal.search.concepts import CONCEPT_PREFIX

    return [t for g in query.parsed.groups for t in g.exact + g.near if t.startswith(CONCEPT_PREFIX)]


def _situation_concepts(tokens: list[str], codes: set[str]) -> list:
    """The concepts of ``tokens`` that name a matter, not a kind of practitioner: the
    concepts of the categories themselves (``codes``: "нотариус") and the query-only
    ones ("юрист") guide nowhere new."""
    from portal.search import concepts

    by_token = concepts.current().by_token
    out = []
    for token in tokens:
        concept = by_token.get(token)
        if concept is not None and concept.categories and not concept.query_only \
                and concept.code not in codes and concept not in out:
            out.append(concept)
    return out


def guide(query: SearchQuery, page: SearchPage | None = None) -> list[GuideItem]:
    """Which kind of practitioner handles what the query names, one item per category
    (most specific first), leaving out the category the query is already filtered by."""
    from flask_babel import get_locale

    from portal.search.concepts import categories_for

    tokens = _concept_tokens(query)
    if not tokens:
        return []
    by_code = {c.code: c for c in db.session.scalars(select(Category))}
    situations = _situation_concepts(tokens, set(by_code))
    if not situations:
        return []
    locale = str(get_locale() or "en")
    counts = dict((v.value, v.count) for v in (page.facets.get("category", []) if page else []))
    out = []
    for code in categories_for(c.token for c in situations):
        if code == query.category or code not in by_code:
            continue
        names = [c.name(locale) for c in situations if code in c.categories]
        out.append(GuideItem(by_code[code], names, counts.get(code)))
    return out


@dataclass
class NoResults:
    """What a page without results offers: other spellings that find someone (from the
    words of the public profiles), related categories, and a request with the text."""
    did_you_mean: list[str]
    categories: list[Category]
    request_text: str


def no_results_help(query: SearchQuery, limit: int = 3) -> NoResults:
    """"Did you mean": the query with each word the profiles never use replaced by a
    word within one or two edits of it (the readable form the profiles use), kept
    when that query finds someone; at most ``limit``. Categories: those of the
    query's situations and of the corrections, else every category."""
    text = query.text.strip()
    corrections: list[str] = []
    if text:
        vocab = vocabulary.vocabulary()  # None while a large directory's table is being built
        spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W_]+", text)] if vocab else []
        options = [(start, end, vocab.near(word, limit)) for start, end, word in spans]
        options = [o for o in options if o[2]]
        candidates: list[str] = []
        for k in range(limit):
            if not options:
                break
            out, pos = [], 0
            for i, (start, end, near) in enumerate(options):
                # the first unknown word takes its k-th neighbour, the others their best
                choice = near[k] if i == 0 and k < len(near) else (near[0] if i else None)
                if choice is None:
                    break
                out += [text[pos:start], choice]
                pos = end
            else:
                candidates.append("".join(out) + text[pos:])
        try:
            search = search_service.ready_backend()
            for candidate in candidates:
                if candidate not in corrections and search.search(
                        replace(query, text=candidate, page=1, per_page=1, with_facets=False)).total:
                    corrections.append(candidate)
        except SearchUnavailable:
            log.exception("search backend failed while checking corrections")
            corrections = []
    from portal.services.practitioners import profiles

    by_code = {c.code: c for c in profiles.categories()}
    codes: list[str] = []
    for item in guide(query) + [g for c in corrections for g in guide(replace(query, text=c))]:
        if item.category.code not in codes:
            codes.append(item.category.code)
    categories = [by_code[c] for c in codes if c in by_code and c != query.category] or \
        [c for c in by_code.values() if c.code != query.category]
    return NoResults(corrections[:limit], categories, text[:REQUEST_TEXT_MAX])


REQUEST_TEXT_MAX = 500  # characters of the query carried into a new request's description
