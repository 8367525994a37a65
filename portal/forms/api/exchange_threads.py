"""API schemas of the exchange's conversations: opening one, its messages
with their files, the list with unread counts."""
from __future__ import annotations

from flask_babel import gettext
from marshmallow import ValidationError, fields, validates_schema

from portal.forms.api import Id, In, Out, Text, UtcDateTime
from portal.forms.api.exchange import FileOut, PartyContactsOut, RequestBriefOut


class ThreadOpenIn(In):
    request_id = Id(allow_none=True, load_default=None, metadata={"description": "A request's conversation"})
    profile_id = Id(allow_none=True, metadata={"description": "The client: which practitioner"})
    booking_id = Id(allow_none=True, load_default=None,
                    metadata={"description": "A booking's conversation (instead of request_id)"})

    @validates_schema
    def one_subject(self, data, **kwargs):
        if (data.get("request_id") is None) == (data.get("booking_id") is None):
            raise ValidationError(gettext("Send either request_id or booking_id."), "_schema")


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
    request = fields.Nested(RequestBriefOut, allow_none=True, required=True,
                            metadata={"description": "The request it is about (null: a booking's conversation)"})
    booking_id = fields.Integer(allow_none=True, required=True,
                                metadata={"description": "The booking it is about (null: a request's conversation)"})
    title = fields.String(required=True, metadata={"description": "The request's title, or the booking's "
                                                                  "service and local date and time"})
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
