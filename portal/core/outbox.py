"""What every outbox (search index, mail, push) shares: the retry back-off, draining
batch after batch, counts by status, and draining an outbox right after the commit
that wrote to it.

The search index and the mail outbox both keep their work in a table written
in the same transaction as the change. In development (``SEARCH_SYNC`` /
``NOTIFY_SYNC`` = "inline") the rows are applied as soon as that transaction
commits; in production a worker does it. ``InlineDrain`` is that hook, once."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
MAX_BACKOFF = 300


def drain_all(send_due: Callable, app=None, now: dt.datetime | None = None) -> tuple[int, int]:
    """Run ``send_due`` batch after batch until nothing is due or a batch sends nothing:
    (sent, failed) over all batches."""
    sent = failed = 0
    while True:
        ok, bad = send_due(app, now=now)
        sent, failed = sent + ok, failed + bad
        if not ok:
            return sent, failed


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
