"""Public practitioner search as the views and the API see it: run a query on
the backend, load the profiles it found from the database (the source of
truth: a hit that is no longer public is dropped), label the facets, and fall
back to the plain database directory when the backend is unreachable."""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core.extensions import db
from portal.core.paging import Page
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import SERVICE_LANGUAGES, PractitionerProfile, public_profiles
from portal.search import SearchQuery, SearchUnavailable, backend, sync, vocabulary
from portal.search import layout as layout_module
from portal.search.documents import public_documents, public_ids
from portal.search.free_time import from_epoch
from portal.search.parsing import parse_query

log = logging.getLogger(__name__)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchPage(Page):
    query: SearchQuery | None = None
    highlights: dict[int, dict] = field(default_factory=dict)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    relaxed: bool = False
    unavailable: bool = False
    layout_original: str = ""  # what was typed, when the results are for its keyboard-layout conversion
    next_free: dict[int, dt.datetime] = field(default_factory=dict)  # earliest free slot (naive UTC) as indexed


def _profiles_in_order(ids: list[int]) -> list[PractitionerProfile]:
    if not ids:
        return []
    rows = db.session.scalars(
        public_profiles().where(PractitionerProfile.id.in_(ids)).options(
            selectinload(PractitionerProfile.user).selectinload(PortalUser.region),
            selectinload(PractitionerProfile.category),
            selectinload(PractitionerProfile.regions),
            selectinload(PractitionerProfile.specializations),
            selectinload(PractitionerProfile.documents),  # the card shows the photo
        )
    ).all()
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]


def _labels() -> dict[str, dict[str, str]]:
    languages = current_app.config["LANGUAGES"]
    return {
        "category": {c.code: c.tr("name") for c in db.session.scalars(select(Category))},
        "region": {r.code: r.tr("name") for r in db.session.scalars(select(Region))},
        "specialization": {s.code: s.tr("name") for s in db.session.scalars(select(Specialization))},
        "language": {code: languages[code]["name"] for code in SERVICE_LANGUAGES if code in languages},
    }


_rebuilding = threading.Lock()


def ready_backend():
    """The app's search backend, rebuilt from the database first when the embedded index
    went missing (folder deleted) or opened empty while the database has public profiles:
    an empty index is never served as if nobody matched. Raises SearchUnavailable."""
    search = backend()
    if not hasattr(search, "rebuild_reason"):
        return search  # Elasticsearch: its own errors are SearchUnavailable already
    search.ensure_index()  # notices a deleted folder or a broken pointer before the search does
    if search.rebuild_reason is None:
        return search
    with _rebuilding:
        reason = getattr(search, "rebuild_reason", None)
        if reason is None:
            return search  # another request rebuilt it meanwhile
        if reason == "empty" and not public_ids():
            search.rebuild_reason = None  # empty because nobody is public: nothing to rebuild
            return search
        log.warning("search index %s (%s): rebuilding it from the database", reason,
                    getattr(search, "path", None) or search.name)
        try:
            count = reindex()
        except SearchUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001  (a database error while rebuilding)
            raise SearchUnavailable(f"rebuilding the search index failed: {exc}") from exc
        log.warning("search index rebuilt from the database: %s profiles", count)
    return search


def search_profiles(query: SearchQuery, layout: bool = True) -> SearchPage:
    """One page of results. With ``layout`` (the default), a query of which no profile
    matches every word and that looks typed with the wrong keyboard layout
    ("celt,ysq 'rcgthn") is run converted ("судебный эксперт"); when some profile
    matches every word of that, the page holds its results, with ``layout_original``
    set to what was typed and ``query.text`` to the conversion."""
    try:
        search = ready_backend()
        result = search.search(query)
        original = ""
        # nobody matches every word ("celt,ysq": "ysq" is "иск" in Latin letters, so the
        # ranked results may hold profiles matching a word of the junk)
        if layout and query.text and (result.total == 0 or result.relaxed):
            converted = wrong_layout(query.text)
            if converted:
                other = search.search(replace(query, text=converted))
                if other.total and not other.relaxed:
                    original, result, query = query.text, other, replace(query, text=converted)
    except SearchUnavailable:
        log.exception("search backend failed; falling back to the database directory")
        return _fallback(query)
    labels = _labels()
    facets = {
        name: [FacetValue(value, labels[name].get(value, value), count) for value, count in values
               if value in labels[name]]
        for name, values in result.facets.items()
    }
    return SearchPage(
        items=_profiles_in_order(result.ids), total=result.total, page=query.page,
        per_page=query.per_page, query=query,
        highlights={h.id: h.highlights for h in result.hits}, facets=facets, relaxed=result.relaxed,
        layout_original=original,
        next_free={h.id: from_epoch(h.next_free) for h in result.hits if h.next_free is not None},
    )


def wrong_layout(text: str) -> str | None:
    """The text the visitor meant when ``text`` looks typed with the wrong keyboard
    layout (portal.search.layout), else None. A conversion of nothing but stop words
    ("ЕРУ" -> "the") would list everybody: it is no correction."""
    converted = layout_module.convert(text)
    return converted if converted and not parse_query(converted).is_empty else None


def _fallback(query: SearchQuery) -> SearchPage:
    """The database directory (category, region and a substring filter) while
    the search backend is down."""
    from portal.services.practitioners import profiles

    category = profiles.find_category(query.category) if query.category else None
    region = profiles.find_region(query.region) if query.region else None
    page = profiles.directory(category_id=category.id if category else None,
                                   region_id=region.id if region else None, text=query.text,
                                   page=query.page, per_page=query.per_page)
    return SearchPage(items=page.items, total=page.total, page=page.page, per_page=page.per_page,
                      query=query, unavailable=True)


