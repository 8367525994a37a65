"""The public pages that sell trust: the profile (star distribution, how the practitioner
was verified, never "0.0" without reviews), the search cards and the home page's popular
situations, which must lead to practitioners who handle them."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from portal.core.extensions import db
from portal.models.exchange import RequestStatus, ReviewStatus
from portal.models.practitioners import Interview, InterviewOutcome, QuizAttempt
from portal.services.practitioners import profiles
from portal.services.search import suggestions
from tests.factories import make_practitioner, make_request, make_review, make_user

pytestmark = pytest.mark.db_per_module


def page(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)  # the language may move into the path
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


ZERO_RATING = re.compile(r"(?<![\d.])0\.0(?![\d.])")  # "0.0", not the 0.0 inside 127.0.0.1


def bars(html: str) -> dict[int, int]:
    rows = re.findall(r'<tr data-stars="(\d)">.*?<td class="bar-count">(\d+)</td>', html, re.S)
    return {int(stars): int(count) for stars, count in rows}


@pytest.fixture(scope="module")
def reviewed(app):
    """A practitioner with published reviews 5, 5, 4, 2 and a hidden 1, a passed quiz and interview."""
    sm = app.appbuilder.sm
    profile = make_practitioner(sm, first_name="Звёздная")
    for rating, status in ((5, ReviewStatus.PUBLISHED), (5, ReviewStatus.PUBLISHED), (4, ReviewStatus.PUBLISHED),
                           (2, ReviewStatus.PUBLISHED), (1, ReviewStatus.HIDDEN)):
        client_user = make_user(sm, ("Client",), first_name="Клиент")
        review = make_review(make_request(client_user, status=RequestStatus.COMPLETED), profile, rating=rating)
        review.status = status
    staff = make_user(sm, ("Moderator",), first_name="Мира")
    db.session.add(QuizAttempt(profile_id=profile.id, question_ids="[]", answers="{}", score=9, total=10,
                               passed=True, finished_at=dt.datetime(2025, 11, 3, 10, 0)))
    db.session.add(QuizAttempt(profile_id=profile.id, question_ids="[]", answers="{}", score=3, total=10,
                               passed=False, finished_at=dt.datetime(2025, 12, 1, 10, 0)))
    db.session.add(Interview(profile_id=profile.id, scheduled_at=dt.datetime(2025, 11, 20, 9, 0), staff_id=staff.id,
                             outcome=InterviewOutcome.PASSED, passport_checked=True,
                             recorded_at=dt.datetime(2025, 11, 20, 9, 40)))
    profile.licence_number, profile.verified_since = "LIC-77-1234", dt.datetime(2025, 11, 21, 12, 0)
    profiles.recompute(profile)
    db.session.commit()
    return profile


def test_star_distribution_counts_published_reviews_only(client, reviewed):
    assert profiles.rating_distribution(reviewed.id) == [(5, 2), (4, 1), (3, 0), (2, 1), (1, 0)]
    html = page(client, f"/practitioners/{reviewed.id}?_l_=en")
    assert bars(html) == {5: 2, 4: 1, 3: 0, 2: 1, 1: 0}
    # a table a screen reader reads as rows "5 stars ... 2"
    assert '<table class="rating-bars">' in html and '<th scope="row">5 stars</th>' in html
    assert "4.0" in html and "4 reviews" in html  # (5+5+4+2)/4, the hidden one left out
    html = page(client, f"/practitioners/{reviewed.id}?_l_=ru")
    assert "5 звёзд" in html or "5 stars" in html  # catalogue merged later: Russian plural or the msgid


def test_verification_facts_come_from_the_data(client, reviewed):
    facts = profiles.verification_facts(reviewed)
    assert facts.licence_checked and facts.licence_number == "LIC-77-1234"
    assert facts.quiz_passed_at == dt.datetime(2025, 11, 3, 10, 0)  # the passed attempt, not the later failed one
    assert facts.interview_at == dt.datetime(2025, 11, 20, 9, 40) and facts.passport_checked
    html = page(client, f"/practitioners/{reviewed.id}?_l_=en")
    section = html[html.index('class="profile-card-block verification"'):]
    section = section[:section.index("</section>")]
    for fact in ("licence", "quiz", "interview", "since"):
        assert f'data-fact="{fact}"' in section, fact
    assert "Licence checked" in section and "LIC-77-1234" in section
    assert "November 3, 2025" in section or "Nov 3, 2025" in section
    assert "Nov 20, 2025" in section or "November 20, 2025" in section
    assert "identity document checked" in section


def test_profile_without_reviews_or_quiz_says_so_and_never_zero(app, client):
    fresh = make_practitioner(app.appbuilder.sm, first_name="Новенькая")
    assert fresh.reviews_count == 0
    html = page(client, f"/practitioners/{fresh.id}?_l_=en")
    assert "No reviews yet" in html
    assert not ZERO_RATING.search(html) and "0 reviews" not in html
    assert 'class="rating-bars"' not in html  # no distribution of nothing
    assert 'data-fact="quiz"' not in html and 'data-fact="interview"' not in html
    assert 'data-fact="licence"' in html and 'data-fact="since"' in html
    # the initials avatar instead of a photo, and the request button in the action bar
    assert 'class="avatar avatar-initials avatar-xl"' in html and "<img class=\"avatar" not in html
    bar = html[html.index('class="action-bar"'):]
    assert f"/requests/new?profile={fresh.id}" in bar[:bar.index("</div>")]
    # the search card says the same
    html = page(client, "/practitioners/?q=Новенькая&_l_=en")
    card = html[html.index('<article class="profile-card">'):]
    card = card[:card.index("</article>")]
    assert "No reviews yet" in card and not ZERO_RATING.search(card)
    assert f"/requests/new?profile={fresh.id}" in card and "Send a request" in card


def test_search_page_chips_and_filter_count(client, reviewed):
    html = page(client, "/practitioners/?q=Звёздная&region=KZ-75&online=1&min_rating=4&_l_=en")
    assert "Filters (3)" in html
    chips = re.findall(r'<a class="chip chip-remove" href="([^"]+)">', html)
    assert len(chips) == 3
    for href in chips:
        params = urlsplit(href.replace("&amp;", "&")).query
        assert "q=" in params  # the query stays
        assert sum(name in params for name in ("region=", "online=", "min_rating=")) == 2  # one filter dropped
    html = page(client, "/practitioners/?q=Звёздная&_l_=en")
    assert "Filters (" not in html and 'class="chip chip-remove"' not in html


def test_home_situations_lead_to_the_right_practitioners(app, client):
    sm = app.appbuilder.sm
    expected = {
        "inheritance": make_practitioner(sm, "notary", spec_codes=("inheritance",), first_name="Мұрагер"),
        "divorce": make_practitioner(sm, "advocate", spec_codes=("family",), first_name="Отбасы"),
        "flat": make_practitioner(sm, "notary", spec_codes=("real-estate",), first_name="Пәтер"),
        "debt": make_practitioner(sm, "bailiff", spec_codes=("debt-individuals",), first_name="Қарыз"),
        "criminal": make_practitioner(sm, "advocate", spec_codes=("criminal-defence",), first_name="Қорғаушы"),
        "accident": make_practitioner(sm, "expert", spec_codes=("auto-technical",), first_name="Сарапшы"),
        "labour": make_practitioner(sm, "advocate", spec_codes=("labour-disputes",), first_name="Еңбек"),
        "attorney": make_practitioner(sm, "notary", spec_codes=("power-of-attorney",), first_name="Сенім"),
    }
    assert {s.code for s in suggestions.popular_situations()} == set(expected)
    for lang in ("kk", "ru"):
        html = page(client, f"/?_l_={lang}")
        links = dict(re.findall(r'data-situation="(\w+)" href="([^"]+)"', html))
        assert set(links) == set(expected), lang
        for code, profile in expected.items():
            results = page(client, links[code].replace("&amp;", "&"))
            ids = [int(i) for i in re.findall(r'class="profile-card-name"><a href="[^"]*/practitioners/(\d+)"', results)]
            assert ids, f"{lang}: {code} found nobody"
            assert profile.id in ids, f"{lang}: {code} does not find the practitioner who handles it"
            assert "No practitioner matches every word" not in results, f"{lang}: {code} matched only partly"


def test_home_has_cta_categories_and_regions_with_counts(client, reviewed):
    html = page(client, "/?_l_=en")
    assert "Describe your problem and get offers" in html and "/requests/new" in html
    assert html.index('role="search"') < html.index("Describe your problem and get offers")
    region_links = re.findall(r'<a class="city-link" href="([^"]*region=KZ-75)"><span>[^<]+</span> <span class="city-count">(\d+) practitioner', html)
    assert region_links and int(region_links[0][1]) >= 1
    assert re.search(r'class="category-tile"[^>]*>\s*<span class="category-icon"><svg', html)
