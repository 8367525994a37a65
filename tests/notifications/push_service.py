"""A push service and a browser for the Web Push tests, on this machine only.

``PushService`` is a real HTTP server on a loopback port (a thread): it keeps
every POST and answers with the statuses a test queues (201 by default); it can
be stopped (connection refused) and started again on the same port.
``Browser`` is what a subscribing browser holds: a P-256 key pair and an auth
secret (RFC 8291); it decrypts a received aes128gcm body with http_ece.
``check_vapid`` verifies the VAPID header (RFC 8292) independently of the code
under test: ES256 signature with the public key in ``k``, audience, expiry."""
from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    path: str
    headers: dict  # lower-case names
    body: bytes
    status: int  # what the service answered


@dataclass
class PushService:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer next, in order (then 201)
    retry_after: str | None = None
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with service._lock:
                    status = service.answers.pop(0) if service.answers else 201
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    service.received.append(Received(self.path, headers, body, status))
                self.send_response(status)
                if service.retry_after and status in (429, 503):
                    self.send_header("Retry-After", service.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self, name: str | None = None) -> list[Received]:
        """POSTs answered with success (to one endpoint when ``name`` is given)."""
        with self._lock:
            return [r for r in self.received if r.status < 300 and (name is None or r.path == f"/push/{name}")]


class Browser:
    """A subscribed browser's secrets (generated here, as a browser does)."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def keys(self) -> dict:
        point = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth)}

    def subscription(self, endpoint: str) -> dict:
        """What PushSubscription.toJSON() gives."""
        return {"endpoint": endpoint, "expirationTime": None, "keys": self.keys}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain.decode("utf-8"))


def check_vapid(received: Received, public_key: str, origin: str, subject: str) -> dict:
    """Assert the Authorization header is ``vapid t=<JWT>, k=<our public key>``
    whose ES256 signature verifies, for this origin, not expired; returns the claims."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme.lower() == "vapid"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"] == public_key
    verifying = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    claims = jwt.decode(parts["t"], key=verifying, algorithms=["ES256"], audience=origin)  # checks exp too
    assert claims["sub"] == subject
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert urlsplit(origin).netloc and claims["aud"] == origin
    return claims
