"""``flask search ...``: rebuild the index from the database and compare it
with the database (the outbox is applied by ``flask portal worker``)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

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
