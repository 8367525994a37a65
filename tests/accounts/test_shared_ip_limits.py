"""Login limits behind a shared address (portal.core.login_limits): mobile
carriers in Kazakhstan put many customers behind one IP. Successful sign-ins
never count; when an attacker's failures use up the per-IP allowance, a
returning user whose browser or app carries a device token for their account
still gets in (counted on their device only); a new device behind that address
gets a 429 with Retry-After and a message that points to the password reset."""
from __future__ import annotations

import html

import pytest

from config import Config, TestConfig
from tests.conftest import separate_app
from tests.factories import PASSWORD, make_user

LOGIN_API = "/api/v1/security/login"


class SharedIpConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    AUTH_RATE_LIMIT = "10 per 5 minute"  # small and fixed here, whatever the default
    AUTH_ACCOUNT_RATE_LIMIT = "10 per 15 minute"
    AUTH_DEVICE_RATE_LIMIT = "10 per 15 minute"


@pytest.fixture(scope="module")
def limited(app, tmp_path_factory):
    with separate_app(SharedIpConfig, tmp_path_factory.mktemp("shared-ip")) as application:
        yield application


def users(limited, n) -> list[str]:
    with limited.app_context():
        return [make_user(limited.appbuilder.sm, ("Client",)).email for _ in range(n)]


def web_login(client, email, ip, password=PASSWORD, lang="en"):
    return client.post(f"/login/?_l_={lang}", data={"username": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response.headers["Location"]


def api_login(limited, email, ip, password=PASSWORD, **extra):
    return limited.test_client().post(LOGIN_API, json={"username": email, "password": password, **extra},
                                      environ_base={"REMOTE_ADDR": ip})


def attack(limited, ip, tries=12):
    """Failed sign-ins to many accounts from ``ip``, until the per-IP allowance is used up."""
    attacker = limited.test_client()
    statuses = [web_login(attacker, f"guess-{ip}-{n}@example.kz", ip, "Wrong-pass-9").status_code
                for n in range(tries)]
    assert statuses[:10] == [302] * 10 and set(statuses[10:]) == {429}


def test_thirty_users_sign_in_from_one_address(limited):
    ip = "10.60.0.1"
    for email in users(limited, 30):
        assert signed_in(web_login(limited.test_client(), email, ip)), email
    for email in users(limited, 3):  # the API too
        assert api_login(limited, email, ip).status_code == 200


def test_a_returning_browser_gets_in_while_an_attacker_used_up_the_address(limited):
    ip = "10.61.0.1"
    owner, newcomer = users(limited, 2)
    browser = limited.test_client()
    assert signed_in(web_login(browser, owner, ip))  # yesterday: this browser became a known device
    assert browser.get_cookie("portal_device") is not None
    browser.post("/logout/")

    attack(limited, ip)

    assert signed_in(web_login(browser, owner, ip))  # the owner's browser is not refused by the IP limit
    # a new device behind the same address is refused, and told what to do
    response = web_login(limited.test_client(), newcomer, ip)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    page = html.unescape(response.get_data(as_text=True))
    assert "Forgot password?" in page and "/reset-password/" in page
    # a device token of another account does not help
    browser.post("/logout/")
    assert web_login(browser, newcomer, ip).status_code == 429


def test_a_returning_app_gets_in_while_an_attacker_used_up_the_address(limited):
    ip = "10.62.0.1"
    owner, newcomer = users(limited, 2)
    token = api_login(limited, owner, "10.62.9.9").json["device_token"]

    attack(limited, ip)

    assert api_login(limited, owner, ip, device_token=token).status_code == 200
    refused = api_login(limited, newcomer, ip)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    message = refused.json["detail"].lower()  # in the language of the request (Kazakh by default)
    assert "қалпына келтіріңіз" in message or "reset" in message, message


def test_a_known_device_is_still_limited_on_its_own_key(limited):
    ip = "10.63.0.1"
    (owner,) = users(limited, 1)
    browser = limited.test_client()
    assert signed_in(web_login(browser, owner, ip))
    browser.post("/logout/")
    attack(limited, ip)
    for n in range(10):  # wrong passwords from the known browser: counted on its device key
        assert web_login(browser, owner, ip, password=f"Wrong-{n}").status_code == 302, n
    assert web_login(browser, owner, ip).status_code == 429


def test_the_default_per_ip_allowance_leaves_room_for_a_carrier_address():
    """Failures only, per 5 minutes: higher than the per-account limit (see login_limits)."""
    count, _, period = Config.AUTH_RATE_LIMIT.partition(" per ")
    assert int(count) >= 20 and period == "5 minute"
