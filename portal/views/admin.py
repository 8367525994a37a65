"""Back office for Moderators and Admins: FAB CRUD over the domain tables.

Moderators list, show and edit; Admins also add and delete (see
portal.security.ROLES). Agreement versions have their own pages
(portal.views.agreement.admin), listed here to keep the menu order. IIN is shown masked; passwords never appear.

No form here bypasses a service (portal.services.accounts.backoffice): statuses, a
practitioner's licence data, category, regions and specializations, and
requests, offers and reviews are read-only (their services and the moderation
pages change them); moderators do not edit staff accounts; every field staff
change here is written to the audit trail."""
from __future__ import annotations

from flask import abort, g
from flask_appbuilder import ModelView
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.core import links
from portal.core.audit import AuditEntry
from portal.core.labels import label
from portal.core.validation import ValidIIN, ValidPhone
from portal.forms.accounts import LanguageSelectField
from portal.models.accounts import PortalUser
from portal.models.agreement import AgreementAcceptance
from portal.models.catalog import Category, Region, Specialization
from portal.models.exchange import Offer, Review, ServiceRequest, Thread
from portal.models.practitioners import PractitionerProfile
from portal.services.accounts import backoffice
from portal.services.practitioners.verification import TEXT_MAX
from portal.views.agreement.admin import AgreementAdminView  # publishing goes through the service

