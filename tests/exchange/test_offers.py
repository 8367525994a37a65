"""Service tests of offers (portal/services/offers.py):
active -> accepted | declined (by the selection), active -> withdrawn -> active;
one offer row per request and practitioner; only verified, matching
practitioners offer on open, unexpired requests."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.exchange import Offer, OfferStatus, RequestStatus
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from tests import factories as f

REGION = "KZ-75"  # the factories' default (every test has the database to itself)


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def publish(client, now=None, **fields):
    return requests_service.create(client, f.request_input(**{"region_code": REGION, **fields}),
                                   publish=True, now=now)


def offers_of(req):
    return f.row_count(Offer, request_id=req.id)


@pytest.fixture
def setting(sm):
    client = f.make_user(sm)
    practitioner = f.make_practitioner(sm, region_codes=(REGION,))
    req = publish(client)
    return client, practitioner, req


def test_make_offer(setting):
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(
        45000, price_kind="from", term_days=14, message="  Возьмусь за дело  "))
    o = reload(made)
    assert (o.request_id, o.profile_id, o.status) == (req.id, practitioner.id, OfferStatus.ACTIVE)
    assert (o.price, o.price_kind, o.term_days, o.message) == (45000, "from", 14, "Возьмусь за дело")
    assert o.decided_at is None
    assert f.notification_count(client, "new_offer") == 1
    assert offers_service.own_offer(practitioner.user, req.id).id == o.id
    assert reload(req).status == RequestStatus.OPEN


def test_only_one_active_offer_per_request(setting):
    client, practitioner, req = setting
    first = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    with f.fails_without_change(first, count_of=[(Offer, {"request_id": req.id})]):
        offers_service.make(practitioner.user, req.id, f.offer_input(30000))
    assert f.notification_count(client, "new_offer") == 1


@pytest.mark.parametrize("fields, field", [
    (dict(price=None), "price"), (dict(price=0), "price"), (dict(price=-1), "price"),
    (dict(price=1_000_000_001), "price"), (dict(price_kind="barter"), "price_kind"),
    (dict(term_days=0), "term_days"), (dict(term_days=366), "term_days"),
    (dict(message="x" * 3001), "message"),
])
def test_invalid_offer_is_refused(setting, fields, field):
    _, practitioner, req = setting
    with f.fails_without_change(req, field=field, count_of=[(Offer, {"request_id": req.id})]):
        offers_service.make(practitioner.user, req.id, f.offer_input(**{"price": 40000, **fields}))


def test_offer_needs_an_open_live_request(sm, app):
    client = f.make_user(sm)
    practitioner = f.make_practitioner(sm, region_codes=(REGION,))
    other = f.make_practitioner(sm, region_codes=(REGION,))
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    with f.fails_without_change(draft, error=NotFound, count_of=[(Offer, {"request_id": draft.id})]):
        offers_service.make(practitioner.user, draft.id, f.offer_input())

    cancelled = publish(client)
    request_lifecycle.cancel(client, cancelled.id)
    with f.fails_without_change(cancelled, count_of=[(Offer, {"request_id": cancelled.id})]):
        offers_service.make(practitioner.user, cancelled.id, f.offer_input())

    ttl = dt.timedelta(days=app.config["REQUEST_TTL_DAYS"])
    stale = publish(client, now=utcnow() - ttl - dt.timedelta(minutes=5))
    assert reload(stale).status == RequestStatus.OPEN  # due, the worker has not run yet
    with f.fails_without_change(stale, count_of=[(Offer, {"request_id": stale.id})]):
        offers_service.make(practitioner.user, stale.id, f.offer_input())

    taken = publish(client)
    first = offers_service.make(other.user, taken.id, f.offer_input())
    request_lifecycle.select_offer(client, taken.id, first.id)
    with f.fails_without_change(taken, first, count_of=[(Offer, {"request_id": taken.id})]):
        offers_service.make(practitioner.user, taken.id, f.offer_input())

    with f.fails_without_change(error=NotFound):
        offers_service.make(practitioner.user, 10**9, f.offer_input())


def test_offer_needs_a_matching_request(sm):
    client = f.make_user(sm)
    elsewhere = f.make_practitioner(sm, region_codes=("KZ-10",))
    other_category = f.make_practitioner(sm, "consultant", region_codes=(REGION,))
    other_specs = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("criminal-defence",))
    req = publish(client, spec_codes=("family",))
    for profile in (elsewhere, other_category, other_specs):
        with f.fails_without_change(req, count_of=[(Offer, {"request_id": req.id})]):
            offers_service.make(profile.user, req.id, f.offer_input())
    # a request sent to someone else
    target = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",))
    neighbour = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",))
    targeted = publish(client, target_profile_id=target.id, spec_codes=("family",))
    with f.fails_without_change(targeted, count_of=[(Offer, {"request_id": targeted.id})]):
        offers_service.make(neighbour.user, targeted.id, f.offer_input())
    offers_service.make(target.user, targeted.id, f.offer_input())
    assert offers_of(targeted) == 1


@pytest.mark.parametrize("status, blocked", [("submitted", False), ("quiz_passed", False), ("revoked", False),
                                             ("suspended", False), ("rejected", False), ("approved", True)])
def test_unverified_revoked_or_blocked_practitioners_cannot_offer(sm, status, blocked):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,), status=status, blocked=blocked)
    req = publish(client)
    with f.fails_without_change(req, count_of=[(Offer, {"request_id": req.id})]):
        offers_service.make(profile.user, req.id, f.offer_input())


def test_a_plain_client_cannot_offer(sm):
    client, other = f.make_user(sm), f.make_user(sm)
    req = publish(client)
    with f.fails_without_change(req, count_of=[(Offer, {"request_id": req.id})]):
        offers_service.make(other, req.id, f.offer_input())


def test_revoked_after_offering_cannot_edit(sm, setting):
    _, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    practitioner.status = "revoked"
    db.session.commit()
    with f.fails_without_change(made):
        offers_service.edit(practitioner.user, made.id, f.offer_input(20000))


def test_edit_while_active_and_open(setting):
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    offers_service.edit(practitioner.user, made.id, f.offer_input(35000, price_kind="hourly", term_days=None,
                                                                  message="Новая цена"))
    o = reload(made)
    assert (o.price, o.price_kind, o.term_days, o.message, o.status) == (
        35000, "hourly", None, "Новая цена", OfferStatus.ACTIVE)
    assert f.notification_count(client, "offer_edited") == 1
    with f.fails_without_change(o, field="price"):
        offers_service.edit(practitioner.user, made.id, f.offer_input(0))


def test_edit_after_selection_or_closing_fails(sm, setting):
    client, practitioner, req = setting
    loser_profile = f.make_practitioner(sm, region_codes=(REGION,))
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    loser = offers_service.make(loser_profile.user, req.id, f.offer_input(30000))
    request_lifecycle.select_offer(client, req.id, made.id)
    with f.fails_without_change(made, req):
        offers_service.edit(practitioner.user, made.id, f.offer_input(90000))
    with f.fails_without_change(loser, req):
        offers_service.edit(loser_profile.user, loser.id, f.offer_input(10000))
    with f.fails_without_change(made, req):
        offers_service.withdraw(practitioner.user, made.id)
    with f.fails_without_change(loser, req):
        offers_service.withdraw(loser_profile.user, loser.id)
    assert f.notification_count(client, "offer_edited") == 0
    assert f.notification_count(client, "offer_withdrawn") == 0


def test_edit_or_withdraw_when_the_request_was_cancelled_fails(setting):
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    request_lifecycle.cancel(client, req.id)
    assert reload(made).status == OfferStatus.DECLINED
    with f.fails_without_change(made, req):
        offers_service.edit(practitioner.user, made.id, f.offer_input(30000))
    with f.fails_without_change(made, req):
        offers_service.withdraw(practitioner.user, made.id)


def test_withdraw_and_offer_again_reuses_the_row(setting):
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    offers_service.withdraw(practitioner.user, made.id)
    o = reload(made)
    assert o.status == OfferStatus.WITHDRAWN and o.decided_at is not None
    assert f.notification_count(client, "offer_withdrawn") == 1
    with f.fails_without_change(o):
        offers_service.withdraw(practitioner.user, made.id)
    with f.fails_without_change(o):
        offers_service.edit(practitioner.user, made.id, f.offer_input(10000))
    again = offers_service.make(practitioner.user, req.id, f.offer_input(38000, message="Снова в деле"))
    assert again.id == made.id
    o = reload(made)
    assert (o.status, o.price, o.message, o.decided_at) == (OfferStatus.ACTIVE, 38000, "Снова в деле", None)
    assert offers_of(req) == 1
    assert f.notification_count(client, "new_offer") == 2


def test_withdraw_or_edit_someone_elses_offer_is_not_found(sm, setting):
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input(40000))
    other = f.make_practitioner(sm, region_codes=(REGION,))
    for user in (other.user, client, f.make_user(sm)):
        with f.fails_without_change(made, req, error=NotFound):
            offers_service.withdraw(user, made.id)
        # a plain client is told only verified practitioners act on offers; no 404 leak either way
        with f.fails_without_change(made, req, error=NotFound if user is other.user else ServiceError):
            offers_service.edit(user, made.id, f.offer_input(1000))
    with f.fails_without_change(error=NotFound):
        offers_service.withdraw(practitioner.user, 10**9)


def test_for_client_hides_withdrawn_and_orders_accepted_then_price(sm, setting):
    client, p1, req = setting
    p2, p3, p4 = (f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(3))
    o1 = offers_service.make(p1.user, req.id, f.offer_input(50000))
    o2 = offers_service.make(p2.user, req.id, f.offer_input(30000))
    o3 = offers_service.make(p3.user, req.id, f.offer_input(10000))
    o4 = offers_service.make(p4.user, req.id, f.offer_input(40000))
    offers_service.withdraw(p3.user, o3.id)
    assert [o.id for o in offers_service.for_client(client, req.id)] == [o2.id, o4.id, o1.id]
    request_lifecycle.select_offer(client, req.id, o1.id)
    listed = offers_service.for_client(client, req.id)
    assert [o.id for o in listed] == [o1.id, o2.id, o4.id]
    assert [o.status for o in listed] == [OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.DECLINED]
    with pytest.raises(NotFound):
        offers_service.for_client(f.make_user(sm), req.id)
    with pytest.raises(NotFound):
        offers_service.for_client(p1.user, req.id)


def test_mine_lists_the_practitioners_own_offers(sm, setting):
    client, practitioner, req = setting
    other = f.make_practitioner(sm, region_codes=(REGION,))
    second = publish(client, title="Второй запрос")
    a = offers_service.make(practitioner.user, req.id, f.offer_input())
    b = offers_service.make(practitioner.user, second.id, f.offer_input())
    offers_service.make(other.user, req.id, f.offer_input())
    offers_service.withdraw(practitioner.user, b.id)
    assert {o.id for o in offers_service.mine(practitioner.user).items} == {a.id, b.id}
    assert [o.id for o in offers_service.mine(practitioner.user, status="withdrawn").items] == [b.id]
    assert offers_service.mine(client).total == 0
    assert db.session.scalars(select(Offer.profile_id).where(Offer.id.in_([a.id, b.id]))).all() == [
        practitioner.id, practitioner.id]


def test_service_error_is_not_a_not_found_for_rule_breaks(setting):
    """Breaking a rule on one's own offer is a ServiceError, not a 404."""
    client, practitioner, req = setting
    made = offers_service.make(practitioner.user, req.id, f.offer_input())
    offers_service.withdraw(practitioner.user, made.id)
    with pytest.raises(ServiceError) as info:
        offers_service.withdraw(practitioner.user, made.id)
    assert not isinstance(info.value, NotFound)
