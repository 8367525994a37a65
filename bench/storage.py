"""Upload and download throughput of a file through the portal, on each file-store backend,
side by side in one run: the local folder and an S3-compatible store (moto's server mode on
loopback). It only prints figures (MB/s median and at the p95 time, per backend and path).

    /work/venv/bin/python bench/storage.py                    # 5 MB file, 20 rounds (~1-2 min)
    /work/venv/bin/python bench/storage.py --rounds 5          # quick check
    /work/venv/bin/python bench/storage.py --size-mb 10 --threads 8 --keep

What it does: a temporary SQLite database (migrated and seeded once), a client with an open
request and a verified practitioner with a thread on it. Three real app servers (gunicorn,
one gthread worker with ``--threads`` threads, each its own process on 127.0.0.1) over that
database: the local folder; S3 (streamed through the portal, STORAGE_DOWNLOADS="stream");
S3 with STORAGE_DOWNLOADS="redirect" (a 302 to a presigned URL of the store). Each round,
per backend:

* upload: the practitioner posts a message with the file (``POST /threads/<id>/post``,
  multipart; the body is encoded before the clock starts), timed to the 302;
* download: the client downloads it (``GET /attachments/<id>``), timed to the last byte;
  in redirect mode the portal's 302 plus the GET of the presigned URL from the store.

Rounds alternate the backends (no drift between them); two warm-up rounds are not counted.
ATTACHMENT_MAX_BYTES is raised to 16 MB for the run (the default limit is 5 MB).

moto keeps objects in the memory of one Python process: the S3 figures measure the portal's
path plus moto, not a real object store; client, servers and moto share this machine's cores.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
WARMUP = 2
PASSWORD = "Test-pass-1"  # tests/factories.py
PDF_HEAD = b"%PDF-1.4\n% bench file\n"


def bench_config(db_path: str, instance: str, backend: str, downloads: str = "stream", bucket: str = "",
                 endpoint: str = "", auto_migrate: bool = False):
    from config import TestConfig

    class Bench(TestConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        INSTANCE_PATH = instance
        AUTO_MIGRATE = auto_migrate
        SEARCH_SYNC = "worker"  # the request does the upload, nothing else
        NOTIFY_SYNC = "worker"
        ATTACHMENT_MAX_BYTES = 16 * MB
        MAX_CONTENT_LENGTH = 20 * MB
        STORAGE_BACKEND = backend
        STORAGE_S3_BUCKET = bucket
        STORAGE_S3_ENDPOINT_URL = endpoint
        STORAGE_S3_REGION = "us-east-1"
        STORAGE_DOWNLOADS = downloads
        UPLOAD_FOLDER = os.path.join(instance, "uploads", "")

    return Bench


# --- the server processes -------------------------------------------------------------------------


def serve(args) -> None:
    """Child mode: one app under gunicorn on 127.0.0.1:port until killed."""
    from gunicorn.app.base import BaseApplication

    from portal import create_app

    app = create_app(bench_config(args.db, args.instance, args.backend, args.downloads, args.bucket,
                                  args.endpoint), announce=False)

    class Server(BaseApplication):
        def load_config(self):
            for name, value in {"bind": f"127.0.0.1:{args.port}", "workers": 1, "worker_class": "gthread",
                                "threads": args.threads, "timeout": 120, "accesslog": None,
                                "errorlog": "-", "loglevel": "warning"}.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    Server().run()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(name: str, db: str, folder: Path, backend: str, threads: int, downloads: str = "stream",
                 bucket: str = "", endpoint: str = ""):
    port = free_port()
    instance = folder / f"instance-{name}"
    instance.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--serve", "--db", db, "--instance", str(instance), "--port", str(port),
           "--backend", backend, "--downloads", downloads, "--bucket", bucket, "--endpoint", endpoint,
           "--threads", str(threads)]
    log = open(folder / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server {name} exited; see {folder / f'{name}.log'}")
        try:
            requests.get(url + "/", timeout=2)
            return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"server {name} did not answer on {url}")


def stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the data ---------------------------------------------------------------------------------------


def prepare(db: str, folder: Path) -> dict:
    """Migrate and seed the database; a client with an open request, a practitioner with a profile."""
    from portal import create_app
    from portal.core.extensions import db as sqla
    from tests import factories

    app = create_app(bench_config(db, str(folder / "instance-setup"), "local", auto_migrate=True), announce=False)
    with app.app_context():
        sm = app.appbuilder.sm
        client = factories.make_user(sm, ("Client",), locale="en", email="client@bench.alemtrust.kz")
        prac = factories.make_user(sm, ("Client", "Practitioner"), locale="en", email="prac@bench.alemtrust.kz")
        factories.make_profile(prac)
        req = factories.make_request(client, title="Bench: a request with large files")
        ids = {"client": client.email, "prac": prac.email, "request": req.id}
        sqla.session.remove()
        sqla.engine.dispose()
    return ids


def login(url: str, email: str):
    import requests

    http = requests.Session()
    response = http.post(f"{url}/login/", data={"username": email, "password": PASSWORD}, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} at {url} failed: {response.status_code}")
    return http


def open_thread(http, url: str, request_id: int) -> int:
    response = http.post(f"{url}/threads/open?request={request_id}", allow_redirects=False)
    location = response.headers.get("Location", "")
    if response.status_code != 302 or "/threads/" not in location:
        raise RuntimeError(f"could not open a thread: {response.status_code} {location}")
    return int(location.rsplit("/threads/", 1)[1].split("?")[0].split("#")[0])


def last_attachment(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT max(id) FROM attachment").fetchone()[0]


# --- the measurements -------------------------------------------------------------------------------


def upload(http, url: str, thread_id: int, data: bytes, db: str) -> tuple[float, int]:
    import requests

    prepared = http.prepare_request(requests.Request(
        "POST", f"{url}/threads/{thread_id}/post", data={"body": "bench"},
        files={"files": ("bench.pdf", data, "application/pdf")}))
    started = time.perf_counter()
    response = http.send(prepared, allow_redirects=False)
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"upload refused: {response.status_code} {response.text[:300]}")
    return elapsed, last_attachment(db)


def download(http, url: str, attachment_id: int, size: int) -> tuple[float, float]:
    """(seconds to the last byte, seconds of the portal's 302 when redirected, else 0)."""
    started = time.perf_counter()
    response = http.get(f"{url}/attachments/{attachment_id}", stream=True, allow_redirects=False)
    redirect = 0.0
    if response.status_code == 302:
        redirect = time.perf_counter() - started
        response.close()
        import requests

        response = requests.get(response.headers["Location"], stream=True)  # the store, no portal cookies
    if response.status_code != 200:
        raise RuntimeError(f"download failed: {response.status_code}")
    got = sum(len(chunk) for chunk in response.iter_content(MB))
    elapsed = time.perf_counter() - started
    if got != size:
        raise RuntimeError(f"download gave {got} bytes, not {size}")
    return elapsed, redirect


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(round(len(values) * 0.95)) - 1)]


