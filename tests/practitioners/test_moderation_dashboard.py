"""The moderation dashboard counts only the reviews that await a moderator's
decision: negative or reported reviews nobody has checked. Reviews are
published at once, so a published, positive, unreported review is not
"awaiting moderation" (it is listed after the others on the review page)."""
from __future__ import annotations

import re
import uuid

from portal.core.extensions import db
from portal.models.exchange import OfferStatus, RequestStatus
from portal.services.practitioners import moderation
from portal.services.practitioners import profiles as profiles_service
from portal.services.trust import complaints
from tests.factories import make_offer, make_profile, make_request, make_review, make_user

TEXT = "This review insults the practitioner and names their family."


def reviews(sm, ratings):
    tag = uuid.uuid4().hex[:6]
    prac = make_user(sm, ("Client", "Practitioner"), locale="en")
    profile = make_profile(prac)
    made = []
    for n, rating in enumerate(ratings):
        author = make_user(sm, ("Client",), locale="en")
        req = make_request(author, status=RequestStatus.COMPLETED, title=f"Case {n} {tag}")
        make_offer(req, profile, status=OfferStatus.ACCEPTED)
        made.append(make_review(req, profile, rating=rating, comment=f"Review {n} {tag}"))
    profiles_service.recompute(profile)
    db.session.commit()
    return made


def dashboard_count(http) -> int:
    body = http.get("/moderation/?_l_=en").get_data(as_text=True)
    found = re.search(r'class="mod-reviews-count">(\d+)<', body)
    assert found, "the dashboard shows the count of reviews awaiting moderation"
    return int(found.group(1))


def test_published_positive_reviews_do_not_await_moderation(app, login_as):
    sm = app.appbuilder.sm
    good_1, good_2, good_3, bad = reviews(sm, [5, 4, 5, 1])
    moderator = make_user(sm, ("Moderator",), locale="en")
    http = login_as(moderator)

    # old behaviour: every unchecked review (4) was "awaiting moderation"
    assert moderation.dashboard().reviews_total == 1
    assert [r.id for r in moderation.dashboard().reviews] == [bad.id]
    assert dashboard_count(http) == 1

    # a reported positive review needs a decision too
    reporter = make_user(sm, ("Client",), locale="en")
    complaints.file(reporter, "review", good_1.id, "offensive", TEXT)
    assert moderation.dashboard().reviews_total == 2
    assert dashboard_count(http) == 2

    # the review page lists every unchecked review, the awaiting ones first
    page = moderation.reviews_queue()
    assert page.total == 4 and {r.id for r in page.items[:2]} == {bad.id, good_1.id}
    body = http.get("/moderation/reviews?_l_=en").get_data(as_text=True)
    assert "Awaiting moderation (negative or reported): 2" in body
    assert body.index(f'id="review-{bad.id}"') < body.index(f'id="review-{good_2.id}"')
    assert "Reported" in body

    # checked reviews leave the count
    assert http.post(f"/moderation/reviews/{bad.id}/keep").status_code == 302
    assert http.post(f"/moderation/reviews/{good_1.id}/hide", data={"reason": "Insults"}).status_code == 302
    assert dashboard_count(http) == 0
    assert moderation.reviews_queue().total == 2  # good_2 and good_3 can still be checked
    assert good_3.id in {r.id for r in moderation.reviews_queue().items}


# --- page titles of the staff screens ----------------------------------------------------------------

def title_of(response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else ""


def test_sign_in_and_staff_pages_have_meaningful_titles(app, client, login_as):
    assert title_of(client.get("/login/?_l_=en")) == "Sign in — AlemTrust"
    assert title_of(client.get("/login/?_l_=ru")) == "Войти — AlemTrust"
    (review,) = reviews(app.appbuilder.sm, [2])
    http = login_as(make_user(app.appbuilder.sm, ("Admin",), locale="en"))
    expected = {
        "/moderation/": "Moderation — AlemTrust",
        "/moderation/reviews": "Unchecked reviews — AlemTrust",
        "/admin/users/list/": "Users — AlemTrust",
        "/admin/reviews/list/": "Reviews — AlemTrust",
        "/admin/audit/list/": "Audit trail — AlemTrust",
        "/admin/regions/add": "Add: Regions — AlemTrust",
    }
    for path, title in expected.items():
        assert title_of(http.get(path + "?_l_=en")) == title, path
    show = title_of(http.get(f"/admin/reviews/show/{review.id}?_l_=en"))
    assert show.endswith(" — AlemTrust") and show != "AlemTrust"
    # FAB's own screens too: none is titled only "AlemTrust"
    for path in ("/users/list/", "/roles/list/", "/users/userinfo/"):
        assert title_of(http.get(path + "?_l_=en")) not in ("", "AlemTrust"), path
