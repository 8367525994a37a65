"""``flask portal storage ...``: the file store (portal.core.storage).

* ``migrate [--from FOLDER] [--dry-run]``: copy every local upload file (request and
  message attachments, practitioners' documents and photos with their WebP copies,
  visitors' pending requests) into the configured S3-compatible store, each object
  carrying the SHA-256 of the file as metadata and checked by reading it back. Objects
  already there with the same size and checksum are skipped, so the command can be run
  again, and resumes where an interrupted run stopped; one that differs is copied again.
  The local files are left in place.
* ``check``: write, read back and delete a small probe object; says whether the store
  works (exit code 1 when it does not).

Output is for operators (English, no translation)."""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from dataclasses import dataclass, field

import click
from flask import current_app

from portal.cli.portal import portal_cli
from portal.core import storage as storage_module
from portal.core.files import sniff

# the areas of upload files: request and message attachments, practitioners' documents and
# photos (with their copies), visitors' pending requests (core.files, services.exchange.pending)
AREAS = ("attachments", "profiles", "pending")
CHECKSUM = "sha256"  # the metadata name (S3 keeps it as x-amz-meta-sha256)
PROBE_AREA = "probe"
SHOWN_FAILURES = 20


@portal_cli.group("storage")
def storage_cli():
    """The file store: copy local uploads into the object store, check that it works."""


# --- migrate ------------------------------------------------------------------------------------


@dataclass
class LocalFile:
    key: str
    path: str
    size: int


@dataclass
class Tally:
    copied: int = 0
    replaced: int = 0  # of copied: an object that differed was there
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    bytes_copied: int = 0


def _default_source() -> str:
    return current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads", "")


def _local_files(source: str) -> tuple[list[LocalFile], list[str]]:
    """(files to copy, paths skipped: not a name the portal writes, or not a plain file)."""
    found, skipped = [], []
    for area in AREAS:
        folder = os.path.join(source, area)
        if not os.path.isdir(folder):
            continue
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".part"):  # a write under way (core.storage.local)
                    continue
                if not entry.is_file(follow_symlinks=False):
                    skipped.append(entry.path)
                    continue
                try:
                    key = storage_module.key(area, entry.name)
                except ValueError:
                    skipped.append(entry.path)
                    continue
                found.append(LocalFile(key, entry.path, entry.stat(follow_symlinks=False).st_size))
    return found, skipped


