"""The local backend: files in a private folder on this machine (the embedded default).
A key ``<area>/<name>`` is the file ``<root>/<area>/<name>``; writes go to a temporary
file that is renamed into place, so a reader never sees half a file."""
from __future__ import annotations

import os
import uuid
from typing import IO, Iterator

from portal.core.storage import CHUNK, FileMissing, Storage, StoredObject, check_key


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def describe(self) -> str:
        return f"local folder {self.root}"

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *check_key(key).split("/"))

    def _write(self, key: str, write) -> None:
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{uuid.uuid4().hex}.part"
        try:
            with open(tmp, "wb") as out:
                write(out)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise

    def put(self, key, data, content_type=None, metadata=None) -> None:
        self._write(key, lambda out: out.write(data))

    def put_stream(self, key, stream: IO[bytes], content_type=None, metadata=None) -> None:
        def copy(out):
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    return
                out.write(chunk)

        self._write(key, copy)

    def read(self, key) -> bytes:
        try:
            with open(self._path(key), "rb") as fh:
                return fh.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileMissing(key) from None

    def stream(self, key, chunk_size=CHUNK) -> tuple[Iterator[bytes], int]:
        try:
            fh = open(self._path(key), "rb")  # noqa: SIM115  (closed by the generator)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FileMissing(key) from None
        size = os.fstat(fh.fileno()).st_size

        def chunks() -> Iterator[bytes]:
            with fh:
                while True:
                    chunk = fh.read(chunk_size)
                    if not chunk:
                        return
                    yield chunk

        return chunks(), size

    def size(self, key) -> int | None:
        path = self._path(key)
        return os.path.getsize(path) if os.path.isfile(path) else None

    def delete(self, key) -> bool:
        try:
            os.remove(self._path(key))
            return True
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return False

    def listing(self, area: str) -> Iterator[StoredObject]:
        check_key(f"{area}/x")  # an area is one plain name
        folder = os.path.join(self.root, area)
        if not os.path.isdir(folder):
            return
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".part") or not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
                yield StoredObject(f"{area}/{entry.name}", stat.st_size, stat.st_mtime)

    def local_path(self, key) -> str | None:
        return self._path(key)
