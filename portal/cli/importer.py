"""``flask portal import-practitioners FILE``: load a practitioner registry
(JSON Lines or CSV, see docs/import.md) through portal.services.practitioners.importer.

Wired into the ``portal`` group in portal/cli/__init__.py with
``portal_cli.add_command(import_practitioners_command)`` (or ``register(portal_cli)``)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

LOCALES = ("en", "kk", "ru")


@click.command("import-practitioners")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("jsonl", "csv")), default=None,
              help="File format; by default from the extension (.jsonl/.ndjson or .csv).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="Lines per transaction.")
@click.option("--locale", type=click.Choice(LOCALES), default="en", show_default=True,
              help="Language of the summary and the reasons.")
@click.option("--show-errors", default=100, show_default=True, type=click.IntRange(min=0),
              help="How many skipped-line reasons to print (0: all).")
@with_appcontext
def import_practitioners_command(file: str, fmt: str | None, batch_size: int, locale: str, show_errors: int):
    """Create or update practitioners (accounts and profiles) from FILE.

    Re-importing updates the profiles matched by external_id, else by licence
    number within the category, else by the account's email. Exits with 1 if
    any line was skipped."""
    from portal.services.practitioners import import_files, importer

    with force_locale(locale):
        try:
            total = import_files.count_lines(file)
            with click.progressbar(length=total, label=_("Importing practitioners"), show_pos=True,
                                   show_eta=True, file=click.get_text_stream("stderr")) as bar:
                def progress(line: int) -> None:
                    if line > bar.pos:
                        bar.update(line - bar.pos)

                report = importer.import_practitioners(file, fmt=fmt, progress=progress, batch_size=batch_size)
        except import_files.ImportFileError as exc:
            raise click.ClickException(str(exc.message)) from None
        click.echo(_("Created: %(n)s", n=report.created))
        click.echo(_("Updated: %(n)s", n=report.updated))
        click.echo(_("Unchanged: %(n)s", n=report.unchanged))
        click.echo(_("Skipped: %(n)s", n=report.skipped))
        if report.ignored_columns:
            click.echo(_("Ignored unknown columns: %(columns)s", columns=", ".join(report.ignored_columns)))
        if report.unmapped:
            click.echo(_("Not found in the reference lists (kept as free text):"))
            for column, value, n in report.unmapped:
                click.echo(_("%(column)s “%(value)s”: %(n)s", column=column, value=value, n=n))
        shown = report.errors if not show_errors else report.errors[:show_errors]
        for line, reason in shown:
            click.echo(_("Line %(line)s: %(reason)s", line=line, reason=str(reason)))
        if len(shown) < len(report.errors):
            click.echo(_("… and %(n)s more.", n=len(report.errors) - len(shown)))
    if report.errors:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    group.add_command(import_practitioners_command)
