"""CSRF: with protection on, every state-changing web form refuses a POST
without a valid token, and FAB's GET mutations (delete, actions) refuse too."""
from __future__ import annotations

from portal.core.extensions import db
from portal.models.catalog import Specialization
from tests.conftest import build_url
from tests.factories import PASSWORD


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            yield rule


def test_every_web_post_without_token_is_rejected(app, client, login_as, world):
    login_as(world.admin)  # admins pass every permission check, so only CSRF can stop them
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        rules = list(_post_routes(app))
        assert len(rules) > 40
        accepted = []
        for rule in rules:
            args = {arg: {"pk": world.request_a.id, "name": "muldelete"}.get(arg, "1") for arg in rule.arguments}
            url = build_url(app, rule.endpoint, **args)
            response = client.post(url, data={"title": "csrf", "username": "x", "password": "y"})
            if response.status_code != 400:
                accepted.append(f"{rule.endpoint} {url} -> {response.status_code}")
        assert not accepted, "\n".join(accepted)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_and_register_need_the_token(app, client, world, csrf_on):
    response = client.post("/login/", data={"username": world.client_a.email, "password": PASSWORD})
    assert response.status_code == 400
    response = client.post("/register/form", data={"email": "x@y.kz", "agree": "y"})
    assert response.status_code == 400


def test_get_delete_is_refused_when_csrf_is_on(app, client, login_as, world, csrf_on):
    spec = Specialization(category_id=world.profile.category_id, code="csrf-probe", name_kk="x", name_ru="x")
    db.session.add(spec)
    db.session.commit()
    login_as_with_token(client, world.admin)
    client.get(f"/admin/specializations/delete/{spec.id}")
    db.session.expire_all()
    assert db.session.get(Specialization, spec.id) is not None


def login_as_with_token(client, user):
    import re

    page = client.get("/login/").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page[:3000]
    token = match.group(1)
    response = client.post("/login/", data={"username": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
