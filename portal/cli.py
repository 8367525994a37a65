"""``flask portal ...`` commands: initialise reference data, load demo data,
create the admin account."""
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
    sm = current_app.appbuilder.sm
    user = sm.add_user(username=email.lower(), first_name="Admin", last_name="AlemTrust",
                       email=email.lower(), role=sm.find_role(sm.auth_role_admin), password=password)
    if not user:
        raise click.ClickException("Could not create the user (is the email taken?).")
    db.session.commit()
    click.echo(f"Admin {email} created.")


def register(app) -> None:
    app.cli.add_command(portal_cli)


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
