"""Authorization matrix: every GET route of the app x every role.

The expected outcome comes from ACCESS, keyed by view (blueprint) name. A
route whose view has no entry fails the test, so a new view must declare who
may reach it. Outcomes: 200, "login" (redirect to the login page: FAB's answer
to an anonymous or unauthorised web request), "redirect" (any other 302),
404, 401/403 (REST APIs)."""
from __future__ import annotations

import html
import os

import pytest

from tests.conftest import build_url

ROLES = ("anonymous", "client", "practitioner", "moderator", "admin")
# Blocked accounts (agreement 11.4), columns of their own: the world's client and practitioner,
# blocked while signed in. Their running session ends at its next request, so on every route
# they get what a visitor gets (derived from the "anonymous" column by ``expected_outcome``).
BLOCKED_ROLES = ("blocked_client", "blocked_practitioner")
MISSING = 999999
CRUD = ("list", "show", "add", "edit", "delete", "download", "action")


def denied(role):
    """FAB sends anonymous visitors to the login page and answers 403 to
    signed-in users who lack the permission."""
    return "login" if role == "anonymous" else 403


def public(endpoint, role, w):
    return 200


def signed_in(endpoint, role, w):
    return "login" if role == "anonymous" else 200


def auth_view(endpoint, role, w):
    if endpoint.endswith("logout"):  # GET signs nobody out: a page with the POST button, or home
        return "redirect" if role == "anonymous" else 200
    return 200 if role == "anonymous" else "redirect"  # signed-in users are sent home


def register_view(endpoint, role, w):
    if endpoint.endswith("activation"):
        return "redirect"  # unknown hash: flashed error, back home
    return 200


def util_view(endpoint, role, w):
    return "redirect"


def locale_view(endpoint, role, w):
    return "redirect"


def token_api(endpoint, role, w):
    """The mobile API (portal.views.api): a browser session is not a Bearer token, so
    every private operation answers 401 to every role; a public one answers as to anybody."""
    view_name, method = endpoint.split(".")
    view = next(v for v in w.app.appbuilder.baseviews if type(v).__name__ == view_name)
    operation = getattr(getattr(view, method), "_portal_operation")
    if not operation.public:
        return 401
    if view_name in ("PractitionersApi", "ProfileBookingsApi") and not w.practitioner.is_active:
        # a blocked practitioner is not public
        return 404
    return TOKEN_API_PUBLIC.get(endpoint, 200)


def admin_only(endpoint, role, w):
    """FAB's own security screens: Admin only, with the methods FAB gives them."""
    view_name, method = endpoint.split(".")
    if method == "action":
        return "redirect"  # unknown action: refused with a flash for every role
    if role != "admin":
        return denied(role)
    view = next(v for v in w.app.appbuilder.baseviews if v.__class__.__name__ == view_name)
    permissions = getattr(view, "base_permissions", None) or []
    if permissions and f"can_{method}" not in permissions:
        return 403
    return _missing_target(method)


def _missing_target(method):
    """Outcome of a permitted request on the MISSING pk."""
    if method in ("show", "edit"):
        return 404
    if method == "delete":
        return "redirect"  # FAB flashes "not found" and goes back
    return 200


def own_rows(roles_allowed, owner_role):
    """A "my ..." ModelView: list/show for roles_allowed, rows filtered to
    the owner; add/edit/delete/actions exist for nobody."""
    def rule(endpoint, role, w):
        method = endpoint.split(".")[1]
        if method == "action":
            return "redirect"  # unknown action: refused with a flash for every role
        if method not in ("list", "show") or role not in roles_allowed + ("admin",):
            return denied(role)
        if method == "list":
            return 200
        return 200 if role == owner_role else 404
    return rule


def own_api(roles_allowed, owner_role):
    def rule(endpoint, role, w):
        method = endpoint.split(".")[1]
        if role == "anonymous":
            return 401
        if role not in roles_allowed + ("admin",):
            return 403
        if method == "get":
            return 200 if role == owner_role else 404
        return 200
    return rule


