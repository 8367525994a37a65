"""A visitor's request before they have an account (services.exchange.pending),
mixed into RequestsView: the visitor's side of the request form, the
signed-in user's "publish / keep as draft / discard" of what they wrote before
signing in, and ``continue_after_sign_in``, which the login and registration
views (portal.security) call right after a successful POST.

The token that finds the pending request lives in the visitor's session only
(SESSION_KEY); no URL or form ever carries it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.core.errors import ServiceError
from portal.core.http import refuse
from portal.forms.exchange import RequestForm
from portal.services.agreement import needs_acceptance
from portal.services.exchange import pending

SESSION_KEY = "pending_request"
CONTINUE_ARG = "continue"  # /requests/new?continue=1: the sign-in that follows the visitor's submit


def continue_url() -> str:
    """Where sign-in and registration go back to after the visitor's submit."""
    return url_for("RequestsView.new", **{CONTINUE_ARG: "1"})


def _is_continuation(next_url: str | None) -> bool:
    """Does ``next`` come from the visitor's submit (then "Publish" publishes)?"""
    if not next_url:
        return False
    parts = urlsplit(next_url)
    return parts.path.rstrip("/").endswith("/requests/new") and parse_qs(parts.query).get(CONTINUE_ARG) == ["1"]


def flash_published(req) -> None:
    """Say whom a request just published was sent to (``published_notice``)."""
    text, level = published_notice(req)
    flash(text, level)


def published_notice(req) -> tuple[str, str]:
    """Whom a request just published was sent to, and the flash level: ``req.sent_to``,
    the number of practitioners the publishing service notified
    (services.exchange.requests._publish). The JSON API answers with the same text."""
    count = req.sent_to or 0
    if req.target_profile is not None:
        return _("Your request was sent to %(name)s.", name=req.target_profile.name), "success"
    if count:
        return ngettext("Your request was published and sent to %(num)d practitioner (%(region)s).",
                        "Your request was published and sent to %(num)d practitioners (%(region)s).",
                        count, region=req.region.name), "success"
    text = _("Your request was published, but no verified practitioner in %(region)s matches it yet. "
             "It stays open, and practitioners who start serving this region will see it in their feed.",
             region=req.region.name)
    if req.specializations:
        text += " " + _("Fewer specializations reach more practitioners: you can still edit the request.")
    return text, "info"


def _flash_claimed(result: pending.Claimed) -> None:
    req = result.request
    if result.published:
        flash_published(req)
    else:
        flash(str(pending.refusal(result.reason)), "warning")


def continue_after_sign_in(user, next_url: str | None):
    """Right after a sign-in or registration: the pending request of this
    browser becomes the user's (published when they come straight from the
    submit and chose "Publish", else a draft). A redirect to it, or None (no
    pending request: the caller goes on as usual)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    if needs_acceptance(user):  # the agreement gate comes first; the form then offers to publish
        return None
    result = pending.claim(user, token, publish=_is_continuation(next_url))
    if result is None:  # expired or gone
        session.pop(SESSION_KEY, None)
        return None
    if result.request is None:  # not even a draft: the form shows what they wrote and why
        flash(str(_l("Your request could not be saved: %(reason)s", reason=result.reason)), "danger")
        return redirect(url_for("RequestsView.new"))
    session.pop(SESSION_KEY, None)
    _flash_claimed(result)
    return redirect(url_for("RequestsView.show", request_id=result.request.id))


def _limit_value() -> str:
    return current_app.config["PENDING_REQUEST_RATE_LIMIT"]


def _limit_key() -> str:
    return "pending-request:" + (get_remote_address() or "")


def _not_a_visitor_submit() -> bool:
    return request.endpoint != "RequestsView.new" or current_user.is_authenticated


# Visitors' request submissions per IP (PENDING_REQUEST_RATE_LIMIT); only kept ones count.
PENDING_LIMITS = [Limit(_limit_value, key_func=_limit_key, methods=("POST",), exempt_when=_not_a_visitor_submit,
                        deduct_when=lambda response: bool(g.get("pending_kept")))]


class PendingActions:
    """The visitor's request form and what a signed-in user does with what they wrote before."""

    def _pending(self):
        row = pending.find(session.get(SESSION_KEY))
        return pending.summary(row) if row is not None else None

    def _visitor_new(self):
        form = RequestForm()
        kept = self._pending()
        target_id = self._to_target_id(form)
        if request.method == "GET" and kept is not None and not request.args.get("profile"):
            form = self._form_of(kept)
            target_id = kept["fields"].target_profile_id
        target = self._target(target_id)
        if request.method == "GET" and target is not None and kept is None:
            form.category_id.data, form.target_profile_id.data = target.category_id, str(target.id)
        self._preset_category(form)
        self._prefill_description(form)  # the search page's "File a request" (views.exchange.requests)
        if request.method == "POST" and not self._changing_category() and form.validate():
            publish = request.form.get("action") == "publish"
            try:
                token = pending.submit(self._input(form, target_id), publish,
                                       files=request.files.getlist("attachments"))
            except ServiceError as err:
                refuse(err, form)
            else:
                g.pending_kept = True
                pending.discard(session.get(SESSION_KEY))  # a new submission replaces the earlier one
                session[SESSION_KEY] = token
                return redirect(url_for("AuthDBView.login", next=continue_url()))
        return self._form_page(form, target=target, target_id=target_id, kept=kept)

    @staticmethod
    def _form_of(kept: dict) -> RequestForm:
        data = kept["fields"]
        return RequestForm(formdata=None, data={
            "category_id": data.category_id, "region_id": data.region_id, "title": data.title,
            "description": data.description, "city": data.city, "budget": data.budget,
            "desired_date": data.desired_date, "specialization_ids": list(data.specialization_ids),
            "target_profile_id": str(data.target_profile_id or "")})

    @expose("/pending", methods=["POST"])
    @has_access
    def pending(self):
        """A signed-in user's choice for the request they wrote before signing in."""
        token = session.get(SESSION_KEY)
        action = request.form.get("action")
        if action == "discard":
            pending.discard(token)
            session.pop(SESSION_KEY, None)
            flash(str(_l("The unsent request was discarded.")), "success")
            return redirect(url_for(".new"))
        result = pending.claim(g.user, token, publish=action == "publish")
        if result is None:
            session.pop(SESSION_KEY, None)
            flash(str(_l("The unsent request has expired. Please fill in the form again.")), "warning")
            return redirect(url_for(".new"))
        if result.request is None:
            flash(str(_l("Your request could not be saved: %(reason)s", reason=result.reason)), "danger")
            return redirect(url_for(".new"))
        session.pop(SESSION_KEY, None)
        _flash_claimed(result)
        return redirect(url_for(".show", request_id=result.request.id))
