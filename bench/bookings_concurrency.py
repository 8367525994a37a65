"""Fifty clients at one slot on PostgreSQL (issue 17: exactly one booking). It only
prints figures.

    python bench/bookings_concurrency.py --database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB \
        [--attempts 50] [--rounds 20]

Each round, --attempts threads (each its own app context, session and connection)
book the same slot of one notary through services.bookings.booking.book, in two
modes side by side:

- "gate": the threads start together (an event) and run as the timing falls;
- "barrier": every thread waits after the service's own free-slot check until all
  have passed it, so every one of them writes and only the database decides.

Printed per mode: bookings made per round (must be exactly 1), losers that got the
"just booked" message with next free slots, other outcomes (must be 0), and the
median and p95 time of one attempt (a winner's or a loser's)."""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402

NOW = dt.datetime(2026, 3, 1, 3, 0)  # Sunday 08:00 in Kazakhstan (naive UTC)
FIRST = dt.datetime(2026, 3, 9, 4, 0)  # Monday 09:00 local: the first slot of the rounds
TIMEOUT = 60


def build(app, attempts: int):
    from sqlalchemy import select

    from portal.models.bookings import BookingRules, ServiceItem, WorkingHours
    from portal.models.catalog import Category
    from portal.models.practitioners import PractitionerProfile, ProfileStatus

    sm = app.appbuilder.sm
    notary = db.session.scalars(select(Category).where(Category.code == "notary")).one()
    notary.takes_bookings = True
    owner = sm.add_user(username="race-notary@bench.alemtrust.kz", first_name="Race", last_name="Notary",
                        email="race-notary@bench.alemtrust.kz", role=[sm.find_role("Practitioner")],
                        password="Bench-pass-1")
    clients = [sm.add_user(username=f"race{i}@bench.alemtrust.kz", first_name="Client", last_name=str(i),
                           email=f"race{i}@bench.alemtrust.kz", role=[sm.find_role("Client")],
                           password="Bench-pass-1").id for i in range(attempts)]
    profile = PractitionerProfile(user_id=owner.id, category_id=notary.id, status=ProfileStatus.APPROVED,
                                  city="Алматы", languages="kk,ru")
    db.session.add(profile)
    db.session.flush()
    for weekday in range(7):
        db.session.add(WorkingHours(profile_id=profile.id, weekday=weekday, start_minute=0, end_minute=24 * 60))
    db.session.add(BookingRules(profile_id=profile.id, slot_minutes=30, min_notice_minutes=0, horizon_days=90))
    item = ServiceItem(profile_id=profile.id, name_ru="Доверенность", name_kk="Сенімхат", price=5000,
                       duration_minutes=30)
    db.session.add(item)
    db.session.commit()
    return profile.id, item.id, clients


def race(app, profile_id, item_id, clients, starts_at, barrier_mode: bool):
    from portal.models.accounts import PortalUser
    from portal.services.bookings import booking as svc

    n = len(clients)
    gate = threading.Event()
    barrier = threading.Barrier(n)
    results: list = [None] * n
    times: list = [0.0] * n
    local = threading.local()

    real = svc._is_free

    def checked(*args, **kwargs):
        free = real(*args, **kwargs)
        if getattr(local, "barrier", False):
            barrier.wait(TIMEOUT)
        return free

    svc._is_free = checked

    def worker(i):
        local.barrier = barrier_mode
        with app.app_context():
            user = db.session.get(PortalUser, clients[i])
            db.session.commit()
            gate.wait(TIMEOUT)
            started = time.perf_counter()
            try:
                results[i] = svc.book(user, profile_id, item_id, starts_at, "", NOW).id
            except Exception as exc:  # noqa: BLE001 - counted below
                results[i] = exc
            finally:
                times[i] = (time.perf_counter() - started) * 1000
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(TIMEOUT)
    svc._is_free = real
    made = sum(isinstance(r, int) for r in results)
    told = sum(isinstance(r, svc.SlotTaken) and bool(r.next_slots) for r in results)
    other = n - made - told
    return made, told, other, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-race-")

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = config.database_url(args.database_url)
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": args.attempts + 5, "max_overflow": 0}
        INSTANCE_PATH = tmp
        ADMIN_PASSWORD = "Bench-pass-1"
        LOAD_DEMO_DATA = False
        NOTIFY_SYNC = "worker"
        SEARCH_SYNC = "worker"
        SEARCH_INDEX_PATH = ":memory:"

    app = create_app(Bench)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this bench needs PostgreSQL")
        profile_id, item_id, clients = build(app, args.attempts)
    print(f"{args.attempts} concurrent attempts at one slot, {args.rounds} rounds per mode (PostgreSQL)")
    print(f"  {'mode':8} {'bookings/round':>15} {'told+next':>10} {'other':>6} {'p50 ms':>8} {'p95 ms':>8}")
    slot = 0
    for mode in ("gate", "barrier"):
        per_round, told_all, other_all, all_times = [], 0, 0, []
        for _ in range(args.rounds):
            starts_at = FIRST + dt.timedelta(minutes=30 * slot)
            slot += 1
            made, told, other, times = race(app, profile_id, item_id, clients, starts_at, mode == "barrier")
            per_round.append(made)
            told_all += told
            other_all += other
            all_times += times
        all_times.sort()
        spread = f"{min(per_round)}..{max(per_round)}"
        print(f"  {mode:8} {spread:>15} {told_all:10d} {other_all:6d} {statistics.median(all_times):8.1f} "
              f"{all_times[int(len(all_times) * 0.95) - 1]:8.1f}")
    print("  expected: exactly 1 booking per round, every other attempt told with next free slots, 0 other")


if __name__ == "__main__":
    main()
