"""``flask portal ...`` commands: initialise reference data, load demo data,
create the admin account, delete orphan upload files."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="AlemTrust maintenance commands.")


@portal_cli.command("init")
def init_command():
    """Insert missing reference data (regions, categories, agreement v1) and sync roles."""
    from portal.services import reference

    changed = reference.ensure_reference_data()
    current_app.appbuilder.sm.sync_roles()
    click.echo("Reference data inserted." if changed else "Reference data already present.")


@portal_cli.command("demo")
def demo_command():
    """Load demo content into an empty database."""
    from portal import demo
    from portal.models.practitioners import PractitionerProfile
    from portal.extensions import db

    if db.session.query(PractitionerProfile).count():
        raise click.ClickException("The database already has practitioner profiles; demo data not loaded.")
    counts = demo.load_demo_data(current_app.appbuilder.sm)
    click.echo(f"Demo data loaded: {counts}")


@portal_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email: str, password: str):
    """Create an additional Admin account."""
    from portal.extensions import db
    from portal.services.validation import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(str(problem))
    from portal.services.accounts import email_taken

    if email_taken(email):  # also a look-alike of an existing email (services.confusables)
        raise click.ClickException("An account with this email, or one that looks like it, already exists.")
    sm = current_app.appbuilder.sm
    user = sm.add_user(username=email.lower(), first_name="Admin", last_name="AlemTrust",
                       email=email.lower(), role=sm.find_role(sm.auth_role_admin), password=password)
    if not user:
        raise click.ClickException("Could not create the user (is the email taken?).")
    db.session.commit()
    click.echo(f"Admin {email} created.")


@portal_cli.command("cleanup-uploads")
@click.option("--grace-minutes", type=int, default=None,
              help="Keep files younger than this (default: UPLOAD_ORPHAN_GRACE_MINUTES).")
def cleanup_uploads_command(grace_minutes: int | None):
    """Delete upload files that no row refers to (left by a process that died
    between writing a file and committing its row), once past the grace period."""
    from portal.services import attachments

    grace = grace_minutes if grace_minutes is not None else current_app.config["UPLOAD_ORPHAN_GRACE_MINUTES"]
    paths = attachments.orphan_files(grace_minutes=grace)
    deleted = 0
    with click.progressbar(paths, label="Deleting orphan upload files", show_pos=True) as bar:
        for path in bar:
            deleted += attachments.delete_files([path])
    click.echo(f"Deleted {deleted} orphan upload files (older than {grace} minutes, referenced by no row); "
               f"{len(paths) - deleted} were already gone.")


def register(app) -> None:
    from portal.cli_import import register as register_import

    register_import(portal_cli)
    app.cli.add_command(portal_cli)
    app.cli.add_command(search_cli)
    from portal.cli_notify import notify_cli
    app.cli.add_command(notify_cli)
    app.cli.add_command(requests_cli)


requests_cli = AppGroup("requests", help="Service requests maintenance.")


@requests_cli.command("expire")
def expire_command():
    """Move open requests past their expiry date (REQUEST_TTL_DAYS after
    publication) to expired, declining their offers and telling the clients."""
    from portal.services import requests

    count = requests.expire_due()
    click.echo(f"Expired {count} requests.")


search_cli = AppGroup("search", help="Search index maintenance.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the search index from the database (searches keep working: the
    new index replaces the old one atomically)."""
    import time

    from portal.search.documents import public_ids
    from portal.services import search

    total = len(public_ids())
    started = time.perf_counter()
    with click.progressbar(length=total, label="Indexing public profiles", show_pos=True,
                           show_percent=True, show_eta=True) as bar:
        count = search.reindex(progress=bar.update)
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {count} profiles in {elapsed:.1f} s "
               f"({count / elapsed if elapsed else 0:.0f} docs/s) into the {search.backend().name} backend.")


@search_cli.command("status")
def status_command():
    """Documents in the index vs public profiles in the database, and the outbox backlog."""
    from portal.services import search

    st = search.status()
    click.echo(f"Backend:               {st.backend}")
    click.echo(f"Documents in index:    {st.indexed}")
    click.echo(f"Public profiles in DB: {st.public}")
    click.echo(f"Missing from index:    {st.missing}")
    click.echo(f"Stale in index:        {st.stale}")
    click.echo(f"Outbox backlog:        {st.backlog} ({st.failing} failed at least once)")
    if st.error:
        click.echo(f"Backend error:         {st.error}")
    if st.error or st.missing or st.stale or st.backlog:
        raise SystemExit(1)


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Apply what is due and exit.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
def worker_command(once: bool, interval: float):
    """Apply the search outbox to the backend, retrying with back-off while it is down."""
    import time

    from portal.search import sync

    app = current_app._get_current_object()
    click.echo(f"Search worker started (poll every {interval:g} s).")
    while True:
        done, failed = sync.drain(app)
        if done or failed:
            click.echo(f"applied {done}, failed {failed}")
        if once:
            return
        time.sleep(interval)


@portal_cli.command("translations")
@click.option("--compile-only", is_flag=True, help="Only compile the .po catalogues to .mo.")
def translations_command(compile_only: bool):
    """Extract the portal's and Flask-AppBuilder's strings, update the kk/ru/en
    catalogues in portal/translations, and compile them."""
    from portal import i18n_tools

    if not compile_only:
        counts = i18n_tools.update_catalogues()
        for locale, (total, missing) in counts.items():
            click.echo(f"{locale}: {total} messages, {missing} untranslated")
    i18n_tools.compile_catalogues()
    click.echo("Catalogues compiled.")
