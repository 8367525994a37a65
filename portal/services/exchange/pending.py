"""A visitor's request before they have an account ("intent is never lost").

A visitor may fill in the request form; at submit every rule of
``requests.create`` is checked (``requests.check_input``, the upload checks),
then the fields are kept in a ``PendingRequest`` row and the files in the
file store (core.storage, area "pending"), and the visitor gets a random token,
which the view keeps in their session only. The row is found by the token's
SHA-256 alone: whoever does not hold the token cannot see, change or claim it.

After signing in or registering, ``claim`` turns it into the user's request
through ``requests.create`` (so the service rules apply once more, now for
this user): published when the visitor pressed "Publish" and comes straight
from the submit, else kept as a draft. When publishing is refused (the
practitioner is no longer available, the date has passed, ...) the request is
kept as a draft without what broke the rule, and the reason is returned.

Rows expire after PENDING_REQUEST_TTL_HOURS; ``cleanup`` deletes expired rows
with their files and pending files no row refers to (the worker runs it with
the hourly upload cleanup; every new submission runs it too).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.datastructures import FileStorage

from portal.core import storage, tx
from portal.core.clock import utcnow
from portal.core.errors import Message, ServiceError
from portal.core.extensions import db
from portal.core.files import check as check_uploads
from portal.core.files import display_name, sniff, uploaded
from portal.models.accounts import PortalUser
from portal.models.exchange import PendingRequest, RequestStatus, ServiceRequest
from portal.services.exchange import requests

FOLDER = "pending"
KEY = re.compile(r"^[0-9a-f]{32}$")
# fields a draft can do without when a rule refuses them after sign-in (what they become)
DROPPABLE = {"target_profile_id": None, "desired_date": None, "budget": None, "specialization_ids": [],
             "attachments": None}


@dataclass
class Claimed:
    """What ``claim`` did: the request (None: it could not even be kept as a
    draft; the pending request stays), whether it was published, and why not."""

    request: ServiceRequest | None
    published: bool
    reason: Message | None = None


def _key(name: str) -> str:
    return storage.key(FOLDER, name)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["PENDING_REQUEST_TTL_HOURS"])


# --- the visitor ---------------------------------------------------------------------------------

def submit(data: requests.RequestInput, publish: bool, files=(), now: dt.datetime | None = None) -> str:
    """Check ``data`` and ``files`` as ``requests.create`` does, keep them, and
    return the token that finds them again (ServiceError, nothing kept, if a rule is broken)."""
    requests.check_input(data, None)
    check_uploads(files, field="attachments")
    now = now or utcnow()
    cleanup(now)
    stored = []
    for f in uploaded(files):
        key = uuid.uuid4().hex
        content = f.stream.read()
        kind = sniff(content[:16])
        storage.put_in_transaction(db.session, _key(key), content, kind)  # removed again on rollback
        stored.append({"key": key, "name": display_name(f.filename, kind, key), "size": len(content)})
    fields = dataclasses.asdict(data)
    fields["desired_date"] = data.desired_date.isoformat() if data.desired_date else None
    token = secrets.token_urlsafe(32)
    db.session.add(PendingRequest(token_hash=_hash(token), created_at=now, expires_at=now + _ttl(),
                                  payload=json.dumps({"fields": fields, "publish": bool(publish),
                                                      "files": stored})))
    tx.commit()
    return token


def find(token: str | None, now: dt.datetime | None = None) -> PendingRequest | None:
    """The pending request of this token, if it has not expired."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    return db.session.scalars(select(PendingRequest).where(
        PendingRequest.token_hash == _hash(token), PendingRequest.expires_at > (now or utcnow()))).first()


def summary(row: PendingRequest) -> dict:
    """What the visitor wrote, for the form: its fields, whether they chose
    "Publish", the names of the kept files."""
    payload = json.loads(row.payload)
    return {"fields": _input(payload), "publish": payload["publish"],
            "files": [f["name"] for f in payload["files"]], "expires_at": row.expires_at}