def staff(edit: bool):
    """Back office. Accounts and practitioner profiles (edit=True): moderators and
    admins list, show and edit the fields no service owns (audited; a moderator
    editing a staff account gets 403: tests/accounts/test_backoffice_rules.py), nobody adds
    or deletes. Reference data (edit=False) is the admins' to add, edit and
    delete; moderators read it."""
    def rule(endpoint, role, w):
        method = endpoint.split(".")[1]
        if method == "action":
            return "redirect"  # unknown action: refused with a flash for every role
        if edit:
            allowed = {"admin": ("list", "show", "edit"), "moderator": ("list", "show", "edit")}
        else:
            allowed = {"admin": CRUD, "moderator": ("list", "show")}
        if method not in allowed.get(role, ()):
            return denied(role)
        if method == "delete":
            return "redirect"  # the MISSING target: FAB flashes "not found"
        return 200
    return rule


def search_concepts_admin(endpoint, role, w):
    """The search concept dictionary: like reference data (admins edit, moderators read),
    but nobody deletes (a concept is switched off with "Active", portal.views.search.admin)
    and there are no files."""
    method = endpoint.split(".")[1]
    if method in ("delete", "download"):
        return denied(role)
    return staff(edit=False)(endpoint, role, w)


def agreement_admin(endpoint, role, w):
    """Agreement versions: moderators and admins read; admins publish, and edit or
    withdraw only a scheduled version (version 1 is in force: refused with a flash)."""
    method = endpoint.split(".")[1]
    allowed = {"admin": ("list", "show", "publish", "edit", "withdraw"), "moderator": ("list", "show")}
    if method not in allowed.get(role, ()):
        return denied(role)
    return "redirect" if method in ("edit", "withdraw") else 200


def staff_read_only_model(endpoint, role, w):
    """Acceptances and audit; requests, offers and reviews (they change only through their
    services: state machines, review moderation): read-only for everybody, including admins."""
    method = endpoint.split(".")[1]
    if method == "action":
        return "redirect"  # unknown action: refused with a flash for every role
    if role not in ("moderator", "admin") or method not in ("list", "show"):
        return denied(role)
    return 200


def staff_list_only(endpoint, role, w):
    """Conversations in the back office: a list for moderators and admins;
    reading one goes through ThreadsView.show (audited)."""
    method = endpoint.split(".")[1]
    if method == "action":
        return "redirect"
    if role not in ("moderator", "admin") or method != "list":
        return denied(role)
    return 200


def requests_view(endpoint, role, w):
    """Clients and practitioners use every page (rows are checked by the
    services: the MISSING ids give 404); moderators may only read a request."""
    method = endpoint.split(".")[1]
    if role == "anonymous":  # a visitor may fill in the form (kept until they sign in)
        return 200 if method == "new" else "login"
    if role == "moderator" and method != "show":
        return 403
    if method == "show":  # w.request_a: its client, the practitioner who offered, staff
        return 200
    return 200 if method in ("index", "new", "reviews") else 404


def feed_view(endpoint, role, w):
    """Practitioners (and admins, who hold every permission) only; admins
    without a verified profile get the explanation page."""
    if role == "anonymous":
        return "login"
    return 200 if role in ("practitioner", "admin") else 403


def threads_view(endpoint, role, w):
    method = endpoint.split(".")[1]
    if role == "anonymous":
        return "login"
    if role == "moderator" and method != "show":
        return 403
    return 200 if method == "index" else 404  # start without ?request=, show of MISSING


def signed_in_missing(endpoint, role, w):
    """A download of the MISSING file: not found for everybody signed in."""
    return "login" if role == "anonymous" else 404


def practice_view(endpoint, role, w):
    """Becoming a practitioner: every signed-in user but staff-only registration.
    The world's practitioner is verified (apply sends them to edit); the
    others have no profile (edit sends them to apply); MISSING files: 404."""
    method = endpoint.split(".")[1]
    if role == "anonymous":
        return "login"
    if role == "moderator":
        return 403
    if method in ("document", "remove_document"):
        return 404
    if method == "apply":
        return "redirect" if role == "practitioner" else 200
    if method == "edit":
        return 200 if role == "practitioner" else "redirect"
    return 200


def quiz_view(endpoint, role, w):
    method = endpoint.split(".")[1]
    if role == "anonymous":
        return "login"
    if role == "moderator":
        return 403
    return 200 if method == "index" else 404  # MISSING attempt


def moderation_view(endpoint, role, w):
    """Staff tools: moderators and admins only (the world's profile; a MISSING document: 404)."""
    method = endpoint.split(".")[1]
    if role == "anonymous":
        return "login"
    if role not in ("moderator", "admin"):
        return 403
    return 404 if method == "document" else 200


