"""``flask portal check-config``: is this environment ready to run the portal in
production? One line per check, in plain words, then a summary:

    OK       SECRET_KEY: set, 64 characters
    MISSING  Redis: REDIS_URL is not set: ...
    WRONG    database: PostgreSQL alemtrust on db1:5432 cannot be reached: ...
    WARN     file storage: STORAGE_BACKEND is local: ...

``OK``: ready. ``MISSING``: a required setting is not there. ``WRONG``: it is there but
does not work (a weak key, a server that does not answer, a database behind the code).
``WARN``: fine on one machine, not with several app servers (local files, the embedded
search index). Exit code 0 when no line is MISSING or WRONG (``--strict``: nor WARN), else 1.

What is checked is a configuration *class*, ``config.ProductionConfig`` unless ``--config``
names another, read from the environment exactly as the app servers and workers read it;
the app ``flask`` loaded is not used. So the same check runs where the app cannot start (a
weak SECRET_KEY or an unreachable database stop ``create_app``, and with it every ``flask``
command of the portal) as::

    python -m portal.cli.check_config [--config CLASS] [--offline] [--strict]

Servers are contacted with short timeouts: PostgreSQL (and its migration revision),
Elasticsearch (and the index alias), Redis (PING), the object store (a small file written,
read back and deleted), the SMTP server (EHLO, STARTTLS and login when configured).
``--offline`` checks the settings only. No check ever ends the command with a traceback: a
check that fails in an unexpected way is a WRONG line naming the error."""
from __future__ import annotations

import sys
from typing import Callable, Mapping

import click

from portal.cli.config_checks import (
    FAILED,
    WARN,
    WRONG,
    Check,
    _short,
    check_base_url,
    check_https,
    check_instance,
    check_proxy,
    check_push,
    check_secret_key,
    check_startup,
    load_config,
)
from portal.cli.portal import portal_cli
from portal.cli.server_checks import check_database, check_mail, check_redis, check_search, check_storage

DEFAULT_CONFIG = "config.ProductionConfig"

CHECKS: tuple[tuple[str, Callable[[Mapping, bool], Check]], ...] = (
    ("SECRET_KEY", check_secret_key),
    ("database", check_database),
    ("search", check_search),
    ("Redis", check_redis),
    ("file storage", check_storage),
    ("mail", check_mail),
    ("links in emails", check_base_url),
    ("Web Push", check_push),
    ("reverse proxy", check_proxy),
    ("HTTPS", check_https),
    ("start-up", check_startup),
    ("instance folder", check_instance),
)


def run_checks(config: Mapping, offline: bool = False) -> list[Check]:
    """Every check, in order; a check that raises is a WRONG line naming the error."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(check(config, offline))
        except Exception as exc:  # noqa: BLE001  (never a traceback: say what broke)
            results.append(Check(WRONG, name, f"the check itself failed: {type(exc).__name__}: {_short(exc)}"))
    return results


def report(config_name: str, offline: bool = False, strict: bool = False, echo=click.echo) -> int:
    """Print the lines and the summary; the exit code."""
    echo(f"Checking {config_name} with the settings of this environment"
         f"{' (--offline: no server is contacted)' if offline else ''}.")
    try:
        config = load_config(config_name)
    except Exception as exc:  # noqa: BLE001  (a class that is not there, an environment value of the wrong kind)
        echo(Check(WRONG, "settings", f"{config_name} cannot be loaded: {type(exc).__name__}: {_short(exc)} "
                                      "(a setting in the environment with a value of the wrong kind?)").line())
        return 1
    results = run_checks(config, offline)
    for result in results:
        echo(result.line())
    failed = sum(r.status in FAILED for r in results)
    warned = sum(r.status == WARN for r in results)
    if not failed and not warned:
        echo(f"All {len(results)} checks OK.")
    else:
        echo(f"{len(results) - failed - warned} OK, {warned} WARN (one machine only), "
             f"{failed} MISSING or WRONG (to fix before going live).")
    return 1 if failed or (strict and warned) else 0


@click.command("check-config")
@click.option("--config", "config_name", default=DEFAULT_CONFIG, show_default=True,
              help="The configuration class to check (read from the environment, as the app servers do).")
@click.option("--offline", is_flag=True, help="Check the settings only; contact no server.")
@click.option("--strict", is_flag=True, help="Fail on WARN lines too (a deployment on several machines).")
def check_config_command(config_name: str, offline: bool, strict: bool):
    """Check a production environment: SECRET_KEY, database, search, Redis, file storage,
    mail, Web Push, proxy and HTTPS settings. One line per check (OK, WARN, MISSING,
    WRONG); exit code 1 when something is MISSING or WRONG."""
    sys.exit(report(config_name, offline, strict))


# a plain click command (no app context needed): `flask portal check-config`, and
# `python -m portal.cli.check_config` where the app itself cannot start
portal_cli.add_command(check_config_command)


if __name__ == "__main__":
    check_config_command.main(prog_name="python -m portal.cli.check_config")
