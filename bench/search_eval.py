"""Search quality on the portal's own evaluation set: recall@10 and nDCG@10 per
query group and overall, on every search backend.

    python bench/search_eval.py [--backends embedded,osmem,elastic] [--worst 20] [--verbose]

* The fixture (bench/search_eval/fixture.py, 60+ practitioners) goes into a fresh
  SQLite database in a temporary instance folder and is indexed with
  ``portal.services.search.reindex()`` on each backend.
* Each judged query (bench/search_eval/queries.py) runs the way the search page
  runs it: URL parameters through ``query_from_args`` (10 per page), then
  ``search_profiles`` (so the keyboard-layout fallback counts).
* Backends: ``embedded`` (tantivy), ``osmem`` (the in-memory Elasticsearch test
  server, started as tests/search_servers.py does) and ``elastic`` (a real server,
  only when ELASTICSEARCH_URL is set). Default: all that are available.
* recall@10 = relevant profiles in the first 10 / min(relevant, 10);
  nDCG@10 with gains 2^grade - 1. Group and overall figures are means over queries.
  Aims: overall recall@10 >= 0.95, no group below 0.85.

A measurement, not a test: it prints the figures and exits 0."""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

K = 10
TARGET_OVERALL = 0.95
TARGET_GROUP = 0.85


# --- metrics ---------------------------------------------------------------------------------------
def recall_at(found: list[str], relevant: dict[str, int], k: int = K) -> float:
    if not relevant:
        return 1.0
    return len(set(found[:k]) & set(relevant)) / min(len(relevant), k)


def ndcg_at(found: list[str], relevant: dict[str, int], k: int = K) -> float:
    def dcg(grades):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg([relevant.get(key, 0) for key in found[:k]]) / ideal if ideal else 1.0


@dataclass
class Outcome:
    query: object
    found: list[str]
    recall: float
    ndcg: float
    total: int
    note: str = ""


@dataclass
class Run:
    backend: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    reindex_s: float = 0.0
    error: str = ""


