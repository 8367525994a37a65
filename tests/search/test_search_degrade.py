"""The embedded index failing never gives a 500, and a lost index is not served empty.

A separate app whose SEARCH_INDEX_PATH is a real folder. Broken indexes (junk in
the index files, meta.json replaced by junk, the path a file instead of a
folder, a CURRENT pointer naming no index) make the search page and the JSON
API fall back to the database listing with the translated notice. A deleted
index folder, or an index that opens empty while the database has public
profiles, is rebuilt from the database (with a warning in the log) and the
results are served. A writer lock held elsewhere queues the index writes in
the outbox while searches keep answering."""
from __future__ import annotations

import logging
import os
import shutil
import uuid

import pytest
import tantivy

from config import TestConfig
from tests.conftest import separate_app

NOTICE_RU = "Поиск временно недоступен"


class IndexConfig(TestConfig):
    SEARCH_SYNC = "inline"


@pytest.fixture(scope="module")
def search_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search-degrade")

    class Cfg(IndexConfig):
        SEARCH_INDEX_PATH = str(folder / "search-index")

    with separate_app(Cfg, folder) as application:
        from tests.factories import make_profile, make_user

        surname = "Degrade" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])
        with application.app_context():
            sm = application.appbuilder.sm
            ids = []
            for first in ("Aliya", "Bolat"):
                user = make_user(sm, ("Client", "Practitioner"), first_name=first, last_name=surname)
                ids.append(make_profile(user).id)
        application.surname, application.profile_ids = surname, set(ids)
        yield application


@pytest.fixture
def healthy(search_app):
    """A rebuilt, working index before each test (and a fresh backend, as after a restart)."""
    path = search_app.config["SEARCH_INDEX_PATH"]
    _reset(search_app, path)
    with search_app.app_context():
        from portal.services import search as search_service

        search_service.reindex()
        assert search_service.backend().count() == len(search_app.profile_ids)
    yield path
    _reset(search_app, path)


def _reset(app, path):
    app.extensions["search"] = None
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


def _restart(app):
    """The next request opens the index again, as a new worker process would."""
    app.extensions["search"] = None


def _current(path) -> str:
    with open(os.path.join(path, "CURRENT"), encoding="utf-8") as fh:
        return os.path.join(path, fh.read().strip())


def _page(app):
    client = app.test_client()
    response = client.get(f"/practitioners/?q={app.surname}&_l_=ru", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = {pid for pid in app.profile_ids if f"/practitioners/{pid}" in html}
    api = client.get(f"/api/v1/search/?q={app.surname}")
    assert api.status_code == 200
    return html, shown, api.get_json()


def _assert_fallback(app):
    html, shown, api = _page(app)
    assert NOTICE_RU in html                      # the visitor is told, in their language
    assert shown == app.profile_ids               # profiles from the database
    assert api["unavailable"] is True
    assert {r["id"] for r in api["results"]} == app.profile_ids


def _assert_served(app):
    html, shown, api = _page(app)
    assert NOTICE_RU not in html
    assert shown == app.profile_ids
    assert api["unavailable"] is False
    assert {r["id"] for r in api["results"]} == app.profile_ids


# --- rebuilt from the database --------------------------------------------------------------

@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_a_deleted_index_folder_is_rebuilt_and_served(search_app, healthy, caplog, restart):
    shutil.rmtree(healthy)
    if restart:
        _restart(search_app)
    with caplog.at_level(logging.WARNING):
        _assert_served(search_app)
    assert any("rebuilding it from the database" in r.getMessage() for r in caplog.records)
    assert os.path.isfile(os.path.join(healthy, "CURRENT"))
    with search_app.app_context():
        from portal.search import backend

        assert backend().all_ids() == search_app.profile_ids and backend().rebuild_reason is None


def test_a_pointer_to_a_vanished_index_is_rebuilt(search_app, healthy, caplog):
    shutil.rmtree(_current(healthy))
    with caplog.at_level(logging.WARNING):
        _assert_served(search_app)
    assert any("rebuilding it from the database" in r.getMessage() for r in caplog.records)


def test_an_empty_index_while_the_database_has_public_profiles_is_rebuilt(search_app, healthy, caplog):
    from portal.search.embedded import build_schema

    name = "profiles-1"
    os.makedirs(os.path.join(healthy, name))
    tantivy.Index(build_schema(), path=os.path.join(healthy, name))  # a valid, empty index
    with open(os.path.join(healthy, "CURRENT"), "w", encoding="utf-8") as fh:
        fh.write(name)
    _restart(search_app)
    with caplog.at_level(logging.WARNING):
        _assert_served(search_app)
    assert any("empty" in r.getMessage() and "rebuilding" in r.getMessage() for r in caplog.records)


# --- broken: the database listing with the notice ----------------------------------------------

def test_junk_in_meta_json_falls_back_to_the_database(search_app, healthy):
    with open(os.path.join(_current(healthy), "meta.json"), "w", encoding="utf-8") as fh:
        fh.write("{not json")
    _restart(search_app)
    _assert_fallback(search_app)


def test_garbage_in_every_index_file_falls_back_to_the_database(search_app, healthy):
    """Unreadable files (tests run as root, where chmod 000 does not stop reads: garbage instead)."""
    for name in os.listdir(_current(healthy)):
        with open(os.path.join(_current(healthy), name), "wb") as fh:
            fh.write(os.urandom(64))
    _restart(search_app)
    _assert_fallback(search_app)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_index_folder_falls_back_to_the_database(search_app, healthy):
    os.chmod(healthy, 0)
    try:
        _restart(search_app)
        _assert_fallback(search_app)
    finally:
        os.chmod(healthy, 0o755)


@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_an_index_path_that_is_a_file_falls_back_to_the_database(search_app, healthy, restart):
    shutil.rmtree(healthy)
    with open(healthy, "w") as fh:
        fh.write("not a folder")
    if restart:
        _restart(search_app)
    _assert_fallback(search_app)


@pytest.mark.parametrize("pointer", [b"../../etc", b"\xff\xfe junk", b"profiles-1/../../x"])
def test_a_broken_current_pointer_falls_back_to_the_database(search_app, healthy, pointer):
    with open(os.path.join(healthy, "CURRENT"), "wb") as fh:
        fh.write(pointer)
    _assert_fallback(search_app)
    _restart(search_app)
    _assert_fallback(search_app)


def test_suggestions_and_home_page_survive_a_broken_index(search_app, healthy):
    with open(os.path.join(healthy, "CURRENT"), "wb") as fh:
        fh.write(b"junk")
    client = search_app.test_client()
    assert client.get("/", follow_redirects=True).status_code == 200
    response = client.get(f"/api/v1/search/suggest?q={search_app.surname[:6]}")
    assert response.status_code == 200


def test_a_writer_lock_held_elsewhere_queues_writes_and_searches_keep_answering(search_app, healthy):
    from portal.core.extensions import db
    from portal.models.practitioners import PractitionerProfile
    from portal.search.embedded import build_schema
    from portal.services import search as search_service
    from tests.search.test_search_fault import outbox_count

    other = tantivy.Index(build_schema(), path=_current(healthy))
    writer = other.writer(heap_size=15_000_000, num_threads=1)  # another process's writer
    try:
        with search_app.app_context():
            before = outbox_count()
            profile = db.session.get(PractitionerProfile, min(search_app.profile_ids))
            profile.about_ru = "Наследственные споры."
            db.session.commit()                      # saved; the index write waits in the outbox
            assert outbox_count() == before + 1
        _assert_served(search_app)                   # readers need no lock
    finally:
        del writer, other
    with search_app.app_context():
        search_service.reindex()
