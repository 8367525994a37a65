"""Search documents built from the database (the source of truth).

Price list and free time (issue 17), read per chunk of profiles:

* ``t_services``: the tokens of the names (kk/ru/en) of the profile's active price-list
  services; the ``service`` filter needs every word in them (backend.SearchQuery.service).
  The names also join ``t_about``, so the free text finds them.
* ``price`` (sort "price", filter max_price): the profile's lowest price: the least of
  its "price from" and its active services' prices (a "from" price counts as its
  amount). One number per profile: with a service filter the sort is by the lowest
  price of the whole list, not of the matching service (the engines have no nested
  documents; a notary's list is short and priced by the state tariff, so the two
  rarely differ).
* ``free_week``, ``next_free``, ``refresh_at``: :mod:`.free_time`, as of the moment the
  document is built."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.practitioners import PractitionerProfile
from portal.search import free_time as free_time_module
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


def lowest_price(price_from: int | None, services) -> int:
    prices = [int(s.price) for s in services]
    if price_from is not None:
        prices.append(int(price_from))
    return min(prices) if prices else NO_PRICE


def profile_document(profile: PractitionerProfile, services=(), free=None) -> dict:
    """The document of a public profile; ``services``: its active price-list items,
    ``free``: its free_time.FreeTime (none when not given)."""
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
    service_names = " ".join(_names(s) for s in services)
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
        "price": lowest_price(profile.price_from, services),
        "quality": quality_weight(quality(float(profile.rating_avg or 0), int(profile.reviews_count or 0),
                                          verified_years(profile))),
        "t_name": analyzed(profile.name),
        "t_tags": analyzed(" ".join([_names(category)] + [_names(s) for s in specs])),
        "t_place": analyzed(place),
        "t_served": analyzed(" ".join(_names(r) for r in served)),
        "t_about": analyzed(" ".join((profile.about_ru, profile.about_kk, profile.education_ru,
                                      profile.education_kk, chamber, service_names))),
        "t_services": analyzed(service_names),
        **(free or free_time_module.NONE).fields(),
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


def active_services(session: Session, ids) -> dict[int, list]:
    """Profile id -> its active price-list items (sort_order, id)."""
    from portal.models.bookings import ServiceItem

    out: dict[int, list] = {}
    for item in session.scalars(select(ServiceItem).where(
            ServiceItem.profile_id.in_(list(ids)), ServiceItem.active.is_(True))
            .order_by(ServiceItem.profile_id, ServiceItem.sort_order, ServiceItem.id)):
        out.setdefault(item.profile_id, []).append(item)
    return out


def _by_chunks(session: Session, ids: list[int], batch: int, expunge: bool,
               now: dt.datetime | None) -> Iterator[dict]:
    from portal.models.practitioners import public_profiles

    stmt = public_profiles().order_by(PractitionerProfile.id)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        profiles = session.scalars(_eager(stmt.where(PractitionerProfile.id.in_(chunk)))).all()
        found = [p.id for p in profiles]
        services = active_services(session, found) if found else {}
        free = free_time_module.free_times(session, found, now or utcnow()) if found else {}
        for profile in profiles:
            yield profile_document(profile, services.get(profile.id, ()), free.get(profile.id))
        if expunge:
            session.expunge_all()


def public_documents(ids: Iterable[int] | None = None, batch: int = 1000,
                     session: Session | None = None, now: dt.datetime | None = None) -> Iterator[dict]:
    """Documents of public profiles (all, or those among ``ids``), read in chunks by id;
    their free time as of ``now`` (default: the clock when each chunk is read)."""
    if ids is not None:
        yield from _by_chunks(session or db.session, sorted(ids), batch, expunge=False, now=now)
        return
    # A full scan reads through its own session, emptied after every chunk, so a
    # 100k-profile rebuild keeps memory flat and leaves the caller's session alone.
    with Session(db.engine) as own:
        yield from _by_chunks(own, sorted(public_ids(own)), batch, expunge=True, now=now)


def public_ids(session: Session | None = None) -> set[int]:
    from portal.models.practitioners import public_profiles

    return set((session or db.session).scalars(public_profiles().with_only_columns(PractitionerProfile.id)))


