"""``flask notify ...``: the notification worker (email digests and the mail
outbox; hourly, the cleanup of orphan upload files), its status, and mailings
to consenting users (``broadcast``, agreement 3.3)."""
from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
notify_cli = AppGroup("notify", help="Notifications: email digests, the mail outbox, mailings.")


def run_once(app) -> tuple[int, int, int, int]:
    """Expire requests past their date (their clients are notified), queue due
    digests, then send every due mail. Returns (expired, digests, sent, failed)."""
    from portal.services import mailer, notifications, requests

    expired = requests.expire_due()
    digests = notifications.send_digests()
    sent, failed = mailer.drain(app)
    return expired, digests, sent, failed


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
        from portal.services import attachments

        return attachments.cleanup_orphans()


@notify_cli.command("worker")
@click.option("--once", is_flag=True, help="Send what is due and exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def worker_command(once: bool, interval: float):
    """Expire old requests, send email digests and the mail outbox, retrying
    with back-off while the mail server is down; once an hour, delete orphan
    upload files (see `flask portal cleanup-uploads`)."""
    from portal.extensions import db

    app = current_app._get_current_object()
    cleanup = UploadCleanup()
    transport = f"SMTP {app.config['MAIL_SERVER']}" if app.config.get("MAIL_SERVER") else "instance/mail/"
    click.echo(f"Notification worker started (mail via {transport}; poll every {interval:g} s).")
    while True:
        try:
            expired, digests, sent, failed = run_once(app)
            if expired or digests or sent or failed:
                click.echo(f"requests expired {expired}, digests {digests}, sent {sent}, failed {failed}")
            removed = cleanup()
            if removed:
                click.echo(f"orphan upload files deleted {removed}")
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


@notify_cli.command("broadcast")
@click.option("--audience", required=True, type=click.Choice(["informational", "advertising"]),
              help="Informational (portal news) or advertising: only users who consented to it get the email.")
@click.option("--subject", required=True, help="The subject (for languages without their own --subject-for).")
@click.option("--subject-for", "subjects_for", nargs=2, multiple=True, metavar="LANG SUBJECT",
              help="The subject in one language, e.g. --subject-for kk 'Жаңалықтар'. Repeatable.")
@click.option("--body-file", required=True,
              help="Plain-text body (blank lines separate paragraphs). A '{locale}' in the path is replaced by "
                   "each language code (news.{locale}.txt -> news.kk.txt, news.ru.txt, news.en.txt); languages "
                   "without a file get the default language's text.")
@click.option("--batch", default=200, show_default=True, help="Emails per commit.")
@click.option("--start-after", default=0, show_default=True,
              help="Skip users up to this id (to continue a broadcast that stopped).")
def broadcast_command(audience: str, subject: str, subjects_for, body_file: str, batch: int, start_after: int):
    """Queue one email per consenting, active user in their language (agreement 3.3)."""

    from portal.extensions import db
    from portal.models.accounts import PortalUser
    from portal.services import mailings, notifications

    app = current_app._get_current_object()
    languages = list(app.config.get("LANGUAGES", {"ru": {}}))
    bodies = _read_bodies(body_file, languages, app.config.get("BABEL_DEFAULT_LOCALE", "ru"))
    subjects = {code: subject for code in languages}
    for code, text in subjects_for:
        if code not in languages:
            raise click.BadParameter(f"unknown language {code!r} (one of {', '.join(languages)})",
                                     param_hint="--subject-for")
        subjects[code] = text
    recipients = notifications.mailing_recipients(audience).where(PortalUser.id > start_after)
    ids = list(db.session.scalars(recipients.with_only_columns(PortalUser.id)))
    queued, last_id = 0, start_after
    try:
        with click.progressbar(length=len(ids), label=f"Queueing {audience} emails") as bar:
            for start in range(0, len(ids), batch):
                chunk = ids[start:start + batch]
                # re-checked per chunk: a user who withdrew consent meanwhile is skipped
                for user in db.session.scalars(recipients.where(PortalUser.id.in_(chunk))):
                    mailings.queue(user, audience, subjects, bodies)
                    queued += 1
                db.session.commit()
                last_id = chunk[-1]
                bar.update(len(chunk))
    except Exception:
        db.session.rollback()
        click.echo(f"Stopped after {queued} emails; continue with --start-after {last_id}.", err=True)
        raise
    click.echo(f"Queued {queued} emails to the {audience} audience; `flask notify worker` sends them.")


def _read_bodies(pattern: str, languages: list[str], default: str) -> dict[str, str]:
    """Body text per language code, from one file or one file per language."""
    import os

    paths = {code: pattern.replace("{locale}", code) for code in languages}
    bodies: dict[str, str] = {}
    for code, path in paths.items():
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                bodies[code] = fh.read()
    if default not in bodies:
        raise click.BadParameter(f"no such file: {paths[default]}", param_hint="--body-file")
    if not any(text.strip() for text in bodies.values()):
        raise click.BadParameter("the body is empty", param_hint="--body-file")
    return bodies
