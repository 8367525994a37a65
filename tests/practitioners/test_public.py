"""Public pages: home, directory, category listing, profile visibility."""
from __future__ import annotations

import pytest

from portal.core.extensions import db
from portal.models.accounts import AccountStatus
from portal.models.practitioners import ProfileStatus
from tests.factories import make_profile, make_user


def test_home_shows_categories_search_and_regions(client):
    html = client.get("/?_l_=ru", follow_redirects=True).get_data(as_text=True)
    for name in ("Частный нотариус", "Адвокат", "Юридический консультант"):
        assert name in html
    assert 'role="search"' in html and 'name="q"' in html
    assert "г. Алматы" in html or "Алматы" in html
    assert html.count("<option") >= 21  # all regions + "all regions"


def test_category_listing_shows_only_public_profiles(app, client, world):
    sm = app.appbuilder.sm
    hidden = {}
    for status in (ProfileStatus.DRAFT, ProfileStatus.SUBMITTED, ProfileStatus.REVOKED, ProfileStatus.SUSPENDED):
        user = make_user(sm, ("Client", "Practitioner"), first_name="Скрытый", last_name=status)
        hidden[status] = make_profile(user, status=status)
    blocked_user = make_user(sm, ("Client", "Practitioner"), first_name="Заблокированный", last_name="Юрист")
    hidden["blocked"] = make_profile(blocked_user)
    blocked_user.status = AccountStatus.BLOCKED
    db.session.commit()
    # every page of the listing (other tests' practitioners may push ours off page 1)
    html, number = "", 1
    while number < 50:
        chunk = client.get(f"/practitioners/category/advocate?_l_=ru&page={number}", follow_redirects=True).get_data(as_text=True)
        if f"page={number + 1}" not in chunk:
            html += chunk
            break
        html, number = html + chunk, number + 1
    assert world.practitioner.full_name in html
    assert "Скрытый" not in html and "Заблокированный" not in html
    for profile in hidden.values():
        assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert client.get(f"/practitioners/{world.profile.id}", follow_redirects=True).status_code == 200


def test_profile_page_shows_details_and_reviews_but_no_private_data(app, client, world):
    world.practitioner.iin = "791028302728"
    db.session.commit()
    html = client.get(f"/practitioners/{world.profile.id}?_l_=ru", follow_redirects=True).get_data(as_text=True)
    assert world.practitioner.full_name in html
    assert "Отзыв A" in html and "Отзыв B" in html
    assert "791028302728" not in html and world.practitioner.email not in html
    assert world.practitioner.phone not in html


def test_filters_and_empty_state(client, world):
    html = client.get(f"/practitioners/?q=Жұмабеков&region={world.profile.regions[0].code}&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert world.practitioner.full_name in html
    html = client.get("/practitioners/?q=nobody-matches-this&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "No practitioners match these filters yet." in html


def test_pagination(app, client):
    sm = app.appbuilder.sm
    for i in range(app.config["PUBLIC_PAGE_SIZE"] + 1):
        make_profile(make_user(sm, ("Client", "Practitioner"), first_name="Пагинатор", last_name=str(i)),
                     category_code="expert")
    first = client.get("/practitioners/category/expert?q=Пагинатор&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/practitioners/category/expert?q=Пагинатор&page=2&_l_=en", follow_redirects=True).get_data(as_text=True)
    assert second.count('class="profile-card"') == 1


@pytest.mark.parametrize("url", ["/practitioners/category/no-such", "/practitioners/999999", "/agreement/99"])
def test_unknown_things_are_404(client, url):
    response = client.get(url + "?_l_=en", follow_redirects=True)
    assert response.status_code == 404
    assert "Page not found." in response.get_data(as_text=True)


def test_agreement_page_shows_current_version_and_history(client):
    html = client.get("/agreement/?_l_=ru", follow_redirects=True).get_data(as_text=True)
    assert "Пользовательское соглашение" in html
    assert "<p>" in html and "Version" not in html
