"""SQL only through the ORM with bound parameters.

Two checks:

* a static one: no module of the app builds an SQL string from values
  (f-strings, ``%`` or ``.format`` passed to ``text()``, ``exec_driver_sql`` or
  ``execute``); the only raw SQL allowed is a constant string;
* a dynamic one: SQL-injection payloads in every query parameter the list and
  search pages read answer like any other bad input (never a 500) and change
  nothing in the database.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.core.extensions import db
from portal.models import PortalUser, PractitionerProfile, Review, ServiceRequest

ROOT = Path(__file__).resolve().parents[2]
SQL_CALLS = {"text", "exec_driver_sql", "execute"}


def _dynamic_string(node: ast.AST) -> bool:
    """A string built at run time from values: f-string, ``%`` or ``+`` on a
    string, or ``"...".format(...)``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any(isinstance(side, (ast.Constant, ast.JoinedStr)) and (
            not isinstance(side, ast.Constant) or isinstance(side.value, str)) for side in (node.left, node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
    return False


def _sql_built_from_values(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in SQL_CALLS and _dynamic_string(node.args[0]):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_checker_catches_sql_built_from_values(tmp_path):
    bad = ROOT / "tests" / "_sql_probe_tmp.py"
    bad.write_text('from sqlalchemy import text\nq = 1\ntext(f"SELECT * FROM t WHERE id = {q}")\n'
                   'conn.execute("DELETE FROM t WHERE id = %s" % q)\n'
                   'conn.exec_driver_sql("SELECT {}".format(q))\ntext("SELECT 1")\n', encoding="utf-8")
    try:
        assert [line.rsplit(":", 1)[1] for line in _sql_built_from_values(bad)] == ["3", "4", "5"]
    finally:
        bad.unlink()


def test_the_app_builds_no_sql_from_values():
    offenders = [hit for path in sorted((ROOT / "portal").rglob("*.py")) for hit in _sql_built_from_values(path)]
    assert offenders == []


PAYLOADS = ("' OR '1'='1", "1; DROP TABLE ab_user; --", "1 UNION SELECT password FROM ab_user --",
            "%' AND 1=1 --")
# every query parameter the list, search and queue pages read (grep request.args in portal/views)
PARAMS = ("q", "category", "region", "sort", "page", "per_page", "status", "kind", "stage", "profile",
          "request", "unread", "without_offer", "next")
PAGES = {
    "anonymous": ("/practitioners/", "/practitioners/category/advocate", "/api/v1/search/suggest"),
    "client": ("/requests/", "/notifications/", "/complaints/", "/account/security/"),
    "practitioner": ("/feed/",),
    "moderator": ("/moderation/", "/moderation/applications", "/moderation/accounts/",
                  "/moderation/complaints/", "/moderation/support/"),
}


def _counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (PortalUser, PractitionerProfile, ServiceRequest, Review)}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_injection_payloads_in_query_parameters_are_plain_bad_input(app, client, login_as, world, role):
    if role != "anonymous":
        login_as(getattr(world, "client_a" if role == "client" else role))
    before = _counts()
    statuses = set()
    for page in PAGES[role]:
        for name in PARAMS:
            for payload in PAYLOADS:
                response = client.get(page, query_string={name: payload})
                statuses.add(response.status_code)
                assert response.status_code < 500, (page, name, payload)
    db.session.expire_all()
    assert _counts() == before
    assert 200 in statuses