def quiz_bank(endpoint, role, w):
    """Quiz questions: admins list, show, add and edit (never delete: attempts
    refer to them); moderators read."""
    method = endpoint.split(".")[1]
    if method == "action":
        return "redirect"
    allowed = {"admin": ("list", "show", "add", "edit"), "moderator": ("list", "show")}
    return 200 if method in allowed.get(role, ()) else denied(role)


def accounts_view(endpoint, role, w):
    """Blocking accounts: moderators and admins; a MISSING account: 404."""
    method = endpoint.split(".")[1]
    if role == "anonymous":
        return "login"
    if role not in ("moderator", "admin"):
        return 403
    return 200 if method == "index" else 404


def account_security(endpoint, role, w):
    """Login history and sessions (agreement 4b): every signed-in user; a MISSING login event: 404."""
    if role == "anonymous":
        return "login"
    return 404 if endpoint.endswith(".not_me") else 200


def support_inbox(endpoint, role, w):
    """The support inbox: moderators and admins; a MISSING conversation: 404."""
    if role == "anonymous":
        return "login"
    if role not in ("moderator", "admin"):
        return 403
    return 200 if endpoint.endswith(".index") else 404


def complaints_view(endpoint, role, w):
    """Reporting and "My complaints": clients and practitioners (admins hold every permission).
    The world's profile: others get the report form, its owner is sent back with a message."""
    if role == "anonymous":
        return "login"
    if role == "moderator":
        return 403
    if endpoint.endswith(".index"):
        return 200
    return "redirect" if role == "practitioner" else 200


def complaint_queue(endpoint, role, w):
    """The complaint queue: moderators and admins; a MISSING complaint: 404."""
    if role == "anonymous":
        return "login"
    if role not in ("moderator", "admin"):
        return 403
    return 200 if endpoint.endswith(".index") else 404


def directory_view(endpoint, role, w):
    if endpoint.endswith(".photo"):
        return 404  # the world's profile has no photo
    if endpoint.endswith(".profile") and not w.profile.is_public:
        return 404  # e.g. its practitioner is blocked
    return 200


def seo_view(endpoint, role, w):
    """robots.txt and the sitemaps: public; a sitemap file past the last one is a 404."""
    if endpoint.endswith((".profiles", ".landings")) and not w.profile.is_public:
        return 404  # the world's profile is the only one (e.g. its practitioner is blocked)
    return 200


def api_admin(endpoint, role, w):
    if role == "anonymous":
        return 401
    return 200 if role == "admin" else 403


def security_api(endpoint, role, w):
    return 405  # login/refresh are POST only


