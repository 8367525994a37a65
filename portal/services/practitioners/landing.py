"""Landing pages (a category in a region, a category for a specialization) and
the sitemap's rows: what search engines are given. Only public profiles count;
every function is a few grouped queries, whatever the number of profiles."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import (
    PractitionerProfile,
    profile_regions,
    profile_specializations,
    public_profiles,
)
from portal.services.practitioners.profiles import _eager

REGION = "region"
SPECIALIZATION = "specialization"


@dataclass
class Landing:
    category: Category
    kind: str                      # REGION or SPECIALIZATION
    place: Region | None           # the region of a REGION landing
    specialization: Specialization | None
    count: int                     # public profiles on it
    top: list[PractitionerProfile]  # the best rated first


@dataclass
class LandingRow:
    """A landing page with at least one public profile, for the sitemap."""
    kind: str
    category_code: str
    code: str          # the region's or the specialization's code
    lastmod: dt.datetime | None


def _of_region(stmt, region_id: int):
    return stmt.where(PractitionerProfile.id.in_(
        select(profile_regions.c.profile_id).where(profile_regions.c.region_id == region_id)))


def _of_specialization(stmt, specialization_id: int):
    return stmt.where(PractitionerProfile.id.in_(
        select(profile_specializations.c.profile_id).where(
            profile_specializations.c.specialization_id == specialization_id)))


def _landing(category: Category, kind: str, place, specialization, top: int) -> Landing:
    stmt = public_profiles().where(PractitionerProfile.category_id == category.id)
    stmt = _of_region(stmt, place.id) if place is not None else _of_specialization(stmt, specialization.id)
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    profiles = list(db.session.scalars(_eager(stmt).order_by(
        PractitionerProfile.rating_avg.desc(), PractitionerProfile.reviews_count.desc(),
        PractitionerProfile.id).limit(top))) if count else []
    return Landing(category, kind, place, specialization, count, profiles)


def category(code: str) -> Category:
    found = db.session.scalars(select(Category).where(Category.code == code)).first()
    if found is None:
        raise NotFound("category")
    return found


def region_landing(category_code: str, region_code: str, top: int) -> Landing:
    """The public profiles of a category serving a region: NotFound for unknown codes."""
    cat = category(category_code)
    region = db.session.scalars(select(Region).where(Region.code == region_code)).first()
    if region is None:
        raise NotFound("region")
    return _landing(cat, REGION, region, None, top)


def specialization_landing(category_code: str, specialization_code: str, top: int) -> Landing:
    cat = category(category_code)
    spec = db.session.scalars(select(Specialization).where(
        Specialization.category_id == cat.id, Specialization.code == specialization_code)).first()
    if spec is None:
        raise NotFound("specialization")
    return _landing(cat, SPECIALIZATION, None, spec, top)


def _public_ids():
    return public_profiles().with_only_columns(
        PractitionerProfile.id, PractitionerProfile.category_id, PractitionerProfile.updated_at).subquery()


def region_counts(category_id: int) -> dict[int, int]:
    """Region id -> public profiles of the category serving it (regions with none are left out)."""
    pub = _public_ids()
    rows = db.session.execute(
        select(profile_regions.c.region_id, func.count())
        .join(pub, pub.c.id == profile_regions.c.profile_id)
        .where(pub.c.category_id == category_id).group_by(profile_regions.c.region_id)).all()
    return {rid: n for rid, n in rows}


def specialization_counts(category_id: int) -> dict[int, int]:
    pub = _public_ids()
    rows = db.session.execute(
        select(profile_specializations.c.specialization_id, func.count())
        .join(pub, pub.c.id == profile_specializations.c.profile_id)
        .where(pub.c.category_id == category_id).group_by(profile_specializations.c.specialization_id)).all()
    return {sid: n for sid, n in rows}


def landing_rows() -> list[LandingRow]:
    """Every landing page with at least one public profile, with its newest profile change."""
    pub = _public_ids()
    regions = db.session.execute(
        select(Category.code, Region.code, func.max(pub.c.updated_at))
        .select_from(profile_regions)
        .join(pub, pub.c.id == profile_regions.c.profile_id)
        .join(Region, Region.id == profile_regions.c.region_id)
        .join(Category, Category.id == pub.c.category_id)
        .group_by(Category.code, Region.code).order_by(Category.code, Region.code)).all()
    specs = db.session.execute(
        select(Category.code, Specialization.code, func.max(pub.c.updated_at))
        .select_from(profile_specializations)
        .join(pub, pub.c.id == profile_specializations.c.profile_id)
        .join(Specialization, Specialization.id == profile_specializations.c.specialization_id)
        .join(Category, Category.id == Specialization.category_id)
        .where(Specialization.category_id == pub.c.category_id)
        .group_by(Category.code, Specialization.code).order_by(Category.code, Specialization.code)).all()
    return ([LandingRow(REGION, c, r, m) for c, r, m in regions]
            + [LandingRow(SPECIALIZATION, c, s, m) for c, s, m in specs])


def profile_chunks(per_file: int) -> list[dt.datetime | None]:
    """The newest change of each sitemap file of profiles (``per_file`` profiles each, by id)."""
    pub = _public_ids()
    numbered = select(pub.c.updated_at, (func.row_number().over(order_by=pub.c.id) - 1).label("n")).subquery()
    chunk = (numbered.c.n // per_file).label("chunk")
    rows = db.session.execute(select(chunk, func.max(numbered.c.updated_at)).group_by(chunk).order_by(chunk)).all()
    return [lastmod for _, lastmod in rows]


def profile_rows(chunk: int, per_file: int) -> list[tuple[int, dt.datetime]]:
    """(id, updated_at) of the public profiles of sitemap file ``chunk`` (from 0), by id."""
    pub = _public_ids()
    return [tuple(row) for row in db.session.execute(
        select(pub.c.id, pub.c.updated_at).order_by(pub.c.id).offset(chunk * per_file).limit(per_file))]
