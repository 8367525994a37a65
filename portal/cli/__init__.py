"""Every ``flask`` command of the portal, one module per group:
``portal`` (maintenance, registry import, the worker), ``search``, ``notify``
and ``requests``."""
from __future__ import annotations


def register(app) -> None:
    from portal.cli import (  # noqa: F401  (their commands join the portal group)
        check_config,
        importer,
        push,
        storage,
        worker,
    )
    from portal.cli.exchange import requests_cli
    from portal.cli.notify import notify_cli
    from portal.cli.portal import portal_cli
    from portal.cli.search import search_cli

    importer.register(portal_cli)
    for group in (portal_cli, search_cli, notify_cli, requests_cli):
        app.cli.add_command(group)
