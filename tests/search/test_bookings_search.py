"""Search by price list and free time (issue 17), on both engines: the "has free time
this week" filter, the earliest-free-slot sort, the service filter and the price sort,
kept in step through the search outbox (bookings, hours, rules, exceptions, the price
list) and refreshed as time passes (sync.refresh_free_time / FreeTimeRefresh, a clock
passed in). Each test swaps a fresh backend of its kind in as the app's backend, so the
outbox applies changes to it exactly as in production."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import (
    AvailabilityException,
    BookingRules,
    BookingStatus,
    ServiceItem,
    WorkingHours,
)
from portal.models.search import SearchOutbox
from portal.search import SearchQuery, sync
from portal.search.backend import NO_SLOT
from portal.search.documents import public_documents
from portal.search.elastic import ElasticBackend
from portal.search.embedded import EmbeddedBackend
from portal.search.free_time import FreeTime, epoch, free_times, from_epoch
from portal.services.bookings.availability import profile_free_slots
from portal.services.bookings.slots import local_day_start, to_local
from tests import search_servers
from tests.bookings.helpers import add_exception, booking_row, make_service_item, set_hours
from tests.factories import category, make_profile, make_user


@pytest.fixture(params=("embedded", "elasticsearch"))
def engine(app, request):
    """A fresh backend of the test's kind as the app's backend (the outbox writes to it)."""
    if request.param == "embedded":
        backend = EmbeddedBackend(None)
    else:
        backend = ElasticBackend(search_servers.elasticsearch_url(), index=f"book-{uuid.uuid4().hex}",
                                 node_class=search_servers.node_class(), timeout=10)
        backend.ensure_index()
    previous = app.extensions.get("search")
    app.extensions["search"] = backend
    yield backend
    app.extensions["search"] = previous
    if isinstance(backend, ElasticBackend):
        backend.drop()
    backend.close()


@pytest.fixture
def worker_mode(app, monkeypatch):
    """The outbox waits for the worker (sync.drain) instead of applying at each commit."""
    monkeypatch.setitem(app.config, "SEARCH_SYNC", "worker")


def notary(app, **fields):
    cat = category("notary")
    cat.takes_bookings = True
    db.session.commit()
    user = make_user(app.appbuilder.sm, ("Client", "Practitioner"), first_name="Нотариус",
                     last_name="Book" + uuid.uuid4().hex[:8])
    profile = make_profile(user, category_code="notary")
    for name, value in fields.items():
        setattr(profile, name, value)
    db.session.commit()
    return profile


def today() -> dt.date:
    return to_local(utcnow()).date()


def one_slot(profile, days_ahead: int, at: str = "10:00", until: str = "10:30") -> dt.datetime:
    """The profile works one half hour on a local date ``days_ahead`` from today: its only slot."""
    day = today() + dt.timedelta(days=days_ahead)
    add_exception(profile, day, at, until)
    hours, minutes = map(int, at.split(":"))
    return local_day_start(day) + dt.timedelta(hours=hours, minutes=minutes)


def ids(engine, **kw) -> list[int]:
    kw.setdefault("per_page", 100)
    return engine.search(SearchQuery(**kw)).ids


def ids_on_page(html: str) -> list[int]:
    return [int(i) for i in re.findall(
        r'class="profile-card-name"><a href="(?:/kk|/ru|/en)?/practitioners/(\d+)"', html)]


def outbox_profiles() -> set[int]:
    return set(db.session.scalars(select(SearchOutbox.entity_id)))


@pytest.fixture
def people(app, engine):
    """soon: one slot in 2 days; later: one in 4 days; far: one in 12 days (not this week);
    none: a bookable category, no hours; advocate: a category without bookings."""
    p = SimpleNamespace()
    p.soon, p.later, p.far, p.none = (notary(app) for _ in range(4))
    p.soon_at = one_slot(p.soon, 2)
    p.later_at = one_slot(p.later, 4)
    p.far_at = one_slot(p.far, 12)
    user = make_user(app.appbuilder.sm, ("Client", "Practitioner"), first_name="Адвокат", last_name="Book")
    p.advocate = make_profile(user)
    add_exception(p.advocate, today() + dt.timedelta(days=2), "10:00", "12:00")  # no bookings in its category
    p.client = make_user(app.appbuilder.sm)
    return p


# --- the filter and the sort -------------------------------------------------------
def test_free_this_week_filter(engine, people):
    assert set(ids(engine, free_week=True)) == {people.soon.id, people.later.id}
    everyone = {people.soon.id, people.later.id, people.far.id, people.none.id, people.advocate.id}
    assert set(ids(engine)) == everyone       # without the filter: everybody
    # the filter combines with the text and the other filters
    assert ids(engine, category="advocate", free_week=True) == []
    assert set(ids(engine, text="нотариус", free_week=True)) == {people.soon.id, people.later.id}
    assert set(ids(engine, free_week=True, category="notary")) == {people.soon.id, people.later.id}


def test_documents_hold_the_free_time(engine, people):
    docs = {d["id"]: d for d in public_documents([people.soon.id, people.far.id, people.none.id])}
    assert docs[people.soon.id]["free_week"] == 1
    assert from_epoch(docs[people.soon.id]["next_free"]) == people.soon_at
    assert from_epoch(docs[people.soon.id]["refresh_at"]) == people.soon_at
    assert docs[people.far.id]["free_week"] == 0
    assert from_epoch(docs[people.far.id]["next_free"]) == people.far_at
    assert from_epoch(docs[people.far.id]["refresh_at"]) == people.far_at - dt.timedelta(days=7)
    assert docs[people.none.id]["free_week"] == 0
    assert docs[people.none.id]["next_free"] == docs[people.none.id]["refresh_at"] == NO_SLOT


def free_time(profile_id: int, now: dt.datetime) -> FreeTime:
    """The reference: one profile's free time through availability.profile_free_slots (the
    week first, the rest of its horizon only when the week has no free slot)."""
    week = profile_free_slots(profile_id, now, now + dt.timedelta(days=7), now)
    if week:
        return FreeTime(True, week[0].starts_at)
    later = profile_free_slots(profile_id, now + dt.timedelta(days=7), now + dt.timedelta(days=366), now)
    return FreeTime(False, later[0].starts_at if later else None)


def test_batch_computation_matches_profile_free_slots(engine, people, app):
    """The documents' per-chunk loader gives what availability.profile_free_slots gives."""
    set_hours(people.none, {0: [("09:00", "13:00")], 3: [("14:00", "18:00")]}, slot_minutes=45,
              buffer_minutes=15, min_notice_minutes=60, horizon_days=30)
    now = utcnow()
    pids = [people.soon.id, people.later.id, people.far.id, people.none.id]
    batch = free_times(db.session, pids, now)
    assert batch == {pid: free_time(pid, now) for pid in pids}
    assert people.advocate.id not in free_times(db.session, [people.advocate.id], now)


