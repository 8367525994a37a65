"""The API's shared conventions (portal.views.api, portal.core.api): problem+json
errors in the language of Accept-Language, ETag and 304 on GETs, validation
messages translated, and one public OpenAPI document that names every route."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from portal.forms.api import translated_errors
from tests.accounts.test_api_tokens import api

SPEC = "/api/v1/openapi.json"


@pytest.mark.parametrize("lang,text", [("kk", "Бет табылмады."), ("ru", "Страница не найдена."),
                                       ("en", "Page not found.")])
def test_an_unknown_api_path_is_a_problem_document_in_the_callers_language(app, lang, text):
    response = api(app).get("/api/v1/no-such-thing", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body == {"type": "about:blank", "title": text, "status": 404, "detail": text,
                    "instance": "/api/v1/no-such-thing"}


def test_a_missing_token_is_a_401_problem_in_the_callers_language(app):
    response = api(app).get("/api/v1/requests/", headers={"Accept-Language": "ru"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/auth") and body["title"] == "Сначала войдите."
    assert "Authorization" in body["detail"]


def test_a_repeated_get_with_its_etag_is_304_and_a_changed_language_is_not(app):
    client = api(app)
    first = client.get("/api/v1/catalog/categories", headers={"Accept-Language": "kk"})
    assert first.status_code == 200 and first.headers["ETag"]
    names = {c["code"]: c["name"] for c in first.get_json()}
    assert names["notary"] == "Жеке нотариус"
    again = client.get("/api/v1/catalog/categories",
                       headers={"Accept-Language": "kk", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    russian = client.get("/api/v1/catalog/categories",
                         headers={"Accept-Language": "ru", "If-None-Match": first.headers["ETag"]})
    assert russian.status_code == 200 and russian.headers["ETag"] != first.headers["ETag"]


def test_query_parameters_are_validated_and_unknown_ones_ignored(app):
    client = api(app)
    notary = client.get("/api/v1/catalog/specializations?category=notary&_l_=x").get_json()
    assert notary and {s["category"] for s in notary} == {"notary"}


@pytest.mark.parametrize("lang,required,longer", [
    ("ru", "Это поле обязательно.", "Не более 5 символов."),
    ("kk", "Бұл өрісті толтыру міндетті.", "Ең көбі 5 таңба."),
])
def test_marshmallow_messages_are_translated(app, lang, required, longer):
    raw = {"title": ["Missing data for required field."], "body": ["Longer than maximum length 5."],
           "items": {"0": {"price": ["Not a valid integer."]}}}
    with app.test_request_context(), force_locale(lang):
        errors = translated_errors(raw)
    assert errors["title"] == [required] and errors["body"] == [longer]
    assert errors["items"]["0"]["price"][0] not in ("", "Not a valid integer.")


def _api_routes(app):
    from flask_appbuilder.api import BaseApi

    views = {type(v).__name__: v for v in app.appbuilder.baseviews
             if isinstance(v, BaseApi) and type(v).__module__.startswith("portal.")}
    for rule in app.url_map.iter_rules():
        view = rule.endpoint.split(".")[0]
        if view in views and rule.rule.startswith("/api/v1/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower()


def test_the_public_openapi_document_names_every_route_with_its_answers(app):
    response = api(app).get(SPEC)
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    routes = set(_api_routes(app))
    assert ("/api/v1/catalog/categories", "get") in routes and len(routes) > 10
    missing = [r for r in routes if r[1] not in doc["paths"].get(r[0], {})]
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"
    for path, method in routes:
        operation = doc["paths"][path][method]
        assert operation.get("responses"), (path, method)
        for parameter in re.findall(r"{([^}]+)}", path):
            declared = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
            assert parameter in {p["name"] for p in declared}, (path, parameter)
    schemas = doc["components"]["schemas"]
    assert {"ProblemSchema", "CategoryOut"} <= set(schemas)
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', response.get_data(as_text=True)))
    assert refs <= set(schemas), f"dangling references: {refs - set(schemas)}"


def test_private_operations_declare_the_token_and_their_error_answers(app):
    doc = api(app).get(SPEC).get_json()
    categories = doc["paths"]["/api/v1/catalog/categories"]["get"]
    assert "security" not in categories and "304" in categories["responses"]
    problem = categories["responses"]["default"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/ProblemSchema"}
    privates = [(p, m, op) for p, ops in doc["paths"].items() for m, op in ops.items()
                if op.get("security") == [{"jwt": []}] and "default" in op["responses"]]  # portal.views.api's
    for path, method, op in privates:
        assert {"401", "403"} <= set(op["responses"]), (path, method)
