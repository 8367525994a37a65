"""API schemas of notifications: the list, read marks, per-kind settings and
Web Push subscriptions. ``PushSubscriptionIn`` is also what the settings page's
script posts (portal/static/js/push.js): the browser's ``subscription.toJSON()``."""
from __future__ import annotations

from flask_babel import gettext
from marshmallow import ValidationError, fields, validate, validates_schema

from portal.forms.api import Id, In, Out, PageQuery, UtcDateTime
from portal.services.notifications import kinds

MAX_IDS = 500


class NotificationQuery(PageQuery):
    """Page and page size of the list."""


class NotificationOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.Function(kinds.render, required=True,
                           metadata={"description": "What happened, in the language of Accept-Language"})
    link = fields.String(required=True, metadata={"description": "The portal page it is about (a local path)"})
    read = fields.Function(lambda n: n.read_at is not None, required=True)
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True)


class NotificationListOut(Out):
    items = fields.List(fields.Nested(NotificationOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    unread = fields.Integer(required=True, metadata={"description": "Unread notifications in all pages"})


class ReadIn(In):
    """Either the ids to mark read, or ``all: true``."""

    ids = fields.List(Id(), validate=validate.Length(min=1, max=MAX_IDS))
    all = fields.Boolean()

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ValidationError(gettext("Send either the ids to mark read or \"all\": true."), "_schema")


class ReadOut(Out):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread and are read now"})
    unread = fields.Integer(required=True)


class SettingOut(Out):
    kind = fields.String(required=True)
    label = fields.Function(lambda c: str(c.spec.description), required=True,
                            metadata={"description": "What the kind is about, in the language of the call"})
    in_app = fields.Boolean(required=True)
    email = fields.Boolean(required=True)
    push = fields.Boolean(required=True)
    mandatory = fields.Function(lambda c: c.spec.mandatory, required=True,
                                metadata={"description": "Always on (a running request or the account): "
                                                         "changes are ignored"})


class SettingIn(In):
    kind = fields.String(required=True, validate=validate.OneOf(list(kinds.KINDS)))
    in_app = fields.Boolean()
    email = fields.Boolean()
    push = fields.Boolean()


class SettingsIn(In):
    """The kinds to change (others stay as they are); a channel left out keeps its value."""

    settings = fields.List(fields.Nested(SettingIn), required=True, validate=validate.Length(max=len(kinds.KINDS)))


class PushKeyOut(Out):
    public_key = fields.String(required=True, metadata={
        "description": "The VAPID public key (base64url): applicationServerKey of pushManager.subscribe"})


class PushKeysIn(In):
    p256dh = fields.String(required=True, validate=validate.Length(min=1, max=128))
    auth = fields.String(required=True, validate=validate.Length(min=1, max=64))


class PushSubscriptionIn(In):
    """A browser's PushSubscription.toJSON() (expirationTime is accepted and ignored)."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024),
                             metadata={"description": "https URL of the push service"})
    keys = fields.Nested(PushKeysIn, required=True)
    expirationTime = fields.Raw(allow_none=True, load_only=True)  # noqa: N815  (the browser's name)


class PushEndpointIn(In):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class PushSubscriptionOut(Out):
    endpoint = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    last_success_at = UtcDateTime(allow_none=True)


class UnsubscribedOut(Out):
    message = fields.String(required=True)
