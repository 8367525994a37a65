"""Search documents built from the database (the source of truth)."""
from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy.orm import Session, selectinload

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.practitioners import PractitionerProfile
from portal.search.backend import NO_PRICE, quality_weight
from portal.search.normalize import prefixes
from portal.search.phrases import analyzed

# Bayesian prior for the relevance blend: a profile without reviews counts as
# PRIOR_COUNT reviews of PRIOR_RATING stars.
PRIOR_RATING, PRIOR_COUNT = 3.0, 5
# Years of verification count TENURE_WEIGHT each, up to TENURE_YEARS (backend.QUALITY_MAX = 10 + 0.5).
TENURE_WEIGHT, TENURE_YEARS = 0.1, 5


def quality(rating: float, reviews: int, verified_years: float = 0.0) -> float:
    """0..10.5: twice the rating pulled towards the prior while there are few reviews
    (0..10), plus up to 0.5 for years since verification. Documents store it as
    backend.quality_weight: a slight multiplier, below any difference in matched words."""
    bayes = (rating * reviews + PRIOR_RATING * PRIOR_COUNT) / (reviews + PRIOR_COUNT)
    tenure = TENURE_WEIGHT * min(max(verified_years, 0.0), TENURE_YEARS)
    return round(2 * bayes + tenure, 3)


def verified_years(profile: PractitionerProfile) -> float:
    """Years since the profile was verified (0 when it has no date); counted when indexed."""
    if profile.verified_since is None:
        return 0.0
    return max(0.0, (utcnow() - profile.verified_since).days / 365.25)


def _names(obj) -> str:
    return " ".join(filter(None, (obj.name_kk, obj.name_ru, getattr(obj, "name_en", ""))))


def home_region(profile: PractitionerProfile):
    user_region = profile.user.region if profile.user is not None else None
    return user_region or (profile.regions[0] if profile.regions else None)


def profile_document(profile: PractitionerProfile) -> dict:
    home = home_region(profile)
    served = [r for r in profile.regions if home is None or r.id != home.id]
    category = profile.category
    specs = list(profile.specializations)
    tags_text = " · ".join(s.name_ru for s in specs) + (" / " + " · ".join(s.name_kk for s in specs)
                                                        if specs else "")
    # every language of the city and chamber: "Өскемен" and "Усть-Каменогорск" find the same profile
    city = _names(profile.city_ref) if profile.city_ref is not None else profile.city
    chamber = _names(profile.chamber_ref) if profile.chamber_ref is not None else profile.chamber
    place = " ".join(filter(None, (city, _names(home) if home else "",
                                   home.centre_kk if home else "", home.centre_ru if home else "")))
    return {
        "id": profile.id,
        "name": profile.name,
        "category": category.code,
        "home_region": home.code if home else "",
        "regions": sorted({r.code for r in profile.regions} | ({home.code} if home else set())),
        "specializations": [s.code for s in specs],
        "languages": profile.language_codes,
        "online": 1 if profile.online_consultation else 0,
        "rating": float(profile.rating_avg or 0),
        "reviews": int(profile.reviews_count or 0),
        "experience": int(profile.experience_years or 0),
        "price": int(profile.price_from) if profile.price_from is not None else NO_PRICE,
        "quality": quality_weight(quality(float(profile.rating_avg or 0), int(profile.reviews_count or 0),
                                          verified_years(profile))),
        "t_name": analyzed(profile.name),
        "t_tags": analyzed(" ".join([_names(category)] + [_names(s) for s in specs])),
        "t_place": analyzed(place),
        "t_served": analyzed(" ".join(_names(r) for r in served)),
        "t_about": analyzed(" ".join((profile.about_ru, profile.about_kk, profile.education_ru,
                                      profile.education_kk, chamber))),
        "suggest": " ".join(prefixes(profile.name)),
        "about_ru": profile.about_ru,
        "about_kk": profile.about_kk,
        "tags_text": tags_text,
    }


def _eager(stmt):
    return stmt.options(
        selectinload(PractitionerProfile.user).selectinload(PortalUser.region),
        selectinload(PractitionerProfile.category),
        selectinload(PractitionerProfile.regions),
        selectinload(PractitionerProfile.specializations),
        selectinload(PractitionerProfile.city_ref),
        selectinload(PractitionerProfile.chamber_ref),
    )


def _by_chunks(session: Session, ids: list[int], batch: int, expunge: bool) -> Iterator[dict]:
    from portal.models.practitioners import public_profiles

    stmt = public_profiles().order_by(PractitionerProfile.id)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        for profile in session.scalars(_eager(stmt.where(PractitionerProfile.id.in_(chunk)))):
            yield profile_document(profile)
        if expunge:
            session.expunge_all()


def public_documents(ids: Iterable[int] | None = None, batch: int = 1000,
                     session: Session | None = None) -> Iterator[dict]:
    """Documents of public profiles (all, or those among ``ids``), read in chunks by id."""
    if ids is not None:
        yield from _by_chunks(session or db.session, sorted(ids), batch, expunge=False)
        return
    # A full scan reads through its own session, emptied after every chunk, so a
    # 100k-profile rebuild keeps memory flat and leaves the caller's session alone.
    with Session(db.engine) as own:
        yield from _by_chunks(own, sorted(public_ids(own)), batch, expunge=True)


def public_ids(session: Session | None = None) -> set[int]:
    from portal.models.practitioners import public_profiles

    return set((session or db.session).scalars(public_profiles().with_only_columns(PractitionerProfile.id)))


