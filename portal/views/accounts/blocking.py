"""Staff pages to find accounts, see duplicate signals and block or unblock
them (agreement 11.4), and how a blocked user is told: at login (correct
password only) and when a running session ends at the next request.

Thin: the rules are in portal.services.accounts.blocking."""
from __future__ import annotations

from flask import flash, g, has_request_context, make_response, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.http import put_error, refused
from portal.core.labels import label
from portal.forms.accounts import BlockForm, UnblockForm
from portal.models.accounts import AccountStatus, PortalUser
from portal.services.accounts import blocking
from portal.services.trust import complaints

T = "portal/practitioners/moderation/"

AUDIT_LABELS = {"block": _l("Blocked"), "unblock": _l("Unblocked"), "status": _l("Status change"),
                "consent": _l("News and advertising emails"), "close": _l("Account closed by the user")}
# the two mailing consents of services.notifications.mailings.set_consent, stored as "info=on,ads=off"
CONSENT_NAMES = {"info": _l("Informational messages"), "ads": _l("Advertising messages")}
CONSENT_STATES = {"on": _l("Yes"), "off": _l("No")}


def audit_value(value: str | None) -> str:
    """A from/to value of the account history, readable: consents as
    "Informational messages: Yes; Advertising messages: No", codes by their label."""
    pairs = [item.partition("=") for item in (value or "").split(",")]
    if value and all(key in CONSENT_NAMES and state in CONSENT_STATES for key, _, state in pairs):
        return "; ".join(f"{CONSENT_NAMES[key]}: {CONSENT_STATES[state]}" for key, _, state in pairs)
    return label(value)






class AccountsView(BaseView):
    route_base = "/moderation/accounts"
    default_view = "index"

    def render_template(self, template, **kwargs):
        return super().render_template(template, alabel=lambda c: str(AUDIT_LABELS.get(c) or label(c)),
                                       avalue=audit_value, signal_label=lambda s: str(blocking.SIGNALS.get(s, s)), **kwargs)

    @expose("/")
    @has_access
    def index(self):
        q = (request.args.get("q") or "").strip()[:100]
        status = request.args.get("status") or None
        if status not in AccountStatus.ALL:
            status = None
        page = blocking.search_users(q, status, request.args.get("page", 1, type=int) or 1)
        counts = {uid: len(found) for uid, found in blocking.duplicates_of(page.items).items()}
        return self.render_template(T + "accounts.html", page=page, q=q, status=status,
                                    statuses=AccountStatus.ALL, counts=counts,
                                    complaint_signals=blocking.many_complaints(), signal_days=complaints.signal_days(),
                                    ip_signals=blocking.frequent_changes())

    @expose("/<int:user_id>")
    @has_access
    def show(self, user_id: int):
        user = self._user(user_id)
        return self.render_template(T + "account.html", u=user, duplicates=blocking.duplicates(user),
                                    history=blocking.history(user.id), blocked=AccountStatus.BLOCKED,
                                    active=AccountStatus.ACTIVE,
                                    complaints_about=complaints.count_about(user.id), signal_days=complaints.signal_days(),
                                    no_shows_about=complaints.no_shows_about(user.id))

    @expose("/<int:user_id>/block", methods=["GET", "POST"])
    @has_access
    def block(self, user_id: int):
        return self._decide(
            user_id, "block", BlockForm, AccountStatus.ACTIVE,
            lambda form: blocking.block(g.user, user_id, form.reason.data or "", form.note.data or ""),
            _l("The account of %(name)s is blocked; they have been told by email."))

    @expose("/<int:user_id>/unblock", methods=["GET", "POST"])
    @has_access
    def unblock(self, user_id: int):
        return self._decide(
            user_id, "unblock", UnblockForm, AccountStatus.BLOCKED,
            lambda form: blocking.unblock(g.user, user_id, form.note.data or ""),
            _l("The account of %(name)s is active again; they have been told by email."))

    def _decide(self, user_id: int, action: str, form_class, allowed_from: str, run, done):
        """GET: the confirmation page; POST: run the service, or show its error."""
        user = self._user(user_id)
        form = form_class(request.form if request.method == "POST" else None)
        error = None
        if request.method == "POST" and form.validate():
            try:
                run(form)
            except ServiceError as err:
                refused(err)
                error = put_error(form, err)
            else:
                flash(str(done % {"name": user.full_name}), "success")
                return redirect(url_for("AccountsView.show", user_id=user_id))
        status = 400 if request.method == "POST" else 200
        return self.render_template(T + "account_confirm.html", u=user, form=form, action=action,
                                    error=error, allowed=user.status == allowed_from), status

    def _user(self, user_id: int) -> PortalUser:
        return blocking.get_user(g.user, user_id)


# --- telling a blocked user ----------------------------------------------------------------------

class AuthDBView(FabAuthDBView):
    """FAB's login; a blocked account with the correct password is told why
    instead of the generic message (a wrong password still gets the generic one).
    Named like FAB's view on purpose: FAB builds the login endpoint from the class
    name ("AuthDBView.login"), and the login rate limit and tests rely on it."""

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        """Signing out changes state, so only a POST does it (CSRFProtect checks its
        token). A GET (an old link or bookmark, or a page that tricks the browser into
        loading the URL) signs nobody out: a signed-in user gets a page with the button."""
        if request.method == "POST":
            return super().logout()
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        response = make_response(self.render_template("portal/accounts/security/logout.html", appbuilder=self.appbuilder))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @property
    def invalid_login_message(self):
        if not has_request_context():  # FAB inspects the view's attributes at start-up
            return FabAuthDBView.invalid_login_message
        user = blocking.blocked_login(request.form.get("username"), request.form.get("password"))
        return blocking.refusal_message(user) if user is not None else FabAuthDBView.invalid_login_message


PortalAuthDBView = AuthDBView  # the name portal.security uses


def end_blocked_session():
    """Flask-Login (FAB's load_user) no longer loads a blocked user, so the
    request is anonymous; end the stale session and say why."""
    user_id = session.get("_user_id")
    if not user_id or current_user.is_authenticated:
        return None
    try:
        user = db.session.get(PortalUser, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is not None and user.status == AccountStatus.BLOCKED:
        logout_user()
        flash(blocking.refusal_message(user), "danger")
    return None


def register(appbuilder) -> None:
    appbuilder.add_view(AccountsView, "Accounts", href="/moderation/accounts/", category="Back office",
                        label=_l("Accounts"), icon="fa-user-lock")
