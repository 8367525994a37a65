"""Catalog API (``/api/v1/catalog/...``): the categories, regions and
specializations a client chooses from, in the language of the call. Public."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.forms.api.catalog import CategoryOut, RegionOut, SpecializationOut, SpecializationQuery
from portal.services.practitioners import profiles
from portal.views.api import Call, PortalApi, operation


class CatalogApi(PortalApi):
    resource_name = "catalog"
    openapi_spec_tag = "Catalog"

    @expose("/categories", methods=["GET"])
    @operation("Categories of practitioners", public=True, response=CategoryOut, many=True)
    def categories(self, call: Call):
        return profiles.categories()

    @expose("/regions", methods=["GET"])
    @operation("Regions of Kazakhstan", public=True, response=RegionOut, many=True)
    def regions(self, call: Call):
        return profiles.regions()

    @expose("/specializations", methods=["GET"])
    @operation("Specializations, all or of one category", public=True, query=SpecializationQuery,
               response=SpecializationOut, many=True)
    def specializations(self, call: Call):
        return profiles.specializations(call.query.get("category") or None)


def register(appbuilder) -> None:
    appbuilder.add_api(CatalogApi)
