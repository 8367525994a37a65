"""The "Back office" menu for Moderators and Admins: FAB CRUD over the domain
tables, one screen per table from the domains' ``admin`` modules, in menu order.

Moderators list, show and edit; Admins also add and delete (see
portal.security.ROLES). No form there bypasses a service
(portal.services.accounts.backoffice); every field staff change is written to
the audit trail."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.views.accounts.admin import UserAdminView
from portal.views.agreement.admin import AcceptanceAdminView, AgreementAdminView
from portal.views.bookings.admin import BookingAdminView
from portal.views.catalog.admin import (
    CategoryAdminView,
    ChamberAdminView,
    CityAdminView,
    LicensorAdminView,
    RegionAdminView,
    SpecializationAdminView,
)
from portal.views.exchange.admin import OfferAdminView, RequestAdminView, ReviewAdminView, ThreadAdminView
from portal.views.practitioners.admin import ProfileAdminView
from portal.views.search.admin import SearchConceptAdminView
from portal.views.staff import AuditAdminView

BACK_OFFICE = [
    (UserAdminView, "Users", _l("Users"), "fa-users"),
    (ProfileAdminView, "Practitioner profiles", _l("Practitioner profiles"), "fa-id-badge"),
    (RequestAdminView, "Requests", _l("Requests"), "fa-file-lines"),
    (OfferAdminView, "Offers", _l("Offers"), "fa-handshake"),
    (ReviewAdminView, "Reviews", _l("Reviews"), "fa-star"),
    (ThreadAdminView, "Conversations", _l("Conversations"), "fa-comments"),
    (BookingAdminView, "Bookings", _l("Bookings"), "fa-calendar-check"),
    (CategoryAdminView, "Categories", _l("Categories"), "fa-folder"),
    (SpecializationAdminView, "Specializations", _l("Specializations"), "fa-tags"),
    (RegionAdminView, "Regions", _l("Regions"), "fa-map"),
    (CityAdminView, "Cities", _l("Cities"), "fa-city"),
    (LicensorAdminView, "Licensors", _l("Licensors"), "fa-landmark"),
    (ChamberAdminView, "Chambers", _l("Chambers and collegia"), "fa-building-columns"),
    (SearchConceptAdminView, "Search concepts", _l("Search concepts"), "fa-magnifying-glass"),
    (AgreementAdminView, "Agreement versions", _l("Agreement versions"), "fa-file-contract"),
    (AcceptanceAdminView, "Agreement acceptances", _l("Agreement acceptances"), "fa-check"),
    (AuditAdminView, "Audit trail", _l("Audit trail"), "fa-clock-rotate-left"),
]


def register(appbuilder) -> None:
    for view, name, menu_label, icon in BACK_OFFICE:
        appbuilder.add_view(view, name, label=menu_label, icon=icon, category="Back office",
                            category_label=_l("Back office"), category_icon="fa-briefcase")
