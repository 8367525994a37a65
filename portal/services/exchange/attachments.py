"""Files attached to requests and messages: PDF, JPEG or PNG, checked by
their content (not by the name or the browser's claim), within size and
count limits, stored under the instance folder (never the web root) and
served only to the parties of the request or thread and to staff.

The name a file is shown and downloaded under carries the extension of the
type found in its bytes (``display_name``: "x.html" starting with "%PDF-" is
stored as "x.pdf"), and downloads are sent with that type and
``Content-Disposition: attachment``.

A file is written before its row is committed; a rollback removes it again,
but a process killed in between leaves a file no row refers to.
``cleanup_orphans`` deletes such files once they are older than
UPLOAD_ORPHAN_GRACE_MINUTES (``flask portal cleanup-uploads``, and hourly in
``flask notify worker``); it covers this module's folder and the
practitioners' documents (services.practitioners.documents)."""
from __future__ import annotations

import os
import re
import time
import uuid

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.core.extensions import db
from portal.core.files import ATTACHMENTS, DOCUMENTS, display_name, sniff, upload_folder, uploaded
from portal.models.accounts import PortalUser
from portal.models.exchange import Attachment


def folder() -> str:
    return upload_folder(ATTACHMENTS)


def store(owner: PortalUser, files, request_id: int | None = None,
          message_id: int | None = None) -> list[Attachment]:
    """Write already checked files to disk and add their rows to the session.
    If the transaction rolls back, the written files are removed again."""
    rows = []
    for f in uploaded(files):
        key = uuid.uuid4().hex
        data = f.stream.read()
        path = os.path.join(folder(), key)
        with open(path, "wb") as out:
            out.write(data)
        db.session.info.setdefault("new_files", []).append(path)
        kind = sniff(data[:16])
        row = Attachment(owner_id=owner.id, request_id=request_id, message_id=message_id,
                         original_name=display_name(f.filename, kind, key), content_type=kind, size=len(data),
                         storage_key=key)
        db.session.add(row)
        rows.append(row)
    return rows


def path_of(attachment: Attachment) -> str:
    return os.path.join(folder(), attachment.storage_key)


# --- files no row refers to ----------------------------------------------------------------

STORAGE_KEY = re.compile(r"^[0-9a-f]{32}$")  # uuid4().hex: what store() names files
COPY = re.compile(r"^([0-9a-f]{32})\.w[0-9]+\.webp$")  # a photo's smaller copy (core.images)
LOOKUP_CHUNK = 500


def _stored_folders() -> list[tuple[str, object]]:
    """(folder, the storage_key column of its rows) for every upload folder."""
    from portal.models.practitioners import ProfileDocument

    return [(folder(), Attachment.storage_key), (upload_folder(DOCUMENTS), ProfileDocument.storage_key)]


def orphan_files(now: float | None = None, grace_minutes: int | None = None) -> list[str]:
    """Paths of upload files that no row refers to and that are older than the
    grace period (UPLOAD_ORPHAN_GRACE_MINUTES): left by a process that died
    between writing the file and the commit. Only names the portal writes
    (storage keys, and the copies of a photo whose file is gone) are considered. Cheap when nothing is old: the database is
    asked only about files past the grace period."""
    if grace_minutes is None:
        grace_minutes = int(current_app.config["UPLOAD_ORPHAN_GRACE_MINUTES"])
    cutoff = (time.time() if now is None else now) - grace_minutes * 60
    found = []
    for path, column in _stored_folders():
        old = {}
        with os.scandir(path) as entries:
            for entry in entries:
                if STORAGE_KEY.match(entry.name) and entry.is_file(follow_symlinks=False) \
                        and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    old[entry.name] = entry.path
                copy_of = COPY.match(entry.name)
                if copy_of and not os.path.exists(os.path.join(path, copy_of.group(1))) \
                        and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    found.append(entry.path)  # the copy of a photo file that is gone
        keys = sorted(old)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start:start + LOOKUP_CHUNK]
            known = set(db.session.scalars(select(column).where(column.in_(chunk))))
            found += [old[key] for key in chunk if key not in known]
    return found


def delete_files(paths) -> int:
    """Delete the files; the number actually deleted (one gone already is skipped)."""
    deleted = 0
    for path in paths:
        try:
            os.remove(path)
            deleted += 1
        except FileNotFoundError:
            pass
    return deleted


def cleanup_orphans(now: float | None = None, grace_minutes: int | None = None) -> int:
    """Delete the files of ``orphan_files``; returns how many were deleted."""
    return delete_files(orphan_files(now, grace_minutes))


@event.listens_for(Session, "after_commit")
def _forget_files(session: Session) -> None:
    session.info.pop("new_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_files(session: Session, previous_transaction) -> None:
    for path in session.info.pop("new_files", []):
        try:
            os.remove(path)
        except OSError:
            pass