ACCESS = {
    "HomeView": public, "DirectoryView": directory_view, "AgreementView": public, "LocaleView": locale_view,
    "SearchApi": public, "CatalogApi": token_api, "OpenApiDocument": token_api, "LandingView": public, "SeoView": seo_view,
    "PortalRegisterView": register_view, "AuthDBView": auth_view, "UtilView": util_view,
    "AccountView": signed_in, "UserInfoEditView": signed_in, "ResetMyPasswordView": signed_in,
    # "Download my data" and the closing confirmation (staff see why they cannot close there)
    "PrivacyView": signed_in,
    "MyRequestsView": own_rows(("client", "practitioner"), "client"),
    "MyReviewsView": own_rows(("client", "practitioner"), "client"),
    "MyOffersView": own_rows(("practitioner",), "practitioner"),
    "UserAdminView": staff(edit=True), "ProfileAdminView": staff(edit=True),
    "RequestAdminView": staff_read_only_model, "OfferAdminView": staff_read_only_model,
    "ReviewAdminView": staff_read_only_model,
    "CategoryAdminView": staff(edit=False), "SpecializationAdminView": staff(edit=False),
    "RegionAdminView": staff(edit=False), "AgreementAdminView": agreement_admin,
    "CityAdminView": staff(edit=False), "LicensorAdminView": staff(edit=False),
    "ChamberAdminView": staff(edit=False), "SearchConceptAdminView": search_concepts_admin,
    # the "I accept" page of a new agreement version: the world's users accepted it, so they go on
    "AgreementAcceptView": lambda e, role, w: "login" if role == "anonymous" else "redirect",
    "AcceptanceAdminView": staff_read_only_model, "AuditAdminView": staff_read_only_model,
    "ThreadAdminView": staff_list_only,
    "QuizQuestionAdminView": quiz_bank, "QuizOptionAdminView": staff(edit=False),
    "PracticeView": practice_view, "QuizView": quiz_view, "ModerationView": moderation_view,
    "AccountsView": accounts_view, "CookiesView": public,
    # account security (4b); the password reset is public, a garbled token is not found
    "AccountSecurityView": account_security,
    "PasswordResetView": lambda e, role, w: 404 if e.endswith(".choose") else 200,
    "ComplaintsView": complaints_view, "ComplaintQueueView": complaint_queue,  # complaints (11.4c, 4e)
    # support (agreement 5.6, 12.1): every signed-in user's own chat; the feedback form is for
    # visitors (signed-in users are sent to their chat); the inbox is staff-only
    "SupportView": signed_in, "SupportInboxView": support_inbox,
    "FeedbackView": lambda e, role, w: 200 if role == "anonymous" else "redirect",
    "RequestsView": requests_view, "FeedView": feed_view, "ThreadsView": threads_view,
    "AttachmentsView": signed_in_missing,
    "NotificationsView": lambda e, role, w: "login" if role == "anonymous" else (
        404 if e.endswith(".open") else 200),
    # FAB's own security screens and API docs: Admin only
    "UserDBModelView": admin_only, "RoleModelView": admin_only, "UserGroupModelView": admin_only,
    "PermissionModelView": admin_only, "ViewMenuModelView": admin_only,
    "PermissionViewModelView": admin_only, "RegisterUserModelView": admin_only,
    "UserStatsChartView": admin_only, "ResetPasswordView": admin_only,
    "OpenApi": api_admin, "SwaggerView": lambda e, role, w: 200 if role == "admin" else denied(role), "MenuApi": api_admin, "SecurityApi": security_api,
}
SKIP_BLUEPRINTS = {"static", "appbuilder"}  # static files
TOKEN_API_VIEWS = ("RequestsApi", "OffersApi", "FeedApi", "ConversationsApi", "AttachmentsApi", "ReviewsApi",
                   "PractitionersApi", "PracticeApi", "PracticeQuizApi", "AccountApi", "AccountSecurityApi",
                   "AgreementApi", "ComplaintsApi", "SupportApi", "NotificationsApi", "PushApi",
                   "ProfileBookingsApi", "BookingsApi", "PracticeBookingsApi")
ACCESS.update({name: token_api for name in TOKEN_API_VIEWS})


def staff_bookings(endpoint, role, w):
    """Bookings in the back office (views.bookings.admin): read-only for moderators and
    admins; the matrix world has no booking, so the details of the MISSING one are a 404."""
    method = endpoint.split(".")[1]
    if method == "action":
        return "redirect"  # unknown action: refused with a flash for every role
    if role not in ("moderator", "admin") or method not in ("list", "show"):
        return denied(role)
    return 404 if method == "show" else 200


def booking_review(endpoint, role, w):
    """The review after a booking (views.bookings.review): a client's page (practitioners
    and admins are clients too) on their own booking; the MISSING one is a 404."""
    if role == "anonymous":
        return "login"
    return 403 if role == "moderator" else 404


ACCESS.update({"BookingAdminView": staff_bookings, "BookingReviewsView": booking_review})


def client_bookings(endpoint, role, w):
    """"My bookings" (views.bookings.client): clients' pages (practitioners and admins are
    clients too); moderators have none; the MISSING booking is a 404."""
    if role == "anonymous":
        return "login"
    if role == "moderator":
        return 403
    return 200 if endpoint.endswith(".index") else 404


# the booking page and free-times fragment of a profile (views.bookings.book): public, but the
# matrix world's profile is an advocate's, whose category takes no bookings
ACCESS.update({"ClientBookingsView": client_bookings, "BookView": lambda e, role, w: 404})


def webapp_view(endpoint, role, w):
    """The installable app's manifest, offline page and service worker: the same for everybody."""
    return 200


ACCESS["WebAppView"] = webapp_view


def practice_schedule(endpoint, role, w):
    """The practitioner's schedule and price list (views.bookings.practice): the Practitioner role
    (admins hold every permission); the matrix world's practitioner is an advocate, whose
    category takes no bookings, and admins have no practice: both get the page saying why (403)."""
    if role == "anonymous":
        return "login"
    return 403


