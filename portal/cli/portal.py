"""``flask portal ...``: reference data, demo data, the admin account, orphan
upload files, photo copies, the translation catalogues and registry imports (portal.cli.importer)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="AlemTrust maintenance commands.")


@portal_cli.command("init")
def init_command():
    """Insert missing reference data (regions, categories, agreement v1) and sync roles."""
    from portal.services import catalog

    changed = catalog.ensure_reference_data()
    current_app.appbuilder.sm.sync_roles()
    click.echo("Reference data inserted." if changed else "Reference data already present.")


@portal_cli.command("demo")
def demo_command():
    """Load demo content into an empty database."""
    from portal import demo
    from portal.core.extensions import db
    from portal.models.practitioners import PractitionerProfile

    if db.session.query(PractitionerProfile).count():
        raise click.ClickException("The database already has practitioner profiles; demo data not loaded.")
    counts = demo.load_demo_data(current_app.appbuilder.sm)
    click.echo(f"Demo data loaded: {counts}")


@portal_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email: str, password: str):
    """Create an additional Admin account."""
    from portal.core.extensions import db
    from portal.core.validation import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(str(problem))
    from portal.services.accounts.registration import email_taken

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
    from portal.services.exchange import attachments

    grace = grace_minutes if grace_minutes is not None else current_app.config["UPLOAD_ORPHAN_GRACE_MINUTES"]
    paths = attachments.orphan_files(grace_minutes=grace)
    deleted = 0
    with click.progressbar(paths, label="Deleting orphan upload files", show_pos=True) as bar:
        for path in bar:
            deleted += attachments.delete_files([path])
    click.echo(f"Deleted {deleted} orphan upload files (older than {grace} minutes, referenced by no row); "
               f"{len(paths) - deleted} were already gone.")


@portal_cli.command("photos")
def photos_command():
    """Make the smaller copies (PHOTO_WIDTHS, WebP) of practitioner photos that lack one:
    photos uploaded before copies were made, or after a width was added."""
    from portal.services.practitioners import documents

    photos = documents.photos_without_variants()
    made = unreadable = 0
    with click.progressbar(photos, label="Making photo copies", show_pos=True) as bar:
        for doc in bar:
            written = documents.make_photo_variants(doc)
            made += written
            unreadable += not written
    widths = ", ".join(str(w) for w in documents.photo_widths())
    click.echo(f"{len(photos)} photos lacked copies ({widths} px): {made} copies written; "
               f"{unreadable} photos could not be read as images (their pages show the original).")


@portal_cli.command("translations")
@click.option("--compile-only", is_flag=True, help="Only compile the .po catalogues to .mo.")
def translations_command(compile_only: bool):
    """Extract the portal's and Flask-AppBuilder's strings, update the kk/ru/en
    catalogues in portal/translations, and compile them."""
    from portal.core import i18n_tools

    if not compile_only:
        counts = i18n_tools.update_catalogues()
        for locale, (total, missing) in counts.items():
            click.echo(f"{locale}: {total} messages, {missing} untranslated")
    i18n_tools.compile_catalogues()
    click.echo("Catalogues compiled.")