# --- running -----------------------------------------------------------------------------------
def make_app(tmp: str):
    import config
    from portal import create_app

    class Eval(config.Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/eval.db"
        INSTANCE_PATH = tmp
        LOAD_DEMO_DATA = False
        ADMIN_PASSWORD = "Eval-pass-1"
        SEARCH_SYNC = "worker"          # the fixture is indexed by reindex(), not row by row
        SEARCH_INDEX_PATH = ""
        SEARCH_INDEX_NAME = f"search-eval-{uuid.uuid4().hex[:12]}"
        ELASTICSEARCH_URL = ""
        AUTH_RATE_LIMITED = False
        RATELIMIT_ENABLED = False

    return create_app(Eval)


def use_backend(app, url: str = "", node_class=None) -> None:
    old = app.extensions.get("search")
    if old is not None:
        old.close()
    app.config["ELASTICSEARCH_URL"] = url
    app.config["ELASTICSEARCH_NODE_CLASS"] = node_class
    app.extensions["search"] = None


def run_backend(app, name: str, ids: dict[str, int]) -> Run:
    from urllib.parse import urlencode

    from flask import request

    from bench.search_eval.queries import QUERIES
    from portal.core.extensions import db
    from portal.services import search as search_service

    run = Run(name)
    key_of = {pid: key for key, pid in ids.items()}
    with app.app_context():
        start = time.perf_counter()
        indexed = search_service.reindex()
        run.reindex_s = time.perf_counter() - start
        db.session.remove()
    if indexed != len(ids):
        run.error = f"reindex indexed {indexed} of {len(ids)} profiles"
    start = time.perf_counter()
    for q in QUERIES:
        args = {"q": q.text, **q.filters}
        with app.test_request_context("/ru/practitioners/?" + urlencode(args)):
            query, errors = search_service.query_from_args(request.args, K)
            page = search_service.search_profiles(query)
            found = [key_of.get(p.id, f"?{p.id}") for p in page.items][:K]
            notes = []
            if errors:
                notes.append(f"parameters rejected: {errors}")
            if page.unavailable:
                notes.append("backend failed (database fallback)")
            if getattr(page, "layout_original", ""):
                notes.append(f"layout -> {page.query.text!r}")
            db.session.remove()
        run.outcomes.append(Outcome(q, found, recall_at(found, q.relevant), ndcg_at(found, q.relevant),
                                    page.total, "; ".join(notes)))
    run.seconds = time.perf_counter() - start
    return run


def backends(wanted: list[str], stack: contextlib.ExitStack) -> list[tuple[str, str, object]]:
    out: list[tuple[str, str, object]] = []
    for name in wanted:
        if name == "embedded":
            out.append(("embedded", "", None))
        elif name == "osmem":
            try:
                from tests.search_servers import PlainJsonNode, start_server, stop_server

                server = start_server()
                stack.callback(stop_server, server)
                out.append(("osmem", server.url, PlainJsonNode))
            except Exception as exc:  # noqa: BLE001
                print(f"osmem: not started ({type(exc).__name__}: {exc})", file=sys.stderr)
        elif name == "elastic":
            url = os.environ.get("ELASTICSEARCH_URL")
            if url:
                out.append(("elastic", url, None))
            elif "elastic" in wanted:
                print("elastic: ELASTICSEARCH_URL is not set, skipped", file=sys.stderr)
    return out


# --- report --------------------------------------------------------------------------------------------
def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def report(runs: list[Run], worst: int, verbose: bool) -> str:
    from bench.search_eval.fixture import PEOPLE
    from bench.search_eval.queries import GROUPS, QUERIES

    out = [f"Evaluation set: {len(QUERIES)} queries in {len(GROUPS)} groups over {len(PEOPLE)} practitioners.", ""]
    head = "| group | queries | " + " | ".join(f"{r.backend} R@{K} | {r.backend} nDCG@{K}" for r in runs) + " |"
    out += [head, "|---|---:|" + "---:|---:|" * len(runs)]
    for group in GROUPS:
        n = sum(1 for q in QUERIES if q.group == group)
        cells = []
        for r in runs:
            rows = [o for o in r.outcomes if o.query.group == group]
            cells.append(f"{mean(o.recall for o in rows):.3f} | {mean(o.ndcg for o in rows):.3f}")
        out.append(f"| {group} | {n} | " + " | ".join(cells) + " |")
    out.append(f"| **overall** | {len(QUERIES)} | " + " | ".join(
        f"**{mean(o.recall for o in r.outcomes):.3f}** | **{mean(o.ndcg for o in r.outcomes):.3f}**"
        for r in runs) + " |")
    out.append("")
    for r in runs:
        overall = mean(o.recall for o in r.outcomes)
        groups = {g: mean(o.recall for o in r.outcomes if o.query.group == g) for g in GROUPS}
        low = [f"{g} {v:.2f}" for g, v in groups.items() if v < TARGET_GROUP]
        out.append(f"- {r.backend}: overall recall@{K} >= {TARGET_OVERALL}: "
                   f"{'MET' if overall >= TARGET_OVERALL else 'MISSED'} ({overall:.3f}); "
                   f"every group >= {TARGET_GROUP}: {'MET' if not low else 'MISSED (' + ', '.join(low) + ')'}; "
                   f"reindex {r.reindex_s:.2f} s, {len(r.outcomes)} queries in {r.seconds:.1f} s"
                   + (f"; {r.error}" if r.error else ""))
        failed = sum(1 for o in r.outcomes if "backend failed" in o.note)
        if failed:
            out.append(f"  - {failed} queries fell back to the database directory (backend failed)")
    if len(runs) > 1:
        base = runs[0]
        for other in runs[1:]:
            differ = [(a, b) for a, b in zip(base.outcomes, other.outcomes) if set(a.found) != set(b.found)]
            out.append(f"- {other.backend} vs {base.backend}: {len(differ)} of {len(base.outcomes)} queries "
                       f"return a different top-{K} set"
                       + (": " + "; ".join(a.query.label for a, _ in differ[:8]) + (" …" if len(differ) > 8 else "")
                          if differ else ""))
    for r in runs:
        bad = sorted((o for o in r.outcomes if o.recall < 1.0 or o.ndcg < 0.999),
                     key=lambda o: (o.recall, o.ndcg))
        out += ["", f"### Worst queries, {r.backend} ({sum(1 for o in r.outcomes if o.recall < 1)} below full "
                    f"recall; first {min(worst, len(bad))})", "",
                "| group | query | R@10 | nDCG@10 | hits | missed (relevant not in the first 10) | first results |",
                "|---|---|---:|---:|---:|---|---|"]
        for o in bad[:worst]:
            missed = sorted(set(o.query.relevant) - set(o.found))
            shown = len(o.query.relevant) > K and o.recall == 1.0
            missed_txt = "—" if shown else ", ".join(missed[:6]) + (" …" if len(missed) > 6 else "")
            first = ", ".join(f"{k}{'' if k in o.query.relevant else '✗'}" for k in o.found[:5]) or "(none)"
            out.append(f"| {o.query.group} | {o.query.label}{' (' + o.note + ')' if o.note else ''} "
                       f"| {o.recall:.2f} | {o.ndcg:.2f} | {o.total} | {missed_txt} | {first} |")
        if verbose:
            out += ["", f"All queries, {r.backend}:"]
            out += [f"  {o.query.group:9} {o.recall:.2f} {o.ndcg:.2f} {o.query.label} -> {', '.join(o.found)}"
                    + (f" ({o.note})" if o.note else "") for o in r.outcomes]
    out += ["", "✗ = not judged relevant. Fixture keys: <category letter>_<city>_<surname> "
                "(n notary, b bailiff, e expert, a advocate, c consultant)."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="embedded,osmem,elastic",
                        help="comma-separated: embedded, osmem, elastic (elastic needs ELASTICSEARCH_URL)")
    parser.add_argument("--worst", type=int, default=20, help="how many of the worst queries to list per backend")
    parser.add_argument("--verbose", action="store_true", help="also list every query with its first 10 results")
    args = parser.parse_args()
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="search-eval-")
    runs: list[Run] = []
    try:
        from bench.search_eval.fixture import build
        from portal.core.extensions import db

        with contextlib.redirect_stdout(sys.stderr):  # create_app's start-up banner
            app = make_app(tmp)
        with app.app_context():
            ids = build()
            db.session.remove()
        with contextlib.ExitStack() as stack:
            for name, url, node_class in backends([b.strip() for b in args.backends.split(",") if b.strip()],
                                                   stack):
                use_backend(app, url, node_class)
                try:
                    runs.append(run_backend(app, name, ids))
                except Exception as exc:  # noqa: BLE001  (one backend failing leaves the others measured)
                    traceback.print_exc()
                    print(f"{name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
                finally:
                    with app.app_context():
                        search = app.extensions.get("search")
                        if search is not None and hasattr(search, "drop"):
                            with contextlib.suppress(Exception):
                                search.drop()  # leave no index behind on a real server
                    use_backend(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if runs:
            print(report(runs, args.worst, args.verbose))
    except Exception:  # noqa: BLE001  (a measurement: report and exit 0)
        traceback.print_exc()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n(wall time {time.perf_counter() - started:.1f} s)")
    sys.exit(0)


if __name__ == "__main__":
    main()