def discard(token: str | None) -> bool:
    row = find(token)
    if row is None:
        return False
    _delete(row)
    tx.commit()
    return True


# --- after signing in ----------------------------------------------------------------------------

def claim(user: PortalUser, token: str | None, publish: bool = True,
          now: dt.datetime | None = None) -> Claimed | None:
    """Make the pending request of ``token`` the user's request: published if
    the visitor chose "Publish" and ``publish`` (they come straight from the
    submit), else a draft. None when the token finds nothing (expired, claimed,
    never existed): nothing changes."""
    row = find(token, now)
    if row is None:
        return None
    payload = json.loads(row.payload)
    data = _input(payload)
    files = payload["files"]
    publish = publish and payload["publish"]
    reason = None
    for _attempt in range(len(DROPPABLE) + 1):
        try:
            req = requests.create(user, data, publish=publish, files=_open(files), now=now)
        except ServiceError as err:
            db.session.rollback()
            reason = reason or err.message
            if err.field not in DROPPABLE or (err.field == "attachments" and not files):
                return Claimed(None, False, reason)
            publish = False  # keep what is left as a draft, without what broke the rule
            if err.field == "attachments":
                files = []
            else:
                setattr(data, err.field, DROPPABLE[err.field])
            continue
        break
    else:  # pragma: no cover - every droppable field is dropped at most once
        return Claimed(None, False, reason)
    row = find(token, now)
    if row is not None:
        _delete(row)
        tx.commit()
    return Claimed(req, req.status == RequestStatus.OPEN, reason)


def _input(payload: dict) -> requests.RequestInput:
    fields = dict(payload["fields"])
    fields["desired_date"] = dt.date.fromisoformat(fields["desired_date"]) if fields.get("desired_date") else None
    return requests.RequestInput(**fields)


def _open(files: list[dict]) -> list[FileStorage]:
    """The kept files as uploads again (``requests.create`` checks and stores them)."""
    out = []
    for f in files:
        if not KEY.match(f["key"]):
            continue
        try:
            out.append(FileStorage(stream=io.BytesIO(storage.storage().read(_key(f["key"]))), filename=f["name"]))
        except storage.FileMissing:
            continue
    return out


def _delete(row: PendingRequest) -> None:
    """Delete the row; its files go once the deletion is committed."""
    keys = [f["key"] for f in json.loads(row.payload)["files"] if KEY.match(f["key"])]
    db.session.delete(row)
    storage.delete_after_commit(db.session, [_key(k) for k in keys])


def _delete_files(keys) -> int:
    return storage.delete_quietly(_key(k) for k in keys)


def cleanup(now: dt.datetime | None = None) -> int:
    """Delete expired pending requests with their files, and pending files that
    no row refers to once older than UPLOAD_ORPHAN_GRACE_MINUTES. Returns the
    number of rows and files deleted."""
    now = now or utcnow()
    expired = list(db.session.scalars(select(PendingRequest).where(PendingRequest.expires_at <= now)))
    keys = [f["key"] for row in expired for f in json.loads(row.payload)["files"] if KEY.match(f["key"])]
    if expired:
        db.session.execute(delete(PendingRequest).where(PendingRequest.id.in_([r.id for r in expired])))
        tx.commit()
    removed = len(expired) + _delete_files(keys)
    known = {f["key"] for payload in db.session.scalars(select(PendingRequest.payload))
             for f in json.loads(payload)["files"]}
    cutoff = time.time() - int(current_app.config["UPLOAD_ORPHAN_GRACE_MINUTES"]) * 60
    orphans = [name for name in (item.key.split("/", 1)[1] for item in storage.storage().listing(FOLDER)
                                 if item.modified < cutoff)
               if KEY.match(name) and name not in known]
    return removed + _delete_files(orphans)


def refusal(reason: Message | None):
    """The sentence that tells the user their request was kept as a draft, and why."""
    if reason is None:
        return _l("Your request was saved as a draft in My requests. Publish it when it is ready.")
    return _l("Your request could not be published and was saved as a draft: %(reason)s", reason=reason)
