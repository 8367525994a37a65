"""``flask portal worker``: one process for every background job, in one loop:
apply the search outbox to the index (retrying with back-off while the
backend is down), expire old requests, queue booking reminders (24 h and 2 h
before) and email digests, send the mail
outbox (retrying while the mail server is down) and the push outbox (retrying
while a push service is down) and, once an hour, delete orphan upload files.

Any number of workers may run at once (on PostgreSQL; one on SQLite), and each
outbox row is done once: search, mail and push rows are taken with a lease
(core.outbox.take, SKIP LOCKED on PostgreSQL) and each mail or push is recorded
as sent in its own commit, so a worker killed mid-batch loses nothing (its rows
are taken again when ``--lease`` ends) and sends at most the one message it was
sending twice. Reminders are claimed with a conditional UPDATE, expiry and
digests with SKIP LOCKED; the orphan-file cleanup only deletes what no row
refers to (two at once: the second finds the file gone). SIGTERM/SIGINT stop a
worker after the row it is on, giving the rest of its batch back at once.

``flask portal worker-health`` (and, without starting the app, ``python -m
portal.cli.worker health``) prints the backlog per outbox for monitoring."""
from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import sys
import time
from dataclasses import asdict, astuple, dataclass

import click
from flask import current_app

from portal.cli.portal import portal_cli
from portal.core import outbox

log = logging.getLogger(__name__)


@dataclass
class Round:
    """What one pass of the worker did."""

    expired: int = 0
    reminded: int = 0        # bookings reminded (24 h / 2 h before)
    digests: int = 0
    sent: int = 0            # mails
    failed: int = 0
    pushed: int = 0          # push messages
    push_failed: int = 0

    def __bool__(self) -> bool:
        return any(astuple(self))


def run_once(app, lease: float | None = None) -> Round:
    """Expire requests past their date (their clients are notified), queue due
    booking reminders and digests, then send every due mail and push message
    (taken for ``lease`` seconds, default core.outbox.LEASE_SECONDS)."""
    from portal.core.clock import utcnow
    from portal.services.bookings import reminders
    from portal.services.exchange import request_lifecycle
    from portal.services.notifications import inbox, mailer, push

    done = Round(expired=request_lifecycle.expire_due(), reminded=reminders.send_due_reminders(utcnow()),
                 digests=inbox.send_digests())
    done.sent, done.failed = mailer.drain(app, lease=lease)
    done.pushed, done.push_failed = push.drain(app, lease=lease)
    return done


UPLOAD_CLEANUP_EVERY = 3600.0  # seconds between two cleanups of orphan upload files


class UploadCleanup:
    """Runs services.attachments.cleanup_orphans at most once per ``every``
    seconds (the first call runs it): a directory listing, and a query only
    when some file is past the grace period."""

    def __init__(self, every: float = UPLOAD_CLEANUP_EVERY, clock=time.monotonic):
        self.every, self.clock, self.last = every, clock, None

    def __call__(self) -> int | None:
        """Files deleted, or None when it was not due."""
        now = self.clock()
        if self.last is not None and now - self.last < self.every:
            return None
        self.last = now
        from portal.services.exchange import attachments, pending

        return attachments.cleanup_orphans() + pending.cleanup()  # and visitors' expired pending requests


@portal_cli.command("worker")
@click.option("--once", is_flag=True, help="Do what is due and exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--lease", default=outbox.LEASE_SECONDS, show_default=True, type=click.FloatRange(min=1),
              help="Seconds the outbox rows a worker took stay its own: the rows of a worker that died are "
                   "taken again by another after this. Longer than one batch takes to send.")
def worker_command(once: bool, interval: float, lease: float):
    """Run every background job: the search outbox, request expiry, digests, the
    mail and push outboxes and the hourly cleanup of orphan upload files. Run as
    many as you like on PostgreSQL; SIGTERM stops one after the row it is on."""
    from portal.core.extensions import db
    from portal.search import sync

    app = current_app._get_current_object()
    cleanup = UploadCleanup()
    free_time = sync.FreeTimeRefresh()  # search: free time gone stale (every 5 min; everyone daily)
    transport = f"SMTP {app.config['MAIL_SERVER']}" if app.config["MAIL_SERVER"] else "instance/mail/"
    from portal.services.notifications import vapid

    pushing = "on" if vapid.enabled(app) else "off (no VAPID keys)"
    click.echo(f"Worker {outbox.worker_name()} started (mail via {transport}; Web Push {pushing}; "
               f"poll every {interval:g} s; lease {lease:g} s).")
    outbox.STOP.clear()
    previous = {} if once else _stop_on_signals()
    try:
        while not outbox.STOP.is_set():
            try:
                indexed, index_failed = sync.drain(app, lease=lease)
                if indexed or index_failed:
                    click.echo(f"search index: applied {indexed}, failed {index_failed}")
                done = run_once(app, lease=lease)
                if done:
                    click.echo(f"requests expired {done.expired}, bookings reminded {done.reminded}, "
                               f"digests {done.digests}, mail sent {done.sent}, "
                               f"failed {done.failed}, push sent {done.pushed}, "
                               f"failed {done.push_failed}")
                removed = cleanup()
                if removed:
                    click.echo(f"orphan upload files deleted {removed}")
                requeued = free_time(app)
                if requeued:
                    click.echo(f"search index: free time refreshed for {requeued} profiles")
            except Exception:
                if once:
                    raise
                log.exception("worker: iteration failed; retrying")
            finally:
                db.session.remove()  # a fresh session (and snapshot) for the next poll
            if once:
                return
            outbox.STOP.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("Worker stopped.")


