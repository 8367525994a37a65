"""The user agreement for users (agreement section 3): the public page with
the current version and the history, the "I accept" page for a new version
(3.1a), and the re-acceptance gate that sends a signed-in user there first.

Thin: the rules are in portal.services.agreement."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core import page_cache
from portal.core.api import problem
from portal.core.errors import ServiceError
from portal.core.http import refused
from portal.core.i18n import current_locale
from portal.services import agreement, agreement_text
from portal.views.accounts.consent import here, safe_next

ACCEPT_PATH = "/agreement/accept"

# What a user who must accept a new version may still reach: static files,
# signing in and out, the agreement pages themselves, the language switch,
# the cookie choice and the public search API (read-only JSON, open to visitors).
# Error pages have no endpoint and are never stopped.
# Also exempt: what a user who does not accept still needs (agreement 11.2: they may close the
# account and take their data; support, and securing a compromised account, must stay reachable).
EXEMPT_VIEWS = {"static", "appbuilder", "AgreementView", "AgreementAcceptView", "CookiesView", "LocaleView",
                "SearchApi", "SupportView", "FeedbackView", "PrivacyView", "AccountSecurityView",
                "PasswordResetView", "ResetMyPasswordView", "WebAppView"}
EXEMPT_ENDPOINTS = {"AuthDBView.login", "AuthDBView.logout"}

# [user id, version id]: this browser's user has accepted that version, so the gate costs one small
# query (the version in force) per request; a new version in force has another id and is checked again.
ACCEPTED_KEY = "agreement_ok"

GATE_MESSAGE = _l("Please read and accept the new version of the user agreement to continue.")


class AgreementView(BaseView):
    """Public: /agreement/ (the version in force) and /agreement/<n>, each
    with the history of versions and their dates."""

    route_base = "/agreement"
    default_view = "index"

    @expose("/")
    def index(self):
        return self._show(agreement.current_agreement())

    @expose("/<int:version>")
    def version(self, version: int):
        return self._show(agreement.agreement_version(version))

    def _show(self, shown):
        if shown is None:
            abort(404)
        current = agreement.current_agreement()
        lines = agreement.history_lines()
        upcoming = [line.version for line in lines if line.status == agreement.SCHEDULED]
        return self.render_template("portal/agreement/public.html", agreement=shown, current=current,
                                    status=agreement.status_of(shown, current), lines=lines,
                                    upcoming=upcoming[-1] if upcoming else None, statuses=agreement,
                                    **_text_of(shown))


class AgreementAcceptView(BaseView):
    """GET /agreement/accept?next=: the version in force with "I accept";
    POST records the acceptance (IP, user agent) and goes on to ``next``."""

    route_base = "/agreement"
    default_view = "accept"

    @expose("/accept", methods=["GET", "POST"])
    @has_access
    def accept(self):
        target = _next_target(request.values.get("next"))
        if not agreement.needs_acceptance(g.user):
            return redirect(target)
        error = None
        if request.method == "POST":
            try:
                acceptance = agreement.accept_current(g.user, request.form.get("version", type=int),
                                                      request.remote_addr or "", request.user_agent.string)
            except ServiceError as err:
                refused(err)
                error = err.message
            else:
                _remember_accepted(g.user.id, acceptance.version_id)
                flash(str(_l("Thank you: you accepted the user agreement.")), "success")
                return redirect(target)
        current = agreement.current_agreement()
        previous = agreement.last_accepted(g.user.id)
        return self.render_template("portal/agreement/accept.html", agreement=current, next_url=target,
                                    previous=previous.version if previous else None,
                                    changes=agreement.changes_summary(current.version) if previous else None,
                                    error=error, **_text_of(current)), (409 if error else 200)


def _text_of(version) -> dict:
    """The text of ``version`` in the page language (Russian when it has none),
    as sections and clauses with their anchors (portal.services.agreement_text)."""
    lang = current_locale()
    return {"doc": agreement_text.document(version, lang), "text_lang": agreement_text.text_language(version, lang)}


def _next_target(value: str | None) -> str:
    """A safe local path to continue to; never the accept page itself."""
    target = safe_next(value)
    return "/" if target.startswith(ACCEPT_PATH) else target


def _referrer_path() -> str:
    """Where a refused form was sent from, when that is this site."""
    referrer = request.referrer or ""
    if not referrer.startswith(request.host_url):
        return "/"
    return safe_next("/" + referrer[len(request.host_url):])


def _remember_accepted(user_id: int, version_id: int) -> None:
    session[ACCEPTED_KEY] = [user_id, version_id]


def _must_accept(user) -> bool:
    """The version in force is read on every request; whether the user accepted
    it only until this browser's session remembers that they did."""
    current_id = agreement.current_version_id()
    if current_id is None or session.get(ACCEPTED_KEY) == [user.id, current_id]:
        return False
    if agreement.needs_acceptance(user, current_id):
        return True
    _remember_accepted(user.id, current_id)
    return False


def agreement_gate():
    """Before every request: a signed-in user who has not accepted the
    version in force is sent to the accept page; nothing they send (GET or
    not) is handled before that. JSON APIs answer 403 instead."""
    endpoint = request.endpoint
    if endpoint is None or request.routing_exception is not None:
        return None
    if endpoint in EXEMPT_ENDPOINTS or endpoint.split(".")[0] in EXEMPT_VIEWS:
        return None
    if not current_user.is_authenticated or not _must_accept(current_user):
        return None
    if request.path.startswith("/api/"):
        return problem(403, GATE_MESSAGE, kind="agreement", agreement_version=agreement.current_agreement().version,
                       accept_url="/api/v1/agreement/accept")
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("AgreementAcceptView.accept", next=here()))
    flash(str(GATE_MESSAGE), "warning")
    return redirect(url_for("AgreementAcceptView.accept", next=_referrer_path()), 303)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(AgreementView())
    appbuilder.add_view_no_menu(AgreementAcceptView())
    for endpoint in ("AgreementView.index", "AgreementView.version"):  # cached for visitors (core.page_cache)
        page_cache.public_page(endpoint, lambda args: agreement.page_tags())
