"""The portal's security manager: extended user model, self-registration with
agreement acceptance, and declarative roles synchronised into FAB's tables."""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

from flask import (
    after_this_request,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_appbuilder import expose
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.registerviews import BaseRegisterUser
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import PermissionView
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy import inspect

from portal.core import login_limits
from portal.core.api import problem
from portal.core.errors import ServiceError
from portal.core.http import put_error
from portal.core.i18n import current_locale, supported_locales
from portal.forms.accounts import RegisterForm
from portal.models.accounts import PortalUser
from portal.services import agreement
from portal.services.accounts import api_tokens, password_reset, registration, sessions
from portal.services.exchange import pending
from portal.services.practitioners import profiles
from portal.views.accounts.admin import UserDBModelView
from portal.views.accounts.api import SecurityApi
from portal.views.accounts.blocking import PortalAuthDBView
from portal.views.accounts.registration_limits import REGISTRATION_LIMITS
from portal.views.accounts.security import ResetMyPasswordView, UserInfoEditView
from portal.views.exchange.pending import SESSION_KEY as PENDING_KEY
from portal.views.exchange.pending import continue_after_sign_in, continue_url

log = logging.getLogger(__name__)

# Declarative roles: role -> [(view/menu name regex, permission regex)].
# Public (anonymous) needs no rows: public pages are exposed without @has_access.
SELF_SERVICE = [
    (r"AccountView$", r"can_"),
    (r"AccountSecurityView$", r"can_"),  # login history, sessions, "this wasn't me" (4b)
    (r"PrivacyView$", r"can_"),  # "Download my data", closing the account (5.1-5.2, 11.2)
    (r"AgreementAcceptView$", r"can_"),  # accepting a new version of the agreement (3.1a)
    (r"NotificationsView$", r"can_"),
    (r"SupportView$", r"can_"),  # the personal chat with support
    (r"(UserInfoEditView|ResetMyPasswordView)$", r"can_this_form_(get|post)$"),
]
CLIENT = SELF_SERVICE + [
    (r"(MyRequestsView|MyReviewsView)$", r"can_(list|show)$"),
    # requests, offers, conversations and files: the services filter rows per user
    (r"(RequestsView|ThreadsView|AttachmentsView)$", r"can_"),
    (r"ClientBookingsView$", r"can_"),  # the client's bookings (the service filters rows per user)
    (r"BookingReviewsView$", r"can_"),  # the review after an attended booking (own bookings only)
    (r"My bookings$", r"menu_access$"),
    # becoming a practitioner: the questionnaire, documents and the agreement quiz (own profile only)
    (r"(PracticeView|QuizView)$", r"can_"),
    (r"(My area|My requests|My reviews|New request|Messages|My practice)$", r"menu_access$"),
    (r"ComplaintsView$", r"can_"),  # reporting what they see; "My complaints"
    (r"My complaints$", r"menu_access$"),
]
PRACTITIONER = CLIENT + [
    (r"MyOffersView$", r"can_(list|show)$"),
    (r"FeedView$", r"can_"),
    (r"(My offers|Request feed)$", r"menu_access$"),
    # bookings of the own practice: schedule, price list, bookings (the services check the profile)
    (r"(PracticeScheduleView|PracticeBookingsView)$", r"can_"),
]
STAFF_EDIT = r"(UserAdminView|ProfileAdminView|RequestAdminView|OfferAdminView|ReviewAdminView)$"
STAFF_READ = (r"(CategoryAdminView|SpecializationAdminView|RegionAdminView|CityAdminView|LicensorAdminView|"
              r"ChamberAdminView|SearchConceptAdminView|AgreementAdminView|"
              r"AcceptanceAdminView|AuditAdminView|ThreadAdminView|QuizQuestionAdminView|QuizOptionAdminView|"
              r"BookingAdminView)$")
MODERATOR = SELF_SERVICE + [
    (STAFF_EDIT, r"can_(list|show|edit)$"),
    (STAFF_READ, r"can_(list|show)$"),
    # moderation tools: read any request, conversation or file (audited in the service)
    (r"(RequestsView|ThreadsView)$", r"can_show$"),
    (r"AttachmentsView$", r"can_download$"),
    (r"ModerationView$", r"can_"),
    (r"AccountsView$", r"can_"),
    (r"ComplaintQueueView$", r"can_"),  # the complaint queue
    (r"Complaints$", r"menu_access$"),
    (r"SupportInboxView$", r"can_"),  # the support inbox
    (r"Support inbox$", r"menu_access$"),
    (r"(Back office|Moderation|Accounts|Quiz questions|Quiz options|Users|Practitioner profiles|Requests|Offers|Reviews|"
     r"Conversations|Bookings|Categories|"
     r"Specializations|Regions|Cities|Licensors|Chambers|Search concepts|Agreement versions|Agreement acceptances|Audit trail)$",
     r"menu_access$"),
]
ROLES: dict[str, list[tuple[str, str]]] = {
    "Client": CLIENT,
    "Practitioner": PRACTITIONER,
    "Moderator": MODERATOR,
}


# --- where a visitor was: "Sign in or register to ..." and back there afterwards ---------------

def safe_next(url: str | None) -> str | None:
    """``url`` as a local path (with its query) when it points into this site,
    else None: never another host or scheme, a protocol-relative ``//host`` or a
    backslash or control-character trick, so ``next`` cannot be an open redirect."""
    if not url or not isinstance(url, str) or len(url) > 2000:
        return None
    if any(ord(c) < 32 or c in "\\\x7f" for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + ("?" + parts.query if parts.query else "")


# what a visitor was doing, by the first segment of the page they wanted
INTENTS = {
    "requests": _l("Sign in or register to see your requests."),
    "threads": _l("Sign in or register to read and send messages."),
    "attachments": _l("Sign in or register to download this file."),
    "feed": _l("Sign in or register to see the request feed."),
    "notifications": _l("Sign in or register to see your notifications."),
    "complaints": _l("Sign in or register to report a problem."),
    "practice": _l("Sign in or register to set up your practice."),
    "support": _l("Sign in or register to write to support."),
    "account": _l("Sign in or register to open your account."),
    "my": _l("Sign in or register to open your account."),
}


def signin_intent() -> str | None:
    """The sentence above the sign-in and registration forms: what the visitor
    was doing when the page asked for an account (from ``next``)."""
    if not has_request_context():
        return None
    next_url = safe_next(request.args.get("next"))
    if not next_url:
        return None
    parts = urlsplit(next_url)
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] in supported_locales():  # /ru/... (language in the URL)
        segments = segments[1:]
    if not segments:
        return None
    if segments[:2] == ["requests", "new"]:
        if next_url == continue_url() and pending.find(session.get(PENDING_KEY)) is not None:
            return str(_l("Sign in or register to send your request. It is kept and will be sent "
                          "as soon as you do."))
        name = _practitioner_name((parse_qs(parts.query).get("profile") or [None])[0])
        if name:
            return str(_l("Sign in or register to send a request to %(name)s.", name=name))
        return str(_l("Sign in or register to file a request."))
    intent = INTENTS.get(segments[0])
    return str(intent) if intent is not None else str(_l("Sign in or register to continue."))


def _practitioner_name(profile_id: str | None) -> str | None:
    try:
        return profiles.public_profile(int(profile_id)).name if profile_id else None
    except (ValueError, ServiceError):
        return None


def login_url() -> str:
    """The sign-in page, keeping this page's ``next``."""
    next_url = safe_next(request.args.get("next")) if has_request_context() else None
    return url_for("AuthDBView.login", next=next_url) if next_url else url_for("AuthDBView.login")


def register_url() -> str:
    """The registration page, keeping this page's ``next``."""
    next_url = safe_next(request.args.get("next")) if has_request_context() else None
    endpoint = "PortalRegisterView.this_form_get"
    return url_for(endpoint, next=next_url) if next_url else url_for(endpoint)


def _drop_access_denied() -> None:
    """FAB flashes a red "Access is Denied" when a visitor opens a page that
    needs an account; the sign-in page says "Sign in or register to ..." instead."""
    flashes = session.get("_flashes")
    if not flashes:
        return
    denied = set()
    for code in supported_locales():
        with force_locale(code):
            denied.add(str(FLAMSG_ERR_SEC_ACCESS_DENIED))
    kept = [(category, message) for category, message in flashes if message not in denied]
    if len(kept) != len(flashes):
        session["_flashes"] = kept


class PortalLoginView(PortalAuthDBView):
    """The sign-in page: "Sign in or register to ..." instead of FAB's "Access
    is Denied", and right after signing in, a visitor's pending request becomes
    the user's (views.exchange.pending) instead of going back to ``next``."""

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        anonymous = not current_user.is_authenticated
        if anonymous:
            _drop_access_denied()
        response = super().login()
        if anonymous and request.method == "POST" and current_user.is_authenticated:
            next_url = safe_next(request.args.get("next"))  # FAB's check lets "/\\host" through
            return continue_after_sign_in(current_user, next_url) or redirect(
                next_url or self.appbuilder.get_url_for_index)
        return response


# FAB names the endpoint after the class ("AuthDBView.login"): the login limits and links rely on it
PortalLoginView.__name__ = PortalLoginView.__qualname__ = "AuthDBView"


class PortalRegisterView(BaseRegisterUser):
    """Registration that creates an active Client at once (no activation
    mail) and records the acceptance of the current agreement."""

    route_base = "/register"
    form = RegisterForm
    form_title = _l("Create an account")
    form_template = "portal/accounts/register.html"
    limits = REGISTRATION_LIMITS  # POSTs per IP (REGISTRATION_RATE_LIMIT): the form says when an email is in use

    def form_get(self, form):
        form.locale.data = form.locale.data or current_locale()

    def form_post(self, form):
        data = registration.Registration(
            email=form.email.data, password=form.password.data, full_name=form.full_name.data,
            phone=form.phone.data, locale=form.locale.data, agreed=bool(form.agree.data),
            ip_address=request.remote_addr or "", user_agent=request.user_agent.string,
        )
        try:
            user = registration.register_client(self.appbuilder.sm, data)
        except ServiceError as err:
            message = put_error(form, err)
            if message is not None:
                flash(str(message), "danger")
            return self._render(form)
        login_user(user)
        session["locale"] = user.locale  # the form's language: the one the visitor was reading
        flash(str(_l("Welcome to AlemTrust! Your account is ready.")), "success")
        next_url = safe_next(request.args.get("next"))  # where the visitor was (local paths only)
        return continue_after_sign_in(user, next_url) or redirect(next_url or url_for("AccountView.index"))

    def _render(self, form):
        widgets = self._get_edit_widget(form=form)
        return self.render_template(self.form_template, title=self.form_title, widgets=widgets,
                                    form=form, agreement=agreement.current_agreement(),
                                    appbuilder=self.appbuilder)

    # Render our template (with the agreement) on GET and on failed validation too.
    @expose("/form", methods=["GET"])
    def this_form_get(self):
        self._init_vars()
        form = self.form.refresh()
        self.form_get(form)
        self.update_redirect()
        return self._render(form)

    @expose("/form", methods=["POST"])
    def this_form_post(self):
        self._init_vars()
        form = self.form.refresh()
        if form.validate_on_submit():
            return self.form_post(form)
        return self._render(form)


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser
    registeruserdbview = PortalRegisterView
    authdbview = PortalLoginView  # a blocked account is told why; "Sign in or register to ..."; pending requests
    resetmypasswordview = ResetMyPasswordView  # "Change password" asks for the current password
    userinfoeditview = UserInfoEditView  # "Edit my name" in the portal's own layout
    security_api = SecurityApi  # API sign-in within the login limits; revocable tokens
    userdbmodelview = UserDBModelView  # FAB's user screens: audited, no bypass of blocking

    def register_views(self) -> None:
        super().register_views()
        # the sign-in and registration pages: what the visitor was doing, links that keep ``next``
        current_app.jinja_env.globals.update(signin_intent=signin_intent, login_url=login_url,
                                             register_url=register_url)

    def create_jwt_manager(self, app):
        """FAB's JWT manager, refusing tokens whose session or token version has ended."""
        manager = super().create_jwt_manager(app)
        manager.token_in_blocklist_loader(lambda _header, payload: api_tokens.is_revoked(payload))

        def ended(*_args):  # revoked, expired, malformed or the wrong kind: one translated 401
            return problem(401, _l("Your session has ended or the token is not valid. Sign in again."), kind="auth")

        def missing(_reason):
            return problem(401, _l("Sign in first: send the access token in the Authorization header."),
                           kind="auth")

        for loader in (manager.revoked_token_loader, manager.expired_token_loader, manager.invalid_token_loader,
                       manager.user_lookup_error_loader, manager.token_verification_failed_loader):
            loader(ended)
        manager.unauthorized_loader(missing)
        return manager

    def auth_user_db(self, username, password, device: str | None = None):
        """FAB's password check for every login path (web form, API), within the
        shared login limits (portal.core.login_limits: a 429 when used up); every
        attempt is also stored as a login event (4b). ``device`` is the API
        client's device token (browsers send the cookie)."""
        if not has_request_context():
            return super().auth_user_db(username, password)
        attempt = login_limits.Attempt.from_request(username, device)
        attempt.check()
        user = super().auth_user_db(username, password)
        sessions.record_login(username, user, request.remote_addr, request.user_agent.string)
        if user is None:
            attempt.failed()
        elif request.endpoint == "AuthDBView.login":  # a browser: remember it as a known device
            after_this_request(lambda response: login_limits.remember_device(response, attempt.account))
        return user

    def reset_password(self, userid, password):
        """FAB's password change (own, or by an admin): the user's unused reset
        links are voided and their other sessions end in the same transaction,
        which FAB's ``update_user`` commits, or rolls back whole (then we raise)."""
        user = self.get_user_by_id(userid)
        keep = session.get(sessions.SESSION_KEY) if has_request_context() else None
        password_reset.set_password(user, password, keep_token=keep)  # what FAB's reset_password does, and more
        if self.update_user(user) is False:  # FAB logged the error and rolled everything back
            raise RuntimeError(f"The password of user {user.id} could not be changed.")

    def create_db(self) -> None:
        """The schema belongs to Alembic; only sync roles once tables exist."""
        engine = self.session.get_bind(mapper=None, clause=None)
        if "ab_role" not in inspect(engine).get_table_names():
            log.warning("Database is not migrated yet: run `flask db upgrade`.")
            return
        BaseSecurityManager.create_db(self)  # roles only; FAB_CREATE_DB=False skips create_all

    def sync_roles(self) -> None:
        """Make every declared role hold exactly the permissions its rules match."""
        all_pvms = self.session.query(PermissionView).all()
        for role_name, rules in ROLES.items():
            role = self.find_role(role_name) or self.add_role(role_name)
            compiled = [(re.compile(v), re.compile(p)) for v, p in rules]
            wanted = [pv for pv in all_pvms if pv.view_menu and pv.permission and any(
                v.match(pv.view_menu.name) and p.match(pv.permission.name) for v, p in compiled)]
            if set(role.permissions) != set(wanted):
                role.permissions = wanted
        self.add_role(self.auth_role_public)
        self.session.commit()
