"""The search index follows the database: outbox rows in the same transaction,
inline application after commit, retries with back-off, reindex and status."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import tantivy
from sqlalchemy import func, select

from portal.core import outbox
from portal.core.extensions import db
from portal.models.accounts import AccountStatus
from portal.models.practitioners import ProfileStatus
from portal.models.search import SearchOutbox
from portal.search import SearchQuery, backend, sync
from portal.search.embedded import EmbeddedBackend
from portal.services import search as search_service
from tests.factories import category, make_profile, make_user


def unique_word() -> str:
    # letters only, so the name is one search term in every script
    return "Sync" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def found(text: str, **filters) -> list[int]:
    """Profiles matching every word (a relaxed, some-words answer counts as none)."""
    page = search_service.search_profiles(SearchQuery(text=text, **filters))
    return [] if page.relaxed else [p.id for p in page.items]


def indexed_ids(text: str) -> list[int]:
    return backend().search(SearchQuery(text=text, with_facets=False)).ids


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


@pytest.fixture
def person(app):
    name = unique_word()
    user = make_user(app.appbuilder.sm, ("Client", "Practitioner"), first_name="Айгүл", last_name=name)
    return user, name


def test_approval_makes_a_profile_searchable_at_once_and_revocation_hides_it(person):
    user, name = person
    profile = make_profile(user, status=ProfileStatus.SUBMITTED)
    assert indexed_ids(name) == []
    profile.status = ProfileStatus.APPROVED
    db.session.commit()
    assert indexed_ids(name) == [profile.id]
    assert found(name) == [profile.id]
    profile.status = ProfileStatus.REVOKED
    db.session.commit()
    assert indexed_ids(name) == []
    assert outbox_count() == 0


@pytest.mark.parametrize("change", ["blocked", "closed", "inactive"])
def test_blocking_or_closing_the_account_removes_the_profile(person, change):
    user, name = person
    profile = make_profile(user)
    assert indexed_ids(name) == [profile.id]
    if change == "inactive":
        user.active = False
    else:
        user.status = AccountStatus.BLOCKED if change == "blocked" else AccountStatus.CLOSED
        user.active = False
    db.session.commit()
    assert indexed_ids(name) == []


def test_profile_and_user_edits_are_reindexed(person):
    user, name = person
    profile = make_profile(user, about_ru="Помогаю с арендой.")
    assert found("нотариальная доверенность " + name) == []
    profile.about_ru = "Оформляю доверенности и наследство."
    db.session.commit()
    assert found("доверенность " + name) == [profile.id]
    new_name = unique_word()
    user.last_name = new_name
    db.session.commit()
    assert found(new_name) == [profile.id]
    assert found(name) == []


def test_reference_data_rename_reaches_every_profile_of_the_category(person):
    user, name = person
    profile = make_profile(user, category_code="consultant")
    cat = category("consultant")
    old = cat.name_ru
    marker = unique_word()
    cat.name_ru = f"{old} {marker}"
    db.session.commit()
    try:
        assert profile.id in found(marker)
    finally:
        cat.name_ru = old
        db.session.commit()
    assert found(marker) == []


def test_a_rolled_back_change_leaves_no_outbox_row(person):
    user, name = person
    profile = make_profile(user)
    before = outbox_count()
    profile.status = ProfileStatus.REVOKED
    db.session.flush()
    assert outbox_count() == before + 1  # written inside the transaction
    db.session.rollback()
    assert outbox_count() == before
    assert indexed_ids(name) == [profile.id]


def test_worker_mode_leaves_rows_for_the_worker(app, person):
    user, name = person
    app.config["SEARCH_SYNC"] = "worker"
    try:
        profile_id = make_profile(user).id  # the worker ends the session (a fresh one per poll)
        assert outbox_count() >= 1
        assert indexed_ids(name) == []
        runner = app.test_cli_runner()
        result = runner.invoke(args=["portal", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "applied" in result.output
    finally:
        app.config["SEARCH_SYNC"] = "inline"
    assert indexed_ids(name) == [profile_id]
    assert outbox_count() == 0


@pytest.fixture
def locked_embedded(app, tmp_path):
    """The app's backend replaced by an on-disk embedded index whose writer lock
    another writer holds: every write fails as it would while another process
    writes."""
    original = app.extensions["search"]
    disk = EmbeddedBackend(str(tmp_path / "index"))
    app.extensions["search"] = disk
    holder = tantivy.Index(disk.schema, path=str(tmp_path / "index" / disk._current))
    state = {"writer": holder.writer(heap_size=15_000_000, num_threads=1)}
    yield disk, state
    state.pop("writer", None)
    app.extensions["search"] = original


def test_backend_failure_keeps_rows_with_backoff_until_it_recovers(app, person, locked_embedded):
    disk, state = locked_embedded
    user, name = person
    profile = make_profile(user)  # commit succeeds although indexing fails
    row = db.session.scalars(select(SearchOutbox).where(SearchOutbox.entity_id == profile.id)).one()
    assert row.attempts == 1
    assert row.next_attempt_at > dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert "lock" in (row.last_error or "").lower()
    # not due yet: nothing is tried
    assert sync.drain(app) == (0, 0)
    # the other writer goes away; the back-off passes
    del state["writer"]
    import gc

    gc.collect()
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(seconds=outbox.MAX_BACKOFF)
    done, failed = sync.drain(app, now=later)
    assert failed == 0 and done >= 1
    assert disk.search(SearchQuery(text=name)).ids == [profile.id]
    db.session.expire_all()
    assert outbox_count() == 0


def test_backoff_grows_and_is_capped():
    assert [sync.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [2, 4, 8, 256, 300]


def test_reindex_and_status_commands(app, person):
    user, name = person
    profile = make_profile(user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output and "embedded" in result.output
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output
    assert "Missing from index:    0" in status.output
    # a stale document in the index is reported and the command fails
    backend().delete([profile.id])
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 1
    assert "Missing from index:    1" in status.output
    search_service.reindex()
    assert indexed_ids(name) == [profile.id]


def test_reindex_result_equals_the_database(app):
    from portal.search.documents import public_ids

    search_service.reindex()
    assert backend().all_ids() == public_ids()
