"""What a push subscription must be before the portal keeps it: an endpoint the
worker may POST to (https on a public host; http only to loopback, in tests or
with PUSH_ALLOW_HTTP_LOOPBACK) and keys that can be encrypted for (RFC 8291).
The same rules for the settings page's switch and the API (services.notifications.push)."""
from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
ENDPOINT_INVALID = _l("The push endpoint must be the https address a push service gave this browser.")
KEYS_INVALID = _l("The keys of the push subscription are not valid.")


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def check_endpoint(endpoint: str) -> None:
    """An https URL of a public host. Plain http only to loopback, in tests or
    with PUSH_ALLOW_HTTP_LOOPBACK (a local push service). Private and loopback
    addresses are refused otherwise: the worker must not POST into our network."""
    try:
        url = urlsplit(endpoint)
        host = (url.hostname or "").lower()
        url.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ServiceError(ENDPOINT_INVALID, field="endpoint") from None
    config = current_app.config
    loopback_ok = bool(current_app.testing or config["PUSH_ALLOW_HTTP_LOOPBACK"])
    if not host or url.username or url.password or url.scheme not in ("https", "http"):
        raise ServiceError(ENDPOINT_INVALID, field="endpoint")
    if host in LOOPBACK and loopback_ok:
        return
    if url.scheme != "https" or host in LOOPBACK or host.endswith(".localhost") or _internal_ip(host):
        raise ServiceError(ENDPOINT_INVALID, field="endpoint")


def _internal_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name
    return not address.is_global


def check_keys(p256dh: str, auth: str) -> None:
    """p256dh: an uncompressed P-256 point; auth: 16 bytes (RFC 8291), both base64url."""
    try:
        point, secret = _b64decode(p256dh), _b64decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ServiceError(KEYS_INVALID, field="keys") from None
    if len(point) != 65 or len(secret) != 16:
        raise ServiceError(KEYS_INVALID, field="keys")
