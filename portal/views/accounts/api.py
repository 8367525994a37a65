"""The API's sign-in, refresh and sign-out (``/api/v1/security/...``), in place
of FAB's: the same login limits as the web form (portal.core.login_limits), tokens
tied to a session row and the user's token version, rotated refresh tokens
(portal.services.accounts.api_tokens). Thin: the rules are in the services."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.views import expose
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_jwt, jwt_required
from werkzeug.exceptions import TooManyRequests

from portal.core import login_limits
from portal.core.api import problem
from portal.core.errors import MESSAGES
from portal.services.accounts import api_tokens, blocking
from portal.views.api import ProblemResponses


def _text(data: dict, key: str, limit: int = 256) -> str | None:
    value = data.get(key)
    return value[:limit] if isinstance(value, str) else None


class SecurityApi(ProblemResponses, FabSecurityApi):
    """Named like FAB's on purpose: its endpoints stay "SecurityApi.login" etc."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Sign in with email and password
        ---
        post:
          description: >-
            Checks the password (within the same per-IP, per-account and
            per-device limits as the web form) and returns a short-lived access
            token, a refresh token and a device token. Send the device token
            with later sign-ins from the same device: it is then counted on its
            own, so others guessing the password cannot lock this device out.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [username, password]
                  properties:
                    username: {type: string, maxLength: 256, description: Email}
                    password: {type: string, maxLength: 256}
                    device_token: {type: string, maxLength: 200}
          responses:
            200:
              description: Signed in
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
                      refresh_token: {type: string}
                      device_token: {type: string}
            400:
              description: Not a JSON object, or the email or the password is missing
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
            401:
              description: Wrong email or password, or the account is blocked (detail says why)
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
            429:
              description: Too many failed attempts; see Retry-After
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
        """
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return problem(400, _l("Send a JSON object with username and password."), kind="validation")
        username, password = _text(data, "username"), _text(data, "password")
        if not username or not password:
            return problem(400, _l("Enter your email and password."), kind="validation")
        try:
            user = self.appbuilder.sm.auth_user_db(username, password, device=_text(data, "device_token", 200))
        except TooManyRequests as limit:  # FAB's @safe would turn it into a 500
            return problem(429, getattr(limit, "portal_message", None) or MESSAGES[429], kind="rate_limit",
                           headers={"Retry-After": str(limit.retry_after)})
        if user is None:
            blocked = blocking.blocked_login(username, password)
            message = blocking.refusal_message(blocked) if blocked is not None else _l("Invalid login. Please try again.")
            return problem(401, message, kind="auth")
        tokens = api_tokens.sign_in(user, request.remote_addr, request.user_agent.string)
        return self.response(200, **tokens, device_token=login_limits.device_token(username))

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        """Exchange a refresh token for new tokens
        ---
        post:
          description: >-
            Returns a new access token and a new refresh token; the refresh
            token sent stops working (sending it again ends the session).
          responses:
            200:
              description: New tokens
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
                      refresh_token: {type: string}
            401:
              description: The token is missing, expired or ended
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
          security:
            - jwt_refresh: []
        """
        tokens = api_tokens.refresh(get_jwt())
        if tokens is None:
            return problem(401, _l("Your session has ended or the token is not valid. Sign in again."), kind="auth")
        return self.response(200, **tokens)

    @expose("/logout", methods=["POST"])
    @jwt_required(verify_type=False)
    @safe
    def logout(self):
        """Sign out: end this API session
        ---
        post:
          description: >-
            Ends the session of the access or refresh token sent; its tokens
            stop working at once.
          responses:
            200:
              description: Signed out
            401:
              description: The token is missing, expired or ended
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/ProblemSchema'}
          security:
            - jwt: []
        """
        api_tokens.sign_out(get_jwt())
        return self.response(200, message=str(_l("You are signed out.")))
