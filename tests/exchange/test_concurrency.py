"""Concurrency of the selection (agreement 1.17: one acceptance per request),
on PostgreSQL: real threads, each with its own app context, session and
database connection.

To make every round a real race, the service's own reads are followed by a
barrier: both threads have loaded the request (still open) and the offer
(still active) before either of them writes, so only the database decides."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from tests import factories as f

REGION = "KZ-75"  # the factories' default (every test has the database to itself)
ROUNDS = 10
TIMEOUT = 30


@pytest.fixture
def pg(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrency tests need PostgreSQL (row locks); the suite uses "
                    f"{db.engine.dialect.name} — set DATABASE_URL=postgresql://... to run them")
    return app


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def run_threads(app, jobs):
    """Run each ``job(...)`` in its own thread with its own app context (and so its
    own Flask-SQLAlchemy session); return each job's result or the exception it raised."""
    results: list = [None] * len(jobs)

    def worker(i, job):
        with app.app_context():
            try:
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def after_reading(monkeypatch, module, name, barrier):
    """Wrap ``module.name`` so that the thread waits at ``barrier`` right after it ran."""
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        value = original(*args, **kwargs)
        barrier.wait(TIMEOUT)
        return value

    monkeypatch.setattr(module, name, wrapped)


def fresh_bidding(client, profiles):
    req = requests_service.create(client, f.request_input(region_code=REGION), publish=True)
    offers = [offers_service.make(p.user, req.id, f.offer_input(30000 + 1000 * i)) for i, p in enumerate(profiles)]
    return req.id, [o.id for o in offers]


def db_state(request_id):
    """(request status, {offer id: status}) as committed."""
    with f.committed_session() as s:
        status = s.get(ServiceRequest, request_id).status
        offers = dict(s.execute(select(Offer.id, Offer.status).where(Offer.request_id == request_id)).all())
    return status, offers


def select_job(client_id, request_id, offer_id, start=None):
    def job():
        client = db.session.get(PortalUser, client_id)  # this thread's session
        if start is not None:
            start.wait(TIMEOUT)
        return request_lifecycle.select_offer(client, request_id, offer_id).id
    return job


def withdraw_job(user_id, offer_id):
    def job():
        user = db.session.get(PortalUser, user_id)
        return offers_service.withdraw(user, offer_id).id
    return job


@pytest.mark.parametrize("forced", [True, False], ids=["both-read-before-writing", "same-start"])
def test_two_concurrent_selections_exactly_one_wins(pg, sm, monkeypatch, forced):
    client = f.make_user(sm)
    profiles = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(3)]
    biddings = [fresh_bidding(client, profiles) for _ in range(ROUNDS)]
    barrier = threading.Barrier(2)
    start = None
    if forced:
        after_reading(monkeypatch, requests_service, "get_own", barrier)
    else:  # only a common start: the threads race through the whole service call
        start = barrier
    client_id = client.id
    for request_id, (o1, o2, o3) in biddings:
        results = run_threads(pg, [select_job(client_id, request_id, o1, start),
                                   select_job(client_id, request_id, o2, start)])
        wins = [r for r in results if isinstance(r, int)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert type(losses[0]) is ServiceError, repr(losses[0])
        status, offers = db_state(request_id)
        assert status == RequestStatus.IN_PROGRESS
        assert offers[wins[0]] == OfferStatus.ACCEPTED
        assert sorted(offers.values()) == [OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.DECLINED]
    # every profile was selected in some rounds and declined in the others: one notice per round each
    db.session.expire_all()
    for p in profiles:
        selected = f.notification_count(p.user, "offer_selected")
        declined = f.notification_count(p.user, "offer_declined")
        assert selected + declined == ROUNDS
    assert sum(f.notification_count(p.user, "offer_selected") for p in profiles) == ROUNDS


def test_concurrent_withdraw_and_select_never_both_win(pg, sm, monkeypatch):
    client = f.make_user(sm)
    profiles = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(2)]
    biddings = [fresh_bidding(client, profiles) for _ in range(ROUNDS)]
    barrier = threading.Barrier(2)
    after_reading(monkeypatch, requests_service, "get_own", barrier)
    after_reading(monkeypatch, offers_service, "_own_active", barrier)
    client_id, practitioner_id = client.id, profiles[0].user_id
    for request_id, (contested, other) in biddings:
        selected, withdrawn = run_threads(pg, [select_job(client_id, request_id, contested),
                                               withdraw_job(practitioner_id, contested)])
        for r in (selected, withdrawn):
            assert isinstance(r, (int, ServiceError)), repr(r)
        assert isinstance(selected, int) != isinstance(withdrawn, int), (selected, withdrawn)
        status, offers = db_state(request_id)
        # which side wins a round is up to the database; both orders occur over the rounds
        if isinstance(selected, int):
            assert status == RequestStatus.IN_PROGRESS
            assert offers == {contested: OfferStatus.ACCEPTED, other: OfferStatus.DECLINED}
        else:
            assert status == RequestStatus.OPEN
            assert offers == {contested: OfferStatus.WITHDRAWN, other: OfferStatus.ACTIVE}


