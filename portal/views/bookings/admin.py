"""Bookings in the back office, read-only (moderators and admins): the list with
filters (status, start, practitioner, client, service) and the details page with the
booking's audit trail (who booked, confirmed, declined, cancelled, moved or marked it,
when and why). Nobody adds, edits or deletes a booking here: a booking moves only
through services.bookings.booking (its state machine, notifications and audit)."""
from __future__ import annotations

import datetime as dt

from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from portal.core.audit import history
from portal.core.formats import format_datetime
from portal.core.labels import label
from portal.models.bookings import Booking
from portal.services.bookings.slots import to_local
from portal.views.staff import LABELS, StaffView

AUDIT_ENTITY = "booking"  # services.bookings.booking.AUDIT_ENTITY
ACTIONS = {"status": _l("Status change"), "moved": _l("Moved to another time")}


def action_label(action: str) -> str:
    return str(ACTIONS[action]) if action in ACTIONS else label(action)


def local_time(value: dt.datetime | None) -> str:
    """A stored UTC instant as Kazakhstan local time."""
    return format_datetime(to_local(value), "short", rebase=False) if value else ""


def audit_value(entry, value: str | None) -> str:
    """An audit entry's from/to value as staff read it: a status label, or a moved
    booking's start (stored as ISO UTC) in local time."""
    if not value:
        return ""
    if entry.action == "moved":
        try:
            return local_time(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return label(value)


class BookingAdminView(StaffView):
    route_base = "/admin/bookings"
    datamodel = SQLAInterface(Booking)
    list_title = _l("Bookings")
    show_template = "portal/bookings/staff_show.html"
    list_columns = ["starts_at", "profile", "client", "service_item", "status", "price", "created_at"]
    show_columns = ["starts_at", "ends_at", "profile", "client", "service_item", "status", "price",
                    "price_kind", "client_note", "reason", "cancelled_by", "outcome_by", "created_at",
                    "confirmed_at", "declined_at", "cancelled_at", "outcome_at"]
    search_columns = ["status", "starts_at", "profile", "client", "service_item", "created_at"]
    label_columns = {
        **LABELS, "starts_at": _l("Starts (Kazakhstan time)"), "ends_at": _l("Ends (Kazakhstan time)"),
        "service_item": _l("Service"), "client_note": _l("Client's note"),
        "cancelled_by": _l("Cancelled by"), "outcome_by": _l("Outcome marked by"),
        "confirmed_at": _l("Confirmed at"), "declined_at": _l("Declined at"), "cancelled_at": _l("Cancelled at"),
        "outcome_at": _l("Outcome marked at"),
    }
    formatters_columns = {
        **StaffView.formatters_columns,
        **{name: local_time for name in ("starts_at", "ends_at", "created_at", "confirmed_at", "declined_at",
                                          "cancelled_at", "outcome_at")},
    }
    base_order = ("starts_at", "desc")
    base_permissions = ["can_list", "can_show"]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)  # 404 for a missing booking
        try:
            trail = history(AUDIT_ENTITY, int(pk))
        except (TypeError, ValueError):
            trail = []
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=self._related_views, audit_trail=trail,
                                    audit_value=audit_value, local_time=local_time,
                                    action_label=action_label)
