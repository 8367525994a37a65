"""API of notifications (``/api/v1/notifications``, ``/api/v1/push``): the
list with its unread count, read marks, per-kind settings (on the site, by
email, by push) and the device's Web Push subscription. The same services as
the notification pages and the settings page's switch."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_jwt

from portal.core.api import page_body, problem
from portal.forms.api.notifications import (
    NotificationListOut,
    NotificationQuery,
    PushEndpointIn,
    PushKeyOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
    ReadIn,
    ReadOut,
    SettingOut,
    SettingsIn,
    UnsubscribedOut,
)
from portal.services.notifications import inbox, push
from portal.views.api import Call, PortalApi, operation


class NotificationsApi(PortalApi):
    resource_name = "notifications"
    openapi_spec_tag = "Notifications"

    @expose("", methods=["GET"])
    @operation("My notifications, newest first, with the unread count", query=NotificationQuery,
               response=NotificationListOut)
    def index(self, call: Call):
        page = inbox.page_for(call.user.id, call.query["page"], call.query["per_page"])
        return {**page_body(page, page.items), "unread": inbox.unread_count(call.user.id)}

    @expose("/read", methods=["POST"])
    @operation("Mark notifications read: the given ids (mine only; others are ignored) or all",
               body=ReadIn, response=ReadOut)
    def read(self, call: Call):
        ids = None if call.data.get("all") else call.data["ids"]
        marked = inbox.mark_read(call.user.id, ids=ids)
        return {"marked": marked, "unread": inbox.unread_count(call.user.id)}

    @expose("/settings", methods=["GET"])
    @operation("What I get for each kind of notification: on the site, by email, by push",
               response=SettingOut, many=True)
    def settings(self, call: Call):
        return inbox.preferences(call.user)

    @expose("/settings", methods=["PUT"])
    @operation("Change what I get for some kinds (always-on kinds stay on); answers every kind",
               body=SettingsIn, response=SettingOut, many=True)
    def update_settings(self, call: Call):
        changes = {item["kind"]: {k: v for k, v in item.items() if k != "kind"} for item in call.data["settings"]}
        return inbox.update_preferences(call.user, changes)


class PushApi(PortalApi):
    resource_name = "push"
    openapi_spec_tag = "Notifications"

    @expose("/key", methods=["GET"])
    @operation("The VAPID public key to subscribe with (404 when push is not set up on this server)",
               public=True, response=PushKeyOut, errors=(404,))
    def key(self, call: Call):
        key = push.public_key()
        if key is None:
            return problem(404, push.NOT_SET_UP)
        return {"public_key": key}

    @expose("/subscriptions", methods=["POST"])
    @operation("Register this device's push subscription (the same endpoint again updates it)",
               body=PushSubscriptionIn, response=PushSubscriptionOut)
    def subscribe(self, call: Call):
        keys = call.data["keys"]
        # tied to this API session: signing out of the app stops its pushes
        return push.subscribe(call.user, call.data["endpoint"], keys["p256dh"], keys["auth"],
                              request.user_agent.string, session_id=get_jwt().get("sid"))

    @expose("/subscriptions", methods=["DELETE"])
    @operation("Remove this device's push subscription (mine only; another user's or an unknown one: 404)",
               body=PushEndpointIn, response=UnsubscribedOut, errors=(404,))
    def unsubscribe(self, call: Call):
        push.unsubscribe(call.user, call.data["endpoint"])
        return {"message": _l("Notifications are off for this device.")}


def register(appbuilder) -> None:
    appbuilder.add_api(NotificationsApi)
    appbuilder.add_api(PushApi)
