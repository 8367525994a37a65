"""Elasticsearch-compatible servers for tests (helpers, not a test module).

* :class:`PlainJsonNode`: a transport node that sends plain ``application/json``
  (and ``application/x-ndjson``) instead of the 8.x client's
  ``application/vnd.elasticsearch+json; compatible-with=8``, which the in-memory
  test server (osmem-server 0.1.6) answers with 406. Production code never uses
  it: the portal passes ``ELASTICSEARCH_NODE_CLASS`` through only when set.
* :func:`elasticsearch_url`: ``ELASTICSEARCH_URL`` when set (a real server),
  else an osmem-server started once per test session.
* :func:`start_server` / :func:`stop_server` / :func:`restart_server`: a
  private osmem-server the fault test can stop and start again on the same port.
"""
from __future__ import annotations

import atexit
import os
import re
import socket
import threading
from urllib.parse import urlsplit

from elastic_transport import Urllib3HttpNode

_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([a-z0-9.-]+)\s*;\s*compatible-with=\d+", re.I)


def _plain(value: str) -> str:
    return _COMPAT.sub(r"application/\1", value)


class PlainJsonNode(Urllib3HttpNode):
    """Urllib3HttpNode sending ``application/json`` / ``application/x-ndjson``
    Accept and Content-Type headers (test servers without the compatibility
    mimetype)."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if headers.get(name):
                    headers[name] = _plain(headers[name])
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def node_class():
    """The node class tests pass to ElasticBackend: the plain-JSON node for the
    in-memory server, the client's default for a real Elasticsearch."""
    return None if os.environ.get("ELASTICSEARCH_URL") else PlainJsonNode


_lock = threading.Lock()
_shared: dict = {}


def _close_shared() -> None:
    server = _shared.pop("server", None)
    if server is not None:
        server.close()


def elasticsearch_url() -> str:
    """ELASTICSEARCH_URL when set, else the URL of an in-memory osmem-server
    started on first use and stopped when the test process exits."""
    url = os.environ.get("ELASTICSEARCH_URL")
    if url:
        return url
    with _lock:
        if "server" not in _shared:
            from osmem_server import OsmemServer

            _shared["server"] = OsmemServer.start(japanese=False)
            atexit.register(_close_shared)
        return _shared["server"].url


# --- a server the fault test can stop --------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int | None = None):
    """A private osmem-server on ``127.0.0.1:port`` (a free port when None)."""
    from osmem_server import OsmemServer

    port = port or free_port()
    return OsmemServer.start(japanese=False, addr=f"127.0.0.1:{port}")


def stop_server(server) -> None:
    server.close(grace=2.0)


def restart_server(server):
    """Start a new (empty) server on the port ``server`` listened on."""
    stop_server(server)
    return start_server(urlsplit(server.url).port)
