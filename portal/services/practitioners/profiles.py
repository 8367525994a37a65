"""Public directory: which practitioner profiles a visitor may see.

Only approved (or warned) profiles of active accounts are public. Free-text
search with ranking is portal.search (services.search); ``directory`` here
filters in the database only and is what the search page falls back to while
the search backend is unreachable."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from portal.core import audit
from portal.core.clock import utcnow
from portal.core.collation import sorted_by_name
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Chamber, City, Licensor, Region, Specialization
from portal.models.exchange import NEGATIVE_RATING_MAX, Review, ReviewStatus
from portal.models.practitioners import (
    DocumentKind,
    Interview,
    InterviewOutcome,
    PractitionerProfile,
    QuizAttempt,
    public_profiles,
)
from portal.services.catalog import CITY_REGIONS

NEGATIVE_FLAG_AT = 3  # agreement 6.6: this many negative reviews flag the profile for a moderator
FLAG_NEGATIVE_REVIEWS = "negative_reviews"


def _eager(stmt: Select) -> Select:
    return stmt.options(
        selectinload(PractitionerProfile.user),
        selectinload(PractitionerProfile.category),
        selectinload(PractitionerProfile.regions),
        selectinload(PractitionerProfile.specializations),
        selectinload(PractitionerProfile.documents),  # the card shows the photo
        selectinload(PractitionerProfile.city_ref),
        selectinload(PractitionerProfile.licensor_ref),
        selectinload(PractitionerProfile.chamber_ref),
    )


def directory(category_id: int | None = None, region_id: int | None = None,
              text: str = "", page: int = 1, per_page: int = 12) -> Page:
    stmt = public_profiles()
    if category_id:
        stmt = stmt.where(PractitionerProfile.category_id == category_id)
    if region_id:
        stmt = stmt.where(PractitionerProfile.regions.any(Region.id == region_id))
    text = (text or "").strip()
    if text:
        # A plain substring filter (the fallback while search is down); SQLite
        # folds only ASCII case, PostgreSQL's ILIKE folds Cyrillic too.
        like = "%" + text.replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(or_(
            (PortalUser.first_name + " " + PortalUser.last_name).ilike(like, escape="\\"),
            PractitionerProfile.city.ilike(like, escape="\\"),
            PractitionerProfile.city_ref.has(or_(*(column.ilike(like, escape="\\")
                                                   for column in (City.name_kk, City.name_ru, City.name_en)))),
            PractitionerProfile.about_ru.ilike(like, escape="\\"),
            PractitionerProfile.about_kk.ilike(like, escape="\\"),
        ))
    return paged(_eager(stmt), (PractitionerProfile.rating_avg.desc(), PractitionerProfile.reviews_count.desc(),
                                PractitionerProfile.id), page, per_page)


def public_profile(profile_id: int) -> PractitionerProfile:
    profile = db.session.scalars(
        _eager(public_profiles().where(PractitionerProfile.id == profile_id))
    ).first()
    if profile is None:
        raise NotFound("profile")
    return profile


def profile_reviews(profile_id: int, page: int = 1, per_page: int = 10) -> Page:
    stmt = select(Review).where(Review.profile_id == profile_id, Review.status == ReviewStatus.PUBLISHED)
    return paged(stmt.options(selectinload(Review.client)), (Review.created_at.desc(), Review.id.desc()),
                 page, per_page)


def categories() -> list[Category]:
    """The categories by name in the page's language (the selects and filters); the home page's
    cards keep the editors' order (``sort_order``: see ``categories_with_counts``)."""
    return sorted_by_name(db.session.scalars(select(Category).order_by(Category.id)))


def categories_with_counts() -> list[tuple[Category, int]]:
    """Categories with their number of public profiles, counted in the database
    (the home page takes the counts from the search index instead: see
    services.search.categories_with_counts)."""
    counts = category_counts()
    return [(c, counts.get(c.id, 0)) for c in sorted(categories(), key=lambda c: (c.sort_order, c.id))]


def category_counts() -> dict[int, int]:
    sub = public_profiles().with_only_columns(PractitionerProfile.category_id).subquery()
    rows = db.session.execute(select(sub.c.category_id, func.count()).group_by(sub.c.category_id)).all()
    return {cid: n for cid, n in rows}


def find_category(code: str) -> Category | None:
    return db.session.scalars(select(Category).where(Category.code == code)).first()


def category_by_code(code: str) -> Category:
    category = find_category(code)
    if category is None:
        raise NotFound("category")
    return category


def find_region(code: str) -> Region | None:
    return db.session.scalars(select(Region).where(Region.code == code)).first()


def regions() -> list[Region]:
    """The regions by name in the page's language, the three cities first (in Russian their
    names begin with "г.", which would put them together under Г)."""
    return sort_regions(db.session.scalars(select(Region).order_by(Region.id)))


def sort_regions(rows) -> list[Region]:
    """``rows`` in the order of ``regions``."""
    return sorted_by_name(rows, first=lambda r: r.code in CITY_REGIONS)