def practice_bookings(endpoint, role, w):
    """The practitioner's bookings (views.bookings.practice_bookings): the Practitioner role; the
    list for anyone with a practitioner profile (admins have none: the page saying why, 403);
    the MISSING booking is a 404."""
    if role == "anonymous":
        return "login"
    if role in ("client", "moderator"):
        return 403
    if endpoint.endswith(".index"):
        return 200 if role == "practitioner" else 403
    return 404


ACCESS.update({"PracticeScheduleView": practice_schedule, "PracticeBookingsView": practice_bookings})


def calendar_feed(endpoint, role, w):
    """The private iCalendar feed (views.bookings.calendar): an unknown token is a 404 for
    everybody; its reset asks for sign-in, is a 404 without a practitioner profile, and
    sends a practitioner back with the reason when the practice takes no bookings (the
    matrix world's practitioners are advocates)."""
    if endpoint.endswith(".feed"):
        return 404
    if role == "anonymous":
        return "login"
    return 404 if role in ("client", "moderator", "admin") else "redirect"


ACCESS["CalendarFeedView"] = calendar_feed
# public operations answering something else than 200 with the matrix world's ids
TOKEN_API_PUBLIC: dict[str, int] = {"PushApi.key": 404}  # no VAPID keys in the tests' configuration


def _args(rule, w):
    view = rule.endpoint.split(".")[0]
    method = rule.endpoint.split(".")[1]
    pk = MISSING
    if method in ("show", "edit", "get"):
        pk = {
            "MyRequestsView": w.request_a.id,
            "RequestAdminView": w.request_a.id,
            "MyReviewsView": w.review_a.id, "ReviewAdminView": w.review_a.id,
            "MyOffersView": w.offer_a.id, "OfferAdminView": w.offer_a.id,
            "UserAdminView": w.client_a.id, "ProfileAdminView": w.profile.id,
            "CategoryAdminView": w.profile.category_id, "SpecializationAdminView": w.profile.specializations[0].id,
            "RegionAdminView": w.profile.regions[0].id, "AgreementAdminView": 1,
            "CityAdminView": 1, "LicensorAdminView": 1, "ChamberAdminView": 1,  # seeded reference rows
            "SearchConceptAdminView": 1,
            "AcceptanceAdminView": w.acceptance_id, "AuditAdminView": w.audit_id,
            "QuizQuestionAdminView": w.question_id, "QuizOptionAdminView": w.option_id,
        }.get(view, MISSING)
    if rule.endpoint == "RequestsView.show":
        pk = w.request_a.id
    values = {"pk": pk, "request_id": pk, "booking_id": MISSING, "offer_id": MISSING, "review_id": MISSING,
              "thread_id": MISSING, "attachment_id": MISSING, "notification_id": MISSING,
              "conversation_id": MISSING, "document_id": MISSING, "user_id": MISSING, "attempt_id": MISSING,
              "interview_id": MISSING, "action": "approve", "profile_id": w.profile.id, "code": "advocate",
              "version": 1, "locale": "ru",
              "name": "muldelete", "filename": "0000_sep_missing.txt", "activation_hash": "nope",
              "group_by": "0", "version_": "v1",
              "complaint_id": MISSING, "target": "profile", "target_id": w.profile.id,
              "event_id": MISSING, "session_id": MISSING, "token": "nope",
              "region": "KZ-75", "specialization": w.profile.specializations[0].code, "n": 0,
              "exception_id": MISSING, "item_id": MISSING}
    return {arg: values[arg] for arg in rule.arguments}


def _outcome(response) -> object:
    if response.status_code == 302:
        return "login" if "/login/" in response.headers["Location"] else "redirect"
    return response.status_code


@pytest.fixture
def matrix_world(world, app):
    from portal.core import audit
    from portal.core.extensions import db
    from portal.models.agreement import AgreementAcceptance
    from portal.services.accounts import registration

    acceptance = registration.accept_agreement(world.client_a, registration.current_agreement(), "127.0.0.1", "t")
    entry = audit.record("profile", world.profile.id, "submitted", "approved", world.moderator.id, "ok")
    db.session.commit()
    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "0000_sep_missing.txt"), "w") as fh:
        fh.write("x")
    world.app = app
    world.acceptance_id = acceptance.id
    world.audit_id = entry.id
    from portal.models.practitioners import QuizOption

    option = db.session.query(QuizOption).first()
    world.question_id, world.option_id = option.question_id, option.id
    assert db.session.get(AgreementAcceptance, acceptance.id)
    return world


