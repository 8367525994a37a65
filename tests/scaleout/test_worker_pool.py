"""One worker pool (issue 20), on PostgreSQL: real ``flask portal worker`` processes
(``FLASK_APP='portal:create_app("config.ProductionConfig")'`` as README's Production
section sets it) drain one mail outbox of 2,000 rows into a real SMTP server (aiosmtpd on
loopback) that counts each row's Message-ID (``<outbox.<row id>.…>``):

* two workers at once: every row is sent exactly once and is SENT in the database;
* a worker killed with SIGKILL mid-batch (the SMTP server holds its answer to one message,
  so the kill lands while that worker holds a batch): the other worker finishes; every row
  is delivered, none is lost, and at most one row (the one being sent) arrives twice.

The helpers (``MailSink``, ``WorkerProcess``, ``worker_env``, ``queue_mails``) are shared
with bench/workers.py."""
from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Mapping

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parents[2]
FLASK_APP = 'portal:create_app("config.ProductionConfig")'
ROWS = 2000
LEASE = 6.0  # seconds: short, so the killed worker's rows come back within the test
START_TIMEOUT = 60.0
DRAIN_TIMEOUT = 45.0
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<outbox\.(\d+)\.", re.IGNORECASE | re.MULTILINE)

# Settings the portal reads from the environment that a worker must not take from the test run's
CLEARED = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SEARCH_INDEX_NAME", "SEARCH_INDEX_PATH",
           "STORAGE_BACKEND", "STORAGE_S3_BUCKET", "STORAGE_S3_PREFIX", "STORAGE_S3_ENDPOINT_URL",
           "UPLOAD_FOLDER", "PORTAL_INSTANCE_PATH", "PORTAL_AUTO_MIGRATE", "PORTAL_DEMO_DATA", "SECRET_KEY",
           "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME", "MAIL_PASSWORD", "SEARCH_SYNC",
           "NOTIFY_SYNC", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "FLASK_APP")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailSink:
    """An SMTP server on a loopback port that records the outbox row id of every message
    it accepts, in arrival order. ``hold_at`` = n: the n-th message is recorded, then its
    answer is held back until ``release()`` (its sender waits mid-batch)."""

    def __init__(self, hold_at: int | None = None):
        self.port = free_port()
        self.ids: list[int] = []
        self.hold_at = hold_at
        self.held_id: int | None = None
        self.holding = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    async def handle_DATA(self, server, session, envelope):
        match = MESSAGE_ID.search(envelope.content)
        row_id = int(match.group(1)) if match else -1
        with self._lock:
            self.ids.append(row_id)
            hold = self.hold_at is not None and len(self.ids) == self.hold_at
        if hold:
            self.held_id = row_id
            self.holding.set()
            while not self._release.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._release.set()

    def count(self) -> int:
        with self._lock:
            return len(self.ids)

    def counts(self) -> collections.Counter:
        with self._lock:
            return collections.Counter(self.ids)

    def reset(self) -> None:
        with self._lock:
            self.ids.clear()

    def __enter__(self) -> "MailSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self.controller.stop()


