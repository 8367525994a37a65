"""The worker pool's health check (issue 20): ``flask portal worker-health`` and the same
check without the app, ``python -m portal.cli.worker health``. Exit 0 when healthy, 1 when a
due row waited longer than --max-age or rows failed for good, 2 when the database cannot be
reached; ``--json`` for monitoring. Runs on SQLite and on PostgreSQL (nothing here needs
two workers)."""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, insert

from portal.cli import worker
from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.notifications import MailOutbox, MailStatus, PushOutbox
from portal.models.search import OutboxKind, SearchOutbox

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"search", "mail", "push", "reminders"}
FIELDS = {"pending", "due", "in_work", "retrying", "failed", "oldest_due_seconds"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def empty_outboxes(app):
    for model in (SearchOutbox, MailOutbox, PushOutbox):
        db.session.execute(delete(model))
    db.session.commit()


def mail_row(**values) -> int:
    now = utcnow()
    row = {"recipient": "ops@example.kz", "subject": "Health", "body_text": "x", "body_html": "", "locale": "en",
           "status": MailStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now, **values}
    row_id = db.session.execute(insert(MailOutbox).values(**row).returning(MailOutbox.id)).scalar_one()
    db.session.commit()
    return row_id


def health(app, *args):
    result = app.test_cli_runner().invoke(args=["portal", "worker-health", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def health_json(app, *args) -> tuple[int, dict]:
    code, output = health(app, "--json", *args)
    return code, json.loads(output)


def test_an_empty_outbox_is_healthy(app, empty_outboxes):
    code, output = health(app)
    assert code == 0, output
    assert "Healthy" in output
    for kind in KINDS:
        assert kind in output


def test_the_json_shape(app, empty_outboxes):
    code, report = health_json(app)
    assert code == 0
    assert report["status"] == "healthy" and report["exit_code"] == 0 and report["error"] is None
    assert report["max_age_seconds"] == worker.MAX_AGE and report["problems"] == []
    assert report["checked_at"].endswith("Z")
    assert set(report["outboxes"]) == KINDS
    for kind, counts in report["outboxes"].items():
        assert set(counts) == FIELDS, kind
        assert counts["pending"] == counts["due"] == 0 and counts["oldest_due_seconds"] is None
    assert report["outboxes"]["reminders"]["in_work"] is None  # not tracked for reminders


def test_an_old_pending_row_is_unhealthy(app, empty_outboxes):
    ten_minutes_ago = utcnow() - dt.timedelta(minutes=10)
    mail_row(created_at=ten_minutes_ago, next_attempt_at=ten_minutes_ago)
    code, output = health(app)
    assert code == 1, output
    assert "UNHEALTHY" in output and "mail: a due row has waited" in output
    code, report = health_json(app)
    assert code == 1 and report["status"] == "unhealthy"
    mail = report["outboxes"]["mail"]
    assert (mail["pending"], mail["due"], mail["in_work"]) == (1, 1, 0)
    assert 590 <= mail["oldest_due_seconds"] <= 900
    assert health(app, "--max-age", "3600")[0] == 0  # the threshold is the operator's


def test_the_age_counts_from_when_the_row_became_due(app, empty_outboxes):
    """A row waiting to be retried is not late; once its retry time has come it is."""
    old = utcnow() - dt.timedelta(hours=3)
    mail_row(created_at=old, attempts=2, next_attempt_at=utcnow() + dt.timedelta(minutes=4))
    code, report = health_json(app)
    assert code == 0, report
    assert report["outboxes"]["mail"] == {"pending": 1, "due": 0, "in_work": 0, "retrying": 1, "failed": 0,
                                          "oldest_due_seconds": None}
    mail_row(created_at=old, attempts=1, next_attempt_at=utcnow() - dt.timedelta(seconds=30))
    code, report = health_json(app)
    assert code == 0 and report["outboxes"]["mail"]["due"] == 1
    assert 25 <= report["outboxes"]["mail"]["oldest_due_seconds"] < 300


def test_rows_held_by_a_worker_are_in_work_until_the_lease_ends(app, empty_outboxes):
    now = utcnow()
    mail_row(claim_token="host:123:abc", next_attempt_at=now + dt.timedelta(seconds=60))
    code, report = health_json(app)
    assert code == 0 and report["outboxes"]["mail"]["in_work"] == 1
    mail_row(claim_token="host:124:dead", next_attempt_at=now - dt.timedelta(minutes=20))  # its worker died
    code, report = health_json(app)
    assert code == 1
    assert report["outboxes"]["mail"]["due"] == 1 and report["outboxes"]["mail"]["in_work"] == 1


def test_failed_rows_are_unhealthy(app, empty_outboxes):
    mail_row(status=MailStatus.FAILED, attempts=8, last_error="SMTPRecipientsRefused")
    code, report = health_json(app, "--max-age", "3600")
    assert code == 1
    assert report["outboxes"]["mail"]["failed"] == 1 and report["outboxes"]["mail"]["pending"] == 0
    assert report["problems"] == ["mail: 1 rows failed for good (see last_error in the table)"]


def test_the_search_outbox(app, empty_outboxes):
    stale = utcnow() - dt.timedelta(minutes=30)
    db.session.execute(insert(SearchOutbox).values(kind=OutboxKind.PROFILE, entity_id=1, created_at=stale,
                                                   attempts=0, next_attempt_at=stale))
    db.session.commit()
    code, report = health_json(app)
    assert code == 1 and report["outboxes"]["search"]["due"] == 1
    assert report["problems"][0].startswith("search: a due row has waited")


def test_a_reminder_due_and_not_sent(app, empty_outboxes):
    from tests.bookings.scene import booking, scene

    booking(scene(app), starts_in=dt.timedelta(minutes=90))  # the 2 h reminder: due 30 minutes ago
    code, report = health_json(app)
    assert code == 1
    reminders = report["outboxes"]["reminders"]
    assert reminders["pending"] == reminders["due"] == 1
    assert 1700 <= reminders["oldest_due_seconds"] <= 1900
    assert health(app, "--max-age", "3600")[0] == 0


def test_a_database_lost_after_start_exits_2(app, monkeypatch):
    monkeypatch.setattr(worker, "_app_engine",
                        lambda: worker._engine_for(f"postgresql://portal@127.0.0.1:{closed_port()}/portal"))
    code, output = health(app)
    assert code == 2, output
    assert "DATABASE UNREACHABLE" in output
    code, report = health_json(app)
    assert code == 2 and report["status"] == "unreachable" and "OperationalError" in report["error"]


# --- without the app: python -m portal.cli.worker health --------------------------------------

def standalone(database_url: str, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "portal.cli.worker", "health", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_standalone_check_exits_2_when_the_database_cannot_be_reached():
    done = standalone(f"postgresql://portal@127.0.0.1:{closed_port()}/portal", "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "unreachable" and report["exit_code"] == 2 and report["outboxes"] == {}
    assert "OperationalError" in report["error"]
    plain = standalone(f"postgresql://portal@127.0.0.1:{closed_port()}/portal")
    assert plain.returncode == 2 and "DATABASE UNREACHABLE" in plain.stdout
    assert "Traceback" not in plain.stderr


def test_standalone_check_of_a_sqlite_file_that_is_not_there(tmp_path):
    missing = tmp_path / "nope.db"
    done = standalone(f"sqlite:///{missing}", "--json")
    assert done.returncode == 2 and "no such SQLite database file" in json.loads(done.stdout)["error"]
    assert not missing.exists()  # not created by the check


def test_standalone_check_reads_the_same_backlog(app, empty_outboxes):
    ten_minutes_ago = utcnow() - dt.timedelta(minutes=10)
    mail_row(created_at=ten_minutes_ago, next_attempt_at=ten_minutes_ago)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    done = standalone(url, "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert json.loads(done.stdout)["outboxes"]["mail"]["due"] == 1
    assert standalone(url, "--max-age", "3600").returncode == 0


def test_the_help_says_the_rule():
    result = subprocess.run([sys.executable, "-m", "portal.cli.worker", "health", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for words in ("Exit code", "--max-age", "failed for good", "cannot be reached", "--json"):
        assert words in result.stdout
