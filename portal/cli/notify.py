"""``flask notify ...``: the mail and push outboxes' status, and mailings to
consenting users (``broadcast``, agreement 3.3). Mail and pushes are sent by
``flask portal worker``."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)
notify_cli = AppGroup("notify", help="Notifications: email digests, the mail outbox, mailings.")


@notify_cli.command("status")
def status_command():
    """Mail outbox counts and notifications waiting for a digest."""
    from sqlalchemy import func, select

    from portal.core.extensions import db
    from portal.models.notifications import EmailState, Notification
    from portal.services.notifications import mailer, push

    counts = mailer.backlog()
    pushes = push.backlog()
    digest = db.session.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.email_state == EmailState.PENDING)) or 0
    click.echo(f"Mail pending:        {counts['pending']} ({counts['retrying']} retrying after a failure)")
    click.echo(f"Mail failed:         {counts['failed']}")
    click.echo(f"Mail sent:           {counts['sent']}")
    click.echo(f"Waiting for digest:  {digest}")
    click.echo(f"Push pending:        {pushes['pending']} ({pushes['retrying']} retrying after a failure)"
               + ("" if push.enabled() else "  [Web Push is off: no VAPID keys]"))
    click.echo(f"Push failed:         {pushes['failed']}")
    click.echo(f"Push sent:           {pushes['sent']}")


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

    from portal.core.extensions import db
    from portal.models.accounts import PortalUser
    from portal.services.notifications import mailings

    app = current_app._get_current_object()
    languages = list(app.config["LANGUAGES"])
    bodies = _read_bodies(body_file, languages, app.config["BABEL_DEFAULT_LOCALE"])
    subjects = {code: subject for code in languages}
    for code, text in subjects_for:
        if code not in languages:
            raise click.BadParameter(f"unknown language {code!r} (one of {', '.join(languages)})",
                                     param_hint="--subject-for")
        subjects[code] = text
    recipients = mailings.mailing_recipients(audience).where(PortalUser.id > start_after)
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