def cancel_job(client_id, request_id):
    def job():
        client = db.session.get(PortalUser, client_id)
        return request_lifecycle.cancel(client, request_id).id
    return job


def make_job(user_id, request_id):
    def job():
        user = db.session.get(PortalUser, user_id)
        return offers_service.make(user, request_id, f.offer_input(25000)).id
    return job


def expire_job(now):
    def job():
        return request_lifecycle.expire_due(now)
    return job


def test_concurrent_cancel_and_select_never_both_win(pg, sm, monkeypatch):
    """The client in two tabs: cancel in one, select in the other."""
    client = f.make_user(sm)
    profiles = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(2)]
    biddings = [fresh_bidding(client, profiles) for _ in range(ROUNDS)]
    barrier = threading.Barrier(2)
    after_reading(monkeypatch, requests_service, "get_own", barrier)
    for request_id, (chosen, other) in biddings:
        selected, cancelled = run_threads(pg, [select_job(client.id, request_id, chosen),
                                               cancel_job(client.id, request_id)])
        assert isinstance(selected, int) != isinstance(cancelled, int), (selected, cancelled)
        status, offers = db_state(request_id)
        if isinstance(selected, int):
            assert status == RequestStatus.IN_PROGRESS
            assert offers == {chosen: OfferStatus.ACCEPTED, other: OfferStatus.DECLINED}
        else:
            assert status == RequestStatus.CANCELLED
            assert offers == {chosen: OfferStatus.DECLINED, other: OfferStatus.DECLINED}


def test_concurrent_offer_and_select_leave_no_active_offer(pg, sm, monkeypatch):
    """A practitioner offers while the client selects another offer: the new
    offer is refused or declined, never left active on a request in progress."""
    client = f.make_user(sm)
    profiles = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(2)]
    late = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(ROUNDS)]
    biddings = [fresh_bidding(client, profiles) for _ in range(ROUNDS)]
    barrier = threading.Barrier(2)
    after_reading(monkeypatch, requests_service, "get_own", barrier)
    after_reading(monkeypatch, requests_service, "get_visible", barrier)
    for (request_id, (chosen, other)), newcomer in zip(biddings, late):
        selected, made = run_threads(pg, [select_job(client.id, request_id, chosen),
                                          make_job(newcomer.user_id, request_id)])
        assert isinstance(selected, int), repr(selected)
        status, offers = db_state(request_id)
        assert status == RequestStatus.IN_PROGRESS
        assert offers[chosen] == OfferStatus.ACCEPTED
        assert OfferStatus.ACTIVE not in offers.values(), (made, offers)


def test_concurrent_expiry_and_select_never_both_win(pg, sm, monkeypatch, app):
    """The worker expires a request at the moment its client selects an offer."""
    import datetime as dt

    from portal.core.clock import utcnow

    client = f.make_user(sm)
    profiles = [f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(2)]
    ttl = dt.timedelta(days=app.config["REQUEST_TTL_DAYS"])
    base = utcnow().replace(microsecond=0) - ttl - dt.timedelta(days=1)
    biddings = []
    for i in range(ROUNDS):  # request i expires at base + ttl + i minutes
        req = requests_service.create(client, f.request_input(region_code=REGION), publish=True,
                                      now=base + dt.timedelta(minutes=i))
        biddings.append((req.id, [f.make_offer(req, p).id for p in profiles], req.expires_at))
    barrier = threading.Barrier(2)
    after_reading(monkeypatch, requests_service, "get_own", barrier)
    original_close = request_lifecycle._close
    waited = threading.local()

    def close_after_barrier(*args, **kwargs):  # the worker has read the due rows
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait(TIMEOUT)
        return original_close(*args, **kwargs)

    monkeypatch.setattr(request_lifecycle, "_close", close_after_barrier)
    for request_id, (chosen, other), expires_at in biddings:
        # at ``expires_at`` this round's request is due, the later ones are not yet
        selected, expired = run_threads(pg, [select_job(client.id, request_id, chosen), expire_job(expires_at)])
        assert not isinstance(expired, Exception), repr(expired)
        status, offers = db_state(request_id)
        if isinstance(selected, int):
            assert status == RequestStatus.IN_PROGRESS, (selected, expired)
            assert offers == {chosen: OfferStatus.ACCEPTED, other: OfferStatus.DECLINED}
        else:
            assert status == RequestStatus.EXPIRED, (selected, expired)
            assert offers == {chosen: OfferStatus.DECLINED, other: OfferStatus.DECLINED}
