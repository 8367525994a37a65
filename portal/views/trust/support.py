"""Support pages (agreement 5.6, 12.1): a logged-in user's chat with support
at /support/, the visitors' feedback form at /support/feedback (rate-limited
per IP), and the staff inbox at /moderation/support/ with a page per
conversation to reply, close or reopen it. Plain forms, no JavaScript.

Thin: the rules (lengths, email, who may read what, read marks, emails) are
in portal.services.trust.support."""
from __future__ import annotations

import logging

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from portal.core.errors import ServiceError
from portal.core.http import refuse, refused
from portal.core.i18n import current_locale
from portal.core.labels import label
from portal.core.limits import per_account
from portal.models.accounts import is_staff
from portal.models.trust import SupportKind
from portal.services.trust import support

log = logging.getLogger(__name__)
T = "portal/trust/support/"
PER_PAGE = 20
AUDIT_LABELS = {"close": _l("Closed"), "reopen": _l("Reopened")}
INBOX_STATUSES = ("open", "closed", "all")


def _errors(err: ServiceError) -> tuple[dict[str, str], str | None]:
    """(field -> message, message without a field) of a service error."""
    fields, general = {}, None
    for e in getattr(err, "errors", [err]):
        if e.field:
            fields.setdefault(e.field, str(e.message))
        else:
            general = str(e.message)
    return fields, general


# --- a user's chat -------------------------------------------------------------------------------

class SupportView(BaseView):
    route_base = "/support"
    default_view = "index"
    limits = [per_account("support-message", "SUPPORT_MESSAGE_RATE_LIMIT",
                          counted="support_message_sent")]

    @expose("/")
    @has_access
    def index(self):
        support.mark_read_by_user(g.user)
        return self._page()

    @expose("/send", methods=["POST"])
    @has_access
    def send(self):
        body = request.form.get("body", "")
        try:
            support.write(g.user, body)
        except ServiceError as err:
            fields, general = _errors(err)
            return self._page(body=body, error=fields.get("body") or general), 400
        g.support_message_sent = True
        flash(str(_l("Your message has been sent. Support will answer here; we will also email you.")),
              "success")
        return redirect(url_for("SupportView.index", _anchor="latest"))

    def _page(self, body: str = "", error: str | None = None):
        return self.render_template(T + "chat.html", conv=support.chat_of(g.user), body=body, error=error,
                                    max_length=support.MESSAGE_MAX)


# --- visitors' feedback form ---------------------------------------------------------------------

def _feedback_limit() -> str:
    return current_app.config["SUPPORT_FEEDBACK_RATE_LIMIT"]


def _feedback_accepted(response) -> bool:
    return bool(g.get("support_feedback_sent"))


class FeedbackView(BaseView):
    """Public. Logged-in users are sent to their chat."""

    route_base = "/support"
    default_view = "index"
    limits = [Limit(_feedback_limit, key_func=get_remote_address, methods=("POST",), cost=1,
                    deduct_when=_feedback_accepted, exempt_when=lambda: current_user.is_authenticated)]

    @expose("/feedback", methods=["GET", "POST"])
    def index(self):
        if current_user.is_authenticated:
            return redirect(url_for("SupportView.index"))
        email, body = request.form.get("email", ""), request.form.get("body", "")
        errors, general = {}, None
        if request.method == "POST":
            try:
                conv = support.submit_feedback(email, body, current_locale())
            except ServiceError as err:
                errors, general = _errors(err)
            else:
                g.support_feedback_sent = True
                flash(str(_l("Thank you! Your message has been sent. Support will answer by email at "
                             "%(email)s.", email=conv.email)), "success")
                return redirect(url_for("FeedbackView.index"))
        status = 400 if request.method == "POST" else 200
        return self.render_template(T + "feedback.html", email=email, body=body, errors=errors,
                                    general=general, max_length=support.MESSAGE_MAX,
                                    min_length=support.FEEDBACK_MIN), status


# --- staff inbox ---------------------------------------------------------------------------------

