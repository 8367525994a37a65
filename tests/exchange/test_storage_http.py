"""Uploaded files through the portal's HTTP views on the S3 backend (an app on its own bucket
of moto's server on loopback, tests/storage_servers.py), and the access cases on both
backends: a message or request file lands in the bucket and not on the local disk, the
other party downloads it (streamed, or redirected to a presigned URL), a stranger gets 404;
a public practitioner's photo and its WebP copies are served from the bucket; closing an
account deletes its objects; the orphan cleanup deletes an old object no row refers to and
keeps the rest; a row whose file is gone gives 404, not 500."""
from __future__ import annotations

import io
import os
import time
import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from config import TestConfig
from portal.core import storage
from portal.core.extensions import db
from portal.models.exchange import Attachment, Message
from portal.models.practitioners import DocumentKind, ProfileStatus
from portal.services.exchange import attachments
from portal.services.practitioners import documents, questionnaire, verification
from tests import factories
from tests.conftest import IsolatedClient, login, separate_app
from tests.storage_servers import closed_endpoint, make_bucket, s3_config

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
BIG_PDF = PDF + bytes(range(256)) * 4096  # about 1 MB: several chunks when streamed
HOUR = 3600
MULTIPART = "multipart/form-data"


@pytest.fixture(scope="module")
def s3_app(tmp_path_factory):
    """A portal on an S3 bucket of its own (its own SQLite file; settings fixed at creation)."""
    overrides = s3_config()
    config = type("S3StorageConfig", (TestConfig,), dict(overrides))
    with separate_app(config, tmp_path_factory.mktemp("storage-http")) as application:
        make_bucket(application)
        yield application


@pytest.fixture(params=["local", "s3"])
def portal(request, app):
    """The session app (local folder) or the S3 app, its context pushed."""
    application = app if request.param == "local" else request.getfixturevalue("s3_app")
    with application.app_context():
        yield application
        db.session.rollback()


@pytest.fixture
def s3(s3_app):
    with s3_app.app_context():
        yield s3_app
        db.session.rollback()


def store():
    return storage.storage()


class BufferedClient(IsolatedClient):
    """An isolated client that reads each response body inside the request's own context:
    a body streamed from the store (``stream_with_context``) pops that context when it ends."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def client_of(application, user=None):
    http = BufferedClient(application, application.response_class, use_cookies=True)
    if user is not None:
        assert login(http, user.email).status_code == 302
    return http


def scene(application) -> SimpleNamespace:
    """A client with an open request, a practitioner serving it, and a stranger (another client)."""
    sm = application.appbuilder.sm
    tag = uuid.uuid4().hex[:8]
    s = SimpleNamespace()
    s.client = factories.make_user(sm, ("Client",), locale="en", last_name=f"Client{tag}")
    s.prac = factories.make_user(sm, ("Client", "Practitioner"), locale="en", last_name=f"Advocate{tag}")
    s.profile = factories.make_profile(s.prac)
    s.stranger = factories.make_user(sm, ("Client",), locale="en", last_name=f"Stranger{tag}")
    s.req = factories.make_request(s.client, title=f"Inheritance {tag}")
    return s


def post_file(application, s, data: bytes = PDF, name: str = "contract.pdf") -> Attachment:
    """The practitioner opens a thread on the request and posts a message with a file."""
    http = client_of(application, s.prac)
    response = http.post(f"/threads/open?request={s.req.id}")
    assert response.status_code == 302, response.status_code
    thread_id = int(response.headers["Location"].rsplit("/threads/", 1)[1].split("?")[0].split("#")[0])
    response = http.post(f"/threads/{thread_id}/post", content_type=MULTIPART,
                         data={"body": "The contract", "files": [(io.BytesIO(data), name)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    return db.session.scalars(select(Attachment).join(Message).where(Message.thread_id == thread_id)).one()


def local_names(application) -> set[str]:
    """The names of every file under the app's instance folder (uploads included)."""
    found = set()
    for _root, _dirs, names in os.walk(application.instance_path):
        found.update(names)
    return found


def assert_private_download(response, data: bytes, filename: str) -> None:
    assert response.status_code == 200, response.status_code
    assert response.get_data() == data
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert int(response.headers["Content-Length"]) == len(data)


# --- on the S3 backend ---------------------------------------------------------------------------


def test_a_message_file_goes_to_the_bucket_and_the_other_party_downloads_it(s3):
    assert store().name == "s3"
    s = scene(s3)
    att = post_file(s3, s, BIG_PDF)
    key = attachments.key_of(att)
    assert store().read(key) == BIG_PDF and store().size(key) == len(BIG_PDF)
    assert att.storage_key not in local_names(s3)  # not on this machine's disk
    response = client_of(s3, s.client).get(f"/attachments/{att.id}")
    assert response.mimetype == "application/pdf"
    assert_private_download(response, BIG_PDF, "contract.pdf")
    assert client_of(s3, s.prac).get(f"/attachments/{att.id}").status_code == 200  # its owner too
    assert client_of(s3, s.stranger).get(f"/attachments/{att.id}").status_code == 404
    assert client_of(s3).get(f"/attachments/{att.id}").status_code in (302, 401, 404)  # nobody signed in