def test_every_view_has_an_expected_entry(app):
    views = {r.endpoint.split(".")[0] for r in app.url_map.iter_rules()} - SKIP_BLUEPRINTS
    assert not views - set(ACCESS), f"views without an access rule: {sorted(views - set(ACCESS))}"


@pytest.mark.parametrize("role", ROLES + BLOCKED_ROLES)
def test_authorization_matrix(app, client, login_as, matrix_world, role):
    w = matrix_world
    blocked = BlockedSession(app, client, login_as, w, role) if role in BLOCKED_ROLES else None
    if role != "anonymous" and blocked is None:
        login_as({"client": w.client_a, "practitioner": w.practitioner, "moderator": w.moderator,
                  "admin": w.admin}[role])
    before = blocked.contents() if blocked else None
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = rule.endpoint.split(".")[0]
        if view in SKIP_BLUEPRINTS or "GET" not in rule.methods and view != "SecurityApi":
            continue
        url = build_url(app, rule.endpoint, **_args(rule, w)) if rule.arguments else rule.rule
        if view == "OpenApi":
            url = "/api/v1/_openapi"
        expected = expected_outcome(rule.endpoint, role, w)
        if blocked:
            blocked.resume()  # every row sees the blocked user's running session, not a visitor's
        response = client.get(url)
        if response.status_code == 301:  # a public page's unprefixed URL: to the visitor's language URL
            response = client.get(response.headers["Location"])
        got = _outcome(response)
        if got != expected:
            failures.append(f"{rule.endpoint} {url}: expected {expected}, got {got}")
        if view in ("AuthDBView", "LocaleView") and role != "anonymous" and not blocked:
            login_as({"client": w.client_a, "practitioner": w.practitioner, "moderator": w.moderator,
                      "admin": w.admin}[role])  # logout/locale switch must not leak into the next rows
    assert not failures, "\n".join(failures)
    if blocked:
        blocked.assert_unchanged(before, "GET")


# --- blocked accounts (agreement 11.4) -----------------------------------------------------------
# A blocked user's running session ends at its next request (portal.views.accounts.blocking.end_blocked_session;
# FAB's load_user no longer loads an inactive account), so the expected outcome of every route is
# derived from the visitor's column, and nothing a blocked user sends may change a row.

REFUSALS = ("login", 401, 403)
LOGIN_ENDPOINTS = ("AuthDBView.login", "SecurityApi.login")
# Bookkeeping of sessions and login attempts (agreement 4b): ending a blocked user's session and
# recording a login attempt are the expected effects there, so their contents are not compared.
SECURITY_LOG = ("user_session", "login_event")
# A request a visitor writes before signing in (services.exchange.pending) belongs to no account:
# a blocked user, a visitor again, may write one like any visitor (and can never claim it).
VISITOR_ROWS = ("pending_request",)


def expected_outcome(endpoint, role, w):
    """The ACCESS rule of the endpoint's view; a blocked account is a visitor everywhere."""
    if role in BLOCKED_ROLES:
        role = "anonymous"
    return ACCESS[endpoint.split(".")[0]](endpoint, role, w)


def _all_tables(app):
    from sqlalchemy import MetaData

    from portal.core.extensions import db

    tables = app.extensions.setdefault("_matrix_tables", {})
    if db.engine.url not in tables:
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        tables[db.engine.url] = list(metadata.sorted_tables)
    return tables[db.engine.url]


def table_counts(app) -> dict[str, int]:
    """Committed row count of every table in the database, in one query."""
    from sqlalchemy import func, select

    from tests.factories import committed_session

    tables = [t for t in _all_tables(app) if t.name not in VISITOR_ROWS]
    stmt = select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    with committed_session() as s:
        return dict(s.execute(stmt).one()._mapping)


def table_contents(app) -> dict[str, list]:
    """Every committed row of every table (but SECURITY_LOG), for a before/after comparison."""
    from sqlalchemy import select

    from tests.factories import committed_session

    with committed_session() as s:
        return {t.name: sorted(repr(tuple(row)) for row in s.execute(select(t)))
                for t in _all_tables(app) if t.name not in SECURITY_LOG + VISITOR_ROWS}


