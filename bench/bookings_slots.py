"""Speed of the free-slot computation for one practitioner over 60 days
(issue 17's target: p95 < 5 ms): the pure function (services.bookings.slots.free_slots,
data already in memory) and the loader (services.bookings.availability.profile_free_slots:
its three queries plus the function). It only prints figures.

    python bench/bookings_slots.py [--runs 200] [--bookings 200] [--days 60] [--database-url URL]

Data: a temporary SQLite database (or an empty PostgreSQL database given by
--database-url, migrated by the app) with one notary: Monday to Friday 09:00-13:00
and 14:00-18:00, Saturday 10:00-14:00, 30-minute slots with a 10-minute buffer,
2 hours' notice, 60 days ahead; 6 days off and 4 shortened days over the period;
--bookings active bookings (a third of them confirmed; some 60-minute services)
on free slots picked at random, and as many cancelled or declined ones
(which the loader skips in SQL)."""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402

SEED = 17
NOW = dt.datetime(2026, 3, 9, 2, 30)  # Monday 07:30 in Kazakhstan (naive UTC)


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def build(app, n_bookings: int, days: int) -> int:
    from sqlalchemy import select

    from portal.models.bookings import (
        AvailabilityException,
        Booking,
        BookingRules,
        BookingStatus,
        ServiceItem,
        WorkingHours,
    )
    from portal.models.catalog import Category
    from portal.models.practitioners import PractitionerProfile, ProfileStatus
    from portal.services.bookings.availability import profile_free_slots
    from portal.services.bookings.slots import to_local

    rnd = random.Random(SEED)
    sm = app.appbuilder.sm
    notary = db.session.scalars(select(Category).where(Category.code == "notary")).one()
    owner = sm.add_user(username="bench-notary@bench.alemtrust.kz", first_name="Bench", last_name="Notary",
                        email="bench-notary@bench.alemtrust.kz", role=[sm.find_role("Practitioner")],
                        password="Bench-pass-1")
    clients = [sm.add_user(username=f"bench-client{i}@bench.alemtrust.kz", first_name="Client",
                           last_name=str(i), email=f"bench-client{i}@bench.alemtrust.kz",
                           role=[sm.find_role("Client")], password="Bench-pass-1") for i in range(20)]
    profile = PractitionerProfile(user_id=owner.id, category_id=notary.id, status=ProfileStatus.APPROVED,
                                  city="Алматы", languages="kk,ru")
    db.session.add(profile)
    db.session.flush()
    for weekday in range(5):
        for a, b in ((9 * 60, 13 * 60), (14 * 60, 18 * 60)):
            db.session.add(WorkingHours(profile_id=profile.id, weekday=weekday, start_minute=a, end_minute=b))
    db.session.add(WorkingHours(profile_id=profile.id, weekday=5, start_minute=10 * 60, end_minute=14 * 60))
    db.session.add(BookingRules(profile_id=profile.id, slot_minutes=30, buffer_minutes=10,
                                min_notice_minutes=120, horizon_days=days, auto_confirm=False))
    today = to_local(NOW).date()
    for offset in rnd.sample(range(1, days), 10)[:6]:
        db.session.add(AvailabilityException(profile_id=profile.id, day=today + dt.timedelta(days=offset)))
    for offset in rnd.sample(range(1, days), 4):
        db.session.add(AvailabilityException(profile_id=profile.id, day=today + dt.timedelta(days=offset),
                                             start_minute=10 * 60, end_minute=12 * 60 + 30))
    short = ServiceItem(profile_id=profile.id, name_ru="Доверенность", name_kk="Сенімхат", price=5000,
                        duration_minutes=30)
    long = ServiceItem(profile_id=profile.id, name_ru="Наследство", name_kk="Мұра", price=25000,
                       duration_minutes=60)
    db.session.add_all([short, long])
    db.session.commit()

    end = NOW + dt.timedelta(days=days)
    free = profile_free_slots(profile.id, NOW, end, NOW)
    held: list[tuple[dt.datetime, dt.datetime]] = []
    for slot in rnd.sample(free, len(free)):  # free slots in random order, until n_bookings are held
        if len(held) >= n_bookings:
            break
        item = long if rnd.random() < 0.2 else short
        ends = slot.starts_at + dt.timedelta(minutes=item.duration_minutes)
        if any(slot.starts_at < e and s < ends for s, e in held):
            continue  # would overlap a 60-minute one
        held.append((slot.starts_at, ends))
        status = BookingStatus.CONFIRMED if rnd.random() < 0.33 else BookingStatus.REQUESTED
        db.session.add(Booking(profile_id=profile.id, client_id=rnd.choice(clients).id, service_item_id=item.id,
                               starts_at=slot.starts_at, ends_at=ends, status=status, price=item.price))
    for slot in rnd.sample(free, min(n_bookings, len(free))):  # inactive ones: they hold no time
        status = rnd.choice((BookingStatus.CANCELLED, BookingStatus.DECLINED))
        db.session.add(Booking(profile_id=profile.id, client_id=rnd.choice(clients).id, service_item_id=short.id,
                               starts_at=slot.starts_at, ends_at=slot.ends_at, status=status, price=short.price))
    db.session.commit()
    return profile.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--database-url", default="", help="an empty database (default: a temporary SQLite)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-bookings-")

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = config.database_url(args.database_url or f"sqlite:///{tmp}/bench.db")
        INSTANCE_PATH = tmp
        ADMIN_PASSWORD = "Bench-pass-1"
        LOAD_DEMO_DATA = False
        NOTIFY_SYNC = "worker"
        SEARCH_SYNC = "worker"
        SEARCH_INDEX_PATH = ":memory:"

    app = create_app(Bench)
    from portal.models.bookings import BookingStatus
    from portal.services.bookings import availability
    from portal.services.bookings.slots import free_slots, to_local

    with app.app_context():
        profile_id = build(app, args.bookings, args.days)
        end = NOW + dt.timedelta(days=args.days)
        rules = availability.slot_rules(profile_id)
        weekly = availability.weekly_hours(profile_id)
        exceptions = availability.date_exceptions(profile_id, to_local(NOW).date(), to_local(end).date())
        busy = availability.active_bookings(profile_id, NOW - dt.timedelta(hours=2), end + dt.timedelta(hours=2))
        from sqlalchemy import func, select

        from portal.models.bookings import Booking
        counts = dict(db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all())

        def pure():
            return free_slots(weekly=weekly, exceptions=exceptions, busy=busy, rules=rules,
                              start=NOW, end=end, now=NOW)

        def loader():
            result = availability.profile_free_slots(profile_id, NOW, end, NOW)
            db.session.rollback()  # as a request ends: the next run starts a new transaction
            return result

        figures = {}
        for name, call in (("pure function", pure), ("loader (3 queries + function)", loader)):
            slots = call()  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
            figures[name] = (len(slots), *percentiles(times))
        dialect = db.engine.dialect.name

    active = sum(counts.get(s, 0) for s in BookingStatus.ACTIVE)
    print(f"Free slots over {args.days} days for one practitioner ({dialect}); {args.runs} runs each")
    print(f"  data: Mon-Fri 09-13 + 14-18, Sat 10-14, slot 30 + buffer 10, notice 2 h; "
          f"{len(exceptions)} changed dates; {active} active bookings "
          f"({counts.get(BookingStatus.CONFIRMED, 0)} confirmed), {sum(counts.values()) - active} inactive")
    print(f"  {'':32} {'slots':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (n, p50, p95) in figures.items():
        print(f"  {name:32} {n:6d} {p50:8.3f} {p95:8.3f}")
    print("  target: p95 < 5 ms")


if __name__ == "__main__":
    main()
