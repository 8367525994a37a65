"""Service tests of the request state machine (services/exchange/requests.py and
request_lifecycle.py): draft -> open -> in_progress -> completed, draft/open ->
cancelled, open -> expired; selection, completion, expiry, validation, matching
and the feed.

Every illegal action is checked with ``fails_without_change``: it raises and,
even after a commit of whatever the service left in the session, the rows,
the notification table and the counted rows are what they were before."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.models.notifications import Notification
from portal.models.practitioners import active_profile
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from tests import factories as f

REGION = "KZ-75"  # the factories' default (every test has the database to itself)
OTHER_REGION = "KZ-55"


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.fixture
def ttl(app):
    return dt.timedelta(days=app.config["REQUEST_TTL_DAYS"])


def now0() -> dt.datetime:
    return utcnow().replace(microsecond=0)


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def publish(client, now=None, **fields):
    return requests_service.create(client, f.request_input(**{"region_code": REGION, **fields}),
                                   publish=True, now=now)


def offer(profile, req, price=40000):
    return offers_service.make(profile.user, req.id, f.offer_input(price))


def notes(user, kind):
    return f.notification_count(user, kind)


def feed_ids(user, **kwargs) -> list[int]:
    return [r.id for r in requests_service.feed(user, per_page=1000, **kwargs).items]


# --- draft, publish, edit ---------------------------------------------------------------------

def test_create_draft_is_stored_and_notifies_nobody(sm):
    client = f.make_user(sm)
    matching = f.make_practitioner(sm, region_codes=(REGION,))
    req = requests_service.create(client, f.request_input(
        region_code=REGION, title="  Черновик запроса  ", spec_codes=("family",)))
    req = reload(req)
    assert req.status == RequestStatus.DRAFT
    assert req.client_id == client.id
    assert req.title == "Черновик запроса"
    assert req.published_at is None and req.expires_at is None
    assert [s.code for s in req.specializations] == ["family"]
    assert notes(matching.user, "new_request") == 0
    assert requests_service.get_own(client, req.id).id == req.id


def test_create_and_publish_notifies_matching_practitioners_only(sm, ttl):
    client = f.make_user(sm)
    now = now0()
    matching = f.make_practitioner(sm, region_codes=(OTHER_REGION, REGION), spec_codes=("family", "labour-disputes"))
    warned = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",), status="warned")
    no_match = {
        "other region": f.make_practitioner(sm, region_codes=(OTHER_REGION,), spec_codes=("family",)),
        "other category": f.make_practitioner(sm, "consultant", region_codes=(REGION,)),
        "other specializations": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("criminal-defence",)),
        "no specializations": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=()),
        "submitted": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",), status="submitted"),
        "revoked": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",), status="revoked"),
        "suspended": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",), status="suspended"),
        "blocked": f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",), blocked=True),
    }
    req = publish(client, now=now, spec_codes=("family",), title="Раздел имущества супругов")
    req = reload(req)
    assert req.status == RequestStatus.OPEN
    assert req.published_at == now
    assert req.expires_at == now + ttl
    rows = db.session.scalars(select(Notification).where(
        Notification.user_id == matching.user_id, Notification.kind == "new_request")).all()
    assert [r.link for r in rows] == [f"/requests/{req.id}"]
    assert notes(warned.user, "new_request") == 1  # a warned practitioner stays verified
    for why, profile in no_match.items():
        assert notes(profile.user, "new_request") == 0, why
    assert notes(client, "new_request") == 0
    matched = {p.id for p in requests_service.matching_profiles(req)}
    assert {matching.id, warned.id} <= matched
    assert not matched & {p.id for p in no_match.values()}


def test_publish_draft_then_publish_again_fails(sm, ttl):
    client = f.make_user(sm)
    matching = f.make_practitioner(sm, region_codes=(REGION,))
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    assert notes(matching.user, "new_request") == 0
    now = now0()
    requests_service.publish(client, draft.id, now=now)
    req = reload(draft)
    assert (req.status, req.published_at, req.expires_at) == (RequestStatus.OPEN, now, now + ttl)
    assert notes(matching.user, "new_request") == 1
    with f.fails_without_change(req):
        requests_service.publish(client, req.id)
    assert notes(matching.user, "new_request") == 1


def test_publish_someone_elses_draft_is_not_found(sm):
    owner, other = f.make_user(sm), f.make_user(sm)
    draft = requests_service.create(owner, f.request_input(region_code=REGION))
    with f.fails_without_change(draft, error=NotFound):
        requests_service.publish(other, draft.id)
    with pytest.raises(NotFound):
        requests_service.get_own(other, draft.id)
    with pytest.raises(NotFound):
        requests_service.publish(owner, 10**9)


def test_edit_draft_and_publish_on_edit(sm):
    client = f.make_user(sm)
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    requests_service.edit(client, draft.id, f.request_input(
        region_code=OTHER_REGION, title="Исправленный заголовок", budget=70000, spec_codes=("family",)))
    req = reload(draft)
    assert (req.status, req.title, req.budget) == (RequestStatus.DRAFT, "Исправленный заголовок", 70000)
    assert req.region.code == OTHER_REGION
    assert [s.code for s in req.specializations] == ["family"]
    requests_service.edit(client, draft.id, f.request_input(region_code=OTHER_REGION), publish=True)
    req = reload(draft)
    assert req.status == RequestStatus.OPEN and req.published_at is not None
    assert req.specializations == []


def test_edit_open_request_without_offers(sm):
    client = f.make_user(sm)
    req = publish(client)
    published_at = reload(req).published_at
    requests_service.edit(client, req.id, f.request_input(region_code=REGION, title="Новый заголовок"))
    req = reload(req)
    assert (req.status, req.title, req.published_at) == (RequestStatus.OPEN, "Новый заголовок", published_at)


def test_edit_open_request_with_an_active_offer_fails(sm):
    client = f.make_user(sm)
    practitioner = f.make_practitioner(sm, region_codes=(REGION,))
    req = publish(client)
    the_offer = offer(practitioner, req)
    with f.fails_without_change(req, the_offer):
        requests_service.edit(client, req.id, f.request_input(region_code=REGION, title="Другой заголовок"))
    # once the only offer is withdrawn, the request can be edited again
    offers_service.withdraw(practitioner.user, the_offer.id)
    requests_service.edit(client, req.id, f.request_input(region_code=REGION, title="Другой заголовок"))
    assert reload(req).title == "Другой заголовок"


def test_edit_closed_or_foreign_request_fails(sm):
    client, other = f.make_user(sm), f.make_user(sm)
    cancelled = publish(client)
    request_lifecycle.cancel(client, cancelled.id)
    with f.fails_without_change(cancelled):
        requests_service.edit(client, cancelled.id, f.request_input(region_code=REGION, title="Поздно менять"))
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    with f.fails_without_change(draft, error=NotFound):
        requests_service.edit(other, draft.id, f.request_input(region_code=REGION, title="Чужой запрос"))


def test_edit_with_a_rejected_attachment_changes_nothing(sm):
    client = f.make_user(sm)
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    bad = FileStorage(io.BytesIO(b"just text, not a pdf"), filename="notes.pdf")
    with f.fails_without_change(draft, field="attachments"):
        requests_service.edit(client, draft.id, f.request_input(region_code=REGION, title="Изменённый заголовок"),
                              files=[bad])
    assert reload(draft).title == "Нужна помощь адвоката"


def test_create_with_a_rejected_attachment_stores_nothing(sm):
    client = f.make_user(sm)
    matching = f.make_practitioner(sm, region_codes=(REGION,))
    bad = FileStorage(io.BytesIO(b"MZ\x90\x00 an exe"), filename="scan.png")
    with f.fails_without_change(field="attachments", count_of=[(ServiceRequest, {"client_id": client.id})]):
        requests_service.create(client, f.request_input(region_code=REGION), publish=True, files=[bad])
    assert notes(matching.user, "new_request") == 0


# --- cancel and expiry ------------------------------------------------------------------------

def test_cancel_draft(sm):
    client = f.make_user(sm)
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    request_lifecycle.cancel(client, draft.id)
    req = reload(draft)
    assert req.status == RequestStatus.CANCELLED and req.closed_at is not None
    with f.fails_without_change(req):
        request_lifecycle.cancel(client, req.id)
    with f.fails_without_change(req):
        requests_service.publish(client, req.id)


def test_cancel_open_declines_active_offers_and_notifies_them(sm):
    client = f.make_user(sm)
    p1, p2, p3 = (f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(3))
    req = publish(client)
    o1, o2, o3 = offer(p1, req), offer(p2, req), offer(p3, req)
    offers_service.withdraw(p3.user, o3.id)
    before_p3 = notes(p3.user, "request_cancelled")
    request_lifecycle.cancel(client, req.id)
    req = reload(req)
    assert req.status == RequestStatus.CANCELLED and req.closed_at is not None
    assert [reload(o).status for o in (o1, o2, o3)] == [OfferStatus.DECLINED, OfferStatus.DECLINED,
                                                          OfferStatus.WITHDRAWN]
    assert reload(o1).decided_at == req.closed_at
    assert notes(p1.user, "request_cancelled") == 1
    assert notes(p2.user, "request_cancelled") == 1
    assert notes(p3.user, "request_cancelled") == before_p3 == 0
    assert req.id not in feed_ids(p1.user)


def test_cancel_in_progress_or_foreign_request_fails(sm):
    client, other = f.make_user(sm), f.make_user(sm)
    p1, p2 = (f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(2))
    req = publish(client)
    o1, o2 = offer(p1, req), offer(p2, req)
    with f.fails_without_change(req, o1, o2, error=NotFound):
        request_lifecycle.cancel(other, req.id)
    request_lifecycle.select_offer(client, req.id, o1.id)
    with f.fails_without_change(req, o1, o2):
        request_lifecycle.cancel(client, req.id)
    assert reload(req).status == RequestStatus.IN_PROGRESS


def test_expire_due_moves_only_due_open_requests(sm, ttl):
    client = f.make_user(sm)
    practitioner = f.make_practitioner(sm, region_codes=(REGION,))
    long_ago = now0() - ttl - dt.timedelta(days=1)
    due = publish(client, now=long_ago, title="Просроченный запрос")
    due_offer = f.make_offer(due, practitioner)  # made while it was open (the service refuses it now)
    fresh = publish(client, title="Свежий запрос")
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    cancelled = publish(client, now=long_ago, title="Отменённый запрос")
    request_lifecycle.cancel(client, cancelled.id)

    # one second before its expiry nothing happens to it
    request_lifecycle.expire_due(reload(due).expires_at - dt.timedelta(seconds=1))
    assert reload(due).status == RequestStatus.OPEN
    assert notes(client, "request_expired") == 0

    now = utcnow()
    assert request_lifecycle.expire_due(now) >= 1
    assert reload(due).status == RequestStatus.EXPIRED
    assert reload(due).closed_at == now
    assert reload(due_offer).status == OfferStatus.DECLINED
    assert reload(fresh).status == RequestStatus.OPEN
    assert reload(draft).status == RequestStatus.DRAFT
    assert reload(cancelled).status == RequestStatus.CANCELLED
    expired_notes = db.session.scalars(select(Notification).where(
        Notification.user_id == client.id, Notification.kind == "request_expired")).all()
    assert [n.link for n in expired_notes] == [f"/requests/{due.id}"]
    assert notes(practitioner.user, "request_cancelled") == 1
    # running it again changes nothing
    request_lifecycle.expire_due(utcnow())
    assert notes(client, "request_expired") == 1
    assert reload(due).status == RequestStatus.EXPIRED
    # an expired request can no longer be cancelled, edited or published
    with f.fails_without_change(due):
        request_lifecycle.cancel(client, due.id)
    with f.fails_without_change(due):
        requests_service.publish(client, due.id)


# --- selection, completion --------------------------------------------------------------------

@pytest.fixture
def bidding(sm):
    """An open request of a client with three offers (the third withdrawn)."""
    client = f.make_user(sm)
    p1, p2, p3 = (f.make_practitioner(sm, region_codes=(REGION,)) for _ in range(3))
    req = publish(client)
    o1, o2, o3 = offer(p1, req, 50000), offer(p2, req, 30000), offer(p3, req, 20000)
    offers_service.withdraw(p3.user, o3.id)
    return client, req, (p1, p2, p3), (o1, o2, o3)


def test_select_offer_accepts_one_and_declines_the_others(bidding):
    client, req, (p1, p2, p3), (o1, o2, o3) = bidding
    selected = request_lifecycle.select_offer(client, req.id, o1.id)
    assert selected.id == o1.id
    req = reload(req)
    assert req.status == RequestStatus.IN_PROGRESS and req.selected_at is not None
    assert [reload(o).status for o in (o1, o2, o3)] == [OfferStatus.ACCEPTED, OfferStatus.DECLINED,
                                                          OfferStatus.WITHDRAWN]
    assert req.accepted_offer.id == o1.id
    assert (notes(p1.user, "offer_selected"), notes(p1.user, "offer_declined")) == (1, 0)
    assert (notes(p2.user, "offer_selected"), notes(p2.user, "offer_declined")) == (0, 1)
    assert (notes(p3.user, "offer_selected"), notes(p3.user, "offer_declined")) == (0, 0)
    link = db.session.scalars(select(Notification.link).where(
        Notification.user_id == p1.user_id, Notification.kind == "offer_selected")).one()
    assert link == f"/requests/{req.id}"


def test_select_twice_fails(bidding):
    client, req, _, (o1, o2, o3) = bidding
    request_lifecycle.select_offer(client, req.id, o1.id)
    with f.fails_without_change(req, o1, o2, o3):
        request_lifecycle.select_offer(client, req.id, o2.id)
    with f.fails_without_change(req, o1, o2, o3):
        request_lifecycle.select_offer(client, req.id, o1.id)


def test_select_on_someone_elses_request_is_not_found(sm, bidding):
    client, req, _, (o1, o2, o3) = bidding
    intruder = f.make_user(sm)
    with f.fails_without_change(req, o1, o2, o3, error=NotFound):
        request_lifecycle.select_offer(intruder, req.id, o1.id)
    # the practitioner who made the offer cannot select it either
    with f.fails_without_change(req, o1, o2, o3, error=NotFound):
        request_lifecycle.select_offer(o1.profile.user, req.id, o1.id)
    assert reload(req).status == RequestStatus.OPEN


def test_select_a_withdrawn_or_foreign_offer_fails(sm, bidding):
    client, req, _, (o1, o2, o3) = bidding
    with f.fails_without_change(req, o1, o2, o3):
        request_lifecycle.select_offer(client, req.id, o3.id)
    other_req = publish(f.make_user(sm))
    foreign = f.make_offer(other_req, o1.profile)
    with f.fails_without_change(req, o1, o2, o3, foreign, error=NotFound):
        request_lifecycle.select_offer(client, req.id, foreign.id)
    with f.fails_without_change(req, o1, o2, o3, error=NotFound):
        request_lifecycle.select_offer(client, req.id, 10**9)
    assert reload(req).status == RequestStatus.OPEN


def test_select_on_a_cancelled_request_fails(bidding):
    client, req, _, (o1, o2, o3) = bidding
    request_lifecycle.cancel(client, req.id)
    with f.fails_without_change(req, o1, o2, o3):
        request_lifecycle.select_offer(client, req.id, o1.id)


def test_request_completion_only_by_the_selected_practitioner(sm, bidding):
    client, req, (p1, p2, p3), (o1, o2, o3) = bidding
    # before a selection nobody can ask
    with f.fails_without_change(req, error=NotFound):
        request_lifecycle.request_completion(p1.user, req.id, work_done=True)
    request_lifecycle.select_offer(client, req.id, o1.id)
    outsider = f.make_practitioner(sm, region_codes=(REGION,))
    for user in (p2.user, p3.user, outsider.user, client):
        with f.fails_without_change(req, error=NotFound):
            request_lifecycle.request_completion(user, req.id, work_done=True)
    request_lifecycle.request_completion(p1.user, req.id, work_done=True)
    req = reload(req)
    assert req.completion_requested_at is not None and req.status == RequestStatus.IN_PROGRESS
    assert notes(client, "completion_requested") == 1
    with f.fails_without_change(req):
        request_lifecycle.request_completion(p1.user, req.id, work_done=True)
    assert notes(client, "completion_requested") == 1


def test_complete_by_the_client_only_and_only_from_in_progress(sm, bidding):
    client, req, (p1, p2, _), (o1, _, _) = bidding
    with f.fails_without_change(req):  # still open
        request_lifecycle.complete(client, req.id)
    request_lifecycle.select_offer(client, req.id, o1.id)
    for user in (f.make_user(sm), p1.user):
        with f.fails_without_change(req, error=NotFound):
            request_lifecycle.complete(user, req.id)
    request_lifecycle.complete(client, req.id)
    req = reload(req)
    assert req.status == RequestStatus.COMPLETED and req.closed_at is not None
    assert reload(o1).status == OfferStatus.ACCEPTED
    assert notes(p1.user, "request_completed") == 1
    assert notes(p2.user, "request_completed") == 0
    with f.fails_without_change(req):
        request_lifecycle.complete(client, req.id)
    with f.fails_without_change(req):
        request_lifecycle.request_completion(p1.user, req.id, work_done=True)
    with f.fails_without_change(req):
        request_lifecycle.cancel(client, req.id)


def test_complete_after_the_practitioner_asked(bidding):
    client, req, (p1, _, _), (o1, _, _) = bidding
    request_lifecycle.select_offer(client, req.id, o1.id)
    request_lifecycle.request_completion(p1.user, req.id, work_done=True)
    request_lifecycle.complete(client, req.id)
    assert reload(req).status == RequestStatus.COMPLETED


def test_complete_a_draft_or_cancelled_request_fails(sm):
    client = f.make_user(sm)
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    with f.fails_without_change(draft):
        request_lifecycle.complete(client, draft.id)
    request_lifecycle.cancel(client, draft.id)
    with f.fails_without_change(draft):
        request_lifecycle.complete(client, draft.id)


# --- validation -------------------------------------------------------------------------------

YESTERDAY = object()


@pytest.mark.parametrize("publish_it", [False, True])
@pytest.mark.parametrize("fields, field", [
    (dict(title="abcd"), "title"),
    (dict(title="   abcd    "), "title"),
    (dict(title="x" * 201), "title"),
    (dict(description="too short"), "description"),
    (dict(description="x" * 5001), "description"),
    (dict(budget=0), "budget"),
    (dict(budget=-100), "budget"),
    (dict(desired_date=YESTERDAY), "desired_date"),
    (dict(region_id=None), "region_id"),
    (dict(category_id=None), "category_id"),
    (dict(specialization_ids=[10**9]), "specialization_ids"),
], ids=["title-short", "title-blank-padded", "title-long", "description-short", "description-long",
        "budget-zero", "budget-negative", "date-past", "no-region", "no-category", "unknown-spec"])
def test_invalid_request_is_refused(sm, fields, field, publish_it):
    client = f.make_user(sm)
    if fields.get("desired_date") is YESTERDAY:
        fields = dict(fields, desired_date=utcnow().date() - dt.timedelta(days=1))
    with f.fails_without_change(field=field, count_of=[(ServiceRequest, {"client_id": client.id})]):
        requests_service.create(client, f.request_input(region_code=REGION, **fields), publish=publish_it)


def test_boundary_values_are_accepted(sm):
    client = f.make_user(sm)
    req = requests_service.create(client, f.request_input(
        region_code=REGION, title="x" * 5, description="y" * 20, budget=1, desired_date=utcnow().date()))
    assert reload(req).status == RequestStatus.DRAFT


def test_specializations_of_another_category_are_refused(sm):
    client = f.make_user(sm)
    notary_spec = f.specialization("notary", "inheritance")
    with f.fails_without_change(field="specialization_ids",
                                count_of=[(ServiceRequest, {"client_id": client.id})]):
        requests_service.create(client, f.request_input(
            region_code=REGION, specialization_ids=[f.specialization("advocate", "family").id, notary_spec.id]))


def test_invalid_edit_changes_nothing(sm):
    client = f.make_user(sm)
    req = publish(client)
    with f.fails_without_change(req, field="title"):
        requests_service.edit(client, req.id, f.request_input(region_code=REGION, title="ab"))


def test_category_without_requests_is_refused(sm):
    client = f.make_user(sm)
    # the seeded bailiff category takes no requests
    with f.fails_without_change(field="category_id", count_of=[(ServiceRequest, {"client_id": client.id})]):
        requests_service.create(client, f.request_input("bailiff", region_code=REGION))
    category = f.category("expert")
    practitioner = f.make_practitioner(sm, "expert", region_codes=(REGION,))
    draft = requests_service.create(client, f.request_input("expert", region_code=REGION))
    assert category.takes_requests
    category.takes_requests = False
    db.session.commit()
    try:
        with f.fails_without_change(field="category_id", count_of=[(ServiceRequest, {"client_id": client.id})]):
            requests_service.create(client, f.request_input("expert", region_code=REGION), publish=True)
        with f.fails_without_change(draft, field="category_id"):
            requests_service.publish(client, draft.id)
        with f.fails_without_change(field="category_id"):
            requests_service.create(client, f.request_input(target_profile_id=practitioner.id))
    finally:
        category.takes_requests = True
        db.session.commit()
    assert notes(practitioner.user, "new_request") == 0


@pytest.mark.parametrize("kind", ["submitted", "revoked", "suspended", "blocked", "missing"])
def test_targeted_request_to_a_non_public_profile_is_refused(sm, kind):
    client = f.make_user(sm)
    if kind == "missing":
        target_id = 10**9
    else:
        target = f.make_practitioner(sm, region_codes=(REGION,), status="approved" if kind == "blocked" else kind,
                                     blocked=kind == "blocked")
        target_id = target.id
    with f.fails_without_change(field="target_profile_id",
                                count_of=[(ServiceRequest, {"client_id": client.id})]):
        requests_service.create(client, f.request_input(region_code=REGION, target_profile_id=target_id),
                                publish=True)


# --- matching and the feed --------------------------------------------------------------------

def test_matches_category_region_and_specializations(sm):
    client = f.make_user(sm)
    both = f.make_practitioner(sm, region_codes=(OTHER_REGION, REGION), spec_codes=("family", "land-disputes"))
    family_only = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",))
    no_specs = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=())
    wrong_region = f.make_practitioner(sm, region_codes=(OTHER_REGION,), spec_codes=("land-disputes",))
    wrong_category = f.make_practitioner(sm, "consultant", region_codes=(REGION,))

    land = publish(client, spec_codes=("land-disputes", "criminal-defence"), title="Земельный спор")
    plain = publish(client, title="Любой адвокат")

    def matched(req):
        return {p for p in (both, family_only, no_specs, wrong_region, wrong_category)
                if requests_service.matches(req, active_profile(p.user))}

    # a request with specializations: only profiles sharing one of them (in the category and region)
    assert matched(land) == {both}
    # a request without specializations: every profile of the category serving the region
    assert matched(plain) == {both, family_only, no_specs}
    for profile in (both, family_only, no_specs, wrong_region, wrong_category):
        ids = feed_ids(profile.user)
        assert (land.id in ids) == (profile is both)
        assert (plain.id in ids) == (profile in (both, family_only, no_specs))
    assert set(p.id for p in requests_service.matching_profiles(land)) >= {both.id}
    assert not {p.id for p in requests_service.matching_profiles(land)} & {
        family_only.id, no_specs.id, wrong_region.id, wrong_category.id}
    assert not {p.id for p in requests_service.matching_profiles(plain)} & {wrong_region.id, wrong_category.id}


def test_targeted_request_goes_to_its_target_only(sm):
    client = f.make_user(sm)
    target = f.make_practitioner(sm, region_codes=("KZ-47",), spec_codes=("criminal-defence",))
    neighbour = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",))
    # the category comes from the target, whatever the form said
    req = publish(client, category_code="notary", target_profile_id=target.id, title="Лично вам")
    req = reload(req)
    assert req.category.code == "advocate" and req.target_profile_id == target.id
    assert requests_service.matches(req, target) and not requests_service.matches(req, neighbour)
    assert [p.id for p in requests_service.matching_profiles(req)] == [target.id]
    assert notes(target.user, "new_request") == 1
    assert notes(neighbour.user, "new_request") == 0
    assert req.id in feed_ids(target.user)
    assert req.id not in feed_ids(neighbour.user)
    assert requests_service.get_visible(target.user, req.id).id == req.id
    with pytest.raises(NotFound):
        requests_service.get_visible(neighbour.user, req.id)


def test_own_request_never_matches_the_clients_own_profile(sm):
    dual = f.make_practitioner(sm, region_codes=(REGION,), spec_codes=("family",))
    req = publish(dual.user, spec_codes=("family",), title="Мой собственный запрос")
    assert not requests_service.matches(reload(req), dual)
    assert dual.id not in {p.id for p in requests_service.matching_profiles(req)}
    assert notes(dual.user, "new_request") == 0
    assert req.id not in feed_ids(dual.user)
    with f.fails_without_change(req):
        offers_service.make(dual.user, req.id, f.offer_input())


@pytest.mark.parametrize("status, blocked", [("submitted", False), ("revoked", False), ("suspended", False),
                                             ("draft", False), ("approved", True)])
def test_non_verified_or_blocked_practitioners_neither_match_nor_have_a_feed(sm, status, blocked):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,), status=status, blocked=blocked)
    req = publish(client)
    assert active_profile(profile.user) is None
    assert profile.id not in {p.id for p in requests_service.matching_profiles(req)}
    assert notes(profile.user, "new_request") == 0
    with pytest.raises(ServiceError):
        requests_service.feed(profile.user)
    with pytest.raises(NotFound):
        requests_service.get_visible(profile.user, req.id)


def test_a_plain_client_has_no_feed(sm):
    with pytest.raises(ServiceError):
        requests_service.feed(f.make_user(sm))


def test_feed_hides_drafts_closed_and_expired_requests(sm, ttl):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    live = publish(client, title="Живой запрос")
    stale = publish(client, now=now0() - ttl - dt.timedelta(hours=1), title="Истёкший запрос")
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    cancelled = publish(client, title="Отменённый")
    request_lifecycle.cancel(client, cancelled.id)
    ids = feed_ids(profile.user)
    assert live.id in ids
    assert reload(stale).status == RequestStatus.OPEN  # not yet moved by the worker, but past its date
    assert stale.id not in ids and draft.id not in ids and cancelled.id not in ids
    # a feed "in the past" still had it
    assert stale.id in feed_ids(profile.user, now=reload(stale).expires_at - dt.timedelta(minutes=1))


def test_feed_filters(sm):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION, OTHER_REGION), spec_codes=("family", "civil-disputes"))
    a = publish(client, spec_codes=("civil-disputes",), title="Запрос A")
    b = publish(client, region_code=OTHER_REGION, title="Запрос B")
    c = publish(client, spec_codes=("family",), title="Запрос C")
    region = f.region(REGION)
    family = f.specialization("advocate", "family")

    assert {a.id, b.id, c.id} <= set(feed_ids(profile.user))
    in_region = requests_service.feed(profile.user, region_id=region.id, per_page=1000).items
    assert {a.id, c.id} <= {r.id for r in in_region} and b.id not in {r.id for r in in_region}
    assert all(r.region_id == region.id for r in in_region)
    with_family = requests_service.feed(profile.user, specialization_id=family.id, per_page=1000).items
    assert c.id in {r.id for r in with_family} and not {a.id, b.id} & {r.id for r in with_family}
    assert all(family.id in {s.id for s in r.specializations} for r in with_family)

    offer(profile, a)
    assert a.id in feed_ids(profile.user)
    without = feed_ids(profile.user, without_my_offer=True)
    assert a.id not in without and {b.id, c.id} <= set(without)
    # a withdrawn offer is still "my offer"
    offers_service.withdraw(profile.user, offers_service.own_offer(profile.user, a.id).id)
    assert a.id not in feed_ids(profile.user, without_my_offer=True)


def test_feed_is_newest_first(sm):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    now = now0()
    old = publish(client, now=now - dt.timedelta(hours=3), title="Старый запрос")
    new = publish(client, now=now - dt.timedelta(hours=1), title="Новый запрос")
    middle = publish(client, now=now - dt.timedelta(hours=2), title="Средний запрос")
    items = requests_service.feed(profile.user, per_page=1000).items
    ids = [r.id for r in items]
    assert ids.index(new.id) < ids.index(middle.id) < ids.index(old.id)
    published = [r.published_at for r in items]
    assert published == sorted(published, reverse=True)


def test_feed_paging_totals(sm):
    client = f.make_user(sm)
    # no regions: this profile sees only the requests sent to it, so its feed is known exactly
    target = f.make_practitioner(sm, region_codes=())
    now = now0()
    reqs = [publish(client, now=now - dt.timedelta(hours=10 - i), target_profile_id=target.id,
                    title=f"Личный запрос {i}") for i in range(5)]
    newest_first = [r.id for r in reversed(reqs)]
    page1 = requests_service.feed(target.user, per_page=2)
    assert (page1.total, page1.page, page1.pages) == (5, 1, 3)
    assert [r.id for r in page1.items] == newest_first[:2]
    page2 = requests_service.feed(target.user, per_page=2, page=2)
    assert [r.id for r in page2.items] == newest_first[2:4]
    page3 = requests_service.feed(target.user, per_page=2, page=3)
    assert [r.id for r in page3.items] == newest_first[4:]
    beyond = requests_service.feed(target.user, per_page=2, page=99)
    assert beyond.page == 3 and [r.id for r in beyond.items] == newest_first[4:]
    assert requests_service.feed(target.user, per_page=2, page=0).page == 1
    request_lifecycle.cancel(client, reqs[0].id)
    assert requests_service.feed(target.user, per_page=2).total == 4


def test_mine_lists_only_own_requests_by_status(sm):
    client, other = f.make_user(sm), f.make_user(sm)
    draft = requests_service.create(client, f.request_input(region_code=REGION))
    live = publish(client)
    publish(other)
    mine = requests_service.mine(client)
    assert {r.id for r in mine.items} == {draft.id, live.id} and mine.total == 2
    assert [r.id for r in requests_service.mine(client, status="draft").items] == [draft.id]
    assert requests_service.mine(client, status="bogus").total == 2
    assert db.session.scalar(select(Offer).where(Offer.request_id == live.id)) is None


def test_select_after_the_expiry_date_fails_before_the_worker_ran(bidding):
    client, req, _, (o1, o2, o3) = bidding
    later = req.expires_at + dt.timedelta(minutes=1)
    with f.fails_without_change(req, o1, o2, o3):
        request_lifecycle.select_offer(client, req.id, o1.id, now=later)


def test_a_request_cannot_target_the_clients_own_profile(sm):
    own = f.make_practitioner(sm, region_codes=(REGION,))
    with f.fails_without_change(field="target_profile_id",
                                count_of=[(ServiceRequest, {"client_id": own.user_id})]):
        requests_service.create(own.user, f.request_input(region_code=REGION, target_profile_id=own.id),
                                publish=True)
