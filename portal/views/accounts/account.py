"""A signed-in user's own area: my account, my requests, my reviews, my offers.

Every list is filtered to the current user's rows on the server with FAB
base filters (list/show/edit/delete and API get); no actions are exposed,
since FAB actions bypass base filters."""
from __future__ import annotations

from flask import g
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from portal.core.formats import format_datetime
from portal.core.labels import label
from portal.models.exchange import Offer, Review, ServiceRequest
from portal.services import agreement


def current_user_id() -> int:
    return getattr(getattr(g, "user", None), "id", None) or -1


def current_profile_id() -> int:
    profile = getattr(getattr(g, "user", None), "practitioner_profile", None)
    return profile.id if profile is not None else -1


class AccountView(BaseView):
    route_base = "/account"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        user = g.user
        return self.render_template("portal/accounts/account.html", user=user,
                                    acceptances=agreement.acceptances_of(user.id),
                                    profile=user.practitioner_profile)


REQUEST_LABELS = {
    "title": _l("Title"), "category": _l("Category"), "region": _l("Region"),
    "city": _l("City"), "status": _l("Status"), "budget": _l("Budget, KZT"),
    "desired_date": _l("Desired date"), "created_at": _l("Created"),
    "description": _l("Description"), "offers": _l("Offers"),
}


class MyRequestsView(ModelView):
    route_base = "/my/requests"
    datamodel = SQLAInterface(ServiceRequest)
    base_permissions = ["can_list", "can_show"]
    base_filters = [["client_id", FilterEqualFunction, current_user_id]]
    base_order = ("created_at", "desc")
    list_title = _l("My requests")
    show_title = _l("Request")
    formatters_columns = {"status": label, "created_at": lambda d: format_datetime(d, "short") if d else ""}
    list_columns = ["title", "category", "region", "status", "budget", "created_at"]
    show_columns = ["title", "category", "region", "city", "status", "budget", "desired_date",
                    "description", "created_at"]
    search_columns = ["title", "status", "category", "region"]
    label_columns = REQUEST_LABELS
    page_size = 20


class MyReviewsView(ModelView):
    route_base = "/my/reviews"
    datamodel = SQLAInterface(Review)
    base_permissions = ["can_list", "can_show"]
    base_filters = [["client_id", FilterEqualFunction, current_user_id]]
    base_order = ("created_at", "desc")
    list_title = _l("My reviews")
    show_title = _l("Review")
    list_columns = ["profile", "rating", "comment", "created_at"]
    show_columns = ["profile", "request", "rating", "comment", "reply", "created_at"]
    search_columns = ["rating", "comment"]
    label_columns = {"profile": _l("Practitioner"), "rating": _l("Rating"), "comment": _l("Comment"),
                     "reply": _l("Reply"), "request": _l("Request"), "created_at": _l("Created")}
    page_size = 20


class MyOffersView(ModelView):
    route_base = "/my/offers"
    datamodel = SQLAInterface(Offer)
    base_permissions = ["can_list", "can_show"]
    base_filters = [["profile_id", FilterEqualFunction, current_profile_id]]
    base_order = ("created_at", "desc")
    list_title = _l("My offers")
    show_title = _l("Offer")
    formatters_columns = {"status": label, "price_kind": label}
    list_columns = ["request", "price", "price_kind", "status", "created_at"]
    show_columns = ["request", "price", "price_kind", "term_days", "message", "status", "created_at"]
    search_columns = ["status", "price"]
    label_columns = {"request": _l("Request"), "price": _l("Price, KZT"), "price_kind": _l("Price type"),
                     "term_days": _l("Term, days"), "message": _l("Message"), "status": _l("Status"),
                     "created_at": _l("Created")}
    page_size = 20


def register(appbuilder) -> None:
    appbuilder.add_view(AccountView, "My account", href="/account/", icon="fa-id-card",
                        label=_l("My account"), category="My area", category_label=_l("My area"),
                        category_icon="fa-user")
    # The "My requests" menu item is RequestsView (portal.views.exchange.requests); this list stays for its API users.
    appbuilder.add_view_no_menu(MyRequestsView)
    appbuilder.add_view(MyOffersView, "My offers", icon="fa-handshake", label=_l("My offers"),
                        category="My area")
    appbuilder.add_view(MyReviewsView, "My reviews", icon="fa-star", label=_l("My reviews"),
                        category="My area")
