"""Authorization matrix: every GET route of the app x every role.

The expected outcome comes from ACCESS, keyed by view (blueprint) name. A
route whose view has no entry fails the test, so a new view must declare who
may reach it. Outcomes: 200, "login" (redirect to the login page: FAB's answer
to an anonymous or unauthorised web request), "redirect" (any other 302),
404, 401/403 (REST APIs)."""
from __future__ import annotations

import os

import pytest

from tests.conftest import build_url

ROLES = ("anonymous", "client", "practitioner", "moderator", "admin")
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
    if endpoint.endswith("logout"):
        return "redirect"
    return 200 if role == "anonymous" else "redirect"  # signed-in users are sent home


def register_view(endpoint, role, w):
    if endpoint.endswith("activation"):
        return "redirect"  # unknown hash: flashed error, back home
    return 200


def util_view(endpoint, role, w):
    return "redirect"


def locale_view(endpoint, role, w):
    return "redirect"


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
    """Back office. Domain records (edit=True: users, profiles, requests,
    offers, reviews) are changed only through services: moderators and admins
    list, show and edit them, nobody adds or deletes. Reference data
    (edit=False) is the admins' to add, edit and delete; moderators read it."""
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


def staff_read_only_model(endpoint, role, w):
    """Acceptances and audit: read-only for everybody, including admins."""
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
    if role == "anonymous":
        return "login"
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
    """Becoming a practitioner: every signed-in user but staff-only accounts.
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


def directory_view(endpoint, role, w):
    if endpoint.endswith(".photo"):
        return 404  # the world's profile has no photo
    return 200


def api_admin(endpoint, role, w):
    if role == "anonymous":
        return 401
    return 200 if role == "admin" else 403


def security_api(endpoint, role, w):
    return 405  # login/refresh are POST only


ACCESS = {
    "HomeView": public, "DirectoryView": directory_view, "AgreementView": public, "LocaleView": locale_view,
    "SearchApi": public,
    "PortalRegisterView": register_view, "AuthDBView": auth_view, "UtilView": util_view,
    "AccountView": signed_in, "UserInfoEditView": signed_in, "ResetMyPasswordView": signed_in,
    "MyRequestsView": own_rows(("client", "practitioner"), "client"),
    "MyReviewsView": own_rows(("client", "practitioner"), "client"),
    "MyOffersView": own_rows(("practitioner",), "practitioner"),
    "MyRequestsApi": own_api(("client", "practitioner"), "client"),
    "MyReviewsApi": own_api(("client", "practitioner"), "client"),
    "MyOffersApi": own_api(("practitioner",), "practitioner"),
    "UserAdminView": staff(edit=True), "ProfileAdminView": staff(edit=True),
    "RequestAdminView": staff(edit=True), "OfferAdminView": staff(edit=True),
    "ReviewAdminView": staff(edit=True),
    "CategoryAdminView": staff(edit=False), "SpecializationAdminView": staff(edit=False),
    "RegionAdminView": staff(edit=False), "AgreementAdminView": staff(edit=False),
    "AcceptanceAdminView": staff_read_only_model, "AuditAdminView": staff_read_only_model,
    "ThreadAdminView": staff_list_only,
    "QuizQuestionAdminView": quiz_bank, "QuizOptionAdminView": staff(edit=False),
    "PracticeView": practice_view, "QuizView": quiz_view, "ModerationView": moderation_view,
    "AccountsView": accounts_view, "CookiesView": public,
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


def _args(rule, w):
    view = rule.endpoint.split(".")[0]
    method = rule.endpoint.split(".")[1]
    pk = MISSING
    if method in ("show", "edit", "get"):
        pk = {
            "MyRequestsView": w.request_a.id, "MyRequestsApi": w.request_a.id,
            "RequestAdminView": w.request_a.id,
            "MyReviewsView": w.review_a.id, "MyReviewsApi": w.review_a.id, "ReviewAdminView": w.review_a.id,
            "MyOffersView": w.offer_a.id, "MyOffersApi": w.offer_a.id, "OfferAdminView": w.offer_a.id,
            "UserAdminView": w.client_a.id, "ProfileAdminView": w.profile.id,
            "CategoryAdminView": w.profile.category_id, "SpecializationAdminView": w.profile.specializations[0].id,
            "RegionAdminView": w.profile.regions[0].id, "AgreementAdminView": 1,
            "AcceptanceAdminView": w.acceptance_id, "AuditAdminView": w.audit_id,
            "QuizQuestionAdminView": w.question_id, "QuizOptionAdminView": w.option_id,
        }.get(view, MISSING)
    if rule.endpoint == "RequestsView.show":
        pk = w.request_a.id
    values = {"pk": pk, "request_id": pk, "offer_id": MISSING, "review_id": MISSING, "thread_id": MISSING,
              "attachment_id": MISSING, "notification_id": MISSING,
              "document_id": MISSING, "user_id": MISSING, "attempt_id": MISSING, "interview_id": MISSING, "action": "approve", "profile_id": w.profile.id, "code": "advocate", "version": 1, "locale": "ru",
              "name": "muldelete", "filename": "0000_sep_missing.txt", "activation_hash": "nope",
              "group_by": "0", "version_": "v1"}
    return {arg: values[arg] for arg in rule.arguments}


def _outcome(response) -> object:
    if response.status_code == 302:
        return "login" if "/login/" in response.headers["Location"] else "redirect"
    return response.status_code


@pytest.fixture
def matrix_world(world, app):
    from portal.extensions import db
    from portal.models.accounts import AgreementAcceptance
    from portal.services import accounts, audit

    acceptance = accounts.accept_agreement(world.client_a, accounts.current_agreement(), "127.0.0.1", "t")
    entry = audit.record("profile", world.profile.id, "submitted", "approved", world.moderator.id, "ok")
    db.session.commit()
    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "0000_sep_missing.txt"), "w") as fh:
        fh.write("x")
    world.app = app
    world.acceptance_id = acceptance.id
    world.audit_id = entry.id
    from portal.models.verification import QuizOption

    option = db.session.query(QuizOption).first()
    world.question_id, world.option_id = option.question_id, option.id
    assert db.session.get(AgreementAcceptance, acceptance.id)
    return world


def test_every_view_has_an_expected_entry(app):
    views = {r.endpoint.split(".")[0] for r in app.url_map.iter_rules()} - SKIP_BLUEPRINTS
    assert not views - set(ACCESS), f"views without an access rule: {sorted(views - set(ACCESS))}"


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, client, login_as, matrix_world, role):
    w = matrix_world
    if role != "anonymous":
        login_as({"client": w.client_a, "practitioner": w.practitioner, "moderator": w.moderator,
                  "admin": w.admin}[role])
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = rule.endpoint.split(".")[0]
        if view in SKIP_BLUEPRINTS or "GET" not in rule.methods and view != "SecurityApi":
            continue
        url = build_url(app, rule.endpoint, **_args(rule, w)) if rule.arguments else rule.rule
        if view == "OpenApi":
            url = "/api/v1/_openapi"
        expected = ACCESS[view](rule.endpoint, role, w)
        got = _outcome(client.get(url))
        if got != expected:
            failures.append(f"{rule.endpoint} {url}: expected {expected}, got {got}")
        if view in ("AuthDBView", "LocaleView") and role != "anonymous":
            login_as({"client": w.client_a, "practitioner": w.practitioner, "moderator": w.moderator,
                      "admin": w.admin}[role])  # logout/locale switch must not leak into the next rows
    assert not failures, "\n".join(failures)
