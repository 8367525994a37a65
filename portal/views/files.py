"""Sending a stored private file (attachments, practitioner documents): one
place for the rules every download follows."""
from __future__ import annotations

import os

from flask import abort, send_file

from portal.services import attachments


def send_private(path: str, content_type: str | None, original_name: str | None):
    """The file at ``path`` as a download, or 404 when it is gone: sent with the
    type found in its bytes at upload and a name with that type's extension (rows
    from before names were fixed at upload are corrected here too), never sniffed,
    never cached."""
    if not os.path.isfile(path):
        abort(404)
    response = send_file(path, mimetype=attachments.served_type(content_type), as_attachment=True,
                         download_name=attachments.display_name(original_name, content_type))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
