"""The portal keeps working while Elasticsearch is down, and catches up after.

The app's backend is replaced by an ElasticBackend on a private in-memory
server (tests/search_servers.py) that the test stops and starts again on the
same port; the original backend is restored afterwards."""
from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.core import outbox
from portal.core.extensions import db
from portal.models.practitioners import ProfileStatus
from portal.models.search import SearchOutbox
from portal.search import SearchQuery, SearchUnavailable, sync
from portal.search.elastic import ElasticBackend
from portal.services import search as search_service
from portal.services.search import suggestions
from tests import search_servers
from tests.factories import make_profile, make_user


def surname() -> str:
    # ASCII letters: one search term, and the database fallback's LIKE matches it on SQLite too
    return "Fault" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def outbox_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


@pytest.fixture
def stoppable(app):
    """The app's search backend is an ElasticBackend on a server the test can stop."""
    try:
        server = search_servers.start_server()
    except Exception as exc:  # no osmem-server binary for this platform
        pytest.skip(f"cannot start a test search server: {exc}")
    backend = ElasticBackend(server.url, index=f"fault-{uuid.uuid4().hex}",
                             node_class=search_servers.PlainJsonNode, timeout=2)
    backend.ensure_index()
    original = app.extensions.get("search")
    app.extensions["search"] = backend
    state = SimpleNamespace(server=server, backend=backend)
    try:
        yield state
    finally:
        app.extensions["search"] = original
        backend.drop()
        backend.close()
        search_servers.stop_server(state.server)


def test_the_portal_works_while_elasticsearch_is_down_and_catches_up(app, client, stoppable, monkeypatch):
    backend = stoppable.backend
    sm = app.appbuilder.sm
    name = surname()

    def person(first, status=ProfileStatus.APPROVED, **kw):
        user = make_user(sm, ("Client", "Practitioner"), first_name=first, last_name=name)
        return make_profile(user, status=status, **kw)

    edited = person("Aliya", about_ru="Гражданские дела.")
    pending = person("Bolat", status=ProfileStatus.SUBMITTED)
    revoked = person("Dana")
    assert backend.all_ids() == {edited.id, revoked.id}     # indexed inline, at once
    before = outbox_count()

    # --- the server goes away -------------------------------------------------
    search_servers.stop_server(stoppable.server)
    with pytest.raises(SearchUnavailable):
        backend.count()

    edited.about_ru = "Наследственные споры и раздел имущества."
    db.session.commit()                                     # the edit is saved
    pending.status = ProfileStatus.APPROVED
    db.session.commit()                                     # the approval is saved
    revoked.status = ProfileStatus.REVOKED
    db.session.commit()
    newcomer = person("Erzhan")                             # created while down
    db.session.expire_all()
    assert pending.status == ProfileStatus.APPROVED and "Наследственные" in edited.about_ru

    assert outbox_count() >= before + 4                     # the outbox grew
    rows = db.session.scalars(select(SearchOutbox)).all()
    assert {r.entity_id for r in rows} >= {edited.id, pending.id, revoked.id, newcomer.id}
    assert all(r.attempts >= 1 and r.last_error for r in rows)
    assert any("SearchUnavailable" in r.last_error for r in rows)

    # the public listing answers from the database
    seen = []
    real = search_service.search_profiles

    def spy(query, **kw):
        page = real(query, **kw)
        seen.append(page)
        return page

    monkeypatch.setattr(search_service, "search_profiles", spy)
    response = client.get(f"/practitioners/?q={name}&_l_=ru", follow_redirects=True)
    assert response.status_code == 200
    assert len(seen) == 1 and seen[0].unavailable
    assert {p.id for p in seen[0].items} == {edited.id, pending.id, newcomer.id}
    html = response.get_data(as_text=True)
    assert f"/practitioners/{edited.id}" in html and f"/practitioners/{revoked.id}" not in html
    assert "Поиск временно недоступен" in html              # the visitor is told, in their language
    monkeypatch.undo()
    api = client.get(f"/api/v1/search/?q={name}")
    assert api.status_code == 200 and api.get_json()["unavailable"] is True
    assert search_service.search_profiles(SearchQuery(text=name)).unavailable
    # suggestions degrade to categories and specializations only
    assert all(s.kind != "name" for s in suggestions.suggest(name[:6]))

    # nothing is retried before the back-off has passed
    assert sync.drain(app) == (0, 0)

    # --- the server is back (empty: it keeps its data in memory) ----------------
    stoppable.server = search_servers.restart_server(stoppable.server)
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(seconds=outbox.MAX_BACKOFF + 1)
    done, failed = sync.drain(app, now=later)
    assert failed == 0 and done >= 4
    assert outbox_count() == 0
    mine = {edited.id, pending.id, revoked.id, newcomer.id}
    assert backend.all_ids() & mine == {edited.id, pending.id, newcomer.id}
    assert backend.search(SearchQuery(text=f"{name} наследство")).complete_ids == [edited.id]
    found = search_service.search_profiles(SearchQuery(text=name))
    assert not found.unavailable and {p.id for p in found.items} == {edited.id, pending.id, newcomer.id}
    # the index the backend re-created behind the alias has the explicit mappings
    physical = backend.physical_indices()
    assert len(physical) == 1
    assert backend.es.indices.get_mapping(index=physical[0])[physical[0]]["mappings"]["dynamic"] == "strict"
