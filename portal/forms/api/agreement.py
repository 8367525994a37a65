"""API schemas of the user agreement: the version in force and accepting it."""
from __future__ import annotations

from marshmallow import fields, validate

from portal.forms.api import In, Out
from portal.forms.api.accounts import UtcDateTime


class AgreementOut(Out):
    version = fields.Integer(required=True, metadata={"description": "The number to send when accepting"})
    title = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "Plain text, in the call's language "
                                                                 "(Russian when there is none)"})
    text_language = fields.String(required=True, metadata={"description": "The language of text"})
    effective_from = fields.Date(required=True)
    changes = fields.String(allow_none=True, metadata={"description": "What changed since the version before"})


class AcceptIn(In):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "The number of the version the user read"})


class AcceptanceOut(Out):
    version = fields.Integer(required=True)
    accepted_at = UtcDateTime(required=True)