def _diff(before: dict, after: dict) -> list[str]:
    out = []
    for name in before:
        if before[name] != after.get(name):
            if isinstance(before[name], list):
                gone = sorted(set(before[name]) - set(after[name]))[:3]
                new = sorted(set(after[name]) - set(before[name]))[:3]
                out.append(f"{name}: rows gone {gone}, rows new/changed {new}")
            else:
                out.append(f"{name}: {before[name]} -> {after.get(name)} rows")
    return out


class BlockedSession:
    """The world's client or practitioner signs in while active, and staff block the account
    (the real service). ``resume`` puts that signed-in session cookie back before a request, so
    every request arrives with the blocked user's running session (not the visitor the first
    request turns it into)."""

    COOKIE = "session"

    def __init__(self, app, client, login_as, w, role):
        from portal.models.accounts import AccountStatus, BlockReason
        from portal.services.accounts import blocking

        self.app, self.client, self.w = app, client, w
        self.user = {"blocked_client": w.client_a, "blocked_practitioner": w.practitioner}[role]
        login_as(self.user)
        assert client.get("/account/").status_code == 200  # the session is really signed in
        self.cookie = client.get_cookie(self.COOKIE).value
        blocking.block(w.moderator, self.user.id, BlockReason.SUSPICIOUS, "authorization matrix")
        assert self.user.status == AccountStatus.BLOCKED
        self.resume()
        # the running session ends at once, and the user is told why in their language
        response = client.get("/account/", follow_redirects=True)
        assert "/login/" in response.request.path
        page = html.unescape(response.get_data(as_text=True))
        assert blocking.refusal_message(self.user) in page

    def resume(self):
        self.client.set_cookie(self.COOKIE, self.cookie)

    def contents(self):
        return table_contents(self.app)

    def assert_unchanged(self, before, what):
        changed = _diff(before, self.contents())
        assert not changed, f"{what} requests of a blocked account changed rows:\n" + "\n".join(changed)


def _post_args(rule, w) -> dict:
    """URL values for a POST: the blocked user's own rows where the route takes them (an active
    owner could act on them), else what the GET matrix uses."""
    args = _args(rule, w)
    own = {"request_id": w.request_a.id, "offer_id": w.offer_a.id, "review_id": w.review_a.id,
           "thread_id": w.thread_id, "notification_id": w.notification_id, "user_id": w.client_b.id,
           "profile_id": w.profile.id}
    return {arg: own.get(arg, value) for arg, value in args.items()}


def _post_data(w) -> dict:
    """Plausible input for every portal form at once (what an active user's form would send).
    No email or password: the public forms (registration, login) stay incomplete."""
    from tests.factories import category, region

    return {"title": "Blocked user's request title", "description": "A description long enough for a request.",
            "category_id": str(category().id), "region_id": str(region().id), "city": "Алматы",
            "budget": "50000", "body": "A message from a blocked account", "message": "Ready to help",
            "comment": "A comment", "reply": "A reply", "rating": "5", "price": "40000",
            "price_kind": "fixed", "term_days": "10", "reason": "A reason", "note": "A note",
            "first_name": "Blocked", "last_name": "User", "about_ru": "О себе", "about_kk": "Өзім туралы",
            "action": "publish", "choice": "all", "confirm_review": "1"}


def _post_sweep(app, client, w, before_each=None) -> tuple[list[str], set[str]]:
    """POST to every route; (outcomes per route, endpoints that changed a row count)."""
    from tests.conftest import IsolatedClient

    visitor = IsolatedClient(app)
    data = _post_data(w)
    outcomes, changed = [], set()
    # POST /logout/ last: it ends the sweeping user's session (tests/core/test_post_only.py)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "AuthDBView.logout", r.rule)):
        view = rule.endpoint.split(".")[0]
        if view in SKIP_BLUEPRINTS or "POST" not in rule.methods:
            continue
        url = build_url(app, rule.endpoint, **_post_args(rule, w)) if rule.arguments else rule.rule
        if before_each:
            before_each()
        counts = table_counts(app)
        got = _outcome(client.post(url, data=data))
        after = table_counts(app)
        if rule.endpoint in LOGIN_ENDPOINTS:  # a refused login attempt is recorded (agreement 4b)
            counts.pop("login_event", None), after.pop("login_event", None)
        if counts != after:
            changed.add(rule.endpoint)
        outcomes.append((rule, url, got, _diff(counts, after), visitor))
    return outcomes, changed