def test_earliest_free_slot_sort(engine, people):
    order = ids(engine, sort="earliest")
    assert order[:3] == [people.soon.id, people.later.id, people.far.id]
    assert set(order[3:]) == {people.none.id, people.advocate.id}     # no free slot: last
    assert ids(engine, sort="earliest", free_week=True) == [people.soon.id, people.later.id]


def test_search_page_and_api(engine, people, client):
    page = client.get("/practitioners/?free_week=1&sort=earliest&_l_=ru", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Есть свободное время на этой неделе" in html or "Has free time this week" in html
    assert 'name="service"' in html and 'name="free_week" value="1" checked' in html
    assert ids_on_page(html) == [people.soon.id, people.later.id]
    data = client.get("/api/v1/search/?free_week=1&sort=earliest").get_json()
    assert [r["id"] for r in data["results"]] == [people.soon.id, people.later.id]
    assert data["results"][0]["next_free_at"] == people.soon_at.isoformat() + "Z"
    everyone = client.get("/api/v1/search/?sort=earliest").get_json()["results"]
    assert [r["next_free_at"] is None for r in everyone] == [False, False, False, True, True]
    assert html.count('class="profile-card-free"') == 2
    bad = client.get("/api/v1/search/?service=" + "д" * 101)
    assert bad.status_code == 400 and "service" in bad.get_json()["errors"]
    assert client.get("/practitioners/?service=" + "д" * 101, follow_redirects=True).status_code == 200


# --- the outbox keeps it in step ------------------------------------------------------
def test_booking_the_last_slot_of_the_week_removes_the_profile_after_the_drain(
        engine, people, app, worker_mode):
    item = make_service_item(people.soon)
    sync.drain(app)
    row = booking_row(people.soon, people.client, item, people.soon_at)
    db.session.commit()
    assert people.soon.id in outbox_profiles()                   # queued in the booking's transaction
    assert people.soon.id in ids(engine, free_week=True)         # stale until the outbox is applied
    assert sync.drain(app) == (1, 0)
    assert ids(engine, free_week=True) == [people.later.id]
    assert ids(engine, sort="earliest")[:2] == [people.later.id, people.far.id]
    # cancelled: the slot is free again
    row.status = BookingStatus.CANCELLED
    db.session.commit()
    sync.drain(app)
    assert set(ids(engine, free_week=True)) == {people.soon.id, people.later.id}


def test_booking_fields_that_do_not_change_free_time_queue_nothing(engine, people, app, worker_mode):
    item = make_service_item(people.later)
    row = booking_row(people.later, people.client, item, people.later_at)
    db.session.commit()
    sync.drain(app)
    row.reminded_24h_at = utcnow()
    row.client_note = "Возьму паспорт"
    db.session.commit()
    assert outbox_profiles() == set()


@pytest.mark.parametrize("change", ["hours", "rules", "exception", "exception_removed", "service"])
def test_schedule_and_price_list_changes_queue_the_profile(engine, people, app, worker_mode, change):
    profile = people.far
    if change == "hours":
        db.session.add(WorkingHours(profile_id=profile.id, weekday=today().weekday(), start_minute=0,
                                    end_minute=1440))
        db.session.add(WorkingHours(profile_id=profile.id, weekday=(today().weekday() + 1) % 7,
                                    start_minute=0, end_minute=1440))
    elif change == "rules":
        db.session.add(BookingRules(profile_id=profile.id, horizon_days=5))
    elif change == "exception":
        add_exception(profile, today() + dt.timedelta(days=1), "09:00", "18:00")
    elif change == "exception_removed":
        db.session.delete(db.session.scalars(select(AvailabilityException).where(
            AvailabilityException.profile_id == profile.id)).one())
    else:
        make_service_item(profile, name_ru="Доверенность")
    db.session.commit()
    assert outbox_profiles() == {profile.id}
    sync.drain(app)
    if change in ("hours", "exception"):
        assert profile.id in ids(engine, free_week=True)
    elif change == "service":
        assert ids(engine, service="доверенность") == [profile.id]
    else:  # the horizon or the day off took its only slot away
        assert ids(engine, sort="earliest")[-3:].count(profile.id) == 1
        assert engine.refresh_due(NO_SLOT - 1) == {people.soon.id, people.later.id}


# --- the service filter and the price sort ----------------------------------------------
@pytest.fixture
def price_lists(app, engine):
    p = SimpleNamespace()
    p.cheap_list = notary(app, price_from=None)
    make_service_item(p.cheap_list, 6000, name_ru="Доверенность", name_kk="Сенімхат",
                      name_en="Power of attorney")
    make_service_item(p.cheap_list, 3000, name_ru="Копия документа", name_kk="Құжат көшірмесі",
                      name_en="Copy of a document")
    p.attorney = notary(app, price_from=None)
    make_service_item(p.attorney, 4000, name_ru="Доверенность на автомобиль", name_kk="Көлікке сенімхат",
                      name_en="Power of attorney for a car")
    p.contract = notary(app, price_from=50000)
    make_service_item(p.contract, 20000, name_ru="Договор купли-продажи", name_kk="Сатып алу-сату шарты",
                      name_en="Purchase agreement")
    p.inactive = notary(app, price_from=1000)
    make_service_item(p.inactive, 2000, name_ru="Доверенность", active=False)
    p.nothing = notary(app, price_from=None)
    return p


@pytest.mark.parametrize("service", ["доверенность", "Доверенности", "сенімхат", "power of attorney",
                                     "доверенось"])
def test_service_filter(engine, price_lists, service):
    p = price_lists
    assert set(ids(engine, service=service)) == {p.cheap_list.id, p.attorney.id}


def test_service_filter_needs_every_word_and_the_text_finds_services(engine, price_lists):
    p = price_lists
    assert ids(engine, service="доверенность автомобиль") == [p.attorney.id]
    assert ids(engine, service="купли продажи") == [p.contract.id]
    assert ids(engine, service="завещание") == []
    # the free text finds the services' names too (the inactive one is not indexed)
    assert set(ids(engine, text="сенімхат")) == {p.cheap_list.id, p.attorney.id}


def test_price_sort_uses_the_lowest_price_of_the_list(engine, price_lists):
    p = price_lists
    # the lowest of "price from" and the active services: 3000, 4000, 20000 (not 50000), 1000 (its
    # inactive 2000 does not count); without any price: last
    assert ids(engine, sort="price") == [p.inactive.id, p.cheap_list.id, p.attorney.id, p.contract.id,
                                         p.nothing.id]
    assert ids(engine, service="доверенность", sort="price") == [p.cheap_list.id, p.attorney.id]
    assert ids(engine, service="доверенность", max_price=3500) == [p.cheap_list.id]


def test_deactivating_a_service_reindexes_the_profile(engine, price_lists):
    p = price_lists
    item = db.session.scalars(select(ServiceItem).where(ServiceItem.profile_id == p.attorney.id)).one()
    item.active = False
    db.session.commit()                      # inline: applied at once
    assert ids(engine, service="доверенность") == [p.cheap_list.id]


# --- the periodic refresh (a clock passed in) ------------------------------------------
def test_refresh_requeues_profiles_whose_free_time_went_stale(engine, people, app, worker_mode):
    sync.drain(app)
    now = utcnow()
    assert sync.refresh_free_time(now) == 0          # nothing stale yet
    # the soon slot has passed (and the far one's is 10 days away: entering the week in 5)
    later = people.soon_at + dt.timedelta(minutes=1)
    assert sync.refresh_free_time(later) == 1
    assert outbox_profiles() == {people.soon.id}
    assert sync.drain(app, now=later) == (1, 0)       # the worker applies it as of its clock
    assert ids(engine, free_week=True) == [people.later.id]
    assert people.soon.id in ids(engine, sort="earliest")[-3:]
    # five days on: far's slot is within the week; soon is not queued again (nothing left to pass)
    entering = people.far_at - dt.timedelta(days=7) + dt.timedelta(minutes=1)
    assert sync.refresh_free_time(entering) == 2       # later's slot passed too, far entered the week
    assert outbox_profiles() == {people.later.id, people.far.id}
    sync.drain(app, now=entering)
    assert ids(engine, free_week=True) == [people.far.id]
    assert ids(engine, sort="earliest")[0] == people.far.id


def test_refresh_of_every_bookable_profile(engine, people, app, worker_mode):
    sync.drain(app)
    n = sync.refresh_free_time(utcnow(), everyone=True)
    # the bookable ones: a category taking bookings with hours (not "none", not the advocate)
    assert outbox_profiles() == {people.soon.id, people.later.id, people.far.id} and n == 3
    assert sync.refresh_free_time(utcnow(), everyone=True) == 0     # already waiting: not twice


def test_worker_refresh_runs_every_few_minutes_and_everyone_daily(engine, people, app, worker_mode):
    sync.drain(app)
    start = local_day_start(today()) + dt.timedelta(hours=9)      # 09:00 local today (in the past is fine)
    start = max(start, utcnow())
    clock = SimpleNamespace(now=start)
    refresh = sync.FreeTimeRefresh(every=300, clock=lambda: clock.now)
    assert refresh(app) == 3                                      # the first run: everyone
    sync.drain(app)
    clock.now += dt.timedelta(seconds=60)
    assert refresh(app) is None                                   # not due
    clock.now += dt.timedelta(seconds=300)
    assert refresh(app) == 0                                      # due; nothing went stale
    clock.now = people.soon_at + dt.timedelta(minutes=1)          # a later local day: everyone again
    assert to_local(clock.now).date() != to_local(start).date()
    assert refresh(app) == 3
    assert epoch(clock.now) > epoch(people.soon_at)


def test_outbox_counts_stay_small(engine, people, app, worker_mode):
    """A commit touching many rows of one profile queues it once."""
    for weekday in range(7):
        db.session.add(WorkingHours(profile_id=people.none.id, weekday=weekday, start_minute=540,
                                    end_minute=1080))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 1


def test_deleting_rows_loaded_in_an_earlier_transaction_queues_the_profile(engine, people, app, worker_mode):
    """The hook reads profile_id of deleted rows whose attributes the last commit expired."""
    item = make_service_item(people.later)
    exception = db.session.scalars(select(AvailabilityException).where(
        AvailabilityException.profile_id == people.far.id)).one()
    sync.drain(app)
    db.session.commit()                                   # expires both
    db.session.delete(item)
    db.session.delete(exception)
    db.session.commit()
    assert outbox_profiles() == {people.later.id, people.far.id}


def test_the_worker_runs_the_refresh(engine, people, app, worker_mode):
    """``flask portal worker --once``: the first pass re-queues every bookable profile."""
    sync.drain(app)
    bookable = {people.soon.id, people.later.id, people.far.id}    # (the worker ends the session)
    result = app.test_cli_runner().invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "free time refreshed for 3 profiles" in result.output
    assert outbox_profiles() == bookable


def test_an_index_of_the_older_schema_is_rebuilt(tmp_path):
    """An embedded index written before these fields existed is replaced, flagged for a
    rebuild from the database (services.search.ready_backend), not served or failed on."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    old = tmp_path / "profiles-1"
    old.mkdir()
    tantivy.Index(builder.build(), path=str(old))
    (tmp_path / "CURRENT").write_text("profiles-1")
    backend = EmbeddedBackend(str(tmp_path))
    assert backend.rebuild_reason == "schema"
    assert backend.count() == 0 and (tmp_path / "CURRENT").read_text() != "profiles-1"
    backend.bulk([{"id": 5, "name": "Б", "category": "notary", "home_region": "KZ-75", "regions": ["KZ-75"],
                   "specializations": [], "languages": ["kk"], "online": 0, "rating": 4.0, "reviews": 1,
                   "experience": 1, "price": 1000, "quality": 0.0, "t_name": "б", "t_tags": "", "t_place": "",
                   "t_served": "", "t_about": "", "t_services": "", "suggest": "", "about_ru": "", "about_kk": "",
                   "tags_text": "", "free_week": 1, "next_free": 2_000_000_000, "refresh_at": 2_000_000_000}])
    assert backend.search(SearchQuery(free_week=True)).ids == [5]
