"""State changes are POSTs with a CSRF token: signing out (``/logout/``) and
starting a conversation (``/threads/open``). A GET changes nothing: it shows a
page with the button (or goes to the conversation that exists already)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.core.extensions import db
from portal.models.exchange import Thread
from tests.core.test_csrf import login_as_with_token
from tests.exchange.test_messages_http import scene  # noqa: F401  (the fixture)
from tests.factories import make_offer


def _threads(req_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Thread).where(Thread.request_id == req_id))


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:2000]
    return match.group(1)


# --- signing out ------------------------------------------------------------------------------------


def test_get_logout_leaves_the_user_signed_in_and_offers_the_button(client, login_as, world):
    login_as(world.client_a)
    response = client.get("/logout/?_l_=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<form class="logout-form" method="post" action="/logout/">', page)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert _signed_in(client)
    assert client.post("/logout/").status_code == 302
    assert not _signed_in(client)
    response = client.get("/logout/")  # nobody to sign out: home
    assert response.status_code == 302


def test_the_navbar_signs_out_with_a_post_form(client, login_as, world):
    login_as(world.client_a)
    page = client.get("/account/?_l_=ru").get_data(as_text=True)
    assert 'href="/logout/"' not in page
    form = re.search(r'<form class="logout-form" method="post" action="/logout/"[^>]*>(.*?)</form>', page, re.S)
    assert form, "no sign-out form in the navbar"
    assert 'name="csrf_token"' in form.group(1) and "Выйти" in form.group(1)


def test_logout_post_needs_the_csrf_token(app, client, world, csrf_on):
    login_as_with_token(client, world.client_a)
    assert client.post("/logout/").status_code == 400  # no token: refused
    assert _signed_in(client)
    page = client.get("/logout/").get_data(as_text=True)
    assert client.post("/logout/", data={"csrf_token": _token(page)}).status_code == 302
    assert not _signed_in(client)


# --- starting a conversation ------------------------------------------------------------------------


def test_get_threads_open_creates_no_thread(app, scene, login_as):  # noqa: F811
    make_offer(scene.req, scene.profile)
    for user, url in ((scene.prac, f"/threads/open?request={scene.req.id}"),
                      (scene.client, f"/threads/open?request={scene.req.id}&profile={scene.profile.id}")):
        http = login_as(user)
        response = http.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'class="thread-open-form" method="post"' in page and "Start the conversation" in page
        assert _threads(scene.req.id) == 0
    # a POST starts it; once written in, a GET goes to the existing conversation, still creating nothing
    response = http.post(f"/threads/open?request={scene.req.id}&profile={scene.profile.id}")
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    assert _threads(scene.req.id) == 1
    assert http.post(thread_url + "/post", data={"body": "Hello"}).status_code == 302
    for user, url in ((scene.client, f"/threads/open?request={scene.req.id}&profile={scene.profile.id}"),
                      (scene.prac, f"/threads/open?request={scene.req.id}")):
        response = login_as(user).get(url)
        assert response.status_code == 302 and response.headers["Location"] == thread_url
    assert _threads(scene.req.id) == 1


def test_request_page_starts_conversations_with_post_forms(app, scene, login_as):  # noqa: F811
    offer = make_offer(scene.req, scene.profile)
    page = login_as(scene.client).get(f"/requests/{scene.req.id}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/threads/open\?request=%d&amp;profile=%d"'
                     % (scene.req.id, offer.profile_id), page)
    assert 'href="/threads/open' not in page
    page = login_as(scene.prac).get(f"/requests/{scene.req.id}").get_data(as_text=True)
    assert 'href="/threads/open' not in page


def test_threads_open_post_needs_the_csrf_token(app, client, scene, csrf_on):  # noqa: F811
    login_as_with_token(client, scene.prac)
    url = f"/threads/open?request={scene.req.id}"
    assert client.post(url).status_code == 400
    assert _threads(scene.req.id) == 0
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": _token(page)})
    assert response.status_code == 302 and "/threads/" in response.headers["Location"]
    assert _threads(scene.req.id) == 1
