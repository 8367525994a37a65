"""What every outbox (search index, mail, push) shares: the retry back-off, taking
rows with a lease, draining batch after batch, counts by status, and draining an
outbox right after the commit that wrote to it.

The search index and the mail outbox both keep their work in a table written
in the same transaction as the change. In development (``SEARCH_SYNC`` /
``NOTIFY_SYNC`` = "inline") the rows are applied as soon as that transaction
commits; in production a worker does it. ``InlineDrain`` is that hook, once.

Several workers (``flask portal worker``) take rows from one outbox with a
lease (``take``): one short transaction picks due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so two workers never pick the same row), writes a claim
token on them and moves their ``next_attempt_at`` to the end of the lease, and
commits. The worker then sends row after row and records each outcome in its
own short commit, guarded by the token (``Batch.finish``). A worker killed
mid-batch (SIGKILL, a lost machine) loses nothing: the rows it had not finished
become due again when the lease runs out and another worker takes them; only
the row being sent at that moment can go out twice. A worker never starts a
row whose lease could run out while it sends it (``Batch.expired``), and gives
the rest of its batch back at once when it stops (``STOP``, ``Batch.__exit__``).
SQLite (one worker) takes rows the same way, without SKIP LOCKED."""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import time
from typing import Callable, Iterable

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, select, text, update
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
MAX_BACKOFF = 300
LEASE_SECONDS = 120.0  # how long the rows a worker took stay its own (``flask portal worker --lease``)


class Stop:
    """A flag a signal handler may set (no lock: threading.Event's could deadlock there)."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, less once the flag is set; the flag."""
        end = time.monotonic() + timeout
        while not self._set and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))
        return self._set


STOP = Stop()  # set by the worker on SIGTERM/SIGINT: batches give their rows back and end


def drain_all(send_due: Callable, app=None, now: dt.datetime | None = None, **options) -> tuple[int, int]:
    """Run ``send_due`` batch after batch until nothing is due or a batch sends nothing:
    (sent, failed) over all batches. ``options`` (e.g. ``lease``) go to every call."""
    sent = failed = 0
    while True:
        ok, bad = send_due(app, now=now, **options)
        sent, failed = sent + ok, failed + bad
        if not ok:
            return sent, failed


