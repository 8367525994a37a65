"""Files attached to requests and messages: PDF, JPEG or PNG, checked by
their content (not by the name or the browser's claim), within size and
count limits, kept in the file store (core.storage: a private folder or an S3-compatible
bucket, never the web root) and
served only to the parties of the request or thread and to staff.

The name a file is shown and downloaded under carries the extension of the
type found in its bytes (``display_name``: "x.html" starting with "%PDF-" is
stored as "x.pdf"), and downloads are sent with that type and
``Content-Disposition: attachment``.

A file is written before its row is committed; a rollback removes it again,
but a process killed in between leaves a file no row refers to.
``cleanup_orphans`` deletes such files once they are older than
UPLOAD_ORPHAN_GRACE_MINUTES (``flask portal cleanup-uploads``, and hourly in
``flask portal worker``); it covers this module's folder and the
practitioners' documents (services.practitioners.documents)."""
from __future__ import annotations

import re
import time
import uuid

from flask import current_app
from sqlalchemy import select

from portal.core import storage
from portal.core.extensions import db
from portal.core.files import ATTACHMENTS, DOCUMENTS, display_name, sniff, uploaded
from portal.models.accounts import PortalUser
from portal.models.exchange import Attachment


def store(owner: PortalUser, files, request_id: int | None = None,
          message_id: int | None = None) -> list[Attachment]:
    """Write already checked files to the file store and add their rows to the session.
    If the transaction rolls back, the written files are removed again."""
    rows = []
    for f in uploaded(files):
        name = uuid.uuid4().hex
        data = f.stream.read()
        kind = sniff(data[:16])
        storage.put_in_transaction(db.session, storage.key(ATTACHMENTS, name), data, kind)
        row = Attachment(owner_id=owner.id, request_id=request_id, message_id=message_id,
                         original_name=display_name(f.filename, kind, name), content_type=kind, size=len(data),
                         storage_key=name)
        db.session.add(row)
        rows.append(row)
    return rows


def key_of(attachment: Attachment) -> str:
    """The attachment's file in the file store."""
    return storage.key(ATTACHMENTS, attachment.storage_key)


# --- files no row refers to ----------------------------------------------------------------

STORAGE_KEY = re.compile(r"^[0-9a-f]{32}$")  # uuid4().hex: what store() names files
COPY = re.compile(r"^([0-9a-f]{32})\.w[0-9]+\.webp$")  # a photo's smaller copy (core.images)
LOOKUP_CHUNK = 500


def _stored_areas() -> list[tuple[str, object]]:
    """(area, the storage_key column of its rows) for every upload area."""
    from portal.models.practitioners import ProfileDocument

    return [(ATTACHMENTS, Attachment.storage_key), (DOCUMENTS, ProfileDocument.storage_key)]


def orphan_files(now: float | None = None, grace_minutes: int | None = None) -> list[str]:
    """Keys of stored files that no row refers to and that are older than the
    grace period (UPLOAD_ORPHAN_GRACE_MINUTES): left by a process that died
    between writing the file and the commit. Only names the portal writes
    (storage keys, and the copies of a photo whose file is gone) are considered. Cheap when
    nothing is old: the database is asked only about files past the grace period."""
    if grace_minutes is None:
        grace_minutes = int(current_app.config["UPLOAD_ORPHAN_GRACE_MINUTES"])
    cutoff = (time.time() if now is None else now) - grace_minutes * 60
    store = storage.storage()
    found = []
    for area, column in _stored_areas():
        old, copies, names = {}, [], set()
        for item in store.listing(area):
            name = item.key.split("/", 1)[1]
            names.add(name)
            if item.modified >= cutoff:
                continue
            if STORAGE_KEY.match(name):
                old[name] = item.key
            elif COPY.match(name):
                copies.append((COPY.match(name).group(1), item.key))
        found += [k for original, k in copies if original not in names]  # the copy of a photo that is gone
        keys = sorted(old)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start:start + LOOKUP_CHUNK]
            known = set(db.session.scalars(select(column).where(column.in_(chunk))))
            found += [old[name] for name in chunk if name not in known]
    return found


def delete_files(keys) -> int:
    """Delete the stored files; the number actually deleted (one gone already is skipped)."""
    return storage.delete_quietly(keys)


def cleanup_orphans(now: float | None = None, grace_minutes: int | None = None) -> int:
    """Delete the files of ``orphan_files``; returns how many were deleted."""
    return delete_files(orphan_files(now, grace_minutes))
