"""The catalog by its codes, for the JSON API: a mobile client knows categories,
regions and specializations by the codes the catalog API gives (``advocate``,
``KZ-75``, ``inheritance``), the services work with row ids. Here the codes
become ids, and an unknown code becomes an id no row has, so the service
refuses it with its own message on its own field (one rule, one message)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import PractitionerProfile, active_profile

NO_ROW = 0  # an id no row has: the service says "choose ..." on its field


@dataclass
class CatalogIds:
    category_id: int | None
    region_id: int | None
    specialization_ids: list[int]


def _id_of(model, code: str | None) -> int | None:
    if not code:
        return None
    return db.session.scalar(select(model.id).where(model.code == code)) or NO_ROW


def request_ids(category: str | None, region: str | None, specializations: list[str],
                target_profile_id: int | None = None) -> CatalogIds:
    """Ids for a request's codes. Specialization codes are unique within a
    category, so they are looked up in the request's category (the target
    practitioner's one when the request goes to one practitioner)."""
    category_id = _id_of(Category, category)
    if target_profile_id:
        target = db.session.get(PractitionerProfile, target_profile_id)
        if target is not None:
            category_id = target.category_id
    spec_ids = []
    for code in dict.fromkeys(specializations or []):
        found = db.session.scalar(select(Specialization.id).where(
            Specialization.category_id == (category_id or NO_ROW), Specialization.code == code))
        spec_ids.append(found or NO_ROW)
    return CatalogIds(category_id, _id_of(Region, region), spec_ids)


def feed_ids(user: PortalUser, region: str | None, specialization: str | None) -> tuple[int | None, int | None]:
    """Ids of the feed's filters (a region, a specialization of the practitioner's category)."""
    region_id = _id_of(Region, region)
    if region_id == NO_ROW:
        raise ServiceError(_l("Choose a region."), "region")
    spec_id = None
    if specialization:
        profile = active_profile(user)
        spec_id = db.session.scalar(select(Specialization.id).where(
            Specialization.category_id == (profile.category_id if profile else NO_ROW),
            Specialization.code == specialization))
        if spec_id is None and profile is not None:
            raise ServiceError(_l("Choose specializations of the selected category."), "specialization")
    return region_id, spec_id
