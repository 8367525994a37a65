"""API of account security (``/api/v1/account/...``, agreement 4b): the
signed-in sessions (browsers and apps) and ending them, "Forgot password?"
and changing the password.

An app's session is its ``UserSession`` row of kind "api", named by the
token's ``sid``. Ending every other session, or changing the password, ends
every API token of the user too (the token version goes up): the answer then
carries new tokens for this session, so the app stays signed in.

Thin: the rules are in portal.services.accounts.sessions and
.password_reset; the limits are the web pages' (password reset per IP and per
email, wrong current passwords as failed logins)."""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.api import expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_jwt_extended import get_jwt
from flask_limiter.util import get_remote_address

from portal.core import login_limits
from portal.core.errors import ServiceError
from portal.core.limits import retry_after
from portal.forms.api.accounts import (
    EndedOut,
    MessageOut,
    PasswordChangedOut,
    PasswordChangeIn,
    ResetConfirmIn,
    ResetRequestIn,
    SessionOut,
)
from portal.services.accounts import api_tokens, password_reset, sessions
from portal.views.api import Call, PortalApi, operation

RESET_ENDPOINT = "AccountSecurityApi.password_reset"


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _not_a_reset_request() -> bool:
    return request.endpoint != RESET_ENDPOINT


def _submitted_email() -> str:
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else None
    return "reset-email:" + (email.strip().lower()[:256] if isinstance(email, str) else "")


def _current_session():
    """This call's API session row (the token was verified by ``operation``)."""
    return api_tokens.session_of(get_jwt())


def _session_out(row, current_id: int | None) -> dict:
    return {"id": row.id, "kind": row.kind, "device": sessions.device_summary(row.user_agent),
            "ip_address": row.ip_address, "started_at": row.created_at, "last_seen_at": row.last_seen_at,
            "current": row.id == current_id}


def _new_tokens() -> dict:
    """Tokens for this session after the user's token version went up."""
    return api_tokens.refresh(get_jwt()) or {}


class AccountSecurityApi(PortalApi):
    resource_name = "account"
    openapi_spec_tag = "Account security"
    limits = [  # the web page's "Forgot password?" limits: per IP and per email asked for
        Limit(_reset_limit, key_func=get_remote_address, methods=("POST",), exempt_when=_not_a_reset_request,
              on_breach=retry_after),
        Limit(_reset_limit, key_func=_submitted_email, methods=("POST",), exempt_when=_not_a_reset_request,
              on_breach=retry_after),
    ]

    @expose("/sessions", methods=["GET"])
    @operation("My signed-in sessions (browsers and apps)", response=SessionOut, many=True, gate=False)
    def sessions(self, call: Call):
        current = _current_session()
        return [_session_out(row, current.id if current else None) for row in sessions.live_sessions(call.user.id)]

    @expose("/sessions/<int:session_id>", methods=["DELETE"])
    @operation("End one of my other sessions", response=MessageOut, gate=False,
               description="That browser or app is signed out at once. The session of this token is "
                           "refused (422): sign out instead.")
    def end_session(self, session_id: int, call: Call):
        current = _current_session()
        sessions.end_one(call.user, session_id, current.token if current else None)
        return {"message": _l("The session is ended: that device is signed out.")}

    @expose("/sessions/end-others", methods=["POST"])
    @operation("End all my other sessions", response=EndedOut, gate=False,
               description="Every other browser and app is signed out. The tokens of this session are "
                           "replaced too: use the ones in the answer.")
    def end_others(self, call: Call):
        current = _current_session()
        count = sessions.end_others(call.user, current.token if current else None)
        message = ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", count)
        return {"ended": count, "message": message, **_new_tokens()}

    @expose("/password-reset", methods=["POST"])
    @operation("Forgot password: email me a link to choose a new one", public=True, body=ResetRequestIn,
               response=MessageOut, status=202,
               description="The same answer whether or not the email has an account. Limited per IP "
                           "address and per email (429).")
    def password_reset(self, call: Call):
        password_reset.request_reset(call.data["email"], request.remote_addr or "")
        minutes = int(current_app.config["PASSWORD_RESET_TTL_MINUTES"])
        return {"message": _l("If an account with this email exists and is active, we have sent it a link to "
                              "choose a new password. The link works once, for %(minutes)d minutes. Check your "
                              "spam folder too.", minutes=minutes)}

    @expose("/password-reset/confirm", methods=["POST"])
    @operation("Choose a new password with the token from the emailed link", public=True, body=ResetConfirmIn,
               response=MessageOut, errors=(422,),
               description="Every session of the account ends; sign in with the new password.")
    def password_reset_confirm(self, call: Call):
        try:
            password_reset.reset(call.data["token"], call.data["password"])
        except ServiceError as err:
            raise (err if err.field else ServiceError(err.message, field="token")) from None
        return {"message": _l("Your new password is set and every session is signed out. "
                              "Sign in with the new password.")}

    @expose("/password", methods=["POST"])
    @operation("Change my password", body=PasswordChangeIn, response=PasswordChangedOut, gate=False,
               description="The current password first (wrong ones count as failed sign-ins: 429 when "
                           "too many). Every other session ends; this session gets new tokens.")
    def change_password(self, call: Call):
        current = _current_session()
        attempt = login_limits.Attempt.from_request(call.user.email)
        attempt.known_device = sessions.token_id(current.token if current else None)  # this signed-in app
        attempt.check()
        try:
            password_reset.change_password(call.user, call.data["current_password"], call.data["password"],
                                           keep_token=current.token if current else None)
        except ServiceError as err:
            if err.field == "current_password":
                attempt.failed()
            raise
        return {"message": _l("Your password is changed. Your other sessions are signed out."), **_new_tokens()}


def register(appbuilder) -> None:
    appbuilder.add_api(AccountSecurityApi)
