"""The worker pool's throughput (issue 20): rows per second that 1, 2 and 4 ``flask portal
worker`` processes send from one mail outbox, side by side in one run. It only prints figures.

    python bench/workers.py --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        [--rows 2000] [--rounds 3] [--workers 1,2,4] [--lease 30]

--database-url names a PostgreSQL server (any database on it): the script creates a database
of its own there (``alemtrust_bench_workers_<pid>``), migrates it, and drops it at the end.

Each round runs every count in turn (so a change of the machine's load hits all alike): that
many real worker processes (``FLASK_APP='portal:create_app("config.ProductionConfig")'``, as
README's Production section, polling every 0.1 s) are started and left idle, --rows due mail
rows are queued in one commit, and the time until every row is SENT in the database is taken
(the workers' start-up is not counted); then the workers are stopped (SIGTERM). The mail goes over SMTP to an aiosmtpd server on loopback in this
process, which checks that every row arrived exactly once. Printed per count: rows/s (median,
min, max over the rounds) and the ratio of the median to one worker's.

Everything (PostgreSQL, the SMTP server, the workers) shares this machine's cores: the output
says how many. Each mail costs a worker one SMTP exchange and one short commit (its outcome,
core.outbox.Batch.finish), so the pool scales while cores are free, not beyond.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import config  # noqa: E402
from tests.scaleout.test_worker_pool import (  # noqa: E402
    MailSink,
    WorkerProcess,
    queue_mails,
    wait_all_sent,
    wait_started,
    worker_env,
)


def own_database(server_url: str) -> tuple[str, callable]:
    base = make_url(config.database_url(server_url))
    name = f"alemtrust_bench_workers_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def migrate(url: str, folder: Path) -> None:
    """Build the schema and reference data once (the workers' ProductionConfig does not migrate)."""
    from portal import create_app
    from portal.core.extensions import db

    class Cfg(config.Config):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(folder / "setup")
        LOAD_DEMO_DATA = False
        ADMIN_PASSWORD = "Bench-admin-pass-1"
        SEARCH_INDEX_PATH = ":memory:"

    app = create_app(Cfg, announce=False)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def measure(n: int, r: int, url: str, engine, sink: MailSink, folder: Path, rows: int, lease: float) -> float:
    """One round with ``n`` fresh workers, started and idle first: rows/s from the commit that
    queues the rows until all of them are SENT."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE mail_outbox"))
    sink.reset()
    workers = [WorkerProcess(f"r{r}-n{n}-{i}", worker_env(url, sink.port, folder / f"r{r}-n{n}-{i}"), folder,
                             interval=0.1, lease=lease) for i in range(n)]
    try:
        for worker in workers:
            worker.start()
        wait_started(workers, timeout=180)
        time.sleep(1.0)  # past their first poll (the first one also looks at the search index)
        start = time.monotonic()
        ids = queue_mails(engine, rows, tag=f"bench{n}-{r}")
        wait_all_sent(engine, ids, workers, timeout=600)
        took = time.monotonic() - start
    finally:
        for worker in workers:
            worker.stop()
    counts = sink.counts()
    missing = sum(1 for i in ids if counts.get(i, 0) == 0)
    twice = sum(c - 1 for c in counts.values() if c > 1)
    if missing or twice:
        raise SystemExit(f"{n} workers, round {r + 1}: {missing} rows missing, {twice} sent twice")
    print(f"  round {r + 1}, {n} worker(s): {rows} rows in {took:.2f} s = {rows / took:.0f} rows/s", flush=True)
    return rows / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="a PostgreSQL server (default $DATABASE_URL)")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--lease", type=float, default=30.0, help="the workers' --lease (seconds)")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql")):
        parser.error("--database-url must point at a PostgreSQL server (several workers need it)")
    counts = [int(c) for c in args.workers.split(",")]

    url, drop = own_database(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    results: dict[int, list[float]] = {}
    try:
        print("Migrating a database of its own…", flush=True)
        migrate(url, folder)
        engine = create_engine(url, pool_size=2)
        with MailSink() as sink:
            # each round runs every count in turn, so a change of the machine's load hits all alike
            results.update({n: [] for n in counts})
            for r in range(args.rounds):
                for n in counts:
                    results[n].append(measure(n, r, url, engine, sink, folder, args.rows, args.lease))
        engine.dispose()
    finally:
        drop()

    cores = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(f"Worker pool throughput: {args.rows} mail rows per round, {args.rounds} rounds, SMTP to aiosmtpd "
          f"on loopback, PostgreSQL, all on this machine: {cores} cores (load average before the table: {load}).")
    print("Every row arrived exactly once in every round.")
    print(f"{'workers':>8} {'rows/s median':>14} {'min':>7} {'max':>7} {'vs 1 worker':>12}")
    base = statistics.median(results.get(1) or results[counts[0]])
    for n in counts:
        rates = results[n]
        median = statistics.median(rates)
        print(f"{n:>8} {median:>14.0f} {min(rates):>7.0f} {max(rates):>7.0f} {median / base:>11.2f}x")
    if cores and max(counts) > cores:
        print(f"(More workers than the {cores} cores: they, PostgreSQL and the SMTP server compete for them.)")


if __name__ == "__main__":
    main()