def row(label: str, seconds: list[float], size: int) -> str:
    med, slow = statistics.median(seconds), p95(seconds)
    mb = size / MB
    return f"  {label:<52} {mb / med:>9.1f} {mb / slow:>12.1f} {med * 1000:>10.1f} {slow * 1000:>9.1f}"


def run(args) -> None:
    from portal.core.storage.s3 import S3Storage
    from tests.storage_servers import dummy_credentials, start_moto, stop_moto

    size = int(args.size_mb * MB)
    load_start = os.getloadavg()[0]
    data = PDF_HEAD + os.urandom(size - len(PDF_HEAD))
    folder = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    db = str(folder / "bench.db")
    procs = []
    dummy_credentials()
    moto, endpoint = start_moto()
    try:
        bucket = "bench-storage"
        S3Storage(bucket, endpoint_url=endpoint, region="us-east-1").ensure_bucket()
        print(f"Preparing the database in {folder} ...", flush=True)
        ids = prepare(db, folder)
        servers = {}
        for name, backend, downloads in (("local", "local", "stream"), ("s3", "s3", "stream"),
                                         ("s3-redirect", "s3", "redirect")):
            proc, url = start_server(name, db, folder, backend, args.threads, downloads, bucket,
                                     endpoint if backend == "s3" else "")
            procs.append(proc)
            servers[name] = url
        sessions = {name: (login(url, ids["prac"]), login(url, ids["client"])) for name, url in servers.items()}
        threads = {name: open_thread(sessions[name][0], servers[name], ids["request"]) for name in ("local", "s3")}

        up = {"local": [], "s3": []}
        down = {"local": [], "s3": [], "s3-redirect": []}
        redirects = []
        print(f"Measuring: {args.rounds} rounds (+{WARMUP} warm-up) of a {args.size_mb:g} MB file ...", flush=True)
        for i in range(args.rounds + WARMUP):
            stored = {}
            for name in ("local", "s3"):
                seconds, stored[name] = upload(sessions[name][0], servers[name], threads[name], data, db)
                if i >= WARMUP:
                    up[name].append(seconds)
            for name, source in (("local", "local"), ("s3", "s3"), ("s3-redirect", "s3")):
                seconds, redirect = download(sessions[name][1], servers[name], stored[source], size)
                if i >= WARMUP:
                    down[name].append(seconds)
                    if redirect:
                        redirects.append(redirect)
        print()
        print(f"File throughput through the portal: a {args.size_mb:g} MB file, {args.rounds} rounds per line; "
              f"gunicorn (1 gthread worker x {args.threads} threads) per backend on 127.0.0.1, SQLite")
        print(f"  {'':<52} {'median MB/s':>9} {'MB/s at p95':>12} {'median ms':>10} {'p95 ms':>9}")
        print(row("upload   local folder", up["local"], size))
        print(row("upload   S3 (moto)", up["s3"], size))
        print(row("download local folder (send_file)", down["local"], size))
        print(row("download S3 (moto), streamed by the portal", down["s3"], size))
        print(row("download S3 (moto), redirect: 302 + presigned GET", down["s3-redirect"], size))
        label = "   of which the portal's 302 (median / p95 ms)"
        print(f"  {label:<52} {'':>9} {'':>12} {statistics.median(redirects) * 1000:>10.1f} "
              f"{p95(redirects) * 1000:>9.1f}")
        med = {k: statistics.median(v) for k, v in {**{f'up-{k}': v for k, v in up.items()},
                                                     **{f'down-{k}': v for k, v in down.items()}}.items()}
        print(f"Ratios (median time, S3 / local): upload {med['up-s3'] / med['up-local']:.2f}x, "
              f"download streamed {med['down-s3'] / med['down-local']:.2f}x, "
              f"download redirected {med['down-s3-redirect'] / med['down-local']:.2f}x")
        print("The 302 includes a HEAD of the object in the store (is it there?) and the access checks.")
        print(f"Load average (1 min) at the start and the end: {load_start:.1f}, {os.getloadavg()[0]:.1f}")
        print("Note: moto keeps objects in the memory of one Python process (its own werkzeug server): the S3 "
              "figures measure the portal's path plus moto, not a real object store. Client, servers and moto "
              f"share this machine's {os.cpu_count()} cores.")
    finally:
        for proc in procs:
            stop(proc)
        stop_moto(moto)
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--size-mb", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per server")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    # child mode (one server)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    for name in ("--db", "--instance", "--backend", "--downloads", "--bucket", "--endpoint"):
        parser.add_argument(name, default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
    elif not 0.1 <= args.size_mb <= 15:
        parser.error("--size-mb must be between 0.1 and 15")
    else:
        run(args)


if __name__ == "__main__":
    main()
