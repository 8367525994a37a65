"""A signed-in user's notifications: the list, opening one, marking all read,
per-kind settings (on the site, by email, by push), this browser's push
subscription (the settings page's switch, portal/static/js/push.js), and the
unread count for the navbar bell."""
from __future__ import annotations

import logging

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from portal.core.errors import NotFound, ServiceError
from portal.forms.api import translated_errors
from portal.forms.api.notifications import PushEndpointIn, PushSubscriptionIn
from portal.services.accounts import sessions
from portal.services.notifications import inbox, kinds, mailings, push

log = logging.getLogger(__name__)
PER_PAGE = 20


class NotificationsView(BaseView):
    route_base = "/notifications"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        return self.render_template("portal/notifications/inbox.html",
                                    page=inbox.page_for(g.user.id, page, PER_PAGE),
                                    render=kinds.render)

    @expose("/open/<int:notification_id>")
    @has_access
    def open(self, notification_id: int):
        link = inbox.open(g.user.id, notification_id)
        if not inbox.is_safe_link(link):  # only local paths: never an open redirect
            return redirect(url_for("NotificationsView.index"))
        return redirect(link)

    @expose("/read", methods=["POST"])
    @has_access
    def read(self):
        inbox.mark_read(g.user.id)
        flash(str(_l("All notifications are marked as read.")), "info")
        return redirect(url_for("NotificationsView.index"))

    @expose("/settings", methods=["GET", "POST"])
    @has_access
    def settings(self):
        rows = inbox.preferences(g.user)
        if request.method == "POST":  # only the kinds on the page (an unchecked box is not posted)
            channels = ("in_app", "email", "push")
            inbox.update_preferences(g.user, {row.kind: {name: f"{name}_{row.kind}" in request.form
                                                         for name in channels} for row in rows})
            flash(str(_l("Your notification settings are saved.")), "success")
            return redirect(url_for("NotificationsView.settings"))
        return self.render_template("portal/notifications/settings.html", rows=rows, user=g.user,
                                    push_key=push.public_key())

    @expose("/push/subscribe", methods=["POST"])
    @has_access
    def push_subscribe(self):
        """This browser's push subscription (JSON from js/push.js, with the CSRF token in X-CSRFToken)."""
        # tied to this browser's sign-in: signing out stops its pushes (a shared computer)
        session_id = sessions.row_id(session.get(sessions.SESSION_KEY), g.user.id)
        return _json_call(PushSubscriptionIn, lambda data: push.subscribe(
            g.user, data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"], request.user_agent.string,
            session_id=session_id))

    @expose("/push/unsubscribe", methods=["POST"])
    @has_access
    def push_unsubscribe(self):
        return _json_call(PushEndpointIn, lambda data: push.unsubscribe(g.user, data["endpoint"]))

    @expose("/consent", methods=["POST"])
    @has_access
    def consent(self):
        """Informational and advertising mailings (agreement 3.3), on the settings page."""
        mailings.set_consent(g.user, "consent_info" in request.form, "consent_ads" in request.form)
        flash(str(_l("Your choice of news and advertising emails is saved.")), "success")
        return redirect(url_for("NotificationsView.settings") + "#mailings")


def _json_call(schema, action):
    """Validate the JSON body with ``schema``, run ``action``: {"ok": true}, or the
    problem with translated messages (400 invalid, 404 not this user's, 422 refused)."""
    try:
        action(schema().load(request.get_json(silent=True) or {}))
    except ValidationError as err:
        return jsonify(ok=False, errors=translated_errors(err.messages)), 400
    except NotFound as err:
        return jsonify(ok=False, message=str(err.message)), 404
    except ServiceError as err:
        return jsonify(ok=False, message=str(err.message), field=err.field), 422
    return jsonify(ok=True)


def _unread_count() -> int:
    """Unread notifications of the signed-in user (0 for visitors); queried once
    per request, and only when a template asks."""
    if not current_user or not getattr(current_user, "is_authenticated", False):
        return 0
    if "_unread_notifications" not in g:
        try:
            g._unread_notifications = inbox.unread_count(current_user.id)
        except SQLAlchemyError:  # e.g. an error page after a failed transaction: no bell count
            log.warning("notifications: unread count unavailable", exc_info=True)
            g._unread_notifications = 0
    return g._unread_notifications


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(NotificationsView)
    current_app.context_processor(lambda: {"unread_notifications": _unread_count})
