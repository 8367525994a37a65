"""Stored private files (attachments, practitioner documents): the accepted
types found by their leading bytes, the name a file is shown under, and
sending one as a download from the file store (core.storage): one place for the rules every
upload and download follows."""
from __future__ import annotations

import logging
import os
import unicodedata
from urllib.parse import quote

from flask import Response, abort, current_app, redirect, send_file, stream_with_context
from flask_babel import lazy_gettext as _l

from portal.core import storage
from portal.core.errors import ServiceError

log = logging.getLogger(__name__)

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


def send_private(key: str, content_type: str | None, original_name: str | None):
    """The stored file ``key`` as a download (the caller has checked access), or 404 when it
    is gone: sent with the type found in its bytes at upload and a name with that type's
    extension (rows from before names were fixed at upload are corrected here too), never
    sniffed, never cached."""
    return send_stored(key, served_type(content_type), display_name(original_name, content_type),
                       as_attachment=True, cache_control="private, no-store")


def send_stored(key: str, mimetype: str, download_name: str, as_attachment: bool, cache_control: str):
    """A stored file as a response (404 when it is gone): from the local disk with
    ``send_file``; from an object store streamed through the portal, or, with
    STORAGE_DOWNLOADS = "redirect", a redirect to a presigned URL valid for
    STORAGE_PRESIGN_SECONDS (the store then sends the same type and name)."""
    return send_first_stored([(key, mimetype, download_name)], as_attachment, cache_control)


def send_first_stored(candidates, as_attachment: bool, cache_control: str):
    """The first of ``candidates`` ((key, mimetype, download name), in order) that is stored,
    as ``send_stored`` sends it; 404 when none is. A photo's smaller copy falls back to the
    original this way, with no separate "is it there?" request to the store."""
    store = storage.storage()
    response = None
    for key, mimetype, download_name in candidates:
        path = store.local_path(key)
        if path is not None:
            if os.path.isfile(path):
                response = send_file(path, mimetype=mimetype, as_attachment=as_attachment,
                                     download_name=download_name)
                break
            continue
        try:
            response = _from_store(store, key, mimetype, download_name, as_attachment)
            break
        except storage.FileMissing:
            continue
        except storage.StorageError:
            log.exception("storage: %s could not be read", key)
            abort(503)  # the store is down: try again later (the row and the file are kept)
    if response is None:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache_control
    return response


def _from_store(store, key: str, mimetype: str, download_name: str, as_attachment: bool):
    config = current_app.config
    if config.get("STORAGE_DOWNLOADS") == "redirect" and as_attachment:
        if not store.exists(key):
            raise storage.FileMissing(key)
        url = store.presigned_url(key, download_name, mimetype, inline=not as_attachment,
                                  expires=int(config.get("STORAGE_PRESIGN_SECONDS") or 60))
        if url:
            return redirect(url, code=302)
    chunks, size = store.stream(key)  # FileMissing: the caller tries the next candidate
    response = Response(stream_with_context(chunks), mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    response.headers.set("Content-Disposition", "attachment" if as_attachment else "inline",
                         **_filename_params(download_name))
    return response


def _filename_params(name: str) -> dict:
    """``filename`` (ASCII) and ``filename*`` (UTF-8) as werkzeug's send_file sets them."""
    try:
        name.encode("ascii")
        return {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple or "file", "filename*": f"UTF-8''{quote(name, safe='')}"}
