"""``flask portal storage migrate`` and ``flask portal storage check`` against an S3-compatible
server on loopback (moto's server mode, tests/storage_servers.py): every local upload file
copied with its checksum as metadata and verified, a re-run copies nothing, a changed file
is copied again, an interrupted run resumes, failures exit non-zero, a local backend is
refused; the check on a working and on an unreachable store."""
from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from portal.core import storage
from portal.core.storage.s3 import S3Storage
from tests.storage_servers import closed_endpoint, make_bucket, s3_config

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x01" * 16


@pytest.fixture
def s3_store(app, tmp_path, monkeypatch):
    """The session app on a bucket of its own (for this test)."""
    store = make_bucket(storage.create(s3_config(), str(tmp_path)))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, store)
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    return store


def _write(path, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


@pytest.fixture
def uploads(tmp_path):
    """A local upload folder as the portal leaves it: {key: bytes} of its upload files."""
    root = tmp_path / "uploads"
    photo, first, second = (uuid.uuid4().hex for _ in range(3))
    files = {
        f"attachments/{first}": PDF,
        f"attachments/{second}": PDF + b"second" * 50_000,  # 300 KB
        f"profiles/{photo}": PNG,
        f"profiles/{photo}.w96.webp": WEBP,
        f"profiles/{photo}.w240.webp": WEBP + b"\x02",
        f"pending/{uuid.uuid4().hex}": PDF + b"pending",
    }
    for key, data in files.items():
        _write(root / key, data)
    _write(root / "attachments" / f"{uuid.uuid4().hex}.{uuid.uuid4().hex}.part", b"half")  # a write under way
    _write(root / "attachments" / "notes about x.txt", b"not the portal's")  # not a storage name
    os.makedirs(root / "profiles" / "subfolder")
    _write(root / "img" / "fab.png", PNG)  # FAB's image field folder: not an upload area
    return root, files


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["portal", "storage", "migrate", *args])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_upload_file_is_copied_with_its_checksum(app, s3_store, uploads):
    root, files = uploads
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "Copied: 6 (checksums verified; 0 replaced" in result.output
    assert "already there: 0; failed: 0." in result.output
    assert "Skipped 2 entries" in result.output  # the odd name and the folder; the .part file is ignored
    assert "The local files were left in place" in result.output
    stored = {o.key: o.size for area in ("attachments", "profiles", "pending") for o in s3_store.listing(area)}
    assert stored == {key: len(data) for key, data in files.items()}
    for key, data in files.items():
        assert s3_store.read(key) == data
        head = s3_store.head(key)
        assert head["Metadata"]["sha256"] == _sha(data)
    assert s3_store.head(next(k for k in files if k.endswith(".w96.webp")))["ContentType"] == "image/webp"
    assert s3_store.head(next(k for k in files if k.startswith("attachments/")))["ContentType"] \
        == "application/pdf"
    for key in files:  # left in place
        assert (root / key).is_file()


def test_a_second_run_copies_nothing(app, s3_store, uploads):
    root, files = uploads
    assert migrate(app, "--from", str(root)).exit_code == 0
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 0, result.output
    assert "Copied: 0 " in result.output and f"already there: {len(files)}; failed: 0." in result.output


def test_a_changed_local_file_is_copied_again(app, s3_store, uploads):
    root, files = uploads
    assert migrate(app, "--from", str(root)).exit_code == 0
    same_size, longer = [k for k in files if k.startswith("attachments/")]
    changed = {same_size: files[same_size][:-1] + b"!", longer: files[longer] + b"more"}
    for key, data in changed.items():
        _write(root / key, data)
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 0, result.output
    assert "Copied: 2 (checksums verified; 2 replaced" in result.output
    assert f"already there: {len(files) - 2};" in result.output
    for key, data in changed.items():
        assert s3_store.read(key) == data and s3_store.head(key)["Metadata"]["sha256"] == _sha(data)


def test_an_interrupted_run_resumes(app, s3_store, uploads, monkeypatch):
    root, files = uploads
    real = S3Storage.put_stream
    calls = []

    def interrupted(self, *args, **kwargs):
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C during the fourth file
        calls.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(S3Storage, "put_stream", interrupted)
    result = migrate(app, "--from", str(root))
    assert result.exit_code != 0
    monkeypatch.setattr(S3Storage, "put_stream", real)
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 0, result.output
    assert f"Copied: {len(files) - 3} " in result.output and "already there: 3;" in result.output
    for key, data in files.items():
        assert s3_store.read(key) == data


def test_a_dry_run_writes_nothing(app, s3_store, uploads):
    root, files = uploads
    result = migrate(app, "--from", str(root), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Would copy {len(files)} files" in result.output and "Nothing was written" in result.output
    assert list(s3_store.listing("attachments")) == []


def test_the_default_source_is_the_upload_folder(app, s3_store, uploads, monkeypatch):
    root, files = uploads
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", f"{root}/")
    result = migrate(app)
    assert result.exit_code == 0, result.output
    assert f"Copied: {len(files)} " in result.output and str(root) in result.output


def test_a_checksum_that_differs_fails_and_leaves_no_object(app, s3_store, uploads, monkeypatch):
    root, files = uploads
    monkeypatch.setattr(S3Storage, "sha256", lambda self, key: "0" * 64)  # the store returned other bytes
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 1
    assert f"failed: {len(files)}." in result.output and "checksum differs" in result.stderr
    assert "run the command again" in result.stderr
    assert list(s3_store.listing("attachments")) == []  # deleted again: a re-run copies them


def test_an_unreachable_store_fails_with_a_non_zero_exit(app, uploads, tmp_path, monkeypatch):
    root, files = uploads
    monkeypatch.setitem(app.extensions, storage.EXTENSION,
                        storage.create(s3_config(endpoint=closed_endpoint()), str(tmp_path)))
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 1
    assert "Copied: 0 " in result.output and f"failed: {len(files)}." in result.output


def test_refused_on_the_local_backend(app, uploads):
    root, _files = uploads
    assert storage.storage(app).name == "local"
    result = migrate(app, "--from", str(root))
    assert result.exit_code == 1
    assert "STORAGE_BACKEND is 'local'" in result.stderr and "Nothing was copied" in result.stderr


def test_a_missing_source_folder(app, s3_store, tmp_path):
    result = migrate(app, "--from", str(tmp_path / "nowhere"))
    assert result.exit_code != 0


# --- check -----------------------------------------------------------------------------------------


def check(app):
    return app.test_cli_runner().invoke(args=["portal", "storage", "check"])


def test_check_on_a_working_store(app, s3_store):
    result = check(app)
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "The store works" in result.output and s3_store.bucket in result.output
    assert list(s3_store.listing("probe")) == []  # the probe is gone


def test_check_on_the_local_folder(app):
    result = check(app)
    assert result.exit_code == 0 and "The store works" in result.output


def test_check_on_an_unreachable_store(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.extensions, storage.EXTENSION,
                        storage.create(s3_config(endpoint=closed_endpoint()), str(tmp_path)))
    result = check(app)
    assert result.exit_code == 1
    assert "The store does not work: writing a probe object failed" in result.stderr


def test_check_on_a_missing_bucket(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.create(s3_config(), str(tmp_path)))
    result = check(app)
    assert result.exit_code == 1
    assert "The store does not work" in result.stderr and "bucket exists" in result.stderr
