"""``flask portal worker``: one process for every background job, in one loop:
apply the search outbox to the index (retrying with back-off while the
backend is down), expire old requests, queue booking reminders (24 h and 2 h
before) and email digests, send the mail
outbox (retrying while the mail server is down) and the push outbox (retrying
while a push service is down) and, once an hour, delete orphan upload files.
Several workers may run at once on PostgreSQL: outbox rows are taken with
SKIP LOCKED."""
from __future__ import annotations

import logging
import time
from dataclasses import astuple, dataclass

import click
from flask import current_app

from portal.cli.portal import portal_cli

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


def run_once(app) -> Round:
    """Expire requests past their date (their clients are notified), queue due
    booking reminders and digests, then send every due mail and push message."""
    from portal.core.clock import utcnow
    from portal.services.bookings import reminders
    from portal.services.exchange import request_lifecycle
    from portal.services.notifications import inbox, mailer, push

    done = Round(expired=request_lifecycle.expire_due(), reminded=reminders.send_due_reminders(utcnow()),
                 digests=inbox.send_digests())
    done.sent, done.failed = mailer.drain(app)
    done.pushed, done.push_failed = push.drain(app)
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
def worker_command(once: bool, interval: float):
    """Run every background job: the search outbox, request expiry, digests, the
    mail and push outboxes and the hourly cleanup of orphan upload files."""
    from portal.core.extensions import db
    from portal.search import sync

    app = current_app._get_current_object()
    cleanup = UploadCleanup()
    free_time = sync.FreeTimeRefresh()  # search: free time gone stale (every 5 min; everyone daily)
    transport = f"SMTP {app.config['MAIL_SERVER']}" if app.config["MAIL_SERVER"] else "instance/mail/"
    from portal.services.notifications import vapid

    pushing = "on" if vapid.enabled(app) else "off (no VAPID keys)"
    click.echo(f"Worker started (mail via {transport}; Web Push {pushing}; poll every {interval:g} s).")
    while True:
        try:
            indexed, index_failed = sync.drain(app)
            if indexed or index_failed:
                click.echo(f"search index: applied {indexed}, failed {index_failed}")
            done = run_once(app)
            if done:
                click.echo(f"requests expired {done.expired}, bookings reminded {done.reminded}, "
                           f"digests {done.digests}, mail sent {done.sent}, "
                           f"failed {done.failed}, push sent {done.pushed}, failed {done.push_failed}")
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
        time.sleep(interval)