def test_a_request_file_goes_to_the_bucket_and_a_matching_practitioner_downloads_it(s3):
    s = scene(s3)
    title = f"Request with a file {uuid.uuid4().hex[:6]}"
    form = {"category_id": str(factories.category("advocate").id), "region_id": str(factories.region("KZ-75").id),
            "title": title, "description": "A dispute over an inheritance; the papers are attached.",
            "city": "Almaty", "budget": "150000", "action": "publish",
            "attachments": [(io.BytesIO(PDF), "brief.pdf")]}
    response = client_of(s3, s.client).post("/requests/new", content_type=MULTIPART, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.expire_all()
    att = db.session.scalars(select(Attachment).where(Attachment.owner_id == s.client.id,
                                                      Attachment.request_id.is_not(None))).one()
    assert store().read(attachments.key_of(att)) == PDF
    assert att.storage_key not in local_names(s3)
    assert_private_download(client_of(s3, s.prac).get(f"/attachments/{att.id}"), PDF, "brief.pdf")
    assert client_of(s3, s.stranger).get(f"/attachments/{att.id}").status_code == 404


def test_redirect_mode_sends_the_party_to_a_presigned_url(s3, monkeypatch):
    s = scene(s3)
    att = post_file(s3, s, BIG_PDF, "Договор.pdf")
    monkeypatch.setitem(s3.config, "STORAGE_DOWNLOADS", "redirect")
    response = client_of(s3, s.client).get(f"/attachments/{att.id}")
    assert response.status_code == 302
    location = response.headers["Location"]
    endpoint = urlsplit(s3.config["STORAGE_S3_ENDPOINT_URL"])
    assert urlsplit(location).netloc == endpoint.netloc and "Signature" in location
    assert response.headers["Cache-Control"] == "private, no-store"
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200 and fetched.content == BIG_PDF
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.pdf" in fetched.headers["Content-Disposition"]
    assert client_of(s3, s.stranger).get(f"/attachments/{att.id}").status_code == 404  # still checked first
    store().delete(attachments.key_of(att))
    assert client_of(s3, s.client).get(f"/attachments/{att.id}").status_code == 404  # no URL to nothing


def image_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def with_photo(profile, data: bytes):
    verification.update_public_profile(profile.user, questionnaire.input_from(profile),
                                       {"photo": [factories.upload(data, "me.png", "image/png")]})
    db.session.expire_all()
    return documents.photo_of(profile)


def test_a_public_photo_and_its_copies_are_served_from_the_bucket(s3, monkeypatch):
    profile = factories.make_applicant(s3.appbuilder.sm, stage=ProfileStatus.APPROVED)
    original = image_bytes(900, 600)
    doc = with_photo(profile, original)
    keys = documents.files_of(doc)
    assert keys[0] == f"profiles/{doc.storage_key}"
    assert sorted(keys[1:]) == sorted(f"profiles/{doc.storage_key}.w{w}.webp" for w in documents.photo_widths())
    assert all(store().exists(k) for k in keys)
    assert doc.storage_key not in local_names(s3)
    anonymous = client_of(s3)
    for width in documents.photo_widths():
        response = anonymous.get(f"/practitioners/{profile.id}/photo?w={width}")
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert Image.open(io.BytesIO(response.get_data())).width == width
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = anonymous.get(f"/practitioners/{profile.id}/photo")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.get_data() == original
    monkeypatch.setitem(s3.config, "STORAGE_DOWNLOADS", "redirect")  # public photos are still served inline
    response = anonymous.get(f"/practitioners/{profile.id}/photo?w=240")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    monkeypatch.undo()
    store().delete(keys[2])  # a copy gone: the original instead
    response = anonymous.get(f"/practitioners/{profile.id}/photo?w={documents.photo_widths()[1]}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    new = with_photo(profile, image_bytes(300, 300))  # a new photo: the old objects go
    assert not any(store().exists(k) for k in keys)
    assert all(store().exists(k) for k in documents.files_of(new))


def test_closing_an_account_deletes_its_objects(s3):
    from portal.services.exchange import messages
    from portal.services.exchange import requests as requests_service

    sm = s3.appbuilder.sm
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED, locale="en")
    user = profile.user
    photo = with_photo(profile, image_bytes(400, 400))
    other = factories.make_practitioner(sm).user
    req = requests_service.create(user, factories.request_input(), publish=True, files=[factories.upload()])
    thread = messages.open_thread(other, req.id)  # a practitioner asks about it
    messages.post(user, thread.id, "My papers", [factories.upload(name="passport.pdf")])
    db.session.commit()
    their = [attachments.key_of(a) for a in db.session.scalars(select(Attachment).where(Attachment.owner_id == user.id))]
    keys = their + documents.files_of(photo)
    assert len(their) == 2 and all(store().exists(k) for k in keys)
    kept = post_file(s3, scene(s3))  # someone else's file

    http = client_of(s3, user)
    response = http.post("/account/close?_l_=en", data={"password": factories.PASSWORD, "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert not any(store().exists(k) for k in keys), [k for k in keys if store().exists(k)]
    assert store().exists(attachments.key_of(kept))


def test_the_orphan_cleanup_deletes_old_objects_no_row_refers_to(s3):
    s = scene(s3)
    referenced = attachments.key_of(post_file(s3, s))
    orphan = storage.key("attachments", uuid.uuid4().hex)
    document_orphan = storage.key("profiles", uuid.uuid4().hex)
    lone_copy = storage.key("profiles", f"{uuid.uuid4().hex}.w240.webp")  # its photo is gone
    foreign = storage.key("attachments", "notes.txt")  # not a name the portal writes
    for key in (orphan, document_orphan, lone_copy, foreign):
        store().put(key, b"left behind")
    attachments.cleanup_orphans()  # now: all fresh, within the grace period
    assert all(store().exists(k) for k in (orphan, document_orphan, lone_copy, referenced))
    later = time.time() + 2 * HOUR  # S3 keeps the write time: the cleanup runs "two hours later"
    assert {orphan, document_orphan, lone_copy} <= set(attachments.orphan_files(now=later))
    attachments.cleanup_orphans(now=later)
    for gone in (orphan, document_orphan, lone_copy):
        assert not store().exists(gone), gone
    for kept in (referenced, foreign):
        assert store().exists(kept), kept
    store().delete(foreign)


# --- on both backends -----------------------------------------------------------------------------


def test_a_stranger_is_refused_every_file(portal):
    s = scene(portal)
    att = post_file(portal, s)
    profile = factories.make_applicant(portal.appbuilder.sm, stage=ProfileStatus.DRAFT, locale="en")
    db.session.expire_all()  # its licence was uploaded with the application
    [licence] = [d for d in profile.documents if d.kind == DocumentKind.LICENCE]
    stranger = client_of(portal, s.stranger)
    assert stranger.get(f"/attachments/{att.id}").status_code == 404
    assert stranger.get(f"/practice/documents/{licence.id}").status_code == 404
    assert stranger.get("/attachments/999999999").status_code == 404
    assert client_of(portal, s.client).get(f"/attachments/{att.id}").status_code == 200
    assert client_of(portal, profile.user).get(f"/practice/documents/{licence.id}").status_code == 200


def test_a_row_whose_file_is_gone_gives_404_not_500(portal):
    s = scene(portal)
    att = post_file(portal, s)
    profile = factories.make_applicant(portal.appbuilder.sm, stage=ProfileStatus.APPROVED, locale="en")
    photo = with_photo(profile, image_bytes(300, 200))
    http = client_of(portal, s.client)
    assert http.get(f"/attachments/{att.id}").status_code == 200
    assert store().delete(attachments.key_of(att)) is True
    assert http.get(f"/attachments/{att.id}").status_code == 404
    for key in documents.files_of(photo):
        store().delete(key)
    owner = client_of(portal, profile.user)
    assert owner.get(f"/practice/documents/{photo.id}").status_code == 404
    for query in ("", "?w=240"):
        assert client_of(portal).get(f"/practitioners/{profile.id}/photo{query}").status_code == 404


def test_a_store_that_is_down_gives_a_translated_503_and_keeps_the_file(s3, monkeypatch):
    """The object store cannot be reached: the party gets "try again in a few minutes" in their
    language (503, not a 500 or a 404), and the row and the object are still there afterwards."""
    from portal.core.storage.s3 import S3Storage

    s = scene(s3)
    att = post_file(s3, s)
    working = store()
    broken = S3Storage(bucket=working.bucket, prefix=working.prefix.rstrip("/"), endpoint_url=closed_endpoint(),
                       region=working.region)
    monkeypatch.setitem(s3.extensions, storage.EXTENSION, broken)
    s.client.locale = "ru"  # a signed-in user's pages are in their account's language
    db.session.commit()
    http = client_of(s3, s.client)
    response = http.get(f"/attachments/{att.id}")
    assert response.status_code == 503
    assert "Временно недоступно" in response.get_data(as_text=True)
    monkeypatch.setitem(s3.extensions, storage.EXTENSION, working)
    assert db.session.get(Attachment, att.id) is not None
    assert working.read(attachments.key_of(att)) == PDF
    assert http.get(f"/attachments/{att.id}").status_code == 200
