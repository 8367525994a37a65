"""API schemas of the exchange's conversations: opening one, its messages
with their files, the list with unread counts."""
from __future__ import annotations

from marshmallow import fields

from portal.forms.api import Id, In, Out, Text, UtcDateTime
from portal.forms.api.exchange import FileOut, PartyContactsOut, RequestBriefOut


class ThreadOpenIn(In):
    request_id = Id(required=True)
    profile_id = Id(allow_none=True, metadata={"description": "The client: which practitioner"})


class ThreadMessageIn(In):
    body = Text(20000, load_default="")


class ThreadMessageOut(Out):
    id = fields.Integer(required=True)
    sender_id = fields.Integer(required=True)
    sender_name = fields.String(required=True)
    mine = fields.Boolean(required=True)
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    read = fields.Boolean(allow_none=True, metadata={"description": "Mine: the other side has seen it"})
    attachments = fields.List(fields.Nested(FileOut), required=True)


class ConversationOut(Out):
    id = fields.Integer(required=True)
    request = fields.Nested(RequestBriefOut, required=True)
    role = fields.String(required=True, metadata={"enum": ["client", "practitioner"]})
    profile_id = fields.Integer(required=True)
    other_name = fields.String(required=True)
    unread = fields.Integer(required=True)
    last_message_at = UtcDateTime(allow_none=True)


class ConversationDetailOut(ConversationOut):
    can_write = fields.Boolean(required=True)
    contacts = fields.Nested(PartyContactsOut, allow_none=True)
    other_read_at = UtcDateTime(allow_none=True)
    messages = fields.List(fields.Nested(ThreadMessageOut), required=True)
