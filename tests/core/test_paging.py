"""The shared paging helper (portal.core.paging): a page number out of
range shows the nearest page that exists, in every list that uses it (login
history, support inbox, "My complaints", the complaint and moderation queues),
through the service and on the pages (an old link to page 999 is not an empty
list)."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from portal.core import paging
from portal.core.extensions import db
from portal.models.accounts import LoginEvent
from portal.services.accounts import sessions
from portal.services.practitioners import moderation, profiles
from portal.services.trust import complaints, support
from tests.factories import make_user
from tests.trust.test_complaints import TEXT, scene_of


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_clamp():
    assert [paging.clamp(p, 45, 20) for p in (None, 0, -5, 1, 2, 3, 4, 999)] == [1, 1, 1, 1, 2, 3, 3, 3]
    assert paging.clamp(7, 0, 20) == 1  # no rows: page 1 (empty)
    assert paging.clamp(2, 40, 20) == 2 and paging.clamp(3, 40, 20) == 2


def test_page_is_still_importable_from_practitioners():
    assert profiles.Page is paging.Page


def test_paged_counts_and_pages_in_order(app):
    user = make_user(app.appbuilder.sm)
    for n in range(5):
        sessions.record_login(user.email, user, f"10.40.0.{n}", "Agent")
    stmt = select(LoginEvent).where(LoginEvent.user_id == user.id)
    pages = [paging.paged(stmt, (LoginEvent.id,), n, 2) for n in (1, 2, 3, 4, 0)]
    assert [(p.page, p.total, p.pages) for p in pages] == [(1, 5, 3), (2, 5, 3), (3, 5, 3), (3, 5, 3), (1, 5, 3)]
    assert [e.ip_address for p in pages[:3] for e in p.items] == [f"10.40.0.{n}" for n in range(5)]
    assert (pages[0].has_prev, pages[0].has_next, pages[2].has_prev, pages[2].has_next) == (False, True, True, False)


def test_every_list_shows_its_last_page_for_a_page_past_it(app):
    s = scene_of(app.appbuilder.sm)
    for n in range(3):
        sessions.record_login(s.client.email, s.client, f"10.41.0.{n}", "Agent")
    history = sessions.history(s.client.id, page=999, per_page=2)
    assert (history.page, history.pages, len(history.items)) == (2, 2, 1)
    assert sessions.history(s.client.id, page=-1, per_page=2).page == 1

    complaints.file(s.client, "profile", s.profile.id, "fraud", TEXT)
    mine = complaints.mine(s.client, page=999)
    assert (mine.page, len(mine.items)) == (1, 1)
    queue = complaints.queue(s.moderator, None, page=999, per_page=1)
    assert queue.page == queue.pages == queue.total and len(queue.items) == 1

    support.write(s.client, "Hello support")
    inbox = support.inbox(page=999, per_page=1)
    assert inbox.page == inbox.pages == inbox.total and len(inbox.items) == 1
    reviews = moderation.reviews_queue(page=999, per_page=1)
    assert reviews.page == max(1, reviews.total) and len(reviews.items) == min(1, reviews.total)


def test_old_links_past_the_last_page_show_rows(app, client, login_as):
    user = make_user(app.appbuilder.sm)
    login_as(user)  # a login event
    page = text_of(client.get("/account/security/?page=999&_l_=en"))
    assert "No sign-ins recorded yet" not in page and 'class="login-event' in page
    assert db.session.scalar(select(func.count()).select_from(LoginEvent).where(LoginEvent.user_id == user.id)) >= 1

    support.write(user, "Paging question")
    login_as(make_user(app.appbuilder.sm, ("Moderator",)))
    inbox = text_of(client.get("/moderation/support/?status=all&page=999&_l_=en"))
    assert "No conversations." not in inbox and "support-row" in inbox