def worker_env(database_url: str, smtp_port: int, instance: Path, extra: Mapping[str, str] | None = None) -> dict:
    """A production worker's environment: README's FLASK_APP, the database, the SMTP server,
    an instance folder of its own; nothing else taken from the test run's environment."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update({
        "FLASK_APP": FLASK_APP, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url, "SECRET_KEY": "worker-pool-test-secret-key-of-48-characters-x",
        "PORTAL_INSTANCE_PATH": str(instance), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "NOTIFY_SYNC": "worker", "SEARCH_SYNC": "worker", "PAGE_CACHE": "0", "RATELIMIT_ENABLED": "0",
    })
    env.update(extra or {})
    return env


class WorkerProcess:
    """One ``flask portal worker`` process, its output in a log file."""

    def __init__(self, name: str, env: Mapping[str, str], log_dir: Path, interval: float = 0.2,
                 lease: float = LEASE):
        self.name, self.env = name, dict(env)
        self.log_path = Path(log_dir) / f"{name}.log"
        self.args = [sys.executable, "-m", "flask", "portal", "worker", "--interval", str(interval),
                     "--lease", str(lease)]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        Path(self.env["PORTAL_INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def started(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log()[-3000:]}")
        return " started (" in self.log()

    def mails_sent(self) -> int:
        """Mails this worker reported as sent (its "mail sent N" lines)."""
        return sum(int(n) for n in re.findall(r"mail sent (\d+)", self.log()))

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (the worker ends after its current row), SIGKILL if it does not."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def kill(self) -> int:
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=20)


def wait_started(workers, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not all(w.started() for w in workers):
        if time.monotonic() > deadline:
            raise RuntimeError("workers not started:\n" + "\n".join(w.log()[-2000:] for w in workers))
        time.sleep(0.1)


def queue_mails(engine, n: int, tag: str = "pool") -> list[int]:
    """``n`` pending, due mail rows (one INSERT, one commit); their ids."""
    from portal.core.clock import utcnow
    from portal.models.notifications import MailOutbox, MailStatus

    now = utcnow()
    rows = [{"recipient": f"{tag}-{i}@example.kz", "subject": f"{tag} {i}", "body_text": f"Row {i} of {tag}.",
             "body_html": "", "locale": "en", "status": MailStatus.PENDING, "attempts": 0, "next_attempt_at": now,
             "created_at": now} for i in range(n)]
    with engine.begin() as conn:
        conn.execute(insert(MailOutbox.__table__), rows)
        return list(conn.scalars(select(MailOutbox.id).where(MailOutbox.recipient.like(f"{tag}-%"))
                                 .order_by(MailOutbox.id)))


def status_counts(engine, ids) -> dict[str, int]:
    from portal.models.notifications import MailOutbox

    with engine.connect() as conn:
        return dict(conn.execute(select(MailOutbox.status, func.count()).where(MailOutbox.id.in_(ids))
                                 .group_by(MailOutbox.status)).all())


def wait_all_sent(engine, ids, workers, timeout: float = DRAIN_TIMEOUT) -> float:
    """Poll until every row is SENT; the seconds it took (RuntimeError with the logs if not)."""
    start = time.monotonic()
    while True:
        counts = status_counts(engine, ids)
        if counts.get("sent", 0) == len(ids):
            return time.monotonic() - start
        for w in workers:
            if w.proc.poll() is not None and w.proc.returncode != -signal.SIGKILL:
                raise RuntimeError(f"{w.name} exited ({w.proc.returncode}):\n{w.log()[-3000:]}")
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"not all sent after {timeout:.0f} s: {counts}\n"
                               + "\n".join(w.log()[-2000:] for w in workers))
        time.sleep(0.1)


# --- the tests ------------------------------------------------------------------------------------
# Two workers are started once for the module (a production app start takes seconds) over the
# suite's database, which the module keeps for both tests (``db_per_module``: no restore between
# them while the workers run); each test only looks at the rows it queued.

pytestmark = pytest.mark.db_per_module


# In one process first (both databases): the lease itself.

def test_a_lease_keeps_rows_from_other_workers_until_it_ends(app):
    import datetime as dt

    from sqlalchemy.orm import Session

    from portal.core import outbox
    from portal.core.clock import utcnow
    from portal.core.extensions import db
    from portal.models.notifications import MailOutbox, MailStatus

    ids = queue_mails(db.engine, 3, tag="lease")
    now, pending = utcnow(), (MailOutbox.status == MailStatus.PENDING, MailOutbox.recipient.like("lease-%"))
    with Session(db.engine, expire_on_commit=False) as one, Session(db.engine, expire_on_commit=False) as two, \
            Session(db.engine, expire_on_commit=False) as three:
        first = outbox.take(one, MailOutbox, pending, now, limit=2, lease=60)
        assert [r.id for r in first.rows] == ids[:2] and first.token.split(":")[-2] == str(os.getpid())
        second = outbox.take(two, MailOutbox, pending, now, limit=10, lease=120)
        assert [r.id for r in second.rows] == ids[2:]  # not the first worker's rows
        assert outbox.take(three, MailOutbox, pending, now + dt.timedelta(seconds=59), limit=10) is None
        later = outbox.take(three, MailOutbox, pending, now + dt.timedelta(seconds=61), limit=10)
        assert [r.id for r in later.rows] == ids[:2] and later.token != first.token  # its lease ended
        assert first.finish(ids[0], status=MailStatus.SENT) is False  # not its row any more
        assert later.finish(ids[0], status=MailStatus.SENT) is True
        with later:  # ends with ids[1] unfinished: given back, due at once
            pass
        assert second.finish(ids[2], status=MailStatus.SENT) is True
    db.session.expire_all()
    rows = {r.id: r for r in db.session.scalars(select(MailOutbox).where(MailOutbox.id.in_(ids)))}
    assert [rows[i].status for i in ids] == [MailStatus.SENT, MailStatus.PENDING, MailStatus.SENT]
    assert all(r.claim_token is None for r in rows.values())
    assert rows[ids[1]].next_attempt_at == now + dt.timedelta(seconds=61)  # due again for the next worker
    db.session.execute(MailOutbox.__table__.delete().where(MailOutbox.id.in_(ids)))
    db.session.commit()


def test_a_batch_past_its_deadline_or_a_stopping_worker_starts_no_row(app):
    from sqlalchemy.orm import Session

    from portal.core import outbox
    from portal.core.clock import utcnow
    from portal.core.extensions import db
    from portal.models.notifications import MailOutbox, MailStatus

    ids = queue_mails(db.engine, 2, tag="deadline")
    pending = (MailOutbox.status == MailStatus.PENDING, MailOutbox.recipient.like("deadline-%"))
    with Session(db.engine, expire_on_commit=False) as session:
        batch = outbox.take(session, MailOutbox, pending, utcnow(), limit=10, lease=10, margin=30)
        assert batch.deadline - time.monotonic() <= 5.0  # the margin is at most half the lease
        assert not batch.expired()
        batch.deadline = time.monotonic() - 1
        assert batch.expired()
        with batch:
            pass
        assert len(batch.rows) == 2 and batch.open == set()
        outbox.STOP.set()
        try:
            assert outbox.take(session, MailOutbox, pending, utcnow(), limit=10) is None  # stopping: nothing
        finally:
            outbox.STOP.clear()
        again = outbox.take(session, MailOutbox, pending, utcnow(), limit=10)
        assert [r.id for r in again.rows] == ids  # given back: due at once
        with again:
            pass
    db.session.execute(MailOutbox.__table__.delete().where(MailOutbox.id.in_(ids)))
    db.session.commit()


class Pool:
    def __init__(self, engine, sink: MailSink, workers: list[WorkerProcess]):
        self.engine, self.sink, self.workers = engine, sink, workers


@pytest.fixture(scope="module")
def pool(app, tmp_path_factory):
    """PostgreSQL only: a mail sink and two running workers (stopped at the end of the module,
    before the next module's database restore)."""
    from portal.core.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the worker-pool tests need PostgreSQL (several workers taking rows with SKIP LOCKED; "
                    "SQLite runs one worker) — set DATABASE_URL=postgresql://... to run them")
    url = db.engine.url.render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=2)
    folder = tmp_path_factory.mktemp("worker-pool")
    with MailSink() as sink:
        workers = [WorkerProcess(name, worker_env(url, sink.port, folder / name), folder) for name in ("a", "b")]
        try:
            for worker in workers:
                worker.start()
            wait_started(workers)
            yield Pool(engine, sink, workers)
        finally:
            for worker in workers:
                worker.stop()
            engine.dispose()


