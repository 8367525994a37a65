"""The storage contract (portal.core.storage): the same cases on every backend, the local
folder and an S3-compatible store (moto's server mode on loopback, tests/storage_servers.py;
with and without a key prefix): store, read, stream, sizes, listing, delete, a missing file,
keys that try to leave their area, writes and deletes that follow a database transaction,
presigned downloads (S3 only) and an unreachable store."""
from __future__ import annotations

import hashlib
import io
import os
import time
import uuid

import pytest
import requests
from sqlalchemy import text

from portal.core import storage
from portal.core.extensions import db
from portal.core.storage.local import LocalStorage
from tests.storage_servers import closed_endpoint, make_bucket, s3_config

MB = 1024 * 1024
BACKENDS = ["local", "s3", "s3-prefix"]


def new_store(backend: str, folder) -> storage.Storage:
    if backend == "local":
        return LocalStorage(str(folder / "uploads"))
    prefix = "tenant-a/files" if backend == "s3-prefix" else None
    return make_bucket(storage.create(s3_config(prefix=prefix), str(folder)))


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """One store per backend for the module (every test uses keys of its own)."""
    return {backend: new_store(backend, tmp_path_factory.mktemp(backend)) for backend in BACKENDS}


@pytest.fixture(params=BACKENDS)
def store(request, stores):
    return stores[request.param]


@pytest.fixture(params=BACKENDS)
def empty_store(request, tmp_path):
    """A store of its own, with nothing in it."""
    return new_store(request.param, tmp_path)


@pytest.fixture
def app_store(app, store, monkeypatch):
    """``store`` as the session app's store (the transaction helpers use the app's)."""
    monkeypatch.setitem(app.extensions, storage.EXTENSION, store)
    yield store
    db.session.rollback()


def name() -> str:
    return uuid.uuid4().hex


def payload(size: int) -> bytes:
    """``size`` bytes that are not one repeated byte (a mix-up of chunks shows)."""
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


def test_put_then_read(store):
    key = storage.key("attachments", name())
    store.put(key, b"%PDF-1.4 hello", "application/pdf")
    assert store.read(key) == b"%PDF-1.4 hello"
    assert store.exists(key) and store.size(key) == 14
    store.put(key, b"replaced")  # a second put replaces the file
    assert store.read(key) == b"replaced" and store.size(key) == 8


@pytest.mark.parametrize("size", [5 * MB, 9 * MB])  # 9 MB: over boto3's multipart threshold
def test_put_stream_of_a_large_file(store, size):
    data = payload(size)
    key = storage.key("attachments", name())
    store.put_stream(key, io.BytesIO(data), "application/pdf")
    assert store.size(key) == size
    assert store.read(key) == data
    assert store.sha256(key) == hashlib.sha256(data).hexdigest()


def test_stream_gives_chunks_and_the_size(store):
    data = payload(MB + 123)
    key = storage.key("profiles", name())
    store.put(key, data, "image/png")
    chunks, size = store.stream(key, chunk_size=64 * 1024)
    parts = list(chunks)
    assert size == len(data) and b"".join(parts) == data
    assert len(parts) > 1 and all(len(p) <= 64 * 1024 for p in parts)


def test_a_stream_closed_early_releases_the_file(store):
    key = storage.key("attachments", name())
    store.put(key, payload(MB))
    chunks, _size = store.stream(key, chunk_size=1024)
    assert len(next(chunks)) == 1024
    chunks.close()  # a client that went away
    assert store.delete(key) is True


def test_size_and_exists_of_present_and_missing_files(store):
    key = storage.key("attachments", name())
    assert store.size(key) is None and store.exists(key) is False
    store.put(key, b"")
    assert store.size(key) == 0 and store.exists(key) is True


def test_delete_says_whether_the_file_was_there(store):
    key = storage.key("attachments", name())
    store.put(key, b"x")
    assert store.delete(key) is True
    assert store.exists(key) is False
    assert store.delete(key) is False


