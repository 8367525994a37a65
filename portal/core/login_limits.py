"""One guard for every path that checks a password: the web login form, the
API login (``/api/v1/security/login``) and the "Change password" form.

Failed attempts are counted in the rate limiter's storage (Redis when
``REDIS_URL`` is set, so several app servers share the counts):

* per client IP (``AUTH_RATE_LIMIT``): one address guessing many accounts;
* per account, from devices that never signed in to it (``AUTH_ACCOUNT_RATE_LIMIT``):
  many addresses guessing one account;
* per known device (``AUTH_DEVICE_RATE_LIMIT``): a browser or app that signed
  in to the account before carries a signed device token (the ``portal_device``
  cookie, or ``device_token`` in the API), and is counted on its own key instead
  of the account's. So an attacker who exhausts the account limit does not lock
  the owner out of their own phone or computer, and a password reset (which
  always works) clears the account's count.

Shared addresses. Mobile carriers in Kazakhstan put many customers
behind one address (carrier-grade NAT), so the per-IP limit must not turn one
attacker into a lock-out for a carrier's users:

* successful attempts are never counted, on any key: any number of people
  behind one address sign in;
* a known device (a token for *that* account, or a signed-in session) is not
  checked or counted against the per-IP limit at all, only against its own
  device key. An attacker guessing other people's passwords has no token for
  their accounts (it is signed and bound to the account), so this opens no
  door; it only keeps returning users in while the address is "burnt";
* a new device behind an exhausted address still gets the 429 (a stranger to
  the account cannot be told apart from the attacker), but its message says
  when to try again and points to "Forgot password?", which is never limited
  by these counters;
* ``AUTH_RATE_LIMIT`` defaults to 20 failures per 5 minutes: twice the
  per-account allowance, so typos of many customers behind one address do not
  use it up, while one address still cannot try more than 20 accounts per 5
  minutes (each account stays capped by its own limit). A higher value would
  mostly help a credential-stuffing attacker; returning users no longer need it.

Over a limit the request gets a 429 with ``Retry-After`` (the translated error
page, or JSON under /api/).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from werkzeug.exceptions import TooManyRequests

from portal.core.errors import MESSAGES

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_DAYS = 365


def _account_key(account: str) -> str:
    return hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal-device")


def device_token(account: str) -> str:
    """A token that marks this device as one that signed in to ``account``."""
    import secrets

    return _serializer().dumps({"a": _account_key(account), "n": secrets.token_urlsafe(9)})


def device_id(token: str | None, account: str) -> str | None:
    """The id of a device token issued for ``account``, or None (absent, forged or another account's)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account_key(account):
        return None
    return str(data.get("n") or "")[:20] or None


@dataclass
class Attempt:
    """One password check: who (``account``, as typed), from where (``ip``) and
    from which device (its token, if the client sent one)."""

    account: str
    ip: str
    device: str | None = None
    known_device: str | None = None  # a device already proven otherwise (a signed-in session)

    @classmethod
    def from_request(cls, account: str | None, device: str | None = None) -> "Attempt":
        return cls(account=(account or "").strip().lower()[:256], ip=request.remote_addr or "",
                   device=device if device is not None else request.cookies.get(DEVICE_COOKIE))

    def _limits(self) -> list[tuple[str, str, str]]:
        """(config key, scope, identifier) of every limit this attempt counts against:
        a known device only its own key (not the address's, see the module's docstring);
        any other attempt the address and the account."""
        known = (self.known_device or device_id(self.device, self.account)) if self.account else None
        if known:
            return [("AUTH_DEVICE_RATE_LIMIT", "login-device", f"{_account_key(self.account)}:{known}")]
        keys = [("AUTH_RATE_LIMIT", "login-ip", self.ip)]
        if self.account:
            keys.append(("AUTH_ACCOUNT_RATE_LIMIT", "login-account", _account_key(self.account)))
        return keys

    def _items(self):
        limiter = _limiter()
        if limiter is None:
            return None, []
        config = current_app.config
        return limiter.limiter, [(parse(config[key]), _prefixed(scope), ident)
                                 for key, scope, ident in self._limits()]

    def check(self) -> None:
        """Raise a 429 (with Retry-After) if any limit of this attempt is used up;
        its message says when to try again and points to the password reset."""
        strategy, items = self._items()
        for item, scope, ident in items:
            if not strategy.test(item, scope, ident):
                reset_at = strategy.get_window_stats(item, scope, ident).reset_time
                raise LoginRefused(max(1, int(reset_at - time.time()) + 1))

    def failed(self) -> None:
        """Count a wrong password against every limit of this attempt."""
        strategy, items = self._items()
        for item, scope, ident in items:
            strategy.hit(item, scope, ident)


class LoginRefused(TooManyRequests):
    """A password check refused by a login limit: the 429 page (or JSON) tells
    the person when to try again and that "Forgot password?" always works."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        minutes = max(1, -(-retry_after // 60))
        hint = _l('If you have forgotten your password, reset it with "Forgot password?"; '
                  "otherwise try again in %(minutes)d min.", minutes=minutes)
        self.portal_message = f"{MESSAGES[429]} {hint}"


def clear_account(account: str) -> None:
    """Forget the failed attempts counted against ``account`` (after a password reset)."""
    limiter = _limiter()
    if limiter is None or not account:
        return
    item = parse(current_app.config["AUTH_ACCOUNT_RATE_LIMIT"])
    limiter.limiter.clear(item, _prefixed("login-account"), _account_key(account))


def _prefixed(scope: str) -> str:
    """The scope under the app's RATELIMIT_KEY_PREFIX, as Flask-Limiter's own keys are."""
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    return f"{prefix}/{scope}" if prefix else scope


def _limiter():
    appbuilder = getattr(current_app, "appbuilder", None)
    limiter = getattr(getattr(appbuilder, "sm", None), "limiter", None)
    if limiter is None or not limiter.enabled or not current_app.config["RATELIMIT_ENABLED"]:
        return None
    return limiter


def remember_device(response, account: str):
    """Give the browser a device token for ``account`` (after a successful web login)."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(DEVICE_COOKIE, device_token(account), max_age=DEVICE_COOKIE_DAYS * 86400,
                        httponly=True, secure=secure, samesite="Lax")
    return response

