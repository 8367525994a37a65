"""Fingerprinted static files: a URL that changes with the file's content, cached for a year.

``static_url("css/portal.css")`` (a Jinja global) gives ``/static/css/portal.css?v=<hash>``,
the hash being the first 12 hex digits of the file's SHA-256, computed once at start-up for
every file of the app's static folder (portal/static/) and on first use for a blueprint's
(``static_url("js/ab.js", blueprint="appbuilder")``). A request whose ``v`` is the file's
current hash gets ``Cache-Control: public, max-age=31536000, immutable``; any other request
of a static file (no ``v``, or the hash of an older version) gets ``public,
max-age=STATIC_MAX_AGE``, so a new deployment is picked up by the next page.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, Response, current_app, request, url_for

EXTENSION = "portal.static_files"
IMMUTABLE = "public, max-age=31536000, immutable"
HASH_LENGTH = 12


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()[:HASH_LENGTH]
    except OSError:
        return None


def _scan(folder: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if not folder or not os.path.isdir(folder):
        return found
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            digest = _digest(path)
            if digest:
                found[os.path.relpath(path, folder).replace(os.sep, "/")] = digest
    return found


class Fingerprints:
    """``{endpoint: {filename: hash}}``; the app's own folder filled at start-up."""

    def __init__(self, app: Flask):
        self.hashes: dict[str, dict[str, str]] = {"static": _scan(app.static_folder)}

    def of(self, endpoint: str, filename: str) -> str | None:
        known = self.hashes.setdefault(endpoint, {})
        if filename not in known:
            folder = _folder(endpoint)
            path = os.path.normpath(os.path.join(folder, filename)) if folder else None
            inside = path is not None and path.startswith(os.path.normpath(folder) + os.sep)
            known[filename] = (_digest(path) if inside else None) or ""
        return known[filename] or None


def _folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return getattr(blueprint, "static_folder", None)


def static_url(filename: str, blueprint: str | None = None) -> str:
    """The URL of a static file with its content hash (plain url_for when the file is unknown)."""
    endpoint = f"{blueprint}.static" if blueprint else "static"
    digest = current_app.extensions[EXTENSION].of(endpoint, filename)
    if digest is None:
        return url_for(endpoint, filename=filename)
    return url_for(endpoint, filename=filename, v=digest)


def cache_headers(response: Response) -> Response:
    """``after_request``: a year for the current fingerprint, STATIC_MAX_AGE otherwise."""
    endpoint = request.endpoint or ""
    if not (endpoint == "static" or endpoint.endswith(".static")) or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == current_app.extensions[EXTENSION].of(endpoint, filename):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['STATIC_MAX_AGE'])}"
    return response


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Fingerprints(app)
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(cache_headers)