def worker_name() -> str:
    """This process, as claim tokens name it: host and pid (an operator can tell who holds a row)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Batch:
    """Rows one worker took with ``take``: ``rows`` (loaded, in id order; never
    changed through the ORM), each finished with ``finish`` or ``drop``; what is
    left when the batch ends (``with batch:``) is given back, due at once.

    On PostgreSQL the outcome commits do not wait for the WAL flush (``synchronous_commit
    off`` for that transaction only): other workers see them at once, and a killed
    worker changes nothing; only a crash of the database server itself could forget the
    outcomes of its last fraction of a second, and those rows would be sent again (never
    lost). It halves the time per row on a disk that takes milliseconds to flush."""

    def __init__(self, session: Session, model, token: str, rows: list, now: dt.datetime,
                 deadline: float, clock: Callable[[], float] = time.monotonic):
        self.session, self.model, self.token, self.rows = session, model, token, rows
        self.table = model.__table__
        self.now, self.deadline, self.clock = now, deadline, clock
        self.open = {row.id for row in rows}
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def __len__(self) -> int:
        return len(self.rows)

    def expired(self) -> bool:
        """Too late to start another row (its lease could run out while it is sent), or
        the worker is stopping: the caller ends the batch, the rest is given back."""
        return STOP.is_set() or self.clock() >= self.deadline

    def _mine(self, ids: Iterable[int]):
        ids = list(ids)
        column = self.table.c.id
        return (column == ids[0] if len(ids) == 1 else column.in_(ids)), self.table.c.claim_token == self.token

    def _write(self, statement):
        if self.postgres and not self.session.in_transaction():
            self.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return self.session.execute(statement)

    def finish(self, row_id: int, commit: bool = True, **values) -> bool:
        """Record a row's outcome (``values``, by column name) and end the claim, in one
        commit (unless ``commit`` is False: the caller commits). False when the row is not
        ours any more (its lease ran out and another worker took it, or it was deleted)."""
        self.open.discard(row_id)
        done = self._write(update(self.table).where(*self._mine([row_id]))
                           .values(claim_token=None, **values)).rowcount == 1
        if commit:
            self.session.commit()
        return done

    def drop(self, ids: Iterable[int], commit: bool = True) -> int:
        """Delete rows of the batch that are done (the search outbox) or moot; returns rows deleted."""
        ids = list(ids)
        self.open.difference_update(ids)
        if not ids:
            return 0
        n = self._write(delete(self.table).where(*self._mine(ids))).rowcount
        if commit:
            self.session.commit()
        return n

    def forget(self, ids: Iterable[int]) -> None:
        """Rows that are gone (deleted with what they belonged to): nothing to give back."""
        self.open.difference_update(ids)

    def release(self) -> int:
        """Give back every row not finished: unclaimed and due at once (``now``)."""
        ids, self.open = sorted(self.open), set()
        if not ids:
            return 0
        n = self._write(update(self.table).where(*self._mine(ids))
                        .values(claim_token=None, next_attempt_at=self.now)).rowcount
        self.session.commit()
        return n

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                self.session.rollback()
            released = self.release()
        except Exception:  # the database went away: the lease gives the rows back later
            log.exception("outbox: could not give back %d %s rows; they are due again when the lease ends",
                          len(self.open), self.table.name)
            return
        if released and exc_type is None:
            log.info("outbox: %d %s rows given back (lease nearly over, or stopping)", released, self.table.name)


def take(session: Session, model, due: tuple, now: dt.datetime, limit: int, lease: float | None = None,
         margin: float = 0.0) -> Batch | None:
    """Claim up to ``limit`` rows of ``model`` matching ``due`` whose ``next_attempt_at``
    has come, in one short committed transaction; None when there are none (or the
    worker is stopping). The rows
    are this worker's until ``now + lease`` (default LEASE_SECONDS); no new row is started
    in the last ``margin`` seconds of it (at most half the lease): say, the send timeout.
    ``session`` should not expire on commit (``Session(engine, expire_on_commit=False)``)."""
    if STOP.is_set():  # the worker is stopping: it takes nothing more
        return None
    lease = LEASE_SECONDS if lease is None else float(lease)
    started = time.monotonic()
    ready = (*due, model.next_attempt_at <= now)
    pick = select(model.id).where(*ready).order_by(model.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)  # two workers never take one row
    ids = list(session.scalars(pick))
    if not ids:
        session.rollback()
        return None
    token = f"{worker_name()}:{secrets.token_hex(6)}"
    # the due condition again: on SQLite (no row locks) a row another worker took meanwhile is left
    taken = list(session.scalars(
        update(model).where(model.id.in_(ids), *ready)
        .values(claim_token=token, next_attempt_at=now + dt.timedelta(seconds=lease))
        .returning(model.id).execution_options(synchronize_session=False)))
    rows = list(session.scalars(select(model).where(model.id.in_(taken)).order_by(model.id))) if taken else []
    session.commit()
    if not rows:
        return None
    return Batch(session, model, token, rows, now, started + lease - min(max(margin, 0.0), lease / 2))


def status_counts(session: Session, model, statuses, pending: str) -> dict[str, int]:
    """An outbox table's rows by status (every status in ``statuses``), plus ``retrying``:
    the pending rows that have failed at least once."""
    counts = dict(session.execute(select(model.status, func.count()).group_by(model.status)).all())
    retrying = session.scalar(select(func.count()).select_from(model).where(
        model.status == pending, model.attempts > 0)) or 0
    return {**{status: counts.get(status, 0) for status in statuses}, "retrying": retrying}


def backoff(attempts: int) -> dt.timedelta:
    """How long a failed row waits: 2, 4, 8 … units after each attempt, at most MAX_BACKOFF."""
    return dt.timedelta(seconds=min(MAX_BACKOFF, 2 ** max(1, attempts)))


class InlineDrain:
    def __init__(self, name: str, config_key: str, drain: Callable) -> None:
        self.name, self.config_key, self.drain = name, config_key, drain
        self.key = f"{name}_outbox_written"
        self._registered = False

    def mark(self, session: Session) -> None:
        """The current transaction wrote outbox rows."""
        session.info[self.key] = True

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():  # a released savepoint, not the real commit
            return
        if not session.info.pop(self.key, False) or not has_app_context():
            return
        if current_app.config.get(self.config_key, "inline") != "inline":
            return
        try:
            self.drain(current_app._get_current_object())
        except Exception:  # the change is committed; the rows stay for a retry by the worker
            log.exception("%s: inline outbox processing failed", self.name)

    def _after_soft_rollback(self, session: Session, previous_transaction) -> None:
        if not previous_transaction.nested:
            session.info.pop(self.key, None)

    def register(self, after_flush: Callable | None = None, watch: type | None = None) -> None:
        """Listen once per process; ``after_flush`` decides when to ``mark``, or, with
        ``watch`` (an outbox model), a flush that adds such a row marks the transaction."""
        if not self._registered:
            if watch is not None:
                def after_flush(session: Session, _context) -> None:
                    if any(isinstance(obj, watch) for obj in session.new):
                        self.mark(session)
            if after_flush is not None:
                event.listen(Session, "after_flush", after_flush)
            event.listen(Session, "after_commit", self._after_commit)
            event.listen(Session, "after_soft_rollback", self._after_soft_rollback)
            self._registered = True
