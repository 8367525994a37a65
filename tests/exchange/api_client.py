"""A mobile client of the exchange API for the tests: signs in through
/api/v1/security/login and sends every call with the Bearer token and an
Accept-Language header, from a fresh test client (no cookie is ever kept)."""
from __future__ import annotations

import datetime as dt
import io

from tests.accounts.test_api_tokens import api, bearer, sign_in
from tests.factories import PDF_BYTES, PNG_BYTES, make_practitioner, make_user

__all__ = ["ApiUser", "PDF_BYTES", "PNG_BYTES", "anonymous", "api_practitioner", "client_user", "practitioner_user",
           "request_body"]


class ApiUser:
    def __init__(self, app, user, lang: str = "en"):
        self.app, self.user, self.lang = app, user, lang
        response = sign_in(app, user.email)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.token = response.get_json()["access_token"]

    def _headers(self, lang: str | None, extra: dict | None) -> dict:
        headers = {**bearer(self.token), "Accept-Language": lang or self.lang}
        headers.update(extra or {})
        return headers

    def call(self, method: str, path: str, lang: str | None = None, headers: dict | None = None, **kwargs):
        client = api(self.app)
        response = client.open(path, method=method, headers=self._headers(lang, headers), **kwargs)
        assert "Set-Cookie" not in response.headers or "session=" not in response.headers["Set-Cookie"]
        return response

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)


def anonymous(app, method: str, path: str, **kwargs):
    return api(app).open(path, method=method, headers={"Accept-Language": "en"}, **kwargs)


def client_user(app, **kwargs):
    return make_user(app.appbuilder.sm, ("Client",), locale="en", **kwargs)


def practitioner_user(app, **kwargs):
    """A verified advocate serving Almaty (KZ-75), with the profile's first two specializations."""
    profile = make_practitioner(app.appbuilder.sm, **kwargs)
    return profile.user, profile


def api_practitioner(app, **kwargs) -> ApiUser:
    """A signed-in verified practitioner (``practitioner_user``) with ``.profile``."""
    user, profile = practitioner_user(app, **kwargs)
    api = ApiUser(app, user)
    api.profile = profile
    return api


def request_body(**fields) -> dict:
    body = {"category": "advocate", "region": "KZ-75", "title": "Нужна помощь адвоката",
            "description": "Подробное описание моей ситуации для юриста.", "city": "Алматы",
            "budget": 150000, "desired_date": (dt.date.today() + dt.timedelta(days=20)).isoformat()}
    body.update(fields)
    return body


def form(body: dict, files=()) -> dict:
    """``body`` as multipart form fields (lists repeated), with (bytes, name) files in "files"."""
    data = {key: [str(v) for v in value] if isinstance(value, list) else
            (str(value).lower() if isinstance(value, bool) else str(value)) for key, value in body.items()}
    data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return data
