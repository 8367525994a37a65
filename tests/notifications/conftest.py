"""Fixtures of the Web Push tests: VAPID keys in the configuration, the
loopback push service (tests/notifications/push_service.py), a kk and a ru user."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.services.notifications import vapid
from tests.factories import make_user
from tests.notifications.push_service import PushService

PUSH_BASE_URL = "https://alemtrust.test"
PUSH_SUBJECT = "mailto:push-test@alemtrust.kz"


@pytest.fixture(scope="session")
def vapid_pair() -> tuple[str, str]:
    return vapid.generate_keys()


@pytest.fixture
def push_on(app, monkeypatch, vapid_pair):
    """Web Push configured (keys as `flask portal vapid-keys` prints them)."""
    private, public = vapid_pair
    for key, value in {"VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public, "VAPID_SUBJECT": PUSH_SUBJECT,
                       "PORTAL_BASE_URL": PUSH_BASE_URL}.items():
        monkeypatch.setitem(app.config, key, value)
    return SimpleNamespace(private=private, public=public, subject=PUSH_SUBJECT)


@pytest.fixture
def push_service():
    service = PushService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
def by_worker(app, monkeypatch):
    """Pushes wait for the worker (``send_due`` with the test's clock), not the commit."""
    monkeypatch.setitem(app.config, "NOTIFY_SYNC", "worker")


@pytest.fixture
def push_people(app):
    sm = app.appbuilder.sm
    roles = ("Client", "Practitioner")
    return (make_user(sm, roles, first_name="Айгерім", locale="kk"),
            make_user(sm, roles, first_name="Ольга", locale="ru"))