@pytest.fixture
def post_world(matrix_world):
    """The matrix world with a conversation on request A and a notification of each user."""
    from portal.core.extensions import db
    from portal.services.exchange import messages as messages_service
    from portal.services.notifications import inbox

    w = matrix_world
    thread = messages_service.open_thread(w.client_a, w.request_a.id, w.profile.id)
    messages_service.post(w.client_a, thread.id, "Hello", [])
    note = inbox.notify(w.client_a, "review_reply", "/requests/", name="x")
    db.session.commit()
    w.thread_id, w.notification_id = thread.id, note.id
    return w


@pytest.mark.parametrize("role", BLOCKED_ROLES)
def test_blocked_account_changes_nothing_by_post(app, client, login_as, post_world, role):
    """Every POST route of the app, sent with a blocked user's running session and input an
    active user's form would send: the answer a visitor gets (the login page, 401, a refusal;
    never a page where the ACCESS rule refuses visitors), and no row changes anywhere."""
    w = post_world
    blocked = BlockedSession(app, client, login_as, w, role)
    before = blocked.contents()
    outcomes, changed = _post_sweep(app, client, w, before_each=blocked.resume)
    blocked.assert_unchanged(before, "POST")
    failures = []
    for rule, url, got, diff, visitor in outcomes:
        expected = _outcome(visitor.post(url, data=_post_data(w)))  # what a visitor gets
        if got != expected:
            failures.append(f"POST {rule.endpoint} {url}: expected {expected} (a visitor's answer), got {got}")
        if got == 200 and expected_outcome(rule.endpoint, role, w) in REFUSALS:
            failures.append(f"POST {rule.endpoint} {url}: a page for a refused account")
        if diff:
            failures.append(f"POST {rule.endpoint} {url} changed row counts: {diff}")
    assert len(outcomes) > 40
    assert not failures, "\n".join(failures)

    # The control: the same sweep by the same user, unblocked, does change rows, so the
    # "nothing changed" above is the block's doing, not input that no route accepts.
    from portal.services.accounts import blocking

    blocking.unblock(w.moderator, blocked.user.id, "control")
    login_as(blocked.user)
    cookie = client.get_cookie(BlockedSession.COOKIE).value
    _outcomes, changed = _post_sweep(app, client, w, before_each=lambda: client.set_cookie(
        BlockedSession.COOKIE, cookie))
    assert {"ThreadsView.post", "RequestsView.new", "NotificationsView.settings"} <= changed, changed


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the tests' short SECRET_KEY
def test_blocked_account_token_from_before_is_refused_by_the_api(app, client, matrix_world):
    """A JWT a user obtained while active opens nothing once the account is blocked."""
    from portal.models.accounts import BlockReason
    from portal.services.accounts import blocking
    from tests.factories import PASSWORD

    w = matrix_world
    response = client.post("/api/v1/security/login", json={
        "username": w.client_a.email, "password": PASSWORD, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {response.json['access_token']}"}
    assert client.get(f"/api/v1/requests/{w.request_a.id}", headers=headers).status_code == 200
    blocking.block(w.moderator, w.client_a.id, BlockReason.SUSPICIOUS, "token")
    assert client.get(f"/api/v1/requests/{w.request_a.id}", headers=headers).status_code == 401
    assert client.get("/api/v1/requests/", headers=headers).status_code == 401
    again = client.post("/api/v1/security/login", json={
        "username": w.client_a.email, "password": PASSWORD, "provider": "db"})
    assert again.status_code == 401


@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_an_unknown_model_view_action_is_refused_not_a_crash(app, client, login_as, world, who):
    """FAB's action routes raised a 500 on a POSTed action name the view lacks (portal.core.hardening)."""
    if who == "admin":
        login_as(world.admin)
    for url, data in [("/admin/requests/action_post", {"action": "muldelete", "rowid": str(world.request_a.id)}),
                      (f"/admin/requests/action/muldelete/{world.request_a.id}", {}),
                      ("/users/action_post", {"action": "nope", "rowid": "1"})]:
        response = client.post(url, data=data)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/list/")
    from portal.models.exchange import ServiceRequest
    from tests.factories import row_count

    assert row_count(ServiceRequest, id=world.request_a.id) == 1