def _stop_on_signals() -> dict:
    """SIGTERM and SIGINT end the loop after the current row (a second SIGINT: at once).
    Returns the handlers replaced."""
    def stop(signum, _frame):
        if outbox.STOP.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        outbox.STOP.set()

    return {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}


# --- health: the backlog per outbox ------------------------------------------------------------

MAX_AGE = 300  # seconds a due row may wait before the health check fails
OK, UNHEALTHY, UNREACHABLE = 0, 1, 2
HEALTH_HELP = f"""Print the worker pool's backlog per outbox (search, mail, push, and booking
reminders): rows pending, due now, in work (taken by a worker), retrying after a failure,
failed for good, and how long the oldest due row has waited for a worker.

\b
Exit code (for monitoring):
  {OK}  healthy: no due row has waited longer than --max-age seconds and no row has failed
  {UNHEALTHY}  unhealthy: a due row waited longer than --max-age (no worker running, or too few),
     or mail/push rows failed for good (status 'failed': give up after the last retry)
  {UNREACHABLE}  the database cannot be reached (or read)

A row "due" is pending, its retry time has come and no worker holds it (a dead worker's
rows are due again when its lease ends); rows waiting to be retried after a failure count
as retrying, not as late. When the app itself cannot start (its database is down), run
the same check without it: python -m portal.cli.worker health."""


@dataclass
class Backlog:
    """One outbox's state. None: not tracked for this kind (reminders)."""

    pending: int = 0              # rows not done yet (due, in work, or waiting to be retried)
    due: int = 0                  # of them: may be taken now and no worker holds them
    in_work: int | None = 0       # of them: held by a worker (its lease runs)
    retrying: int | None = 0      # of them: failed at least once
    failed: int | None = 0        # given up for good
    oldest_due_seconds: float | None = None  # how long the longest-waiting due row has waited


def _outbox_backlog(session, model, now: dt.datetime, pending, failed_status: str | None) -> Backlog:
    from sqlalchemy import and_, func, select, true

    due = model.next_attempt_at <= now
    in_work = and_(model.claim_token.is_not(None), model.next_attempt_at > now)
    row = session.execute(select(
        func.count(), func.count().filter(due), func.count().filter(in_work),
        func.count().filter(model.attempts > 0), func.min(model.next_attempt_at).filter(due),
    ).select_from(model).where(pending if pending is not None else true())).one()
    failed = 0
    if failed_status is not None:
        failed = session.scalar(select(func.count()).select_from(model)
                                .where(model.status == failed_status)) or 0
    return Backlog(pending=row[0], due=row[1], in_work=row[2], retrying=row[3], failed=failed,
                   oldest_due_seconds=_age(now, row[4]))


def _age(now: dt.datetime, since: dt.datetime | None) -> float | None:
    return None if since is None else round(max(0.0, (now - since).total_seconds()), 1)


def _reminders_backlog(session, now: dt.datetime) -> Backlog:
    """Booking reminders due and not sent (services.bookings.reminders' windows); a reminder
    is due from its lead time before the start."""
    from sqlalchemy import func, select

    from portal.models.bookings import Booking, BookingStatus
    from portal.services.bookings.reminders import WINDOWS

    count, since = 0, None
    for name, lead, later_lead in WINDOWS:
        column = getattr(Booking, name)
        n, first = session.execute(select(func.count(), func.min(Booking.starts_at)).where(
            Booking.status == BookingStatus.CONFIRMED, column.is_(None),
            Booking.starts_at > now + later_lead, Booking.starts_at <= now + lead)).one()
        count += n
        if first is not None:
            since = min(since or first - lead, first - lead)
    return Backlog(pending=count, due=count, in_work=None, retrying=None, failed=None,
                   oldest_due_seconds=_age(now, since))