def received(sink: MailSink, ids) -> collections.Counter:
    """How many times each of ``ids`` reached the SMTP server (every one of them listed)."""
    counts = sink.counts()
    return collections.Counter({i: counts.get(i, 0) for i in ids})


def test_two_workers_send_every_row_exactly_once(pool):
    a, b = pool.workers
    before = (a.mails_sent(), b.mails_sent())
    ids = queue_mails(pool.engine, ROWS, tag="once")  # both idle, polling: they take it together
    wait_all_sent(pool.engine, ids, pool.workers)
    counts = received(pool.sink, ids)
    assert [i for i, n in counts.items() if n == 0] == []  # every row arrived ...
    assert [i for i, n in counts.items() if n > 1] == []   # ... exactly once
    assert status_counts(pool.engine, ids) == {"sent": ROWS}
    time.sleep(0.5)  # the workers' "mail sent N" lines of their last round
    by_a, by_b = a.mails_sent() - before[0], b.mails_sent() - before[1]
    assert by_a > 0 and by_b > 0 and by_a + by_b == ROWS  # both took part, no row twice
    with pool.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM mail_outbox WHERE claim_token IS NOT NULL")) == 0


def test_a_worker_killed_mid_batch_loses_nothing(pool):
    sink = pool.sink
    sink.hold_at = sink.count() + ROWS // 3  # the server keeps back its answer to this message
    ids = queue_mails(pool.engine, ROWS, tag="kill")
    assert sink.holding.wait(DRAIN_TIMEOUT), "no message reached the hold"
    with pool.engine.connect() as conn:  # who sent it: its claim token names the process
        token = conn.scalar(text("SELECT claim_token FROM mail_outbox WHERE id = :id"), {"id": sink.held_id})
    pid = int(token.split(":")[-2])
    [victim] = [w for w in pool.workers if w.pid == pid]
    [survivor] = [w for w in pool.workers if w is not victim]
    assert victim.kill() == -signal.SIGKILL  # mid-batch: it holds rows it has not sent
    sink.release()
    with pool.engine.connect() as conn:
        held = conn.scalar(text("SELECT count(*) FROM mail_outbox WHERE claim_token = :t AND status = 'pending'"),
                           {"t": token})
    assert held >= 1  # the rest of its batch: pending, taken again when its lease ends
    wait_all_sent(pool.engine, ids, [survivor])
    counts = received(sink, ids)
    assert [i for i, n in counts.items() if n == 0] == []  # every row delivered, none lost
    duplicates = {i: n - 1 for i, n in counts.items() if n > 1}
    assert sum(duplicates.values()) <= 1  # at most one per killed worker:
    assert set(duplicates) <= {sink.held_id}  # the one it was sending
    assert status_counts(pool.engine, ids) == {"sent": ROWS}
    assert survivor.stop() == 0 and "Worker stopped." in survivor.log()  # SIGTERM: a clean stop
