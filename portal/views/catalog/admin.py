"""Staff screens over the catalog: categories, specializations, regions, and the profile facts' cities,
licensors and chambers."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from portal.models.catalog import Category, Chamber, City, Licensor, Region, Specialization
from portal.views.staff import AuditedEditView


class CategoryAdminView(AuditedEditView):
    audit_entity = "category"
    route_base = "/admin/categories"
    datamodel = SQLAInterface(Category)
    list_title = _l("Categories")
    list_columns = ["code", "name_kk", "name_ru", "name_en", "takes_requests", "takes_bookings", "sort_order"]
    add_columns = edit_columns = ["code", "name_kk", "name_ru", "name_en", "description_kk",
                                  "description_ru", "description_en", "regulator_kk", "regulator_ru",
                                  "icon", "takes_requests", "takes_bookings", "sort_order"]
    show_columns = add_columns
    search_columns = ["code", "name_kk", "name_ru", "takes_requests", "takes_bookings"]
    # a switch may be off: FAB would make a non-nullable Boolean column a required (ticked) box
    add_form_extra_fields = edit_form_extra_fields = {
        "takes_requests": BooleanField(_l("Takes requests"), default=True),
        "takes_bookings": BooleanField(_l("Takes bookings"), default=False),
    }


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


class CityAdminView(AuditedEditView):
    audit_entity = "city"
    route_base = "/admin/cities"
    datamodel = SQLAInterface(City)
    list_title = _l("Cities")
    list_columns = ["region", "code", "name_kk", "name_ru", "name_en", "sort_order"]
    add_columns = edit_columns = show_columns = ["region", "code", "name_kk", "name_ru", "name_en", "sort_order"]
    search_columns = ["region", "code", "name_kk", "name_ru", "name_en"]
    base_order = ("sort_order", "asc")


class LicensorAdminView(AuditedEditView):
    audit_entity = "licensor"
    route_base = "/admin/licensors"
    datamodel = SQLAInterface(Licensor)
    list_title = _l("Licensors")
    list_columns = ["code", "name_kk", "name_ru", "name_en", "sort_order"]
    add_columns = edit_columns = show_columns = ["code", "name_kk", "name_ru", "name_en", "sort_order"]
    search_columns = ["code", "name_kk", "name_ru", "name_en"]


class ChamberAdminView(AuditedEditView):
    audit_entity = "chamber"
    route_base = "/admin/chambers"
    datamodel = SQLAInterface(Chamber)
    list_title = _l("Chambers and collegia")
    list_columns = ["category", "region", "code", "name_kk", "name_ru", "sort_order"]
    add_columns = edit_columns = show_columns = ["category", "region", "code", "name_kk", "name_ru", "name_en",
                                                 "sort_order"]
    search_columns = ["category", "region", "code", "name_kk", "name_ru", "name_en"]
    base_order = ("sort_order", "asc")