def test_reading_a_missing_file_raises_file_missing(store):
    key = storage.key("attachments", name())
    with pytest.raises(storage.FileMissing):
        store.read(key)
    with pytest.raises(storage.FileMissing):
        store.stream(key)
    with pytest.raises(storage.FileMissing):
        store.sha256(key)
    assert issubclass(storage.FileMissing, LookupError)


def test_listing_gives_the_files_of_one_area_with_sizes_and_times(empty_store):
    store = empty_store
    before = time.time()
    hexes = [name() for _ in range(3)]
    for i, h in enumerate(hexes):
        store.put(storage.key("attachments", h), b"a" * (i + 1))
    store.put(storage.key("profiles", f"{hexes[0]}.w240.webp"), b"webp", "image/webp")
    store.put(storage.key("pending", hexes[1]), b"pending")
    after = time.time()

    listed = {o.key: o for o in store.listing("attachments")}
    assert {k: o.size for k, o in listed.items()} == {f"attachments/{h}": i + 1 for i, h in enumerate(hexes)}
    for item in listed.values():
        assert isinstance(item, storage.StoredObject)
        assert before - 2 <= item.modified <= after + 2  # S3 keeps whole seconds
    assert [o.key for o in store.listing("profiles")] == [f"profiles/{hexes[0]}.w240.webp"]
    assert [(o.key, o.size) for o in store.listing("pending")] == [(f"pending/{hexes[1]}", 7)]
    assert list(store.listing("empty")) == []


@pytest.mark.parametrize("bad", [
    "", "attachments", "attachments/", "/etc/passwd", "../secret", "attachments/../../etc/passwd",
    "attachments/..", "attachments/a/b", "attachments/.hidden", "Attachments/x", "attachments/x y",
    "attachments/x\x00", "attachments\\x", None,
])
def test_keys_that_try_to_leave_their_area_are_refused(store, bad):
    for call in (lambda: store.put(bad, b"x"), lambda: store.put_stream(bad, io.BytesIO(b"x")),
                 lambda: store.read(bad), lambda: store.stream(bad), lambda: store.size(bad),
                 lambda: store.exists(bad), lambda: store.delete(bad)):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        storage.check_key(bad)


@pytest.mark.parametrize("area,bad", [("attachments", "../x"), ("attachments", "a/b"), ("attachments", ""),
                                      ("../attachments", "x"), ("", "x"), ("attachments", "..")])
def test_key_refuses_names_and_areas_that_could_leave(area, bad):
    with pytest.raises(ValueError):
        storage.key(area, bad)


def test_nothing_is_written_outside_the_local_root(tmp_path):
    store = LocalStorage(str(tmp_path / "root"))
    for bad in ("../outside", "attachments/../../outside"):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
    assert sorted(os.listdir(tmp_path)) == []  # not even the root was made


# --- writes and deletes that follow the database transaction ------------------------------------


def _touch_database():
    db.session.execute(text("SELECT 1"))  # the transaction a service has open when it stores a file


def test_put_in_transaction_is_removed_on_rollback(app_store):
    key = storage.key("attachments", name())
    _touch_database()
    storage.put_in_transaction(db.session, key, b"%PDF-1.4", "application/pdf")
    assert app_store.read(key) == b"%PDF-1.4"  # written at once
    db.session.rollback()
    assert app_store.exists(key) is False


def test_put_in_transaction_is_kept_on_commit(app_store):
    key = storage.key("attachments", name())
    _touch_database()
    storage.put_in_transaction(db.session, key, b"%PDF-1.4", "application/pdf")
    db.session.commit()
    assert app_store.read(key) == b"%PDF-1.4"
    _touch_database()
    db.session.rollback()  # a later rollback does not touch a committed file
    assert app_store.exists(key) is True


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_file(app_store):
    key = storage.key("attachments", name())
    _touch_database()
    storage.put_in_transaction(db.session, key, b"outer")
    savepoint = db.session.begin_nested()
    savepoint.rollback()
    assert app_store.exists(key) is True
    db.session.commit()
    assert app_store.exists(key) is True


def test_delete_after_commit_waits_for_the_commit(app_store):
    key = storage.key("profiles", name())
    app_store.put(key, b"photo")
    _touch_database()
    storage.delete_after_commit(db.session, [key])
    assert app_store.exists(key) is True  # not before the commit
    db.session.commit()
    assert app_store.exists(key) is False


