"""VAPID (RFC 8292): the key pair that identifies this portal to the push
services, and whether Web Push is on at all.

The keys come from the configuration (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY,
base64url as browsers and ``flask portal vapid-keys`` use them). Without both,
or when the public key is not the private key's, push is off: nothing is
queued, the API's key endpoint answers 503 and the settings page hides the
device switch. A browser subscribes with the public key, so a key that does not
match the signing one would make every push service refuse our messages."""
from __future__ import annotations

import base64
import logging

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid

log = logging.getLogger(__name__)
_cache: dict[str, Vapid | None] = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The uncompressed P-256 point, base64url: the ``applicationServerKey`` of browsers."""
    return b64url(private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                        serialization.PublicFormat.UncompressedPoint))


def generate_keys() -> tuple[str, str]:
    """A new (private, public) pair: the 32-byte private number and the public point, base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(private), public_key_of(key)


def _load(private: str, public: str) -> Vapid | None:
    try:
        signer = Vapid.from_string(private_key=private)
    except Exception as exc:  # noqa: BLE001  (any malformed key: say so once, push stays off)
        log.error("push: VAPID_PRIVATE_KEY cannot be read (%s); Web Push is off", type(exc).__name__)
        return None
    if public_key_of(signer.private_key) != public.strip().rstrip("="):
        log.error("push: VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY; Web Push is off")
        return None
    return signer


def signer(app: Flask | None = None) -> Vapid | None:
    """The VAPID signer, or None when push is off (keys missing or not a pair)."""
    config = (app or current_app).config
    private, public = config.get("VAPID_PRIVATE_KEY") or "", config.get("VAPID_PUBLIC_KEY") or ""
    if not (private and public):
        return None
    key = f"{private}|{public}"
    if key not in _cache:
        _cache[key] = _load(private, public)
    return _cache[key]


def enabled(app: Flask | None = None) -> bool:
    return signer(app) is not None


def public_key(app: Flask | None = None) -> str | None:
    """The public key browsers subscribe with, or None when push is off."""
    return (app or current_app).config["VAPID_PUBLIC_KEY"].strip().rstrip("=") if enabled(app) else None


def announce(app: Flask) -> None:
    """One clear log line at start-up when push is off for want of keys."""
    if not (app.config.get("VAPID_PRIVATE_KEY") and app.config.get("VAPID_PUBLIC_KEY")):
        log.warning("push: VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY are not set: Web Push is off "
                 "(`flask portal vapid-keys` prints a key pair to set)")
    else:
        signer(app)  # logs an error now if the keys are not a pair
