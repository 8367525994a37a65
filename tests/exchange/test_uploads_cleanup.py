"""Upload files: the cleanup of files no row refers to (a process killed
between writing the file and the commit), and stored names whose extension
matches the type found in the bytes, served with that type as a download."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.cli.worker import UploadCleanup
from portal.core import files
from portal.core.extensions import db
from portal.models.exchange import Attachment, Message
from portal.models.practitioners import DocumentKind, ProfileDocument
from portal.services.exchange import attachments
from portal.services.practitioners import documents
from tests.exchange.test_messages_http import open_thread, post, scene  # noqa: F401  (the fixture)
from tests.factories import make_request, make_user, stored_folder, stored_path
from tests.practitioners.test_practice_http import JPEG, PDF, _answers, _documents, _post, _profile_of

HOUR = 3600


def _write(folder: str, age_seconds: float = 0, name: str | None = None, data: bytes = PDF) -> str:
    """A file as store() writes it; ``age_seconds`` old (its mtime set back with os.utime)."""
    path = os.path.join(folder, name or uuid.uuid4().hex)
    with open(path, "wb") as fh:
        fh.write(data)
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(path, (then, then))
    return path


def _referenced_attachment(app, age_seconds: float) -> str:
    """A committed request attachment whose file is old: it must stay."""
    client = make_user(app.appbuilder.sm, ("Client",), locale="en")
    req = make_request(client)
    [row] = attachments.store(client, [FileStorage(io.BytesIO(PDF), "kept.pdf")], request_id=req.id)
    db.session.commit()
    path = stored_path(attachments.key_of(row))
    os.utime(path, (time.time() - age_seconds, time.time() - age_seconds))
    return path


# --- orphans -------------------------------------------------------------------------------------------


def test_only_old_files_without_a_row_are_deleted(app):
    old_orphan = _write(stored_folder("attachments"), 2 * HOUR)
    old_document_orphan = _write(stored_folder(files.DOCUMENTS), 2 * HOUR)
    fresh_orphan = _write(stored_folder("attachments"), 5 * 60)  # its commit may still be under way
    referenced = _referenced_attachment(app, 3 * HOUR)
    foreign = _write(stored_folder("attachments"), 3 * HOUR, name="notes.txt")  # not a name the portal writes

    assert sorted(stored_path(k) for k in attachments.orphan_files()) == sorted([old_orphan, old_document_orphan])
    assert attachments.cleanup_orphans() == 2
    assert not os.path.exists(old_orphan) and not os.path.exists(old_document_orphan)
    for kept in (fresh_orphan, referenced, foreign):
        assert os.path.exists(kept), kept
    assert attachments.cleanup_orphans() == 0  # nothing left to do
    os.remove(foreign), os.remove(fresh_orphan)


def test_grace_period_comes_from_the_config(app):
    assert app.config["UPLOAD_ORPHAN_GRACE_MINUTES"] == 60
    path = _write(stored_folder("attachments"), 20 * 60)
    assert attachments.cleanup_orphans() == 0
    app.config["UPLOAD_ORPHAN_GRACE_MINUTES"] = 10
    try:
        assert attachments.cleanup_orphans() == 1
    finally:
        app.config["UPLOAD_ORPHAN_GRACE_MINUTES"] = 60
    assert not os.path.exists(path)


def test_profile_documents_in_use_are_kept(app, client, login_as):
    applicant = make_user(app.appbuilder.sm, ("Client",), locale="en")
    login_as(applicant)
    assert _post(client, "/practice/apply", _answers(), licence=("licence.pdf", PDF)).status_code == 302
    [doc] = _documents(_profile_of(applicant), DocumentKind.LICENCE)
    path = stored_path(documents.document_key(doc))
    os.utime(path, (time.time() - 5 * HOUR, time.time() - 5 * HOUR))
    attachments.cleanup_orphans()
    assert os.path.exists(path)


def test_cli_command_reports_what_it_deleted(app):
    orphans = [_write(stored_folder("attachments"), 2 * HOUR) for _ in range(3)]
    result = app.test_cli_runner().invoke(args=["portal", "cleanup-uploads"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 orphan upload files" in result.output
    assert not any(os.path.exists(p) for p in orphans)
    result = app.test_cli_runner().invoke(args=["portal", "cleanup-uploads", "--grace-minutes", "600"])
    assert result.exit_code == 0 and "Deleted 0 orphan upload files" in result.output


def test_the_notification_worker_cleans_up_once_an_hour(app, monkeypatch):
    now = [1000.0]
    calls = []
    monkeypatch.setattr(attachments, "cleanup_orphans", lambda: calls.append(now[0]) or 0)
    cleanup = UploadCleanup(clock=lambda: now[0])
    assert cleanup() == 0 and calls == [1000.0]  # at start
    now[0] += HOUR - 1
    assert cleanup() is None and len(calls) == 1  # not due: no listing, no query
    now[0] += 1
    assert cleanup() == 0 and len(calls) == 2
    monkeypatch.undo()

    orphan = _write(stored_folder("attachments"), 2 * HOUR)
    result = app.test_cli_runner().invoke(args=["portal", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "orphan upload files deleted 1" in result.output
    assert not os.path.exists(orphan)


KILLED_WRITER = textwrap.dedent("""
    import io, sys, time
    from werkzeug.datastructures import FileStorage
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = sys.argv[1]
        INSTANCE_PATH = sys.argv[2]
        AUTO_MIGRATE = False

    from portal import create_app
    from portal.core import storage
    from portal.core.extensions import db
    from portal.models.accounts import PortalUser
    from portal.services.exchange import attachments

    app = create_app(Cfg)
    with app.app_context():
        owner = db.session.get(PortalUser, int(sys.argv[3]))
        [row] = attachments.store(owner, [FileStorage(io.BytesIO(b"%PDF-1.4 killed"), "a.pdf")])
        db.session.flush()  # the row is sent, not committed
        print(storage.storage().local_path(attachments.key_of(row)), flush=True)
        time.sleep(120)  # SIGKILLed here, before the commit
        db.session.commit()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_before_the_commit_leaves_a_file_the_cleanup_removes(app, tmp_path):
    owner = make_user(app.appbuilder.sm, ("Client",), locale="en")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path,
         str(owner.id)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        path = proc.stdout.readline().strip()
        assert path, proc.stderr.read() if proc.poll() is not None else "no path printed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert os.path.exists(path)  # the file stayed, its row never arrived
    db.session.expire_all()
    key = os.path.basename(path)
    assert db.session.scalar(select(Attachment).where(Attachment.storage_key == key)) is None
    assert attachments.cleanup_orphans() == 0  # within the grace period: kept
    os.utime(path, (time.time() - 2 * HOUR, time.time() - 2 * HOUR))
    assert attachments.cleanup_orphans() == 1
    assert not os.path.exists(path)