@dataclass
class FactChoices:
    """What the questionnaire offers for the profile facts: the cities of the regions
    served (of every region while none is chosen), grouped by region; the licensors; the
    chambers of the category (of every category while none is chosen), those of the
    regions served and the national ones first."""
    cities: list[tuple[Region, list[City]]]
    licensors: list[Licensor]
    chambers: list[Chamber]
    other_chambers: list[Chamber]


def fact_choices(category: Category | None, region_ids) -> FactChoices:
    served = {int(i) for i in region_ids or () if i}
    by_region: dict[int, list[City]] = {}
    for city in db.session.scalars(select(City).order_by(City.sort_order, City.id)):
        by_region.setdefault(city.region_id, []).append(city)
    # the regional centre first, then the other cities by name in the page's language
    cities = [(r, sorted_by_name(by_region[r.id], first=lambda c, centre=by_region[r.id][0]: c is centre))
              for r in regions() if r.id in by_region and (not served or r.id in served)]
    licensors = sorted_by_name(db.session.scalars(select(Licensor).order_by(Licensor.sort_order, Licensor.id)))
    stmt = select(Chamber).order_by(Chamber.sort_order, Chamber.id)
    if category is not None:
        stmt = stmt.where(Chamber.category_id == category.id)
    chambers, others = [], []
    for chamber in db.session.scalars(stmt):
        near = chamber.region_id is None or not served or chamber.region_id in served
        (chambers if near else others).append(chamber)
    return FactChoices(cities, licensors, sorted_by_name(chambers), sorted_by_name(others))


def specializations(category_code: str | None = None) -> list[Specialization]:
    """The specializations by name in the page's language, grouped by category (in the order of ``categories``)."""
    stmt = select(Specialization).join(Category).options(selectinload(Specialization.category))
    if category_code:
        stmt = stmt.where(Category.code == category_code)
    rank = {c.id: i for i, c in enumerate(categories())} if not category_code else {}
    by_name = sorted_by_name(db.session.scalars(stmt.order_by(Specialization.id)))
    return sorted(by_name, key=lambda s: rank.get(s.category_id, 0))


def recompute(profile: PractitionerProfile, now: dt.datetime | None = None) -> None:
    """Refresh the profile's rating, counts and the 6.6 flag from its published reviews."""
    published = (Review.profile_id == profile.id, Review.status == ReviewStatus.PUBLISHED)
    count, avg = db.session.execute(select(func.count(), func.avg(Review.rating)).where(*published)).one()
    negative = db.session.scalar(select(func.count()).select_from(Review).where(
        *published, Review.rating <= NEGATIVE_RATING_MAX)) or 0
    profile.reviews_count, profile.rating_avg = count, round(float(avg or 0), 2)
    previous = profile.negative_reviews_count
    profile.negative_reviews_count = negative
    if negative >= NEGATIVE_FLAG_AT > previous and profile.flagged_at is None:
        profile.flagged_at, profile.flag_reason = now or utcnow(), FLAG_NEGATIVE_REVIEWS
        audit.record("practitioner_profile", profile.id, None, FLAG_NEGATIVE_REVIEWS, None,
                     reason=f"{negative} negative reviews", action="flag")


def rating_distribution(profile_id: int) -> list[tuple[int, int]]:
    """(stars, number of published reviews) for 5 down to 1, zeros included:
    the bars of the profile page."""
    rows = db.session.execute(
        select(Review.rating, func.count()).where(Review.profile_id == profile_id,
                                                  Review.status == ReviewStatus.PUBLISHED)
        .group_by(Review.rating)).all()
    counts = {int(rating): n for rating, n in rows if rating is not None}
    return [(stars, counts.get(stars, 0)) for stars in range(5, 0, -1)]


@dataclass
class Verification:
    """How a public profile was verified, as the profile page tells it: only facts in the data."""
    licence_checked: bool
    licence_number: str
    licence_date: dt.date | None
    quiz_passed_at: dt.datetime | None
    interview_at: dt.datetime | None
    passport_checked: bool
    verified_since: dt.datetime | None


def verification_facts(profile: PractitionerProfile) -> Verification:
    """The steps of verification the profile went through: the licence (number or
    document) checked by a moderator at approval, the last passed agreement quiz,
    the last passed identity interview and the date of verification."""
    quiz_at = db.session.scalar(
        select(func.max(QuizAttempt.finished_at)).where(QuizAttempt.profile_id == profile.id,
                                                        QuizAttempt.passed.is_(True)))
    interview = db.session.scalars(
        select(Interview).where(Interview.profile_id == profile.id, Interview.outcome == InterviewOutcome.PASSED)
        .order_by(Interview.scheduled_at.desc()).limit(1)).first()
    has_licence_doc = any(d.kind == DocumentKind.LICENCE for d in profile.documents)
    return Verification(
        licence_checked=bool(profile.licence_number or has_licence_doc) and profile.is_public,
        licence_number=profile.licence_number or "",
        licence_date=profile.licence_date,
        quiz_passed_at=quiz_at,
        interview_at=(interview.recorded_at or interview.scheduled_at) if interview else None,
        passport_checked=bool(interview and interview.passport_checked),
        verified_since=profile.verified_since,
    )