def categories_with_counts() -> list[tuple[Category, int]]:
    """Categories with their number of public profiles, from the index (one
    facet query instead of a count over every profile); from the database
    while the backend is down."""
    from portal.services.practitioners import profiles

    try:
        facets = ready_backend().search(SearchQuery(per_page=1)).facets.get("category", [])
    except SearchUnavailable:
        log.exception("search backend failed; counting categories in the database")
        return profiles.categories_with_counts()
    counts = dict(facets)
    return [(c, counts.get(c.code, 0)) for c in sorted(profiles.categories(), key=lambda c: (c.sort_order, c.id))]


def regions_with_counts() -> list[tuple[Region, int]]:
    """Regions with their number of public profiles (the region facet of an empty
    query), most practitioners first; regions without any are left out. From the
    database while the backend is down."""
    from portal.services.practitioners import profiles

    try:
        counts = dict(ready_backend().search(SearchQuery(per_page=1)).facets.get("region", []))
    except SearchUnavailable:
        log.exception("search backend failed; counting regions in the database")
        counts = {}
        for p in db.session.scalars(public_profiles().options(selectinload(PractitionerProfile.regions))):
            for r in p.regions:
                counts[r.code] = counts.get(r.code, 0) + 1
    rows = [(r, counts.get(r.code, 0)) for r in profiles.regions()]  # by name in the page's language
    return sorted((row for row in rows if row[1]), key=lambda row: -row[1])  # stable: equal counts stay by name


def reindex(progress=None) -> int:
    """Rebuild the index from the database, then catch up with changes made
    while it was being built. Returns the number of documents indexed."""
    search = backend()
    search.ensure_index()
    count = search.rebuild(public_documents(), progress=progress)
    vocabulary.invalidate()  # "did you mean" reads the profiles' words afresh
    # Profiles that became public or hidden during the rebuild.
    db_ids, index_ids = public_ids(), search.all_ids()
    search.delete(index_ids - db_ids)
    missing = db_ids - index_ids
    if missing:
        search.bulk(public_documents(missing))
    return count


@dataclass
class Status:
    backend: str
    indexed: int
    public: int
    backlog: int
    failing: int
    missing: int
    stale: int
    error: str = ""


def status() -> Status:
    ids = public_ids()
    waiting, failing = sync.backlog(db.session)
    name = current_app.config["ELASTICSEARCH_URL"] and "elasticsearch" or "embedded"
    try:
        search = backend()
        index_ids = search.all_ids()
        return Status(search.name, len(index_ids), len(ids), waiting, failing,
                      len(ids - index_ids), len(index_ids - ids))
    except Exception as exc:
        return Status(name, 0, len(ids), waiting, failing, len(ids), 0, error=str(exc))


# --- the search state in a URL -------------------------------------------------
PRICE_LIMIT = 100_000_000
SERVICE_LIMIT = 100  # characters of the service filter
SORT_LABELS = {
    "relevance": _l("Relevance"), "rating": _l("Rating"), "reviews": _l("Number of reviews"),
    "experience": _l("Experience"), "price": _l("Price, lowest first"),
    "earliest": _l("Earliest free time"),
}


def query_from_args(args, per_page: int) -> tuple[SearchQuery, dict[str, str]]:
    """A SearchQuery from URL parameters (the page and the JSON API take the
    same ones) and translated messages for the parameters that were ignored."""
    from flask_babel import gettext as _

    from portal.search.backend import SORTS

    errors: dict[str, str] = {}

    def code(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value[:64] or None

    def number(name: str, cast, low, high, message):
        raw = (args.get(name) or "").strip().replace(" ", "")
        if not raw:
            return None
        try:
            value = cast(raw.replace(",", "."))
        except ValueError:
            errors[name] = message
            return None
        if not low <= value <= high:
            errors[name] = message
            return None
        return value

    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        errors["sort"] = _("Unknown sort order; results are sorted by relevance.")
        sort = "relevance"
    language = code("language")
    if language and language not in SERVICE_LANGUAGES:
        errors["language"] = _("Unknown language of service; the filter was ignored.")
        language = None
    page = number("page", int, 1, 10_000, _("Page must be a whole number from 1."))
    service = " ".join((args.get("service") or "").split())
    if len(service) > SERVICE_LIMIT:
        errors["service"] = _("The service name is too long: at most %(n)d characters.", n=SERVICE_LIMIT)
        service = service[:SERVICE_LIMIT]
    query = SearchQuery(
        text=(args.get("q") or "")[:200],
        category=code("category"), region=code("region"),
        serves=(args.get("serves") or "") in ("1", "on", "true"),
        specialization=code("specialization"), language=language,
        online=(args.get("online") or "") in ("1", "on", "true"),
        min_rating=number("min_rating", float, 0, 5, _("Minimum rating must be a number from 0 to 5.")),
        max_price=number("max_price", int, 0, PRICE_LIMIT,
                         _("Maximum price must be a whole number of tenge.")),
        free_week=(args.get("free_week") or "") in ("1", "on", "true"),
        service=service,
        sort=sort, page=page or 1, per_page=per_page,
    )
    return query, errors


# --- the concept dictionary -----------------------------------------------------
def concepts_changed() -> None:
    """After a staff edit of the concept dictionary (committed by the caller): concept
    tokens live in the documents (index time), so every profile is queued for
    reindexing through the search outbox (one row per category), and this process
    re-reads the dictionary at once (the others within concepts.CHECK_SECONDS)."""
    from portal.search import concepts

    sync.queue_categories(db.session, list(db.session.scalars(select(Category.id))))
    concepts.invalidate()
