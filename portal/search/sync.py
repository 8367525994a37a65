"""Keeping the search index in step with the database (the source of truth).

* Every flush that changes something a public profile shows (the profile, its
  regions/specializations, its owner's name or status, a category,
  specialization or region name) inserts ``search_outbox`` rows in the same
  transaction, so a change is never committed without its outbox row.
* ``process_outbox`` applies due rows: it reads the profiles' current state,
  indexes the public ones, deletes the rest, and removes the rows. If the
  backend fails, the rows stay with a growing back-off (2, 4, 8 … 300 s).
* ``SEARCH_SYNC = "inline"`` (development) runs it right after each commit that
  wrote outbox rows; ``"worker"`` (production) leaves it to ``flask search worker``.
* Applying rows also drops the cached public pages they change (core.page_cache): the
  pages of each profile (``profile_tag``) and every listing (``LISTINGS``: home, search,
  categories). A review or a photo of a profile writes a row too, for its page.
"""
from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from portal.core import page_cache
from portal.core.clock import utcnow
from portal.core.outbox import InlineDrain, backoff, take
from portal.models.accounts import PortalUser
from portal.models.bookings import (
    AvailabilityException,
    Booking,
    BookingRules,
    ServiceItem,
    WorkingHours,
)
from portal.models.catalog import Category, Region, Specialization
from portal.models.exchange import Review
from portal.models.practitioners import (
    DocumentKind,
    PractitionerProfile,
    ProfileDocument,
    profile_regions,
    profile_specializations,
)
from portal.models.search import OutboxKind, SearchOutbox

log = logging.getLogger(__name__)
_REFERENCE = {Category: OutboxKind.CATEGORY, Specialization: OutboxKind.SPECIALIZATION,
              Region: OutboxKind.REGION}


# Rows of a profile's price list and availability: any change re-indexes the profile
# (its services and prices, its free_this_week / next_free_at fields).
_BOOKING_ROWS = (ServiceItem, WorkingHours, BookingRules, AvailabilityException)
# What of a booking changes the profile's free time (not its reminders or notes).
BOOKING_FIELDS = ("status", "starts_at", "ends_at", "profile_id")

# What a search document takes from the user row.
USER_FIELDS = ("first_name", "last_name", "status", "active", "region_id")

# Page-cache tags (core.page_cache) of the public pages, dropped when the outbox is applied.
LISTINGS = "listings"  # the home page, the search page, the category pages


def profile_tag(profile_id: int) -> str:
    """The tag of a profile's public pages (any language, any page of its reviews)."""
    return f"profile:{profile_id}"


def _changed(session: Session, obj) -> bool:
    return obj in session.new or obj in session.deleted or session.is_modified(obj)


def _user_changed(session: Session, user: PortalUser) -> bool:
    if user in session.deleted:
        return True
    attrs = inspect(user).attrs
    return any(attrs[name].history.has_changes() for name in USER_FIELDS)


def _fields_changed(session: Session, obj, names) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _profile_ids(obj) -> set[int]:
    """The profile of a price-list/availability/booking row, and its former one if it moved."""
    ids = {obj.profile_id} if obj.profile_id is not None else set()
    ids.update(v for v in inspect(obj).attrs["profile_id"].history.deleted or () if v is not None)
    return ids


def _after_flush(session: Session, flush_context) -> None:
    rows: set[tuple[str, int]] = set()
    user_ids = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, PractitionerProfile):
            if obj.id is not None and _changed(session, obj):
                rows.add((OutboxKind.PROFILE, obj.id))
        elif isinstance(obj, PortalUser):
            if obj.id is not None and obj not in session.new and _user_changed(session, obj):
                user_ids.append(obj.id)
        elif type(obj) in _REFERENCE and obj not in session.new and _changed(session, obj):
            rows.add((_REFERENCE[type(obj)], obj.id))
        elif isinstance(obj, (Review, ProfileDocument)) and obj.profile_id is not None \
                and _changed(session, obj):
            # shown on the profile page: its cached pages must go (and the index is refreshed)
            if isinstance(obj, Review) or obj.kind == DocumentKind.PHOTO:
                rows.add((OutboxKind.PROFILE, obj.profile_id))
        elif isinstance(obj, _BOOKING_ROWS) and _changed(session, obj):
            rows |= {(OutboxKind.PROFILE, pid) for pid in _profile_ids(obj)}
        elif isinstance(obj, Booking) and _fields_changed(session, obj, BOOKING_FIELDS):
            rows |= {(OutboxKind.PROFILE, pid) for pid in _profile_ids(obj)}
    conn = session.connection()
    if user_ids:
        found = conn.execute(select(PractitionerProfile.id).where(
            PractitionerProfile.user_id.in_(user_ids))).scalars()
        rows |= {(OutboxKind.PROFILE, pid) for pid in found}
    if not rows:
        return
    now = utcnow()
    conn.execute(insert(SearchOutbox.__table__), [
        {"kind": kind, "entity_id": entity_id, "created_at": now, "attempts": 0,
         "next_attempt_at": now} for kind, entity_id in sorted(rows)
    ])
    _inline.mark(session)