def _digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(storage_module.CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _content_type(path: str) -> str:
    if path.endswith(".webp"):
        return "image/webp"  # a photo's copy (core.images)
    with open(path, "rb") as fh:
        return sniff(fh.read(16)) or "application/octet-stream"


def _same(head: dict | None, size: int, checksum: str) -> bool:
    if head is None:
        return False
    metadata = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
    return int(head.get("ContentLength", -1)) == size and metadata.get(CHECKSUM) == checksum


def _copy_one(store, item: LocalFile, dry_run: bool, tally: Tally) -> None:
    checksum = _digest(item.path)
    head = store.head(item.key)
    if _same(head, item.size, checksum):
        tally.already += 1
        return
    if dry_run:
        tally.copied += 1
        tally.replaced += head is not None
        return
    with open(item.path, "rb") as fh:
        store.put_stream(item.key, fh, _content_type(item.path), {CHECKSUM: checksum})
    stored = store.sha256(item.key)  # read back from the store
    if stored != checksum:
        storage_module.delete_quietly([item.key], store)  # so that a re-run copies it again
        raise storage_module.StorageError(f"checksum differs after the copy ({stored} != {checksum}); "
                                          "the object was deleted again")
    tally.copied += 1
    tally.replaced += head is not None
    tally.bytes_copied += item.size


@storage_cli.command("migrate")
@click.option("--from", "source", type=click.Path(file_okay=False), default=None,
              help="The local upload folder to copy from (default: UPLOAD_FOLDER, else <instance>/uploads/).")
@click.option("--dry-run", is_flag=True, help="Only say what would be copied; write nothing.")
def migrate_command(source: str | None, dry_run: bool):
    """Copy every local upload file into the configured object store (STORAGE_BACKEND=s3),
    with checksums verified; safe to run again (files already there are skipped)."""
    store = storage_module.storage()
    if store.name != "s3":
        raise click.ClickException(
            f"STORAGE_BACKEND is {current_app.config.get('STORAGE_BACKEND') or 'local'!r}: there is no object "
            "store to copy into. Set STORAGE_BACKEND=s3 and the STORAGE_S3_* settings (bucket, endpoint, "
            "region; credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), then run this again. "
            "Nothing was copied.")
    explicit = source is not None
    source = os.path.abspath(source or _default_source())
    if not os.path.isdir(source):
        if explicit:
            raise click.ClickException(f"There is no folder {source}. Nothing was copied.")
        click.echo(f"There is no local upload folder at {source}: nothing to copy.")
        return
    files, skipped = _local_files(source)
    total = sum(f.size for f in files)
    click.echo(f"{'Dry run: ' if dry_run else ''}{len(files)} local files ({total / 1e6:.1f} MB) in {source} "
               f"({', '.join(AREAS)}) -> {store.describe()}")
    tally = Tally()
    started = time.monotonic()
    with click.progressbar(files, label="Checking" if dry_run else "Copying", show_pos=True,
                           item_show_func=lambda f: f.key if f else None) as bar:
        for item in bar:
            try:
                _copy_one(store, item, dry_run, tally)
            except (storage_module.StorageError, OSError) as exc:
                tally.failed.append((item.key, str(exc)))
    elapsed = time.monotonic() - started
    _report(tally, skipped, source, dry_run, elapsed)
    if tally.failed:
        raise SystemExit(1)


def _report(tally: Tally, skipped: list[str], source: str, dry_run: bool, elapsed: float) -> None:
    if dry_run:
        click.echo(f"Would copy {tally.copied} files ({tally.replaced} of them differ from the object "
                   f"already there); already there: {tally.already}; failed to check: {len(tally.failed)}. "
                   "Nothing was written (dry run).")
    else:
        rate = tally.bytes_copied / 1e6 / elapsed if elapsed > 0 else 0.0
        click.echo(f"Copied: {tally.copied} (checksums verified; {tally.replaced} replaced "
                   f"an object that differed; {tally.bytes_copied / 1e6:.1f} MB, {rate:.1f} MB/s); "
                   f"already there: {tally.already}; failed: {len(tally.failed)}.")
    for key, reason in tally.failed[:SHOWN_FAILURES]:
        click.echo(f"  failed: {key}: {reason}", err=True)
    if len(tally.failed) > SHOWN_FAILURES:
        click.echo(f"  ... and {len(tally.failed) - SHOWN_FAILURES} more failures", err=True)
    if skipped:
        click.echo(f"Skipped {len(skipped)} entries that are not upload files the portal writes "
                   f"(other names, folders, links), e.g. {skipped[0]}")
    if tally.failed:
        click.echo("Some files were not copied: fix the cause and run the command again "
                   "(files already copied are skipped).", err=True)
    if not dry_run:
        click.echo(f"The local files were left in place in {source}; remove them yourself once the "
                   "portal runs on the object store.")


# --- check --------------------------------------------------------------------------------------


@storage_cli.command("check")
def check_command():
    """Write, read back and delete a small probe object; exit code 1 when the store does not work."""
    store = storage_module.storage()
    click.echo(f"Store: {store.describe()}")
    key = storage_module.key(PROBE_AREA, f"check-{uuid.uuid4().hex}")
    data = f"AlemTrust storage check {time.time():.3f}\n".encode()
    step = "writing a probe object"
    try:
        store.put(key, data, "text/plain")
        step = "reading the probe object back"
        if store.read(key) != data:
            raise storage_module.StorageError("the bytes read back differ from the bytes written")
        step = "deleting the probe object"
        if not store.delete(key):
            raise storage_module.StorageError("the store said the probe object was not there")
        if store.exists(key):
            raise storage_module.StorageError("the probe object is still there after deleting it")
    except (storage_module.StorageError, storage_module.FileMissing, OSError) as exc:
        raise click.ClickException(
            f"The store does not work: {step} failed: {exc}. Check STORAGE_BACKEND and the STORAGE_S3_* "
            "settings (bucket, endpoint, region), the credentials (AWS_ACCESS_KEY_ID / "
            "AWS_SECRET_ACCESS_KEY) and that the bucket exists; for the local backend, that "
            "UPLOAD_FOLDER is writable.") from exc
    click.echo("The store works: a probe object was written, read back and deleted.")