def test_delete_after_commit_keeps_the_file_when_rolled_back(app_store):
    key = storage.key("profiles", name())
    app_store.put(key, b"photo")
    _touch_database()
    storage.delete_after_commit(db.session, [key])
    db.session.rollback()
    assert app_store.exists(key) is True
    _touch_database()
    db.session.commit()  # the next commit does not delete it either
    assert app_store.exists(key) is True


def test_delete_quietly_counts_and_skips_missing(app_store):
    keys = [storage.key("attachments", name()) for _ in range(3)]
    for k in keys[:2]:
        app_store.put(k, b"x")
    assert storage.delete_quietly(keys, app_store) == 2
    assert not any(app_store.exists(k) for k in keys)


# --- downloads straight from the store -----------------------------------------------------------


def test_presigned_url_downloads_the_bytes_with_the_name(store):
    key = storage.key("attachments", name())
    data = payload(300_000)
    store.put(key, data, "application/pdf")
    url = store.presigned_url(key, "Договор аренды.pdf", "application/pdf", inline=False, expires=60)
    if isinstance(store, LocalStorage):
        assert url is None  # the portal streams local files itself
        return
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content == data
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%D0%B0%D1%80%D0%B5%D0%BD%D0%B4%D1%8B.pdf" \
        in disposition
    assert "private" in response.headers.get("Cache-Control", "") and "no-store" in response.headers["Cache-Control"]
    inline = requests.get(store.presigned_url(key, "a.pdf", "application/pdf", inline=True), timeout=10)
    assert inline.headers["Content-Disposition"].startswith("inline;")
    # the signature covers the key: another key with the same query string is refused
    other = url.replace(key.split("/")[1], name())
    assert requests.get(other, timeout=10).status_code in (403, 404)


def test_an_unsigned_request_for_an_object_is_refused(store):
    if isinstance(store, LocalStorage):
        pytest.skip("S3 only: objects are never public")
    key = storage.key("attachments", name())
    store.put(key, b"private")
    plain = f"{store.endpoint_url}/{store.bucket}/{store.prefix}{key}"
    response = requests.get(plain, timeout=10)
    assert response.status_code == 403 or response.content != b"private"


def test_sha256_equals_hashlib(store):
    data = payload(700_001)
    key = storage.key("pending", name())
    store.put(key, data)
    assert store.sha256(key) == hashlib.sha256(data).hexdigest()


# --- an unreachable store -------------------------------------------------------------------------


def test_an_unreachable_store_raises_storage_error(tmp_path):
    store = storage.create(s3_config(endpoint=closed_endpoint()), str(tmp_path))
    key = storage.key("attachments", name())
    calls = {
        "put": lambda: store.put(key, b"x"),
        "put_stream": lambda: store.put_stream(key, io.BytesIO(b"x")),
        "read": lambda: store.read(key),
        "stream": lambda: store.stream(key),
        "size": lambda: store.size(key),
        "exists": lambda: store.exists(key),
        "delete": lambda: store.delete(key),
        "listing": lambda: list(store.listing("attachments")),
        "ensure_bucket": store.ensure_bucket,
    }
    for what, call in calls.items():
        with pytest.raises(storage.StorageError) as raised:  # not a raw botocore error
            call()
        assert type(raised.value) is storage.StorageError, what
    assert storage.delete_quietly([key], store) == 0  # logged, not raised


def test_create_refuses_an_unknown_backend_and_a_missing_bucket(tmp_path):
    with pytest.raises(ValueError):
        storage.create({"STORAGE_BACKEND": "ftp"}, str(tmp_path))
    with pytest.raises(ValueError):
        storage.create({**s3_config(), "STORAGE_S3_BUCKET": ""}, str(tmp_path))
    local = storage.create({"STORAGE_BACKEND": "local", "UPLOAD_FOLDER": ""}, str(tmp_path))
    assert isinstance(local, LocalStorage) and local.root == os.path.abspath(f"{tmp_path}/uploads/")
