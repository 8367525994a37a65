"""An S3-compatible server for tests (helpers, not a test module).

* :func:`s3_endpoint`: ``STORAGE_TEST_S3_ENDPOINT`` when set (a real S3-compatible server,
  e.g. MinIO that CI started, with its credentials in AWS_ACCESS_KEY_ID /
  AWS_SECRET_ACCESS_KEY), else moto's server mode (``python -m moto.server``) on a free
  loopback port, started on first use once per test process (so once per xdist worker)
  and stopped when the process exits.
* :func:`s3_config`: the config overrides that put an app on that server, each call with
  a bucket of its own (tests never share a bucket).
* :func:`make_bucket`: create that bucket (S3Storage.ensure_bucket).
* :func:`closed_endpoint`: the URL of a loopback port nothing listens on (the store
  "unreachable" case).

moto keeps every object in the memory of its process: fine for tests, and figures
measured against it (bench/storage.py) are the portal's path plus moto, not a real store.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from urllib.error import URLError
from urllib.request import urlopen

REGION = "us-east-1"
START_TIMEOUT = 30.0

_lock = threading.Lock()
_shared: dict = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_endpoint() -> str:
    """A loopback URL with nothing listening (connections are refused at once)."""
    return f"http://127.0.0.1:{free_port()}"


def dummy_credentials() -> None:
    """moto accepts any key; boto3 only needs one to sign with."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def _answers(url: str) -> bool:
    try:
        with urlopen(url + "/moto-api/", timeout=1) as response:  # noqa: S310  (loopback)
            return response.status < 500
    except URLError:
        return False
    except Exception:  # noqa: BLE001  (a reset while it starts)
        return False


def start_moto(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """A private moto server on ``127.0.0.1:port`` (a free one when None): (process, URL),
    once it answers."""
    for _attempt in range(3):
        chosen = port or free_port()
        url = f"http://127.0.0.1:{chosen}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(chosen)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:  # the port was taken in between: another one
                break
            if _answers(url):
                return proc, url
            time.sleep(0.05)
        stop_moto(proc)
        if port is not None:
            break
    raise RuntimeError(f"moto server did not start on 127.0.0.1 ({sys.executable} -m moto.server)")


def stop_moto(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _stop_shared() -> None:
    proc = _shared.pop("proc", None)
    if proc is not None:
        stop_moto(proc)


def s3_endpoint() -> str:
    """The URL of the tests' S3-compatible server (started on first use)."""
    dummy_credentials()
    url = os.environ.get("STORAGE_TEST_S3_ENDPOINT")
    if url:
        return url.rstrip("/")
    with _lock:
        if "url" not in _shared:
            proc, url = start_moto()
            _shared.update(proc=proc, url=url)
            atexit.register(_stop_shared)
        return _shared["url"]


def unique_bucket(tag: str = "t") -> str:
    return f"alemtrust-{tag}-{uuid.uuid4().hex[:16]}"


def s3_config(bucket: str | None = None, prefix: str | None = None, endpoint: str | None = None) -> dict:
    """Config overrides for an app (or ``storage.create``) on the tests' S3 server: a bucket
    of its own unless ``bucket`` is given (it is not created: :func:`make_bucket`)."""
    dummy_credentials()
    return {
        "STORAGE_BACKEND": "s3",
        "STORAGE_S3_BUCKET": bucket or unique_bucket(),
        "STORAGE_S3_PREFIX": prefix or "",
        "STORAGE_S3_ENDPOINT_URL": endpoint or s3_endpoint(),
        "STORAGE_S3_REGION": REGION,
    }


def make_bucket(config_or_store) -> object:
    """Create the bucket of a config dict (``s3_config``), an app, or an S3Storage; returns
    the S3Storage."""
    from portal.core import storage as storage_module
    from portal.core.storage.s3 import S3Storage

    if isinstance(config_or_store, S3Storage):
        store = config_or_store
    elif isinstance(config_or_store, dict):
        store = storage_module.create(config_or_store, "")
    else:  # an app
        store = storage_module.storage(config_or_store)
    store.ensure_bucket()
    return store


def s3_objects(store, area: str | None = None) -> dict[str, int]:
    """{key: size} of the objects of ``store`` (an S3Storage) in ``area`` or in every area."""
    areas = [area] if area else ["attachments", "profiles", "pending"]
    return {o.key: o.size for a in areas for o in store.listing(a)}
