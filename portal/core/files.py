"""Stored private files (attachments, practitioner documents): the accepted
types found by their leading bytes, the name a file is shown under, and
sending one as a download: one place for the rules every upload and download follows."""
from __future__ import annotations

import os

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError

# Leading bytes of each accepted type.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


# The extension a stored name gets for each type (the first), and the ones it may keep.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
NAME_MAX = 255


def sniff(head: bytes) -> str | None:
    return next((kind for kind, sigs in SIGNATURES.items() if head.startswith(sigs)), None)


def display_name(filename: str | None, content_type: str | None, fallback: str = "file") -> str:
    """The file name without any folder, with the extension of ``content_type``
    (the type found in the bytes): "x.html" holding a PDF becomes "x.pdf", the
    base name is kept. At most NAME_MAX characters."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    base, ext = os.path.splitext(name)
    allowed = EXTENSIONS.get(content_type or "")
    if allowed is None:  # not a type the portal accepts: leave the name alone
        ext = ext if base else ""
        base = base or fallback
    elif ext.lower() not in allowed or not base:
        base, ext = (base or fallback), allowed[0]
    return base[:NAME_MAX - len(ext)] + ext


def served_type(content_type: str | None) -> str:
    """The Content-Type a stored file is sent with: its detected type, else a neutral one."""
    return content_type if content_type in SIGNATURES else "application/octet-stream"


def uploaded(files) -> list:
    """The files of a form field that were actually chosen (a browser sends an empty one otherwise)."""
    return [f for f in files or () if f is not None and getattr(f, "filename", "")]


def _size(file) -> int:
    stream = file.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check(files, field: str = "attachments", already: int = 0) -> None:
    """Raise a translated ServiceError if any file breaks a rule: at most
    ATTACHMENT_MAX_COUNT files (with ``already`` stored), none empty or over
    ATTACHMENT_MAX_BYTES, each a PDF, JPEG or PNG by its bytes."""
    files = uploaded(files)
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


ATTACHMENTS = "attachments"  # files of requests and messages (services.attachments)
DOCUMENTS = "profiles"  # practitioners' documents and photos (services.practitioners.documents)


def upload_folder(name: str) -> str:
    """A private upload folder: under the instance folder, never the web root."""
    path = os.path.join(current_app.instance_path, "uploads", name)
    os.makedirs(path, exist_ok=True)
    return path


def send_private(path: str, content_type: str | None, original_name: str | None):
    """The file at ``path`` as a download, or 404 when it is gone: sent with the
    type found in its bytes at upload and a name with that type's extension (rows
    from before names were fixed at upload are corrected here too), never sniffed,
    never cached."""
    if not os.path.isfile(path):
        abort(404)
    response = send_file(path, mimetype=served_type(content_type), as_attachment=True,
                         download_name=display_name(original_name, content_type))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
