"""``flask portal vapid-keys``: a new VAPID key pair for Web Push, printed as
the environment lines to set (base64url: the public key is what browsers
subscribe with, the private key signs every push). Changing the keys of a
running site makes every existing browser subscription useless: browsers
subscribe again when the user next switches notifications on."""
from __future__ import annotations

import click
from flask import current_app

from portal.cli.portal import portal_cli


@portal_cli.command("vapid-keys")
def vapid_keys_command():
    """Generate a VAPID key pair for Web Push and print the lines to set."""
    from portal.services.notifications import vapid

    private, public = vapid.generate_keys()
    click.echo("# Web Push (VAPID) keys: set these in the environment of the web app and the worker.")
    click.echo("# Keep the private key secret; the public key is sent to browsers.")
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo("# A contact for push services (mailto: or https:); by default mailto:$SUPPORT_EMAIL.")
    click.echo(f"VAPID_SUBJECT={current_app.config['VAPID_SUBJECT']}")
