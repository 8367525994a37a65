"""Search by free time and price list (issue 17) at 100k profiles: the "has free time
this week" filter, the earliest-free-slot sort and the service filter with the price sort,
each side by side with the same query without it; then the per-profile free-slot
computation that indexing does (60 days). It only prints figures.

    python bench/bookings_search.py [--size 100000] [--runs 200] [--osmem] [--skip-slots]

* Documents are synthetic (fixed seed) and go straight into the backend, as the
  outbox would write them (documents.profile_document's fields, free time already
  computed): 40 % of the profiles take bookings; of those, 60 % have a free slot
  this week, 25 % later within 60 days, 15 % none; 1-5 price-list services each.
* The embedded (tantivy) backend is always measured; Elasticsearch as well when
  ELASTICSEARCH_URL is set, or on an osmem-server started here with --osmem (as
  bench/search.py does).
* The queries only read the indexed fields: no per-profile computation at query time.
* The free-slot computation: one notary from bench/bookings_slots.py (temporary SQLite),
  60 days: availability.profile_free_slots, free_time.free_time (what a document needs:
  the week, then the rest of the horizon when the week is full) and free_time.free_times
  (the batch loader documents use, for a chunk of one profile)."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bookings_slots import NOW as SLOTS_NOW  # noqa: E402
from bench.bookings_slots import build as build_notary  # noqa: E402
from bench.search import _plain_json_node_class, measure, start_osmem  # noqa: E402

SEED = 1717
NOW = dt.datetime(2026, 3, 9, 4, 0)  # Monday 09:00 in Kazakhstan (naive UTC)
CATEGORIES = ("notary", "advocate", "consultant", "expert", "bailiff")
REGIONS = ("KZ-75", "KZ-71", "KZ-79", "KZ-55", "KZ-35", "KZ-23", "KZ-47", "KZ-15")
SERVICES = (  # (ru, kk, en, price)
    ("Доверенность", "Сенімхат", "Power of attorney", 5000),
    ("Доверенность на автомобиль", "Көлікке сенімхат", "Power of attorney for a car", 6000),
    ("Согласие на выезд ребёнка", "Баланың шығуына келісім", "Consent for a child's travel", 4000),
    ("Свидетельствование копии", "Көшірмені куәландыру", "Certified copy", 1000),
    ("Наследство", "Мұра", "Inheritance", 25000),
    ("Договор купли-продажи", "Сатып алу-сату шарты", "Purchase agreement", 30000),
    ("Брачный договор", "Неке шарты", "Marriage contract", 20000),
    ("Консультация", "Кеңес", "Consultation", 10000),
    ("Составление иска", "Талап арыз жазу", "Drafting a claim", 30000),
    ("Представительство в суде", "Сотта өкілдік ету", "Court representation", 80000),
    ("Оценка имущества", "Мүлікті бағалау", "Property valuation", 35000),
    ("Регистрация ТОО", "ЖШС тіркеу", "LLP registration", 40000),
)
ABOUT = {
    "notary": "Нотариус: доверенности, наследство, сделки с недвижимостью, согласия и копии.",
    "advocate": "Адвокат по гражданским и уголовным делам, развод, алименты, споры.",
    "consultant": "Юридический консультант: договоры, налоги, регистрация бизнеса.",
    "expert": "Судебный эксперт: оценка, автотехническая и почерковедческая экспертиза.",
    "bailiff": "Частный судебный исполнитель: взыскание долгов и алиментов.",
}
NAMES = ("Айгерім", "Ерлан", "Гүлнар", "Сергей", "Динара", "Асхат", "Ольга", "Нұрлан", "Мәдина", "Виктор")
SURNAMES = ("Жұмабеков", "Сапаров", "Омаров", "Ахметов", "Иванов", "Ким", "Петренко", "Қасымов", "Оспанов")


def documents(n: int):
    """n synthetic search documents (fixed seed); the analysed texts are made once per variant."""
    from portal.search.backend import NO_PRICE, quality_weight
    from portal.search.free_time import FreeTime
    from portal.search.normalize import prefixes
    from portal.search.phrases import analyzed

    rng = random.Random(SEED)
    about = {c: analyzed(t) for c, t in ABOUT.items()}
    tags = {c: analyzed(c) for c in CATEGORIES}
    names = {(a, b): (f"{a} {b}", analyzed(f"{a} {b}"), " ".join(prefixes(f"{a} {b}")))
             for a in NAMES for b in SURNAMES}
    service_text = {i: analyzed(" ".join(s[:3])) for i, s in enumerate(SERVICES)}
    for pid in range(1, n + 1):
        cat = rng.choice(CATEGORIES)
        region = rng.choice(REGIONS)
        name, t_name, suggest = names[(rng.choice(NAMES), rng.choice(SURNAMES))]
        bookable = rng.random() < 0.4
        chosen = sorted(rng.sample(range(len(SERVICES)), rng.randint(1, 5))) if bookable else []
        free = FreeTime()
        if bookable:
            r = rng.random()
            if r < 0.6:
                free = FreeTime(True, NOW + dt.timedelta(minutes=30 * rng.randint(4, 7 * 48 - 1)))
            elif r < 0.85:
                free = FreeTime(False, NOW + dt.timedelta(days=7, minutes=30 * rng.randint(0, 53 * 48)))
        price_from = rng.choice((None, 5000, 10000, 20000, 50000))
        prices = [SERVICES[i][3] for i in chosen] + ([price_from] if price_from else [])
        rating, reviews = round(rng.uniform(3, 5), 2), rng.randint(0, 80)
        yield {
            "id": pid, "name": name, "category": cat, "home_region": region, "regions": [region],
            "specializations": [], "languages": ["kk", "ru"], "online": int(rng.random() < 0.3),
            "rating": rating, "reviews": reviews, "experience": rng.randint(0, 30),
            "price": min(prices) if prices else NO_PRICE, "quality": quality_weight(2 * rating),
            "t_name": t_name, "t_tags": tags[cat], "t_place": analyzed(region) if pid <= len(REGIONS) else "",
            "t_served": "", "t_about": " ".join([about[cat]] + [service_text[i] for i in chosen]),
            "t_services": " ".join(service_text[i] for i in chosen), "suggest": suggest,
            "about_ru": ABOUT[cat], "about_kk": "", "tags_text": cat, **free.fields(),
        }


PAIRS = (  # (name, the query without, the same with)
    ("browse: + free this week", {}, {"free_week": True}),
    ("text нотариус: + free this week", {"text": "нотариус"}, {"text": "нотариус", "free_week": True}),
    ("browse: sort earliest vs relevance", {}, {"sort": "earliest"}),
    ("earliest + free this week vs earliest", {"sort": "earliest"}, {"sort": "earliest", "free_week": True}),
    ("text+region: earliest + free week", {"text": "нотариус", "region": "KZ-75"},
     {"text": "нотариус", "region": "KZ-75", "sort": "earliest", "free_week": True}),
    ("sort price: + service доверенность", {"sort": "price"}, {"sort": "price", "service": "доверенность"}),
)


def bench_queries(backend, runs: int) -> list[tuple]:
    from portal.search.backend import SearchQuery

    rows = []
    for name, without, with_ in PAIRS:
        found = {}
        timings = []
        for label, params in (("without", without), ("with", with_)):
            query = SearchQuery(per_page=12, **params)
            found[label] = backend.search(query).total
            timings.append(measure(lambda q=query: backend.search(q), runs))
        rows.append((name, timings[0], found["without"], timings[1], found["with"]))
    return rows


def index_into(backend, n: int) -> float:
    started = time.perf_counter()
    backend.rebuild(documents(n))
    return time.perf_counter() - started


def bench_slots(runs: int) -> list[tuple[str, int, float, float]]:
    """The per-profile free-slot computation, bookings_slots.py style (60 days)."""
    import config
    from portal import create_app
    from portal.core.extensions import db
    from portal.search.free_time import free_time, free_times
    from portal.services.bookings.availability import profile_free_slots

    tmp = tempfile.mkdtemp(prefix="bench-bookings-search-")

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"
        INSTANCE_PATH = tmp
        ADMIN_PASSWORD = "Bench-pass-1"
        LOAD_DEMO_DATA = False
        NOTIFY_SYNC = "worker"
        SEARCH_SYNC = "worker"
        SEARCH_INDEX_PATH = ":memory:"

    app = create_app(Bench)
    out = []
    with app.app_context():
        from sqlalchemy import update

        from portal.models.catalog import Category

        pid = build_notary(app, 200, 60)
        db.session.execute(update(Category).where(Category.code == "notary").values(takes_bookings=True))
        db.session.commit()
        now = SLOTS_NOW
        end = now + dt.timedelta(days=60)
        calls = (
            ("profile_free_slots, 60 days", lambda: len(profile_free_slots(pid, now, end, now))),
            ("free_time (a document's fields)", lambda: int(free_time(pid, now).free_week)),
            ("free_times, a chunk of 1", lambda: len(free_times(db.session, [pid], now))),
        )
        for name, call in calls:
            n = call()

            def one(call=call):
                call()
                db.session.rollback()

            timing = measure(one, runs)
            out.append((name, n, timing.p50, timing.p95))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--osmem", action="store_true", help="also Elasticsearch on a local osmem-server")
    parser.add_argument("--skip-slots", action="store_true")
    args = parser.parse_args()
    import logging

    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    from portal.search.elastic import ElasticBackend
    from portal.search.embedded import EmbeddedBackend

    with contextlib.ExitStack() as stack:
        engines = [("embedded", lambda: EmbeddedBackend(tempfile.mkdtemp(prefix="bench-bs-")))]
        if os.environ.get("ELASTICSEARCH_URL"):
            engines.append(("elasticsearch", lambda: ElasticBackend(
                os.environ["ELASTICSEARCH_URL"], index="bench-bookings-search", timeout=120)))
        if args.osmem:
            url = stack.enter_context(start_osmem())
            engines.append(("osmem", lambda: ElasticBackend(
                url, index="bench-bookings-search", node_class=_plain_json_node_class(), timeout=120)))
        for name, make in engines:
            backend = make()
            seconds = index_into(backend, args.size)
            print(f"\n{name}: {backend.count():,} documents indexed in {seconds:.1f} s; "
                  f"{args.runs} runs per query, page of 12 with facets")
            print("| query | without p50 / p95 ms | hits | with p50 / p95 ms | hits |")
            print("|---|---:|---:|---:|---:|")
            for row_name, a, na, b, nb in bench_queries(backend, args.runs):
                print(f"| {row_name} | {a.p50:.2f} / {a.p95:.2f} | {na:,} | {b.p50:.2f} / {b.p95:.2f} | {nb:,} |")
            if isinstance(backend, ElasticBackend):
                backend.drop()
            backend.close()
    if not args.skip_slots:
        print(f"\nFree-slot computation for one notary (bookings_slots.py data, SQLite), {args.runs} runs")
        print("| computation | result | p50 ms | p95 ms |")
        print("|---|---:|---:|---:|")
        for name, n, p50, p95 in bench_slots(args.runs):
            print(f"| {name} | {n} | {p50:.3f} | {p95:.3f} |")
        print("target (issue 17): p95 < 5 ms")


if __name__ == "__main__":
    main()
