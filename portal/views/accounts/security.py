"""Account security pages (agreement 4b) and the hooks that tie Flask-Login to
the ``user_session`` rows.

* /account/security/: login history, signed-in devices, ending one or all
  other sessions, and "This wasn't me" on a login (confirmation pages first).
* /resetmypassword/form: FAB's "Change password" page (``ResetMyPasswordView``,
  same name and permissions) asking for the current password first.
* /reset-password/: "Forgot password?": ask for a link (the same answer for
  every email, rate-limited per IP and per email) and choose a new password.
* Hooks: signing in starts a session row (its token goes into the Flask
  session), signing out ends it, and before every request a browser whose row
  was ended elsewhere, or that has no row at all (a copied old cookie), is
  signed out and told so.

Thin: the rules are in portal.services.accounts.sessions and .password_reset."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import UserInfoEditView as FabUserInfoEditView
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

from portal.core import login_limits
from portal.core.errors import ServiceError
from portal.core.http import put_error
from portal.core.limits import retry_after
from portal.forms.accounts import ChangePasswordForm, NewPasswordForm, ResetRequestForm
from portal.services.accounts import password_reset, sessions
from portal.services.accounts.sessions import SESSION_KEY
from portal.views.accounts.consent import here

T = "portal/accounts/security/"
SIGNED_OUT = _l("You were signed out: this session was ended from another device or after a password change. "
                "Please sign in again.")
NO_SESSION = _l("You were signed out: this session is no longer valid. Please sign in again.")


def _ip() -> str:
    return request.remote_addr or ""


def _token() -> str | None:
    return session.get(SESSION_KEY)


class AccountSecurityView(BaseView):
    route_base = "/account/security"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        page = sessions.history(g.user.id, request.args.get("page", 1, type=int) or 1)
        return self.render_template(T + "index.html", page=page, live=sessions.live_sessions(g.user.id),
                                    current=_token(), device=sessions.device_summary)

    @expose("/sessions/<int:session_id>/end", methods=["POST"])
    @has_access
    def end_session(self, session_id: int):
        try:
            sessions.end_one(g.user, session_id, _token())
        except ServiceError as err:
            flash(str(err.message), "danger")
        else:
            flash(str(_l("The session is ended: that device is signed out.")), "success")
        return redirect(url_for("AccountSecurityView.index"))

    @expose("/sessions/end-others", methods=["GET", "POST"])
    @has_access
    def end_others(self):
        current = _token()
        if request.method == "POST":
            count = sessions.end_others(g.user, current)
            flash(ngettext("%(num)d other session is ended.", "%(num)d other sessions are ended.", count), "success")
            return redirect(url_for("AccountSecurityView.index"))
        others = [s for s in sessions.live_sessions(g.user.id) if s.token != current]
        return self.render_template(T + "end_others.html", others=others, device=sessions.device_summary)

    @expose("/not-me/<int:event_id>", methods=["GET", "POST"])
    @has_access
    def not_me(self, event_id: int):
        event = sessions.own_event(g.user, event_id)
        if request.method == "POST":
            try:
                password_reset.report_not_me(g.user, event.id, _ip())
            except ServiceError as err:
                flash(str(err.message), "danger")
                return redirect(url_for("AccountSecurityView.index"))
            session.pop(SESSION_KEY, None)  # its row is ended with the others
            logout_user()
            flash(str(_l("You are signed out on every device, and your old password no longer works. "
                         "We have emailed you a link to choose a new one; staff have been told.")), "warning")
            return redirect(url_for("AuthDBView.login"))
        return self.render_template(T + "not_me.html", event=event, device=sessions.device_summary)


# --- changing the password (signed in) -----------------------------------------------------------

class ResetMyPasswordView(FabResetMyPasswordView):
    """FAB's "Change password" (same name, route and permissions), asking for
    the current password first: a stolen session alone can neither change it
    nor, since a change ends every other session, lock the owner out. Wrong
    current passwords count against the same limits as logins (this signed-in
    session is a known device of the account: counted on its own key)."""

    form = ChangePasswordForm
    form_title = _l("Change password")
    form_template = T + "simple_form.html"  # the portal's own layout, not FAB's Bootstrap form
    message = _l("Your password is changed. Your other sessions are signed out.")

    def form_post(self, form):
        attempt = login_limits.Attempt.from_request(g.user.email)
        attempt.known_device = sessions.token_id(_token())  # this signed-in browser
        attempt.check()
        try:
            password_reset.check_current_password(g.user, form.current_password.data)
        except ServiceError as err:
            attempt.failed()
            put_error(form, err)
            return self.render_template(self.form_template, title=self.form_title, appbuilder=self.appbuilder,
                                        widgets=self._get_edit_widget(form=form)), 400
        return super().form_post(form)  # PortalSecurityManager.reset_password


class UserInfoEditView(FabUserInfoEditView):
    """FAB's "Edit my name" (same name, route and permissions) in the portal's own layout."""

    form_template = T + "simple_form.html"


# --- password reset by email ---------------------------------------------------------------------





def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _not_a_reset_request() -> bool:
    return request.endpoint != "PasswordResetView.ask"


def _submitted_email() -> str:
    return "reset-email:" + (request.form.get("email") or "").strip().lower()[:256]


class PasswordResetView(BaseView):
    """Public. Links in emails point to ``links.password_reset(token)``."""

    route_base = "/reset-password"
    default_view = "ask"
    limits = [
        Limit(_reset_limit, key_func=get_remote_address, methods=("POST",), exempt_when=_not_a_reset_request,
              on_breach=retry_after),
        Limit(_reset_limit, key_func=_submitted_email, methods=("POST",), exempt_when=_not_a_reset_request,
              on_breach=retry_after),
    ]

    @expose("/", methods=["GET", "POST"])
    def ask(self):
        form = ResetRequestForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            password_reset.request_reset(form.email.data, _ip())
            return self.render_template(T + "reset_ask.html", form=form, sent=True)
        status = 400 if request.method == "POST" else 200
        return self.render_template(T + "reset_ask.html", form=form, sent=False), status

    @expose("/<token>", methods=["GET", "POST"])
    def choose(self, token: str):
        try:
            password_reset.check(token)
        except ServiceError as err:
            return self._private(self.render_template(T + "reset_invalid.html", message=err.message), 404)
        form = NewPasswordForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                password_reset.reset(token, form.password.data)
            except ServiceError as err:
                if err.field != "password":
                    return self._private(self.render_template(T + "reset_invalid.html", message=err.message), 404)
                put_error(form, err)
            else:
                session.pop(SESSION_KEY, None)
                if current_user.is_authenticated:
                    logout_user()
                flash(str(_l("Your new password is set and every session is signed out. "
                             "Sign in with the new password.")), "success")
                return redirect(url_for("AuthDBView.login"))
        status = 400 if request.method == "POST" else 200
        return self._private(self.render_template(T + "reset_choose.html", form=form), status)

    @staticmethod
    def _private(rendered, status):
        """The token is in the URL: never cached, never sent on as a referrer."""
        response = current_app.make_response((rendered, status))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


# --- keeping Flask-Login and the session rows in step --------------------------------------------

def _started(sender, user, **extra) -> None:
    """Flask-Login signed ``user`` in (login form, registration): a new session row."""
    row = sessions.start(user.id, _ip(), request.user_agent.string)
    session[SESSION_KEY] = row.token


def _ended(sender, user, **extra) -> None:
    """Signing out ends the row of this browser."""
    token = session.pop(SESSION_KEY, None)
    if token:
        sessions.end_token(token)


def check_session():
    """Before every request: sign out a browser whose session row was ended."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static") or not current_user.is_authenticated:
        return None
    token = _token()
    if token is None:  # signed in without a session row: a copy of an old cookie is never adopted
        logout_user()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale  # the language choice is no secret
        flash(str(NO_SESSION), "warning")
        return redirect(url_for("AuthDBView.login", next=here() if request.method == "GET" else None))
    if sessions.validate(token, current_user.id, _ip()) is not None:
        return None
    session.pop(SESSION_KEY, None)  # ended already: nothing for the logout signal to end
    logout_user()
    flash(str(SIGNED_OUT), "warning")
    return redirect(url_for("AuthDBView.login", next=here() if request.method == "GET" else None))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(AccountSecurityView())
    appbuilder.add_view_no_menu(PasswordResetView())
    app = current_app._get_current_object()  # called inside create_app's app context
    user_logged_in.connect(_started, app)
    user_logged_out.connect(_ended, app)
