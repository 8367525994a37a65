"""API schemas of the catalog: categories, regions, specializations."""
from __future__ import annotations

from marshmallow import fields

from portal.forms.api import Localized, Out, Query


class CategoryOut(Out):
    code = fields.String(required=True)
    name = Localized("name", required=True)
    takes_requests = fields.Boolean(required=True)


class RegionOut(Out):
    code = fields.String(required=True, metadata={"description": "ISO 3166-2"})
    name = Localized("name", required=True)


class SpecializationOut(Out):
    code = fields.String(required=True)
    name = Localized("name", required=True)
    category = fields.Function(lambda s: s.category.code, dump_only=True, required=True)


class SpecializationQuery(Query):
    category = fields.String(metadata={"description": "A category code: only its specializations"})
