"""Public site speed under gunicorn: requests per second (wrk) of a visitor's home page,
a category page, a profile and a search, with the page cache off, in-process and in Redis,
next to a bare Flask app that returns a page of the same size under the same gunicorn
settings, in one run. Also: SQL queries per page at 12 and 24 results per page.

    python bench/public_speed.py [--runs 3] [--duration 5] [--connections 16] [--encoding br]

Needs ``wrk`` (Debian package ``wrk``) and gunicorn (requirements.txt); Redis at REDIS_URL
(default redis://127.0.0.1:6379/0) for the Redis rows, skipped when it does not answer.
Uses a temporary SQLite database with the demo data (50 practitioners). Results and how to
read them: bench/README-public-speed.md."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from flask import Flask, Response

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WORKERS = 2

# --- the bare app: gunicorn loads ``public_speed:bare_app`` (from bench/) --------------------

bare_app = Flask("bare")
_BARE_BODY = Path(os.environ["BENCH_BARE_BODY"]).read_bytes() if os.environ.get("BENCH_BARE_BODY") else b"ok"


@bare_app.get("/")
def _bare_page():
    return Response(_BARE_BODY, mimetype="text/html")


# --- helpers --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Language": "ru"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_gunicorn(target: str, chdir: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--chdir", str(chdir),
         "--log-level", "warning", target],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, base
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url: str, duration: float, connections: int, headers: list[str]) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(found.group(1))


def median_rps(url: str, args, headers: list[str]) -> float:
    wrk(url, 1, args.connections, headers)  # warm-up: every worker renders, caches fill
    return statistics.median(wrk(url, args.duration, args.connections, headers) for _ in range(args.runs))


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
        return url
    except Exception:  # noqa: BLE001
        return None


# --- the run ----------------------------------------------------------------------------------

def prepare(tmp: Path) -> dict:
    """A migrated SQLite database with the demo data and its index; the environment of the app."""
    env = {"PORTAL_INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
           "SEARCH_INDEX_PATH": str(tmp / "search"), "PORTAL_DEMO_DATA": "1", "PORTAL_AUTO_MIGRATE": "1",
           "PORTAL_ADMIN_PASSWORD": "Bench-pass-1", "RATELIMIT_ENABLED": "0", "SECRET_KEY": uuid.uuid4().hex * 2,
           "REDIS_URL": "", "PAGE_CACHE": "0", "SEARCH_SYNC": "inline", "NOTIFY_SYNC": "inline"}
    subprocess.run([sys.executable, "-c", "import run"], cwd=ROOT, env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def pages(base: str) -> dict[str, str]:
    """The pages measured; at their language URL (/ru/...) when the portal has them."""
    status, _body, headers = fetch(base + "/")
    prefix = ""
    if status in (301, 302, 308):
        prefix = "/ru" if fetch(base + "/ru/")[0] == 200 else ""
    _status, body, _headers = fetch(f"{base}{prefix}/practitioners/category/advocate")
    found = re.search(rb'href="(?:/ru)?/practitioners/(\d+)"', body)
    if not found:
        raise RuntimeError("no profile link on the category page")
    query = urllib.parse.quote("нотариус алматы")
    return {"home": f"{prefix}/", "category": f"{prefix}/practitioners/category/notary",
            "profile": f"{prefix}/practitioners/{found.group(1).decode()}",
            "search": f"{prefix}/practitioners/?q={query}"}


def queries_per_page(env: dict, paths: dict[str, str]) -> dict[str, dict[int, int]]:
    """SQL statements per page (no page cache) at 12 and 24 results per page, in this process."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from portal import create_app
    from portal.core.extensions import db

    app = create_app("config.Config")
    count = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: count.__setitem__(0, count[0] + 1))
    client = app.test_client()
    out: dict[str, dict[int, int]] = {}
    for size in (12, 24):
        app.config["PUBLIC_PAGE_SIZE"] = size
        for name, path in paths.items():
            client.get(path)  # warm
            count[0] = 0
            assert client.get(path).status_code == 200, path
            out.setdefault(name, {})[size] = count[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per page and mode (the median is shown)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--encoding", default="", help='e.g. "br": send Accept-Encoding (compressed answers)')
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    headers = ["Accept-Language: ru"] + ([f"Accept-Encoding: {args.encoding}"] if args.encoding else [])
    tmp = Path(tempfile.mkdtemp(prefix="public-speed-"))
    try:
        print("Preparing the demo database ...", flush=True)
        env = prepare(tmp)
        redis = redis_url()
        modes = [("cache off", {"PAGE_CACHE": "0"}), ("cache in-process", {"PAGE_CACHE": "1"})]
        if redis:
            prefix = f"bench-{uuid.uuid4().hex}:"
            modes.append(("cache Redis", {"PAGE_CACHE": "1", "REDIS_URL": redis, "PAGE_CACHE_KEY_PREFIX": prefix}))
        results: dict[str, dict[str, float]] = {}
        paths: dict[str, str] = {}
        sizes: dict[str, int] = {}
        for mode, extra in modes:
            process, base = start_gunicorn("run:app", ROOT, {**env, **extra})
            try:
                if not paths:
                    paths = pages(base)
                for name, path in paths.items():
                    status, body, _ = fetch(base + path)
                    if status != 200:
                        raise RuntimeError(f"{path}: HTTP {status}")
                    sizes[name] = len(body)
                    print(f"  {mode:17} {name:9} {path}", flush=True)
                    results.setdefault(name, {})[mode] = median_rps(base + path, args, headers)
            finally:
                stop(process)
        body_file = tmp / "bare.html"
        body_file.write_bytes(fetch_body_like(sizes["profile"]))
        process, base = start_gunicorn("public_speed:bare_app", BENCH, {"BENCH_BARE_BODY": str(body_file)})
        try:
            bare = median_rps(base + "/", args, headers)
        finally:
            stop(process)
        print(f"\ngunicorn {WORKERS} workers (sync), wrk -t2 -c{args.connections} -d{args.duration:g}s, "
              f"median of {args.runs} runs, Accept-Encoding: {args.encoding or 'none'}")
        print(f"bare Flask ({sizes['profile'] // 1024} kB page): {bare:8.0f} req/s\n")
        names = [mode for mode, _ in modes]
        print(f"{'page':10} {'bytes':>7} " + " ".join(f"{m:>24}" for m in names))
        for name, by_mode in results.items():
            cells = " ".join(f"{by_mode[m]:9.0f} req/s ({by_mode[m] / bare:5.0%})" for m in names)
            print(f"{name:10} {sizes[name]:7d} {cells}")
        print("\nSQL queries per page (page cache off), 12 / 24 results per page:")
        for name, counts in queries_per_page(env, paths).items():
            print(f"  {name:10} {counts[12]:3d} / {counts[24]:3d}")
        if redis:
            import redis as redis_client

            client = redis_client.Redis.from_url(redis)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_body_like(size: int) -> bytes:
    """An HTML page of ``size`` bytes for the bare app."""
    filler = b"<p>AlemTrust bench page: verified practitioners of Kazakhstan.</p>\n"
    head = b"<!DOCTYPE html><html lang=\"ru\"><head><title>bench</title></head><body>\n"
    body = head + filler * max(1, (size - len(head)) // len(filler))
    return body[:max(size, len(head))] + b"</body></html>"


if __name__ == "__main__":
    main()