_inline = InlineDrain("search", "SEARCH_SYNC", lambda app: drain(app))


def register(app) -> None:
    _inline.register(after_flush=_after_flush)


def queue_categories(session: Session, category_ids) -> None:
    """Queue every profile of these categories for reindexing (e.g. after a change of the
    concept dictionary), applied after the commit like any other change when SEARCH_SYNC is inline."""
    now = utcnow()
    rows = [{"kind": OutboxKind.CATEGORY, "entity_id": cid, "created_at": now, "attempts": 0,
             "next_attempt_at": now} for cid in category_ids]
    if rows:
        session.connection().execute(insert(SearchOutbox.__table__), rows)
        _inline.mark(session)


def _expand(session: Session, rows: list[SearchOutbox]) -> set[int]:
    ids = {r.entity_id for r in rows if r.kind == OutboxKind.PROFILE}
    by_kind = {kind: [r.entity_id for r in rows if r.kind == kind] for kind in OutboxKind.ALL}
    if by_kind[OutboxKind.CATEGORY]:
        ids |= set(session.scalars(select(PractitionerProfile.id).where(
            PractitionerProfile.category_id.in_(by_kind[OutboxKind.CATEGORY]))))
    if by_kind[OutboxKind.SPECIALIZATION]:
        ids |= set(session.scalars(select(profile_specializations.c.profile_id).where(
            profile_specializations.c.specialization_id.in_(by_kind[OutboxKind.SPECIALIZATION]))))
    if by_kind[OutboxKind.REGION]:
        region_ids = by_kind[OutboxKind.REGION]
        ids |= set(session.scalars(select(profile_regions.c.profile_id).where(
            profile_regions.c.region_id.in_(region_ids))))
        ids |= set(session.scalars(select(PractitionerProfile.id).join(
            PortalUser, PortalUser.id == PractitionerProfile.user_id).where(
            PortalUser.region_id.in_(region_ids))))
    return ids


SEARCH_MARGIN = 30.0  # seconds kept free at the end of a lease for applying a batch


def process_outbox(app=None, limit: int = 500, now: dt.datetime | None = None,
                   lease: float | None = None) -> tuple[int, int]:
    """Apply due outbox rows to the backend. Returns (rows applied, rows failed).

    The rows are taken with a lease (core.outbox.take), applied, then deleted if still
    this worker's; a worker killed meanwhile leaves them to be taken again when the lease
    ends (applying a row twice is harmless: the document is rebuilt from the database)."""
    from portal.core.extensions import db
    from portal.search import backend as get_backend
    from portal.search.documents import public_documents

    app = app or current_app._get_current_object()
    now = now or utcnow()
    with Session(db.engine, expire_on_commit=False) as session:
        batch = take(session, SearchOutbox, (), now, limit, lease, margin=SEARCH_MARGIN)
        if batch is None:
            return 0, 0
        with batch:
            attempts = {row.id: row.attempts for row in batch.rows}
            try:
                ids = _expand(session, batch.rows)
                docs = list(public_documents(ids, session=session, now=now))  # free time as of now
                session.commit()  # end the read before the (slow) backend calls
                search = get_backend(app)
                search.bulk(docs)
                search.delete(ids - {d["id"] for d in docs})
                # the cached pages showing them (a failure here retries the rows, like the index)
                page_cache.invalidate(LISTINGS, *(profile_tag(pid) for pid in ids), app=app)
            except Exception as exc:
                session.rollback()
                error = f"{type(exc).__name__}: {exc}"[:1000]
                for row_id, tries in attempts.items():
                    batch.finish(row_id, commit=False, attempts=tries + 1, last_error=error,
                                 next_attempt_at=now + backoff(tries + 1))
                session.commit()
                log.warning("search: %d outbox rows failed (%s); retrying later", len(attempts), exc)
                return 0, len(attempts)
            return batch.drop(attempts), 0


