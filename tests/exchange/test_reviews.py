"""Service tests of reviews (portal/services/reviews.py): only the client of a
completed request, once, rating 1-5, editable for REVIEW_EDIT_HOURS, one reply
by the reviewed practitioner; the profile's figures are recomputed and the
third negative review (rating <= 2) flags the profile with an audit entry."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.exchange import Review, ReviewStatus
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.services.practitioners import profiles as profiles_service
from tests import factories as f

REGION = "KZ-75"  # the factories' default (every test has the database to itself)


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def in_progress(client, profile, title="Работа для отзыва"):
    req = requests_service.create(client, f.request_input(region_code=REGION, title=title), publish=True)
    made = offers_service.make(profile.user, req.id, f.offer_input())
    request_lifecycle.select_offer(client, req.id, made.id)
    return req


def completed(client, profile, title="Работа для отзыва"):
    req = in_progress(client, profile, title)
    request_lifecycle.complete(client, req.id)
    return req


def flag_entries(profile) -> int:
    return f.row_count(AuditEntry, entity="practitioner_profile", entity_id=profile.id, action="flag")


@pytest.fixture
def done(sm):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    return client, profile, completed(client, profile)


def test_review_after_completion(done):
    client, profile, req = done
    assert reviews_service.can_review(client, req.id)
    review = reviews_service.create(client, req.id, 4, "  Всё сделано в срок  ")
    r = reload(review)
    assert (r.request_id, r.client_id, r.profile_id, r.rating, r.comment, r.status) == (
        req.id, client.id, profile.id, 4, "Всё сделано в срок", ReviewStatus.PUBLISHED)
    p = reload(profile)
    assert (p.reviews_count, p.rating_avg, p.negative_reviews_count) == (1, 4.0, 0)
    assert f.notification_count(profile.user, "new_review") == 1
    assert not reviews_service.can_review(client, req.id)


def test_no_review_before_completion(sm):
    client = f.make_user(sm)
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    open_req = requests_service.create(client, f.request_input(region_code=REGION), publish=True)
    working = in_progress(client, profile)
    cancelled = requests_service.create(client, f.request_input(region_code=REGION), publish=True)
    request_lifecycle.cancel(client, cancelled.id)
    for req in (open_req, working, cancelled):
        assert not reviews_service.can_review(client, req.id)
        with f.fails_without_change(req, profile, count_of=[(Review, {"request_id": req.id})]):
            reviews_service.create(client, req.id, 5, "Рано")
    assert f.notification_count(profile.user, "new_review") == 0


def test_only_the_owner_reviews(sm, done):
    client, profile, req = done
    for user in (f.make_user(sm), profile.user):
        with f.fails_without_change(req, profile, error=NotFound, count_of=[(Review, {"request_id": req.id})]):
            reviews_service.create(user, req.id, 1, "Чужой отзыв")


def test_only_one_review_per_request(done):
    client, profile, req = done
    first = reviews_service.create(client, req.id, 5, "Отлично")
    with f.fails_without_change(first, profile, count_of=[(Review, {"request_id": req.id})]):
        reviews_service.create(client, req.id, 1, "Передумал")
    assert f.notification_count(profile.user, "new_review") == 1


@pytest.mark.parametrize("rating", [0, 6, -1, None, "5", 4.5])
def test_rating_outside_one_to_five_is_refused(done, rating):
    client, profile, req = done
    with f.fails_without_change(req, profile, field="rating", count_of=[(Review, {"request_id": req.id})]):
        reviews_service.create(client, req.id, rating, "Оценка")


def test_comment_too_long_is_refused(done):
    client, profile, req = done
    with f.fails_without_change(profile, field="comment", count_of=[(Review, {"request_id": req.id})]):
        reviews_service.create(client, req.id, 5, "x" * 3001)


def test_edit_within_the_window_only(app, done):
    client, profile, req = done
    created = utcnow().replace(microsecond=0) - dt.timedelta(hours=1)
    review = reviews_service.create(client, req.id, 5, "Хорошо", now=created)
    hours = app.config["REVIEW_EDIT_HOURS"]
    assert reviews_service.editable_until(reload(review)) == created + dt.timedelta(hours=hours)
    inside = created + dt.timedelta(hours=hours) - dt.timedelta(minutes=1)
    assert reviews_service.can_edit(reload(review), inside)
    reviews_service.edit(client, review.id, 3, "Средне", now=inside)
    r = reload(review)
    assert (r.rating, r.comment) == (3, "Средне")
    assert reload(profile).rating_avg == 3.0
    after = created + dt.timedelta(hours=hours, minutes=1)
    assert not reviews_service.can_edit(reload(review), after)
    with f.fails_without_change(review, profile):
        reviews_service.edit(client, review.id, 1, "Ужасно", now=after)
    with f.fails_without_change(review, profile, field="rating"):
        reviews_service.edit(client, review.id, 7, "Слишком", now=inside)


def test_edit_someone_elses_review_is_not_found(sm, done):
    client, profile, req = done
    review = reviews_service.create(client, req.id, 5, "Хорошо")
    for user in (f.make_user(sm), profile.user):
        with f.fails_without_change(review, profile, error=NotFound):
            reviews_service.edit(user, review.id, 1, "Подмена")


def test_reply_once_by_the_reviewed_practitioner_only(sm, done):
    client, profile, req = done
    review = reviews_service.create(client, req.id, 4, "Хорошо")
    other = f.make_practitioner(sm, region_codes=(REGION,))
    for user in (other.user, client, f.make_user(sm)):
        with f.fails_without_change(review, error=NotFound):
            reviews_service.reply(user, review.id, "Не мой отзыв")
    with f.fails_without_change(review, field="reply"):
        reviews_service.reply(profile.user, review.id, "   ")
    reviews_service.reply(profile.user, review.id, "  Спасибо за отзыв!  ")
    r = reload(review)
    assert r.reply == "Спасибо за отзыв!" and r.reply_at is not None
    assert f.notification_count(client, "review_reply") == 1
    with f.fails_without_change(review):
        reviews_service.reply(profile.user, review.id, "Ещё раз спасибо")
    assert f.notification_count(client, "review_reply") == 1


def test_reply_to_a_hidden_review_fails(done):
    client, profile, req = done
    review = reviews_service.create(client, req.id, 4, "Хорошо")
    review.status = ReviewStatus.HIDDEN
    db.session.commit()
    with f.fails_without_change(review):
        reviews_service.reply(profile.user, review.id, "Ответ")


def test_profile_figures_are_recomputed(sm):
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    clients = [f.make_user(sm) for _ in range(3)]
    reqs = [completed(c, profile) for c in clients]
    reviews_service.create(clients[0], reqs[0].id, 5, "")
    reviews_service.create(clients[1], reqs[1].id, 4, "")
    p = reload(profile)
    assert (p.reviews_count, p.rating_avg, p.negative_reviews_count) == (2, 4.5, 0)
    third = reviews_service.create(clients[2], reqs[2].id, 2, "")
    p = reload(profile)
    assert (p.reviews_count, p.rating_avg, p.negative_reviews_count) == (3, round(11 / 3, 2), 1)
    reviews_service.edit(clients[2], third.id, 3, "")
    p = reload(profile)
    assert (p.reviews_count, p.rating_avg, p.negative_reviews_count) == (3, 4.0, 0)
    # a hidden review no longer counts
    hidden = reload(third)
    hidden.status = ReviewStatus.HIDDEN
    profiles_service.recompute(hidden.profile)
    db.session.commit()
    p = reload(profile)
    assert (p.reviews_count, p.rating_avg) == (2, 4.5)


def test_third_negative_review_flags_the_profile(sm):
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    clients = [f.make_user(sm) for _ in range(5)]
    reqs = [completed(c, profile) for c in clients]
    reviews_service.create(clients[0], reqs[0].id, 1, "Плохо")
    reviews_service.create(clients[1], reqs[1].id, 5, "Хорошо")  # a positive one in between
    reviews_service.create(clients[2], reqs[2].id, 2, "Плохо")
    p = reload(profile)
    assert p.negative_reviews_count == 2
    assert p.flagged_at is None and p.flag_reason is None
    assert flag_entries(profile) == 0

    reviews_service.create(clients[3], reqs[3].id, 2, "Снова плохо")
    p = reload(profile)
    assert p.negative_reviews_count == 3
    assert p.flagged_at is not None and p.flag_reason == "negative_reviews"
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "practitioner_profile", AuditEntry.entity_id == profile.id,
        AuditEntry.action == "flag")).all()
    assert len(entries) == 1 and entries[0].to_value == "negative_reviews"

    # a fourth negative one does not flag again
    reviews_service.create(clients[4], reqs[4].id, 1, "Ужасно")
    assert reload(profile).negative_reviews_count == 4
    assert flag_entries(profile) == 1


def test_negative_review_by_edit_counts_towards_the_flag(sm):
    profile = f.make_practitioner(sm, region_codes=(REGION,))
    clients = [f.make_user(sm) for _ in range(3)]
    reqs = [completed(c, profile) for c in clients]
    reviews_service.create(clients[0], reqs[0].id, 1, "")
    reviews_service.create(clients[1], reqs[1].id, 2, "")
    last = reviews_service.create(clients[2], reqs[2].id, 3, "")  # 3 is not negative
    assert reload(profile).flagged_at is None and flag_entries(profile) == 0
    reviews_service.edit(clients[2], last.id, 2, "Хуже, чем казалось")
    p = reload(profile)
    assert p.flagged_at is not None and p.flag_reason == "negative_reviews"
    assert flag_entries(profile) == 1


def test_received_lists_the_practitioners_reviews(sm, done):
    client, profile, req = done
    review = reviews_service.create(client, req.id, 5, "Отлично")
    assert review.id in {r.id for r in reviews_service.received(profile.user).items}
    assert reviews_service.received(client).total == 0


def test_review_errors_are_service_errors(done):
    client, _, req = done
    reviews_service.create(client, req.id, 5, "")
    with pytest.raises(ServiceError) as info:
        reviews_service.create(client, req.id, 5, "")
    assert not isinstance(info.value, NotFound)