class SupportInboxView(BaseView):
    route_base = "/moderation/support"
    default_view = "index"

    def render_template(self, template, **kwargs):
        return super().render_template(template, alabel=lambda c: str(AUDIT_LABELS.get(c) or label(c)),
                                       **kwargs)

    @expose("/")
    @has_access
    def index(self):
        status = request.args.get("status") or "open"
        status = status if status in INBOX_STATUSES else "open"
        kind = request.args.get("kind") or None
        kind = kind if kind in SupportKind.ALL else None
        unread = request.args.get("unread") == "1"
        page = support.inbox(None if status == "all" else status, kind, unread,
                             request.args.get("page", 1, type=int) or 1, PER_PAGE)
        return self.render_template(T + "inbox.html", page=page, status=status, kind=kind, unread=unread,
                                    statuses=INBOX_STATUSES, kinds=SupportKind.ALL,
                                    waiting=_support_unread())  # counted once: the navbar shows it too

    @expose("/<int:conversation_id>")
    @has_access
    def show(self, conversation_id: int):
        conv = self._conversation(conversation_id)
        unread = support.unread_staff_messages(conv)
        read_before = conv.staff_read_at
        support.mark_read_by_staff(conv)
        return self._page(conv, unread=unread, read_before=read_before)

    @expose("/<int:conversation_id>/reply", methods=["POST"])
    @has_access
    def reply(self, conversation_id: int):
        conv = self._conversation(conversation_id)
        body = request.form.get("body", "")
        try:
            support.reply(g.user, conversation_id, body)
        except ServiceError as err:
            refused(err)
            fields, general = _errors(err)
            return self._page(conv, body=body, error=fields.get("body") or general), 400
        if conv.kind == SupportKind.FEEDBACK:
            flash(str(_l("The reply has been emailed to %(email)s.", email=conv.email)), "success")
        else:
            flash(str(_l("The reply has been sent; the user is notified in the portal and by email.")), "success")
        return redirect(url_for("SupportInboxView.show", conversation_id=conversation_id, _anchor="latest"))

    @expose("/<int:conversation_id>/close", methods=["POST"])
    @has_access
    def close(self, conversation_id: int):
        return self._status(conversation_id, support.close, _l("The conversation is closed."))

    @expose("/<int:conversation_id>/reopen", methods=["POST"])
    @has_access
    def reopen(self, conversation_id: int):
        return self._status(conversation_id, support.reopen, _l("The conversation is open again."))

    def _status(self, conversation_id: int, run, done):
        try:
            run(g.user, conversation_id, request.form.get("note", ""))
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(done), "success")
        return redirect(url_for("SupportInboxView.show", conversation_id=conversation_id))

    def _conversation(self, conversation_id: int):
        return support.get_for_staff(g.user, conversation_id)

    def _page(self, conv, body: str = "", error: str | None = None, unread: int = 0, read_before=None):
        return self.render_template(T + "conversation.html", conv=conv, body=body, error=error, unread=unread,
                                    read_before=read_before, history=support.history(conv.id),
                                    max_length=support.MESSAGE_MAX)


# --- the navbar count ----------------------------------------------------------------------------

def _support_unread() -> int:
    """For staff: conversations waiting in the inbox; for a user: unread
    replies in their chat; 0 for visitors. Queried once per request, only when
    a template asks."""
    if not current_user or not getattr(current_user, "is_authenticated", False):
        return 0
    if "_support_unread" not in g:
        try:
            g._support_unread = (support.unread_for_staff() if is_staff(current_user)
                                 else support.unread_for_user(current_user.id))
        except SQLAlchemyError:  # e.g. an error page after a failed transaction
            log.warning("support: unread count unavailable", exc_info=True)
            g._support_unread = 0
    return g._support_unread


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(SupportView)
    appbuilder.add_view_no_menu(FeedbackView)
    appbuilder.add_view(SupportInboxView, "Support inbox", href="/moderation/support/", category="Back office",
                        label=_l("Support inbox"), icon="fa-headset")
    current_app.context_processor(lambda: {"support_unread": _support_unread,
                                              "support_is_staff": lambda: is_staff(current_user)})