def drain(app=None, now: dt.datetime | None = None, lease: float | None = None) -> tuple[int, int]:
    """Process every due row (batch after batch) until none is left or a batch fails."""
    done = failed = 0
    while True:
        ok, bad = process_outbox(app, now=now, lease=lease)
        done, failed = done + ok, failed + bad
        if bad or not ok:
            return done, failed


def backlog(session: Session) -> tuple[int, int]:
    """(rows waiting, rows that failed at least once)."""
    from sqlalchemy import func

    total = session.scalar(select(func.count()).select_from(SearchOutbox)) or 0
    failing = session.scalar(select(func.count()).select_from(SearchOutbox)
                             .where(SearchOutbox.attempts > 0)) or 0
    return total, failing


# --- free time going stale (free_time.py) ---------------------------------------
FREE_TIME_EVERY = 300.0  # seconds between two looks at the index for stale free time


def queue_profiles(session: Session, profile_ids) -> int:
    """Queue these profiles for reindexing (applied after the caller's commit, inline
    when SEARCH_SYNC is inline). Returns how many rows were written."""
    now = utcnow()
    rows = [{"kind": OutboxKind.PROFILE, "entity_id": pid, "created_at": now, "attempts": 0,
             "next_attempt_at": now} for pid in sorted(set(profile_ids))]
    if rows:
        session.connection().execute(insert(SearchOutbox.__table__), rows)
        _inline.mark(session)
    return len(rows)


def refresh_free_time(now: dt.datetime, everyone: bool = False, app=None) -> int:
    """Re-queue the profiles whose indexed free time went stale by ``now`` (naive UTC):
    those whose ``refresh_at`` has come (the earliest free slot passed, or a slot
    entered the week), and with ``everyone`` every bookable profile (new days enter
    the booking horizon). Bookings and schedule changes queue their profile at once
    (_after_flush); this covers the passing of time only. Commits; returns the rows
    queued. The search is never asked to compute: the index answers a range query."""
    from portal.core.extensions import db
    from portal.search import backend as get_backend
    from portal.search.backend import SearchUnavailable
    from portal.search.free_time import bookable_ids, epoch

    app = app or current_app._get_current_object()
    try:
        ids = set(get_backend(app).refresh_due(epoch(now)))
    except SearchUnavailable as exc:  # the outbox waits for the backend anyway
        log.warning("search: free-time refresh cannot read the index: %s", exc)
        ids = set()
    if everyone:
        ids |= bookable_ids(db.session)
    if not ids:
        return 0
    # already waiting in the outbox: not twice (the outbox is short; no IN list of 100k ids)
    waiting = set(db.session.scalars(select(SearchOutbox.entity_id).where(
        SearchOutbox.kind == OutboxKind.PROFILE)))
    n = queue_profiles(db.session, ids - waiting)
    db.session.commit()
    return n


class FreeTimeRefresh:
    """The worker's periodic free-time refresh: at most once per ``every`` seconds
    (the first call runs), ``refresh_free_time``; the first run of each Kazakhstan
    local date re-queues every bookable profile. ``clock`` gives naive UTC."""

    def __init__(self, every: float = FREE_TIME_EVERY, clock=utcnow):
        self.every, self.clock = every, clock
        self.last: dt.datetime | None = None
        self.last_day: dt.date | None = None

    def __call__(self, app=None) -> int | None:
        """Profiles queued, or None when it was not due."""
        from portal.search.free_time import local_date

        now = self.clock()
        if self.last is not None and (now - self.last).total_seconds() < self.every:
            return None
        day = local_date(now)
        everyone = day != self.last_day
        n = refresh_free_time(now, everyone=everyone, app=app)
        self.last, self.last_day = now, day
        return n
