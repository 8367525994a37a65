"""API schemas of accounts: registration, the account itself, sessions,
passwords, closing, mailing consent.

Registration and the password fields are only typed and bounded here: whether
a field is filled in and right (a valid email, a strong password, a language we
speak, the agreement accepted) is decided by the services, with the very
messages the web form shows (services.accounts.registration, .password_reset)."""
from __future__ import annotations

from marshmallow import fields, validate

from portal.forms.api import In, Out, Text, UtcDateTime

PASSWORD_MAX = 256


def _password(**kwargs) -> fields.String:
    """A password as typed: never trimmed."""
    return fields.String(validate=validate.Length(max=PASSWORD_MAX), **kwargs)


class RegisterIn(In):
    email = Text(254, load_default="", metadata={"description": "Becomes the sign-in name"})
    password = _password(load_default="", metadata={"description": "At least 8 characters, letters and digits"})
    full_name = Text(128, load_default="", metadata={"description": "First name and last name"})
    phone = Text(32, load_default="", metadata={"description": "For example +7 701 234 56 78"})
    locale = fields.String(load_default=None, validate=validate.Length(max=8),
                           metadata={"description": "kk, ru or en; the language of the call when left out"})
    accept_agreement = fields.Boolean(load_default=False,
                                      metadata={"description": "true: the user read and accepts the agreement"})
    agreement_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                                       metadata={"description": "The number of the version accepted "
                                                                "(GET /api/v1/agreement)"})


class AgreementStateOut(Out):
    version = fields.Integer(allow_none=True, metadata={"description": "The version in force (null: none yet)"})
    accepted = fields.Boolean(required=True, metadata={"description": "Whether the user accepted it"})


class ConsentOut(Out):
    informational = fields.Boolean(required=True, attribute="consent_info",
                                   metadata={"description": "News of the portal by email"})
    advertising = fields.Boolean(required=True, attribute="consent_ads",
                                 metadata={"description": "Advertising by email"})
    changed_at = UtcDateTime(allow_none=True, attribute="consent_changed_at")


class ConsentIn(In):
    informational = fields.Boolean(required=True)
    advertising = fields.Boolean(required=True)


class AccountOut(Out):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    full_name = fields.String(required=True)
    phone = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "active, blocked or closed"})
    roles = fields.List(fields.String(), required=True)
    practitioner_status = fields.String(allow_none=True,
                                        metadata={"description": "Of the practitioner profile, if there is one"})
    agreement = fields.Nested(AgreementStateOut, required=True)
    consent = fields.Nested(ConsentOut, required=True)


class AccountPatchIn(In):
    first_name = Text(64, metadata={"description": "Left as it is when not sent"})
    last_name = Text(64)
    locale = fields.String(validate=validate.Length(max=8), metadata={"description": "kk, ru or en"})


class TokensOut(Out):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)


class RegisteredOut(TokensOut):
    account = fields.Nested(AccountOut, required=True)


class SessionOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "web (a browser) or api (an app)"})
    device = fields.String(required=True, metadata={"description": "For example 'Chrome on Windows'"})
    ip_address = fields.String(required=True)
    started_at = UtcDateTime(required=True)
    last_seen_at = UtcDateTime(required=True)
    current = fields.Boolean(required=True, metadata={"description": "The session of this token"})


class EndedOut(TokensOut):
    ended = fields.Integer(required=True, metadata={"description": "How many sessions were ended"})
    message = fields.String(required=True)


class MessageOut(Out):
    message = fields.String(required=True, metadata={"description": "What happened, in the call's language"})


class ResetRequestIn(In):
    email = fields.Email(required=True, validate=validate.Length(max=256))


class ResetConfirmIn(In):
    token = fields.String(required=True, validate=validate.Length(max=128),
                          metadata={"description": "From the link in the email (the last part of its path)"})
    password = _password(required=True)


class PasswordChangeIn(In):
    current_password = _password(required=True)
    password = _password(required=True, metadata={"description": "The new password"})


class PasswordChangedOut(TokensOut):
    message = fields.String(required=True)


class CloseIn(In):
    password = _password(required=True)
    confirm = fields.Boolean(required=True, metadata={"description": "true: the user understands it is for good"})
