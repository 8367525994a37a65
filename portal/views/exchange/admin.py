"""Staff screens over requests, offers, reviews and conversations (read-only: their services and the moderation pages change them)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.core import links
from portal.models.exchange import Offer, Review, ServiceRequest, Thread
from portal.views.staff import LABELS, StaffView


class RequestAdminView(StaffView):
    """Read-only: a request is its client's words and moves only through its
    state machine (portal.services.exchange.requests); staff read it here and act on
    complaints (warn, block)."""

    route_base = "/admin/requests"
    datamodel = SQLAInterface(ServiceRequest)
    list_title = _l("Requests")
    list_columns = ["title", "client", "category", "region", "status", "budget", "created_at"]
    show_columns = ["title", "client", "category", "region", "city", "target_profile", "status",
                    "budget", "desired_date", "description", "created_at", "expires_at"]
    search_columns = ["title", "client", "category", "region", "status", "created_at"]
    base_order = ("created_at", "desc")
    base_permissions = ["can_list", "can_show"]


class OfferAdminView(StaffView):
    """Read-only: an offer is the practitioner's (portal.services.exchange.offers)."""

    route_base = "/admin/offers"
    datamodel = SQLAInterface(Offer)
    list_title = _l("Offers")
    list_columns = ["request", "profile", "price", "price_kind", "status", "created_at"]
    show_columns = ["request", "profile", "price", "price_kind", "term_days", "message", "status",
                    "created_at"]
    search_columns = ["request", "profile", "status", "price"]
    base_order = ("created_at", "desc")
    base_permissions = ["can_list", "can_show"]


class ReviewAdminView(StaffView):
    """Read-only: staff hide or restore a review on the moderation pages
    (portal.services.practitioners.moderation, audited); nobody rewrites a client's review or
    a practitioner's reply."""

    route_base = "/admin/reviews"
    datamodel = SQLAInterface(Review)
    list_title = _l("Reviews")
    list_columns = ["profile", "client", "rating", "status", "created_at"]
    show_columns = ["profile", "client", "request", "rating", "comment", "status", "reply", "created_at"]
    search_columns = ["profile", "client", "rating", "status", "created_at"]
    base_order = ("created_at", "desc")
    base_permissions = ["can_list", "can_show"]


def _thread_link(thread_id: int) -> Markup:
    return Markup('<a href="{}">{}</a>').format(links.thread_page(thread_id), gettext("Open"))


class ThreadAdminView(StaffView):
    """Conversations, for moderation: the list shows who talks about what;
    reading one goes through the thread page, which asks staff for a reason
    and writes it to the audit trail (services.messages)."""

    route_base = "/admin/threads"
    datamodel = SQLAInterface(Thread)
    list_title = _l("Conversations")
    list_columns = ["request", "profile", "created_at", "last_message_at", "id"]
    label_columns = {**LABELS, "id": _l("Conversation")}
    formatters_columns = {**StaffView.formatters_columns, "id": _thread_link}
    search_columns = ["request", "profile", "created_at", "last_message_at"]
    base_permissions = ["can_list"]
    base_order = ("last_message_at", "desc")
