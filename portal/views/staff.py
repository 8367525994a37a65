"""The base of every staff CRUD screen (FAB ModelView): labels, date formats, audited edits; the audit trail screen."""
from __future__ import annotations

from flask import abort, g
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from portal.core.audit import AuditEntry
from portal.core.formats import format_date, format_datetime
from portal.core.labels import label
from portal.core.validation import format_phone
from portal.services.accounts import backoffice

LABELS = {
    "first_name": _l("First name"), "last_name": _l("Last name"), "email": _l("Email"),
    "phone": _l("Phone"), "locale": _l("Language"), "region": _l("Region"), "status": _l("Status"),
    "blocked_reason": _l("Block reason"), "blocked_note": _l("Block note"), "roles": _l("Roles"),
    "masked_iin": _l("IIN"), "iin": _l("IIN"), "created_on": _l("Created"), "last_login": _l("Last login"),
    "user": _l("User"), "category": _l("Category"), "city": _l("City"), "city_name": _l("City"),
    "city_ref": _l("City (reference list)"), "licensor_name": _l("Licensor"),
    "chamber_name": _l("Chamber / collegium"),
    "licence_number": _l("Licence number"), "licence_date": _l("Licence date"),
    "licensor": _l("Licensor"), "chamber": _l("Chamber / collegium"),
    "membership_id": _l("Membership ID"), "languages": _l("Languages of service"),
    "experience_years": _l("Experience, years"), "education_kk": _l("Education (kk)"),
    "education_ru": _l("Education (ru)"), "about_kk": _l("About (kk)"), "about_ru": _l("About (ru)"),
    "price_from": _l("Price from, KZT"), "online_consultation": _l("Online consultation"),
    "rating_avg": _l("Rating"), "reviews_count": _l("Reviews"), "verified_since": _l("Verified since"),
    "regions": _l("Regions served"), "specializations": _l("Specializations"),
    "code": _l("Code"), "name_kk": _l("Name (kk)"), "name_ru": _l("Name (ru)"), "name_en": _l("Name (en)"),
    "description_kk": _l("Description (kk)"), "description_ru": _l("Description (ru)"),
    "description_en": _l("Description (en)"), "regulator_kk": _l("Regulator (kk)"),
    "regulator_ru": _l("Regulator (ru)"), "takes_requests": _l("Takes requests"),
    "takes_bookings": _l("Takes bookings"),
    "sort_order": _l("Sort order"), "icon": _l("Icon"), "centre_kk": _l("Centre (kk)"),
    "centre_ru": _l("Centre (ru)"), "version": _l("Version"), "title_kk": _l("Title (kk)"),
    "title_ru": _l("Title (ru)"), "title_en": _l("Title (en)"), "text_kk": _l("Text (kk)"),
    "text_ru": _l("Text (ru)"), "text_en": _l("Text (en)"), "effective_from": _l("Effective from"),
    "accepted_at": _l("Accepted at"), "ip_address": _l("IP address"), "user_agent": _l("User agent"),
    "client": _l("Client"), "title": _l("Title"), "description": _l("Description"),
    "budget": _l("Budget, KZT"), "desired_date": _l("Desired date"), "created_at": _l("Created"),
    "expires_at": _l("Expires"), "target_profile": _l("Addressed to"), "request": _l("Request"),
    "profile": _l("Practitioner"), "price": _l("Price, KZT"), "price_kind": _l("Price type"),
    "term_days": _l("Term, days"), "message": _l("Message"), "rating": _l("Rating"),
    "comment": _l("Comment"), "reply": _l("Reply"), "entity": _l("Object"), "entity_id": _l("Object ID"),
    "action": _l("Action"), "from_value": _l("From"), "to_value": _l("To"), "reason": _l("Reason"),
    "actor": _l("Who"), "category.name": _l("Category"),
    "flagged_at": _l("Flagged for review"), "flag_reason": _l("Flag reason"),
    "negative_reviews_count": _l("Negative reviews"), "last_message_at": _l("Last message"),
    "conversation": _l("Conversation"),
}


def _when(value):
    return format_datetime(value, "short") if value else ""


def yes_no(value) -> str:
    """A yes/no column in the page's language (FAB shows True/False)."""
    return str(_l("Yes")) if value else str(_l("No"))


class StaffView(ModelView):
    """Common look of the back office: translated labels and titles, codes
    shown as translated labels."""

    label_columns = LABELS
    page_size = 25
    formatters_columns = {
        "status": label, "price_kind": label, "blocked_reason": label,
        "verified_since": _when, "created_at": _when, "created_on": _when, "accepted_at": _when,
        "last_login": _when, "licence_date": lambda d: format_date(d) if d else "",
        "flagged_at": _when, "flag_reason": label, "last_message_at": _when,
        "phone": format_phone,  # stored E.164, shown grouped
        "active": yes_no, "is_correct": yes_no, "query_only": yes_no,
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.show_title = _l("Details: %(name)s", name=self.list_title)
        self.add_title = _l("Add: %(name)s", name=self.list_title)
        self.edit_title = _l("Edit: %(name)s", name=self.list_title)


class AuditedEdit:
    """For a FAB ModelView: every field changed in the edit form gets an audit
    entry (who, what, from, to) in the same commit (portal.services.accounts.backoffice)."""

    audit_entity = ""
    audit_masked: tuple[str, ...] = ()

    def may_edit(self, item) -> bool:
        return True

    def _edit(self, pk):
        """GET and POST of /edit/<pk>: refused (403, nothing changes) when ``may_edit`` says
        no; else the old values are loaded first, so the audit entry knows what they were."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            if not self.may_edit(item):
                abort(403)
            for name in self.edit_columns:
                getattr(item, name, None)
        return super()._edit(pk)

    def pre_update(self, item):
        backoffice.record_edit(item, self.audit_entity, self.edit_columns, g.user.id, masked=self.audit_masked)


class AuditedEditView(AuditedEdit, StaffView):
    pass


class AuditAdminView(StaffView):
    route_base = "/admin/audit"
    datamodel = SQLAInterface(AuditEntry)
    list_title = _l("Audit trail")
    list_columns = ["created_at", "actor", "entity", "entity_id", "from_value", "to_value", "reason"]
    show_columns = ["created_at", "actor", "entity", "entity_id", "action", "from_value", "to_value",
                    "reason"]
    search_columns = ["entity", "entity_id", "actor", "to_value", "created_at"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("created_at", "desc")
    formatters_columns = {**StaffView.formatters_columns, "action": label}
