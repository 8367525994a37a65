"""``flask requests expire``: expire open requests past their date now (the
worker does it at every poll)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

requests_cli = AppGroup("requests", help="Service requests maintenance.")


@requests_cli.command("expire")
def expire_command():
    """Move open requests past their expiry date (REQUEST_TTL_DAYS after
    publication) to expired, declining their offers and telling the clients."""
    from portal.services.exchange import request_lifecycle

    count = request_lifecycle.expire_due()
    click.echo(f"Expired {count} requests.")
