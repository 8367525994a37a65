"""A snapshot of the session app's database, taken right after the app was built
(migrated, FAB permissions, reference data, admin), and its restore before each
test: the code under test commits for real (its own connections, the inline
outbox drains, threads on PostgreSQL, the committed_session checks all see the
same rows) and the next test still starts from the same state.

SQLite: the snapshot is a copy of the database file; a restore writes it back
through SQLite's online backup API (a page copy under SQLite's own locks, so
pooled connections simply see the restored content). The same file is the
template of every ``separate_app``.

PostgreSQL: the snapshot is a copy of every table in a schema of its own plus
the sequence positions; a restore empties the tables and copies the rows back
in one transaction (foreign-key triggers off for it, ``session_replication_role``).

A restore also gives the app a new, empty search index (as on a fresh database;
the in-memory index gets a 15 MB writer heap, tantivy's least, instead of the
default 64 MB: a commit then takes 3 ms instead of 13, the documents are the
same) and empties the upload and mail folders, whose file names carry row ids
that the restored database hands out again.

Speed, test-only: the test SQLite files are written without fsync
(``PRAGMA synchronous = OFF``: nothing survives a power cut, which no test needs;
transactions and locking are unchanged)."""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import event, inspect, text

_EXTENSION = "tests.snapshot"
_SQLITE_TEMPLATE: list[Path] = []  # the migrated, seeded SQLite file (separate apps start on a copy)
SCHEMA = "test_snapshot"


SEARCH_HEAP = 15_000_000


def no_fsync(engine) -> None:
    """Test SQLite files: no fsync on commit (connections opened from now on)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragma(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA synchronous = OFF")

    engine.dispose()


def copy_sqlite(source: str | os.PathLike, target: str | os.PathLike) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_template() -> Path | None:
    return _SQLITE_TEMPLATE[0] if _SQLITE_TEMPLATE else None


def remember_sqlite_template(path: Path, copy: bool = False) -> None:
    """``path`` is the template of later separate apps (``copy``: of a copy of it, made now)."""
    if not _SQLITE_TEMPLATE:
        if copy:
            import tempfile

            kept = Path(tempfile.mkdtemp(prefix="portal-template-")) / "template.db"
            copy_sqlite(path, kept)
            path = kept
        _SQLITE_TEMPLATE.append(path)


class Snapshot:
    @staticmethod
    def of(app) -> "Snapshot | None":
        return app.extensions.get(_EXTENSION)

    @classmethod
    def take(cls, app, folder: Path) -> "Snapshot":
        from portal.core.extensions import db

        db.session.remove()
        kind = SqliteSnapshot if db.engine.dialect.name == "sqlite" else PostgresSnapshot
        snapshot = kind(app, folder)
        app.extensions[_EXTENSION] = snapshot
        return snapshot

    def __init__(self, app, folder: Path) -> None:
        self.app = app
        self.folders = [os.path.join(app.instance_path, name) for name in ("uploads", "mail")]

    def restore(self) -> None:
        from portal.core.extensions import db

        db.session.remove()
        self._restore_database(db)
        self.app.extensions["search"] = self._new_index()
        for folder in self.folders:
            if os.path.isdir(folder) and os.listdir(folder):
                shutil.rmtree(folder)

    def _new_index(self):
        config = self.app.config
        if config.get("ELASTICSEARCH_URL") or config.get("SEARCH_INDEX_PATH") != ":memory:":
            return None  # made by the app on first use
        from portal.search.embedded import EmbeddedBackend

        return EmbeddedBackend(None, heap_size=SEARCH_HEAP)

    def _restore_database(self, db) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteSnapshot(Snapshot):
    def __init__(self, app, folder: Path) -> None:
        from portal.core.extensions import db

        super().__init__(app, folder)
        self.path = Path(db.engine.url.database)
        self.template = folder / "template.db"
        copy_sqlite(self.path, self.template)
        remember_sqlite_template(self.template)
        self._source = sqlite3.connect(self.template)
        self._target = sqlite3.connect(self.path)
        self._target.execute("PRAGMA synchronous = OFF")
        no_fsync(db.engine)

    def _restore_database(self, db) -> None:
        self._source.backup(self._target)

    def close(self) -> None:
        self._source.close()
        self._target.close()


class PostgresSnapshot(Snapshot):
    def __init__(self, app, folder: Path) -> None:
        from portal.core.extensions import db

        super().__init__(app, folder)
        self.engine = db.engine  # (a test may run inside another app's context: db.engine is that app's)
        with self.engine.begin() as conn:
            self.tables = [t for t in inspect(conn).get_table_names(schema="public")]
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
            filled = []
            for table in self.tables:
                conn.execute(text(f'CREATE TABLE "{SCHEMA}"."{table}" AS TABLE public."{table}"'))
                if conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM public."{table}")')):
                    filled.append(table)
            sequences = conn.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all()
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM public."{t}"' for t in self.tables]
        statements += [f'INSERT INTO public."{t}" SELECT * FROM "{SCHEMA}"."{t}"' for t in filled]
        for name, last in sequences:
            statements.append(f"SELECT setval('public.\"{name}\"', {last}, true)" if last is not None
                              else f"SELECT setval('public.\"{name}\"', 1, false)")
        self.script = ";\n".join(statements)

    def _restore_database(self, db) -> None:
        with self.engine.begin() as conn:  # one round trip: psycopg runs a parameterless script whole
            conn.connection.dbapi_connection.cursor().execute(self.script)
