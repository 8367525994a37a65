"""API of the account itself (``/api/v1/account``): registering, what the
account holds and what its owner changes (name, language, mailing consent),
"Download my data" and closing the account. Sessions and passwords are
``AccountSecurityApi`` (account_security_api.py); signing in, refreshing and
signing out are ``SecurityApi`` (views/accounts/api.py).

Thin: the same services as the web pages (registration form, account page,
privacy page, notification settings), with the same limits (registration per
IP, closing and downloads per account)."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError
from portal.core.i18n import current_locale
from portal.core.limits import per_account
from portal.forms.api.accounts import (
    AccountOut,
    AccountPatchIn,
    CloseIn,
    ConsentIn,
    ConsentOut,
    MessageOut,
    RegisteredOut,
    RegisterIn,
)
from portal.models.accounts import PortalUser
from portal.services import agreement
from portal.services.accounts import api_tokens, closure, data_export, registration
from portal.services.notifications import mailings
from portal.views.accounts.registration_limits import api_registration_limits
from portal.views.api import Call, PortalApi, operation

# the web form's field names as the API calls them
FIELDS = {"agree": "accept_agreement"}


def client_ip() -> str:
    return request.remote_addr or ""


def user_agent() -> str:
    return request.user_agent.string


def renamed(err: ServiceError) -> ServiceError:
    """A service's refusal with its field named as the API names it."""
    if err.field in FIELDS:
        return ServiceError(err.message, field=FIELDS[err.field])
    return err


def account_of(user: PortalUser) -> dict:
    """The account as ``AccountOut`` shows it."""
    current = agreement.current_agreement()
    profile = user.practitioner_profile
    return {
        "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "full_name": user.full_name, "phone": user.phone, "locale": user.locale, "status": user.status,
        "roles": sorted(role.name for role in user.roles),
        "practitioner_status": profile.status if profile is not None else None,
        "agreement": {"version": current.version if current else None,
                      "accepted": current is None or not agreement.needs_acceptance(user, current.id)},
        "consent": user,
    }


class AccountApi(PortalApi):
    resource_name = "account"
    openapi_spec_tag = "Account"
    limits = [
        *api_registration_limits("AccountApi.register"),
        per_account("account-close", "ACCOUNT_CLOSE_RATE_LIMIT", endpoint="AccountApi.close"),
        per_account("data-export", "DATA_EXPORT_RATE_LIMIT", methods=("GET",), endpoint="AccountApi.export"),
    ]

    @expose("/register", methods=["POST"])
    @operation("Register a client account, accepting the user agreement", public=True, body=RegisterIn,
               response=RegisteredOut, status=201, errors=(422,),
               description="The rules and messages of the registration form, and its limit per IP "
                           "address (429). The account is signed in at once: the answer holds an "
                           "access and a refresh token, as POST /api/v1/security/login gives.")
    def register(self, call: Call):
        data = call.data
        form = registration.Registration(
            email=data["email"], password=data["password"], full_name=data["full_name"], phone=data["phone"],
            locale=data["locale"] or current_locale(), agreed=data["accept_agreement"],
            agreement_version=data["agreement_version"], ip_address=client_ip(), user_agent=user_agent())
        try:
            user = registration.register_client(self.appbuilder.sm, form)
        except ServiceError as err:
            raise renamed(err) from None
        tokens = api_tokens.sign_in(user, client_ip(), user_agent())
        return {**tokens, "account": account_of(user)}

    @expose("", methods=["GET"])
    @operation("My account", response=AccountOut)
    def me(self, call: Call):
        return account_of(call.user)

    @expose("", methods=["PATCH"])
    @operation("Change my name or language", body=AccountPatchIn, response=AccountOut)
    def edit(self, call: Call):
        registration.update_account(call.user, **call.data)
        return account_of(call.user)

    @expose("/consent", methods=["GET"])
    @operation("My consent to news and advertising emails", response=ConsentOut)
    def consent(self, call: Call):
        return call.user

    @expose("/consent", methods=["PUT"])
    @operation("Give or withdraw consent to news and advertising emails", body=ConsentIn, response=ConsentOut)
    def set_consent(self, call: Call):
        mailings.set_consent(call.user, call.data["informational"], call.data["advertising"])
        return call.user

    @expose("/export", methods=["GET"])
    @operation("Download my data (a JSON file)", gate=False,
               description="The same document as \"Download my data\" on the account page, as an "
                           "attachment. Limited per account (429).")
    def export(self, call: Call):
        body = data_export.to_json(data_export.export(call.user))
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{data_export.file_name()}"',
                                 "Cache-Control": "no-store"})

    @expose("/close", methods=["POST"])
    @operation("Close my account for good", body=CloseIn, response=MessageOut, gate=False,
               description="The password again and confirm: true. Open requests are cancelled and personal "
                           "data erased; every token of the account stops working. Staff accounts and "
                           "accounts that are not active are refused (422). Limited per account (429).")
    def close(self, call: Call):
        closure.close_account(call.user, call.data["password"], call.data["confirm"])
        return {"message": _l("Your account is closed and your personal data has been erased. Thank you for "
                              "using AlemTrust.")}


def register(appbuilder) -> None:
    from portal.views.accounts import account_security_api

    appbuilder.add_api(AccountApi)
    account_security_api.register(appbuilder)