def backlog_report(session, now: dt.datetime | None = None) -> dict[str, Backlog]:
    """Every outbox's backlog, read in ``session``."""
    from portal.core.clock import utcnow
    from portal.models.notifications import MailOutbox, MailStatus, PushOutbox, PushStatus
    from portal.models.search import SearchOutbox

    now = now or utcnow()
    return {
        "search": _outbox_backlog(session, SearchOutbox, now, None, None),
        "mail": _outbox_backlog(session, MailOutbox, now, MailOutbox.status == MailStatus.PENDING,
                                MailStatus.FAILED),
        "push": _outbox_backlog(session, PushOutbox, now, PushOutbox.status == PushStatus.PENDING,
                                PushStatus.FAILED),
        "reminders": _reminders_backlog(session, now),
    }


def problems_of(report: dict[str, Backlog], max_age: float) -> list[str]:
    problems = []
    for kind, b in report.items():
        if b.oldest_due_seconds is not None and b.oldest_due_seconds > max_age:
            problems.append(f"{kind}: a due row has waited {b.oldest_due_seconds:.0f} s for a worker "
                            f"(more than {max_age:g} s); is a worker running?")
        if b.failed:
            problems.append(f"{kind}: {b.failed} rows failed for good (see last_error in the table)")
    return problems


def check_health(engine_factory, max_age: float) -> dict:
    """The health report as a dict (the --json output): status, exit_code, problems, outboxes."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from portal.core.clock import utcnow

    now = utcnow()
    result = {"status": "healthy", "exit_code": OK, "checked_at": now.isoformat(timespec="seconds") + "Z",
              "max_age_seconds": max_age, "problems": [], "outboxes": {}, "error": None}
    try:
        with Session(engine_factory()) as session:
            report = backlog_report(session, now)
    except (SQLAlchemyError, OSError, ImportError) as exc:  # ImportError: no driver for the URL
        error = f"{type(exc).__name__}: {' '.join(str(exc).splitlines()[0].split())[:300] if str(exc) else ''}"
        result.update(status="unreachable", exit_code=UNREACHABLE, error=error,
                      problems=[f"the database cannot be reached or read ({error})"])
        return result
    result["outboxes"] = {kind: asdict(b) for kind, b in report.items()}
    result["problems"] = problems_of(report, max_age)
    if result["problems"]:
        result.update(status="unhealthy", exit_code=UNHEALTHY)
    return result


def _cell(value, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.0f} s" if unit else str(value)


def print_health(result: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    if result["outboxes"]:
        click.echo(f"{'Outbox':<10}{'pending':>9}{'due':>7}{'in work':>9}{'retrying':>10}{'failed':>8}"
                   f"{'oldest due':>12}")
        for kind, b in result["outboxes"].items():
            click.echo(f"{kind:<10}{_cell(b['pending']):>9}{_cell(b['due']):>7}{_cell(b['in_work']):>9}"
                       f"{_cell(b['retrying']):>10}{_cell(b['failed']):>8}"
                       f"{_cell(b['oldest_due_seconds'], 's'):>12}")
    if result["exit_code"] == OK:
        click.echo(f"Healthy: no due row has waited more than {result['max_age_seconds']:g} s "
                   "and no row has failed.")
        return
    click.echo("DATABASE UNREACHABLE:" if result["exit_code"] == UNREACHABLE else "UNHEALTHY:")
    for problem in result["problems"]:
        click.echo(f"- {problem}")


def _health_options(command):
    command = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")(command)
    return click.option("--max-age", default=MAX_AGE, show_default=True, type=click.FloatRange(min=0),
                        help="Seconds a due row may wait for a worker before the check fails.")(command)


@portal_cli.command("worker-health", help=HEALTH_HELP)
@_health_options
def worker_health_command(max_age: float, as_json: bool):
    result = check_health(_app_engine, max_age)
    print_health(result, as_json)
    click.get_current_context().exit(result["exit_code"])


def _app_engine():
    from portal.core.extensions import db

    return db.engine


def _engine_for(url: str):
    """An engine of its own for the check without the app (short connect timeout; a
    SQLite file that is not there is an error, not a new empty database)."""
    import os

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from config import database_url

    url = make_url(database_url(url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not os.path.exists(url.database):
        raise OSError(f"no such SQLite database file: {url.database}")
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    return create_engine(url, connect_args=connect_args, poolclass=NullPool)


@click.group()
def main():
    """The worker pool's health check, without starting the app (python -m portal.cli.worker health)."""


@main.command("health", help=HEALTH_HELP.replace("python -m portal.cli.worker health", "flask portal worker-health"))
@_health_options
@click.option("--database-url", envvar="DATABASE_URL", default="",
              help="The database (default: $DATABASE_URL; without it config.py's development SQLite file).")
def health_command(max_age: float, as_json: bool, database_url: str):
    def engine():
        if not database_url:
            from config import Config

            return _engine_for(Config.SQLALCHEMY_DATABASE_URI)
        return _engine_for(database_url)

    result = check_health(engine, max_age)
    print_health(result, as_json)
    sys.exit(result["exit_code"])


if __name__ == "__main__":
    main(prog_name="python -m portal.cli.worker")
