"""Files attached to requests and messages: PDF, JPEG or PNG, checked by
their content (not by the name or the browser's claim), within size and
count limits, stored under the instance folder (never the web root) and
served only to the parties of the request or thread and to staff."""
from __future__ import annotations

import os
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models.accounts import PortalUser
from portal.models.messages import Attachment
from portal.services import audit
from portal.services.errors import NotFound, ServiceError

# Leading bytes of each accepted type.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff(head: bytes) -> str | None:
    return next((kind for kind, sigs in SIGNATURES.items() if head.startswith(sigs)), None)


def _files(files) -> list:
    return [f for f in files or () if f is not None and getattr(f, "filename", "")]


def _size(file) -> int:
    stream = file.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check(files, field: str = "attachments", already: int = 0) -> None:
    """Raise a translated ServiceError if any file breaks a rule."""
    files = _files(files)
    limit = current_app.config["ATTACHMENT_MAX_COUNT"]
    if already + len(files) > limit:
        raise ServiceError(_l("You can attach at most %(n)d files.", n=limit), field)
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    for f in files:
        size = _size(f)
        if size == 0:
            raise ServiceError(_l("The file %(name)s is empty.", name=f.filename), field)
        if size > max_bytes:
            raise ServiceError(_l("The file %(name)s is larger than %(mb)s MB.", name=f.filename,
                                  mb=f"{max_bytes / (1024 * 1024):.3g}"), field)
        if sniff(f.stream.read(16)) is None:
            raise ServiceError(_l("The file %(name)s is not a PDF, JPEG or PNG file.", name=f.filename), field)
        f.stream.seek(0)


def folder() -> str:
    path = os.path.join(current_app.instance_path, "uploads", "attachments")
    os.makedirs(path, exist_ok=True)
    return path


def store(owner: PortalUser, files, request_id: int | None = None,
          message_id: int | None = None) -> list[Attachment]:
    """Write already checked files to disk and add their rows to the session.
    If the transaction rolls back, the written files are removed again."""
    rows = []
    for f in _files(files):
        key = uuid.uuid4().hex
        data = f.stream.read()
        path = os.path.join(folder(), key)
        with open(path, "wb") as out:
            out.write(data)
        db.session.info.setdefault("new_files", []).append(path)
        name = os.path.basename(f.filename.replace("\\", "/"))[:255] or key
        row = Attachment(owner_id=owner.id, request_id=request_id, message_id=message_id,
                         original_name=name, content_type=sniff(data[:16]), size=len(data),
                         storage_key=key)
        db.session.add(row)
        rows.append(row)
    return rows


def path_of(attachment: Attachment) -> str:
    return os.path.join(folder(), attachment.storage_key)


def get_for(user: PortalUser, attachment_id: int) -> Attachment:
    """The attachment if ``user`` may read the request or thread it belongs to."""
    from portal.services import messages, requests

    att = db.session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_l("This file does not exist or is not available to you."))
    try:
        if att.message_id is not None:
            thread = messages.get_thread(user, att.message.thread_id, audit=False)
            staff_only = messages.role_in(user, thread) == "staff"
        elif att.request_id is not None:
            staff_only = requests.viewer_role(user, requests.get_visible(user, att.request_id)) == "staff"
        else:
            raise NotFound(_l("This file does not exist or is not available to you."))
    except NotFound:
        raise NotFound(_l("This file does not exist or is not available to you.")) from None
    if staff_only:  # staff reading a party's file: on the record
        audit.record("attachment", att.id, None, None, user.id, action="staff_download")
        db.session.commit()
    return att


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