LABELS = {
    "first_name": _l("First name"), "last_name": _l("Last name"), "email": _l("Email"),
    "phone": _l("Phone"), "locale": _l("Language"), "region": _l("Region"), "status": _l("Status"),
    "blocked_reason": _l("Block reason"), "blocked_note": _l("Block note"), "roles": _l("Roles"),
    "masked_iin": _l("IIN"), "iin": _l("IIN"), "created_on": _l("Created"), "last_login": _l("Last login"),
    "user": _l("User"), "category": _l("Category"), "city": _l("City"),
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


class UserDBModelView(AuditedEdit, FabUserDBModelView):
    """FAB's own user screens (/users/, admins only; named like FAB's for its endpoints and
    permissions), with the same audit as the
    back office. Activity, email and username are not edited here: blocking and
    unblocking go through the blocking service (reasons, emails, sessions ended),
    and an email is the account's login and its look-alike key."""

    edit_columns = ["first_name", "last_name", "roles", "groups"]
    audit_entity = "user"


class UserAdminView(AuditedEditView):
    route_base = "/admin/users"
    datamodel = SQLAInterface(PortalUser)
    list_title = _l("Users")
    list_columns = ["first_name", "last_name", "email", "phone", "roles", "status", "masked_iin", "created_on"]
    show_columns = ["first_name", "last_name", "email", "phone", "locale", "region", "roles", "status",
                    "blocked_reason", "blocked_note", "masked_iin", "created_on", "last_login"]
    # status and roles: blocking (portal.services.accounts.blocking) and FAB's role screens (Admin only)
    edit_columns = ["first_name", "last_name", "phone", "locale", "region", "iin"]
    search_columns = ["first_name", "last_name", "email", "phone", "status", "roles"]
    order_columns = ["first_name", "last_name", "email", "status", "created_on"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    validators_columns = {"phone": [ValidPhone()], "iin": [ValidIIN()]}
    edit_form_extra_fields = {"locale": LanguageSelectField(_l("Language"))}
    description_columns = {"iin": _l("12 digits; never shown publicly")}
    audit_entity = "user"
    audit_masked = ("iin",)

    def may_edit(self, item) -> bool:
        """A moderator may not edit a staff account (admins, moderators, their own)."""
        return backoffice.may_edit_account(g.user, item)


class ProfileAdminView(AuditedEditView):
    """Staff correct the texts of a profile (e.g. after a complaint). Licence
    number, date, licensor, chamber, membership number, category, regions and
    specializations are read-only here: the practitioner changes them in the
    questionnaire (portal.services.practitioners.verification.update_public_profile), which
    sends a verified profile back to review with an audit entry. The status
    changes only through the moderation decisions."""

    route_base = "/admin/profiles"
    datamodel = SQLAInterface(PractitionerProfile)
    list_title = _l("Practitioner profiles")
    list_columns = ["user", "category", "city", "status", "rating_avg", "reviews_count", "verified_since"]
    show_columns = ["user", "category", "status", "city", "regions", "specializations", "licence_number",
                    "licence_date", "licensor", "chamber", "membership_id", "languages",
                    "experience_years", "education_kk", "education_ru", "about_kk", "about_ru",
                    "price_from", "online_consultation", "rating_avg", "reviews_count",
                    "negative_reviews_count", "flagged_at", "flag_reason", "verified_since"]
    edit_columns = ["city", "education_kk", "education_ru", "about_kk", "about_ru"]
    # may stay empty, as in the questionnaire (FAB would make a NOT NULL text column required)
    edit_form_extra_fields = {
        name: TextAreaField(LABELS[name], widget=BS3TextAreaFieldWidget(),
                            validators=[Optional(), Length(max=TEXT_MAX)])
        for name in ("education_kk", "education_ru", "about_kk", "about_ru")}
    audit_entity = "practitioner_profile"
    search_columns = ["user", "category", "status", "city", "licence_number", "online_consultation",
                      "flagged_at", "flag_reason"]
    order_columns = ["status", "city", "rating_avg", "reviews_count", "negative_reviews_count",
                     "flagged_at", "verified_since"]
    base_permissions = ["can_list", "can_show", "can_edit"]

    def may_edit(self, item) -> bool:
        """Nor the profile of a staff account (a moderator's own practice included)."""
        return backoffice.may_edit_account(g.user, item.user)


class CategoryAdminView(AuditedEditView):
    audit_entity = "category"
    route_base = "/admin/categories"
    datamodel = SQLAInterface(Category)
    list_title = _l("Categories")
    list_columns = ["code", "name_kk", "name_ru", "name_en", "takes_requests", "sort_order"]
    add_columns = edit_columns = ["code", "name_kk", "name_ru", "name_en", "description_kk",
                                  "description_ru", "description_en", "regulator_kk", "regulator_ru",
                                  "icon", "takes_requests", "sort_order"]
    show_columns = add_columns
    search_columns = ["code", "name_kk", "name_ru", "takes_requests"]


class SpecializationAdminView(AuditedEditView):
    audit_entity = "specialization"
    route_base = "/admin/specializations"
    datamodel = SQLAInterface(Specialization)
    list_title = _l("Specializations")
    list_columns = ["category", "code", "name_kk", "name_ru", "sort_order"]
    add_columns = edit_columns = show_columns = ["category", "code", "name_kk", "name_ru", "name_en",
                                                 "sort_order"]
    search_columns = ["category", "code", "name_kk", "name_ru"]


class RegionAdminView(AuditedEditView):
    audit_entity = "region"
    route_base = "/admin/regions"
    datamodel = SQLAInterface(Region)
    list_title = _l("Regions")
    list_columns = ["code", "name_kk", "name_ru", "centre_ru", "sort_order"]
    add_columns = edit_columns = show_columns = ["code", "name_kk", "name_ru", "name_en", "centre_kk",
                                                 "centre_ru", "sort_order"]
    search_columns = ["code", "name_kk", "name_ru"]


class AcceptanceAdminView(StaffView):
    route_base = "/admin/acceptances"
    datamodel = SQLAInterface(AgreementAcceptance)
    list_title = _l("Agreement acceptances")
    list_columns = ["user", "version", "accepted_at", "ip_address"]
    show_columns = ["user", "version", "accepted_at", "ip_address", "user_agent"]
    search_columns = ["user", "version", "accepted_at", "ip_address"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("accepted_at", "desc")


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


BACK_OFFICE = [
    (UserAdminView, "Users", _l("Users"), "fa-users"),
    (ProfileAdminView, "Practitioner profiles", _l("Practitioner profiles"), "fa-id-badge"),
    (RequestAdminView, "Requests", _l("Requests"), "fa-file-lines"),
    (OfferAdminView, "Offers", _l("Offers"), "fa-handshake"),
    (ReviewAdminView, "Reviews", _l("Reviews"), "fa-star"),
    (ThreadAdminView, "Conversations", _l("Conversations"), "fa-comments"),
    (CategoryAdminView, "Categories", _l("Categories"), "fa-folder"),
    (SpecializationAdminView, "Specializations", _l("Specializations"), "fa-tags"),
    (RegionAdminView, "Regions", _l("Regions"), "fa-map"),
    (AgreementAdminView, "Agreement versions", _l("Agreement versions"), "fa-file-contract"),
    (AcceptanceAdminView, "Agreement acceptances", _l("Agreement acceptances"), "fa-check"),
    (AuditAdminView, "Audit trail", _l("Audit trail"), "fa-clock-rotate-left"),
]


def register(appbuilder) -> None:
    for view, name, menu_label, icon in BACK_OFFICE:
        appbuilder.add_view(view, name, label=menu_label, icon=icon, category="Back office",
                            category_label=_l("Back office"), category_icon="fa-briefcase")
