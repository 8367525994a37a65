"""Staff screens over the catalog: categories, specializations, regions."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from portal.models.catalog import Category, Region, Specialization
from portal.views.staff import AuditedEditView


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
