"""Public page speed on embedded defaults: p50/p95 latency, requests per
second and SQL queries per page, through the WSGI app (no network).

    python bench/public_pages.py [--requests 200]

Uses a temporary SQLite database with the demo data."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

import config  # noqa: E402
from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"
        INSTANCE_PATH = tmp
        ADMIN_PASSWORD = "Bench-pass-1"
        RATELIMIT_ENABLED = False

    app = create_app(Bench)
    with app.app_context():
        from portal.models.practitioners import PractitionerProfile

        profile_id = db.session.scalar(select(PractitionerProfile.id).where(PractitionerProfile.status == "approved"))
        engine = db.engine
    queries = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))
    client = app.test_client()
    pages = ["/?_l_=kk", "/practitioners/?_l_=ru", "/practitioners/category/advocate?_l_=ru",
             f"/practitioners/{profile_id}?_l_=kk", "/agreement/?_l_=ru"]
    print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'queries':>8}")
    for page in pages:
        client.get(page)  # warm up
        queries["n"] = 0
        assert client.get(page).status_code == 200
        per_page = queries["n"]
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(page)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{page:45} {p50:8.1f} {p95:8.1f} {1000 / statistics.mean(times):8.0f} {per_page:8d}")


if __name__ == "__main__":
    main()