# --- names and types ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,kind,expected", [
    ("x.html", "application/pdf", "x.pdf"),
    ("report.PDF", "application/pdf", "report.PDF"),
    ("photo.jpeg", "image/jpeg", "photo.jpeg"),
    ("photo.png", "image/jpeg", "photo.jpg"),
    ("scan", "image/png", "scan.png"),
    ("..\\..\\evil.exe", "application/pdf", "evil.pdf"),
    ("a/b/c.svg", "image/png", "c.png"),
    (".html", "application/pdf", ".html.pdf"),
    ("", "application/pdf", "file.pdf"),
    ("x" * 300 + ".html", "application/pdf", "x" * 251 + ".pdf"),
])
def test_display_name_takes_the_extension_of_the_detected_type(name, kind, expected):
    assert files.display_name(name, kind) == expected


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf(app, scene, login_as):  # noqa: F811
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    assert post(http, tid, "Contract", files=[("x.html", PDF)]).status_code == 302
    att = db.session.scalars(select(Attachment).join(Message).where(Message.thread_id == tid)).one()
    assert att.original_name == "x.pdf" and att.content_type == "application/pdf"
    assert "x.html" not in http.get(f"/threads/{tid}").get_data(as_text=True)
    response = http.get(f"/attachments/{att.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=x.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_old_row_with_a_wrong_name_is_served_with_the_right_one(app, scene, login_as):  # noqa: F811
    http = login_as(scene.prac)
    tid = open_thread(http, scene.req.id)
    post(http, tid, "Scan", files=[("scan.pdf", PDF)])
    att = db.session.scalars(select(Attachment).join(Message).where(Message.thread_id == tid)).one()
    att.original_name = "scan.html"  # stored before names were fixed at upload
    db.session.commit()
    response = http.get(f"/attachments/{att.id}")
    assert response.headers["Content-Disposition"] == "attachment; filename=scan.pdf"


def test_practitioner_documents_get_the_extension_of_their_type(app, client, login_as):
    applicant = make_user(app.appbuilder.sm, ("Client",), locale="en")
    login_as(applicant)
    response = _post(client, "/practice/apply", _answers(), licence=("licence.html", PDF),
                     photo=("me.png", JPEG))
    assert response.status_code == 302
    profile = _profile_of(applicant)
    [licence] = _documents(profile, DocumentKind.LICENCE)
    [photo] = _documents(profile, DocumentKind.PHOTO)
    assert (licence.original_name, licence.content_type) == ("licence.pdf", "application/pdf")
    assert (photo.original_name, photo.content_type) == ("me.jpg", "image/jpeg")
    response = client.get(f"/practice/documents/{licence.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=licence.pdf"
    response = client.get(f"/practice/documents/{photo.id}")
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"] == "attachment; filename=me.jpg"
    assert db.session.scalar(select(ProfileDocument.original_name).where(ProfileDocument.id == licence.id)) \
        == "licence.pdf"
