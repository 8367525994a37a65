"""The first start on a new instance folder (issue 19): one block with the
address, the admin login (and its generated password) and the demo logins,
the same in the credentials file with "delete this file after reading", and
no FAB advice to create a user with `flask fab` (the portal creates the admin)."""
from __future__ import annotations

import logging

import config
from portal import FIRST_START, announce_first_start, create_app, demo
from portal.core.extensions import db
from tests.conftest import start_from_template


def _app(tmp_path):
    class Fresh(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'first.db'}"
        INSTANCE_PATH = str(tmp_path / "instance")
        LOAD_DEMO_DATA = True
        ADMIN_PASSWORD = ""  # generated at the first start
        PORTAL_BASE_URL = "http://portal.test:8080"

    app = create_app(Fresh)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return app


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_first_start_prints_one_block_and_keeps_it_in_the_credentials_file(tmp_path, capsys):
    # on FAB's own logger: the migrations' logging configuration replaces the root's handlers
    fab_log, records = logging.getLogger("flask_appbuilder.security.manager"), _Records()
    fab_log.addHandler(records)
    try:
        app = _app(tmp_path)
    finally:
        fab_log.removeHandler(records)
    out, err = capsys.readouterr()
    assert not [m for m in records.messages if "No user yet created" in m]  # FAB's advice is gone
    assert "No user yet created" not in out + err

    facts = app.extensions[FIRST_START]
    password = facts.admin_password
    assert password and facts.admin_email == "admin@alemtrust.kz"
    credentials = tmp_path / "instance" / "admin-credentials.txt"
    assert facts.credentials_file == str(credentials)
    assert out.count("AlemTrust is ready at") == 1  # printed once, as one block
    block = out[out.index("AlemTrust is ready at"):]
    for expected in ("http://portal.test:8080", f"admin@alemtrust.kz / {password}",
                     f"password {demo.DEMO_PASSWORD}", demo.CLIENT_LOGIN, *demo.PRACTITIONER_LOGINS,
                     demo.MODERATOR_LOGIN, f"kept in {credentials}: delete that file after reading"):
        assert expected in block, expected
    saved = credentials.read_text(encoding="utf-8")
    assert saved.strip().endswith("Delete this file after reading.")
    assert saved.startswith(block.strip())  # the same block, plus the reminder

    # run.py prints the block with the address it serves on, and the file follows
    shown = announce_first_start(app, "http://127.0.0.1:5055/")
    assert "AlemTrust is ready at http://127.0.0.1:5055/" in shown and password in shown
    assert "http://127.0.0.1:5055/" in credentials.read_text(encoding="utf-8")


def test_a_later_start_prints_nothing(tmp_path, capsys):
    """On a database that exists (here the suite's migrated template) there is no first-start block."""
    start_from_template(tmp_path / "first.db")
    if not (tmp_path / "first.db").exists():  # no template yet (first app of this worker): make one
        _app(tmp_path)
        (tmp_path / "instance" / "admin-credentials.txt").unlink()
        capsys.readouterr()
    app = _app(tmp_path)
    assert FIRST_START not in app.extensions
    assert "AlemTrust is ready" not in capsys.readouterr().out
    assert announce_first_start(app, "http://127.0.0.1:5000/") == ""
    assert not (tmp_path / "instance" / "admin-credentials.txt").exists()
