"""``flask notify ...``: the notification worker (email digests and the mail
outbox) and its status."""
from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
notify_cli = AppGroup("notify", help="Notifications: email digests and the mail outbox.")


def run_once(app) -> tuple[int, int, int, int]:
    """Expire requests past their date (their clients are notified), queue due
    digests, then send every due mail. Returns (expired, digests, sent, failed)."""
    from portal.services import mailer, notifications, requests

    expired = requests.expire_due()
    digests = notifications.send_digests()
    sent, failed = mailer.drain(app)
    return expired, digests, sent, failed


@notify_cli.command("worker")
@click.option("--once", is_flag=True, help="Send what is due and exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def worker_command(once: bool, interval: float):
    """Expire old requests, send email digests and the mail outbox, retrying
    with back-off while the mail server is down."""
    from portal.extensions import db

    app = current_app._get_current_object()
    transport = f"SMTP {app.config['MAIL_SERVER']}" if app.config.get("MAIL_SERVER") else "instance/mail/"
    click.echo(f"Notification worker started (mail via {transport}; poll every {interval:g} s).")
    while True:
        try:
            expired, digests, sent, failed = run_once(app)
            if expired or digests or sent or failed:
                click.echo(f"requests expired {expired}, digests {digests}, sent {sent}, failed {failed}")
        except Exception:
            if once:
                raise
            log.exception("notify worker: iteration failed; retrying")
        finally:
            db.session.remove()  # a fresh session (and snapshot) for the next poll
        if once:
            return
        time.sleep(interval)


@notify_cli.command("status")
def status_command():
    """Mail outbox counts and notifications waiting for a digest."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models.notifications import EmailState, Notification
    from portal.services import mailer

    counts = mailer.backlog()
    digest = db.session.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.email_state == EmailState.PENDING)) or 0
    click.echo(f"Mail pending:        {counts['pending']} ({counts['retrying']} retrying after a failure)")
    click.echo(f"Mail failed:         {counts['failed']}")
    click.echo(f"Mail sent:           {counts['sent']}")
    click.echo(f"Waiting for digest:  {digest}")
