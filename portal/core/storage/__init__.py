"""Where uploaded files live: one interface, two backends chosen by configuration.

- ``local`` (the embedded default): a private folder, UPLOAD_FOLDER (default
  ``<instance>/uploads/``), never under the web root.
- ``s3``: any S3-compatible object store through boto3 (STORAGE_S3_BUCKET,
  STORAGE_S3_PREFIX, STORAGE_S3_ENDPOINT_URL, STORAGE_S3_REGION; credentials from the
  environment as boto3 reads them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile
  or an instance role). Objects are written private; nothing is ever public.

A file is found by its *key*: ``<area>/<name>``, e.g. ``attachments/<uuid hex>``,
``profiles/<uuid hex>.w240.webp``. Keys are made by the services (``key(area, name)``);
this package knows no domain.

Writes inside a database transaction go through :func:`put_in_transaction`: the file is
written at once and deleted again if the transaction rolls back (a process killed in
between leaves an orphan, which the hourly orphan cleanup removes).
:func:`delete_after_commit` deletes files only once the deletion of their rows is
committed."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import IO, Iterable, Iterator

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

EXTENSION = "portal.storage"
CHUNK = 256 * 1024
KEY = re.compile(r"^[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
BACKENDS = ("local", "s3")


class FileMissing(LookupError):
    """No stored file has this key."""


class StorageError(RuntimeError):
    """The store could not be reached or refused the operation."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: float  # seconds since the epoch


def key(area: str, name: str) -> str:
    """The key of file ``name`` in ``area``; refuses names that could leave the area."""
    value = f"{area}/{name}"
    if not KEY.match(value) or ".." in name:
        raise ValueError(f"not a storage key: {value!r}")
    return value


def check_key(value: str) -> str:
    if not isinstance(value, str) or not KEY.match(value) or ".." in value:
        raise ValueError(f"not a storage key: {value!r}")
    return value


class Storage:
    """The operations every backend offers. ``key`` arguments are checked keys."""

    name = "?"

    def put(self, key: str, data: bytes, content_type: str | None = None,
            metadata: dict[str, str] | None = None) -> None:
        raise NotImplementedError

    def put_stream(self, key: str, stream: IO[bytes], content_type: str | None = None,
                   metadata: dict[str, str] | None = None) -> None:
        """Store what ``stream`` holds (by default read whole, then ``put``)."""
        self.put(key, stream.read(), content_type, metadata)

    def read(self, key: str) -> bytes:
        """The bytes; FileMissing when there is no such file."""
        raise NotImplementedError

    def stream(self, key: str, chunk_size: int = CHUNK) -> tuple[Iterator[bytes], int]:
        """(chunks, size in bytes); FileMissing when there is no such file. The
        iterator must be read to the end or closed."""
        raise NotImplementedError

    def size(self, key: str) -> int | None:
        """The size in bytes, or None when there is no such file."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def delete(self, key: str) -> bool:
        """Delete the file; False when it was not there."""
        raise NotImplementedError

    def listing(self, area: str) -> Iterator[StoredObject]:
        """Every file of ``area`` (keys ``<area>/...``)."""
        raise NotImplementedError

    def local_path(self, key: str) -> str | None:
        """A path on this machine's disk (the local backend), else None."""
        return None

    def presigned_url(self, key: str, download_name: str, content_type: str, inline: bool = False,
                      expires: int = 60) -> str | None:
        """A short-lived URL that downloads the file straight from the store (None: the
        backend has none; the portal then streams it)."""
        return None

    def sha256(self, key: str) -> str:
        """The SHA-256 of the stored bytes, read back from the store."""
        chunks, _size = self.stream(key)
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        return digest.hexdigest()

    def describe(self) -> str:
        return self.name


def create(config: dict, instance_path: str) -> Storage:
    """The backend that ``config`` (STORAGE_BACKEND, ...) asks for."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        from portal.core.storage.local import LocalStorage

        return LocalStorage(config.get("UPLOAD_FOLDER") or f"{instance_path}/uploads/")
    if backend == "s3":
        from portal.core.storage.s3 import S3Storage

        return S3Storage(bucket=config.get("STORAGE_S3_BUCKET") or "",
                         prefix=config.get("STORAGE_S3_PREFIX") or "",
                         endpoint_url=config.get("STORAGE_S3_ENDPOINT_URL") or None,
                         region=config.get("STORAGE_S3_REGION") or None)
    raise ValueError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = create(app.config, app.instance_path)
    _register_listeners()


def storage(app: Flask | None = None) -> Storage:
    """The application's store."""
    return (app or current_app).extensions[EXTENSION]


# --- writes and deletes that follow a database transaction -----------------------------------

NEW = "storage_new_keys"
DOOMED = "storage_delete_after_commit"


def put_in_transaction(session: Session, key: str, data: bytes, content_type: str | None = None) -> None:
    """Write the file now; delete it again if ``session``'s transaction rolls back."""
    session.connection()  # a transaction is under way, so its rollback is seen
    storage().put(check_key(key), data, content_type)
    session.info.setdefault(NEW, []).append((storage(), key))


def delete_after_commit(session: Session, keys: Iterable[str]) -> None:
    """Delete these files once ``session``'s transaction commits (nothing if it rolls back)."""
    session.info.setdefault(DOOMED, []).extend((storage(), check_key(k)) for k in keys)


def delete_quietly(keys: Iterable[str], store: Storage | None = None) -> int:
    """Delete the files now (one already gone, or a store error, is skipped and logged);
    how many were deleted."""
    import logging

    store = store or storage()
    deleted = 0
    for k in keys:
        try:
            deleted += bool(store.delete(k))
        except StorageError:
            logging.getLogger(__name__).exception("storage: could not delete %s", k)
    return deleted


_registered = False


def _register_listeners() -> None:
    global _registered
    if _registered:
        return
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    _registered = True


def _by_store(pairs) -> dict:
    grouped: dict = {}
    for store, k in pairs:
        grouped.setdefault(id(store), (store, []))[1].append(k)
    return grouped


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(NEW, None)
    for store, keys in _by_store(session.info.pop(DOOMED, [])).values():
        delete_quietly(keys, store)


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return
    session.info.pop(DOOMED, None)
    for store, keys in _by_store(session.info.pop(NEW, [])).values():
        delete_quietly(keys, store)
