"""Demo content for a new database: ~50 practitioners, 8 clients, requests with
offers and reviews. Deterministic (seeded); every account's password is
DEMO_PASSWORD (tables in portal.demo.data). Needs the reference data (``ensure_reference_data``) first."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.demo.data import (  # noqa: F401  (DEMO_PASSWORD, EMAIL_DOMAIN: read by tests and README)
    CHAMBER_OVERRIDES,
    CHAMBERS,
    CITY_GENITIVE,
    CITY_SLOTS,
    CLIENT_REGIONS,
    CLOSERS,
    COMMENTS,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    EXPERT_DEGREES,
    FOCUS_KK,
    FOCUS_RU,
    KK_FEMALE,
    KK_MALE,
    KK_SURNAMES,
    LANGUAGES_KK,
    LANGUAGES_RU,
    LAW_DEGREE,
    LICENSOR,
    MOBILE_PREFIXES,
    OFFER_MESSAGES,
    OPENERS_KK,
    OPENERS_RU,
    PLAN,
    PRICE_RANGE,
    RATINGS,
    REPLIES,
    REQUEST_STATUSES,
    REQUESTS,
    ROLE_KK,
    ROLE_RU,
    RU_FEMALE,
    RU_MALE,
    RU_SURNAMES,
    SEED,
    TRANSLIT,
    UNIVERSITIES,
)
from portal.models.catalog import Category, Region
from portal.models.exchange import (
    NEGATIVE_RATING_MAX,
    Offer,
    OfferStatus,
    PriceKind,
    RequestStatus,
    Review,
    ReviewStatus,
    ServiceRequest,
)
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.services.agreement import accept_agreement, current_agreement


def _ascii(text: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in text.lower())


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    return "года" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "лет"


def _genitive(region: Region) -> str:
    if region.code in CITY_GENITIVE:
        return CITY_GENITIVE[region.code]
    if region.name_ru.startswith("Область "):
        return "области " + region.name_ru.split(" ", 1)[1]
    return region.name_ru.replace("ская область", "ской области")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class _Seeder:
    def __init__(self, sm):
        self.sm, self.rng, self.now = sm, random.Random(SEED), utcnow()
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.hashed = ""
        self.agreement = current_agreement()
        if self.agreement is None:
            raise RuntimeError("No user agreement: run ensure_reference_data() first.")
        self.client_role, self.practitioner_role = sm.find_role("Client"), sm.find_role("Practitioner")

    def person(self, email: str | None = None):
        rng = self.rng
        while True:
            female, kazakh = rng.random() < 0.5, rng.random() < 0.78
            names = (KK_FEMALE if female else KK_MALE) if kazakh else (RU_FEMALE if female else RU_MALE)
            first = rng.choice(names)
            last = rng.choice(KK_SURNAMES if kazakh else RU_SURNAMES)
            last += "а" if female and last.endswith(("ов", "ев", "ин")) else ""
            address = email or f"{_ascii(first)}.{_ascii(last)}@{EMAIL_DOMAIN}"
            if address not in self.emails:
                self.emails.add(address)
                return first, last, address, kazakh

    def phone(self) -> str:
        while True:
            phone = f"+7{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 9_999_999):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def user(self, region: Region, practitioner: bool, email: str | None = None):
        first, last, email, kazakh = self.person(email)
        password = {"hashed_password": self.hashed} if self.hashed else {"password": DEMO_PASSWORD}
        user = self.sm.add_user(username=email, first_name=first, last_name=last, email=email,
                                role=self.client_role, commit=False, **password)
        if not user:
            raise RuntimeError(f"Could not create demo user {email}")
        self.hashed = user.password  # hash the shared demo password only once
        if practitioner:
            user.roles = [self.client_role, self.practitioner_role]
        user.phone, user.region_id = self.phone(), region.id
        user.locale = "kk" if kazakh and self.rng.random() < 0.6 else "ru"
        accept_agreement(user, self.agreement, "127.0.0.1", "demo-seed")
        return user, kazakh

    def profile(self, category: Category, status: str, region: Region, regions: list[Region]):
        rng, code = self.rng, category.code
        user, kazakh = self.user(region, practitioner=True)
        exp = rng.randint(2, 28)
        licence_date = dt.date(self.now.year - exp, rng.randint(1, 12), rng.randint(1, 28))
        specs = rng.sample(category.specializations, k=min(rng.randint(1, 3), len(category.specializations)))
        degree = EXPERT_DEGREES.get(specs[0].code, LAW_DEGREE) if code == "expert" else LAW_DEGREE
        uni, graduated = rng.choice(UNIVERSITIES), licence_date.year - rng.randint(1, 4)
        closer = rng.choice(CLOSERS)
        about_ru = " ".join((
            rng.choice(OPENERS_RU).format(role=ROLE_RU[code], exp=exp, years=_years_ru(exp)),
            rng.choice(FOCUS_RU).format(specs=", ".join(_lower_first(s.name_ru) for s in specs)),
            closer[0].format(city=region.centre_ru)))
        about_kk = " ".join((
            rng.choice(OPENERS_KK).format(role=ROLE_KK[code], role_cap=ROLE_KK[code].capitalize(), exp=exp),
            rng.choice(FOCUS_KK).format(specs=", ".join(_lower_first(s.name_kk) for s in specs)),
            closer[1].format(city_kk=region.centre_kk)))
        low, high = PRICE_RANGE[code]
        extra = rng.sample([r for r in regions if r is not region], k=rng.choice((0, 0, 1, 2)))
        licence = f"{rng.randint(14, 19)}{rng.randint(0, 999_999):06d}" if rng.random() < 0.7 \
            else f"ЛЦ-{rng.randint(1, 99_999):07d}"
        profile = PractitionerProfile(
            user=user, category=category, status=status, city=region.centre_ru,
            regions=[region] + extra, specializations=specs,
            languages=rng.choice(LANGUAGES_KK if kazakh else LANGUAGES_RU), experience_years=exp,
            licence_number=licence, licence_date=licence_date, licensor=LICENSOR,
            chamber=CHAMBER_OVERRIDES.get((code, region.code))
            or rng.choice(CHAMBERS[code]).format(gen=_genitive(region)),
            membership_id=str(rng.randint(100, 4999)),
            education_ru=f"{uni[0]}, {degree[0]} ({graduated})",
            education_kk=f"{uni[1]}, {degree[1]} ({graduated})",
            about_ru=about_ru, about_kk=about_kk, price_from=rng.randint(low, high) * 1000,
            online_consultation=rng.random() < 0.6,
            verified_since=(self.now - dt.timedelta(days=rng.randint(10, 400))
                            if status == ProfileStatus.APPROVED else None),
        )
        db.session.add(profile)
        return profile

    def request(self, template, status: str, clients, approved):
        rng = self.rng
        cat_code, spec_code, lang, title, description, budget = template
        client = rng.choice(clients)
        days_ago = {RequestStatus.COMPLETED: (30, 150),
                    RequestStatus.IN_PROGRESS: (5, 30)}.get(status, (0, 12))
        created = self.now - dt.timedelta(days=rng.randint(*days_ago), hours=rng.randint(0, 23))
        category = approved[cat_code][0].category
        request = ServiceRequest(
            client=client, category=category, region=client.region, city=client.region.centre_ru,
            title=title, description=description, budget=budget, status=status, created_at=created,
            updated_at=created, specializations=[s for s in category.specializations if s.code == spec_code],
            desired_date=((created + dt.timedelta(days=rng.randint(7, 30))).date()
                          if rng.random() < 0.5 else None),
            published_at=created,
            expires_at=created + dt.timedelta(days=30) if status == RequestStatus.OPEN else None)
        if status != RequestStatus.OPEN:
            request.selected_at = created + dt.timedelta(days=rng.randint(3, 5))
        if status == RequestStatus.COMPLETED:
            request.closed_at = created + dt.timedelta(days=rng.randint(6, 20))
        local = [p for p in approved[cat_code] if client.region in p.regions]
        others = [p for p in approved[cat_code] if p not in local]
        count = rng.randint(1, 4)
        chosen = rng.sample(local, k=min(count, len(local)))
        chosen += rng.sample(others, k=min(count - len(chosen), len(others)))
        accepted = rng.choice(chosen) if status != RequestStatus.OPEN else None
        for profile in chosen:
            days = rng.randint(1, 30)
            offer_status = OfferStatus.ACTIVE if accepted is None else (
                OfferStatus.ACCEPTED if profile is accepted else OfferStatus.DECLINED)
            offered = created + dt.timedelta(hours=rng.randint(2, 72))
            if status == RequestStatus.OPEN and profile not in local:
                continue  # an open request only gets offers from practitioners it matches
            db.session.add(Offer(
                request=request, profile=profile,
                price=max(5000, int(round(budget * rng.uniform(0.6, 1.15), -3))),
                price_kind=PriceKind.FIXED if rng.random() < 0.7 else PriceKind.FROM, term_days=days,
                message=rng.choice(OFFER_MESSAGES[lang]).format(days=days), status=offer_status,
                created_at=offered, updated_at=offered, decided_at=request.selected_at))
        db.session.add(request)
        return request, accepted, lang

    def review(self, request: ServiceRequest, profile: PractitionerProfile, lang: str, rating: int):
        rng = self.rng
        created = min(self.now, request.created_at + dt.timedelta(days=rng.randint(7, 25)))
        review = Review(request=request, client=request.client, profile=profile, rating=rating,
                        comment=rng.choice(COMMENTS[lang][rating]), status=ReviewStatus.PUBLISHED,
                        created_at=created, updated_at=created)
        if rating <= 3 or rng.random() < 0.35:
            review.reply = REPLIES[lang][rating <= 3]
            review.reply_at = min(self.now, created + dt.timedelta(days=rng.randint(1, 5)))
        db.session.add(review)
        return review


def load_demo_data(sm) -> dict:
    """Fill a new database with demo users, profiles, requests, offers and
    reviews in one transaction; returns what was created."""
    try:
        seeder, counts = _Seeder(sm), {}
        rng = seeder.rng
        regions = list(db.session.scalars(select(Region).order_by(Region.sort_order)))
        by_code = {r.code: r for r in regions}
        categories = {c.code: c for c in db.session.scalars(select(Category))}

        slots = [(code, status) for code, (n, others) in PLAN.items()
                 for status in others + (ProfileStatus.APPROVED,) * (n - len(others))]
        region_slots = [r for r in regions if r.code not in CITY_SLOTS]
        region_slots += [by_code[code] for code, n in CITY_SLOTS.items() for _ in range(n)]
        rng.shuffle(slots)
        rng.shuffle(region_slots)
        profiles = [seeder.profile(categories[code], status, region, regions)
                    for (code, status), region in zip(slots, region_slots)]
        for p in profiles:  # when each application reached the moderators
            if p.status != ProfileStatus.DRAFT:
                p.submitted_at = ((p.verified_since or seeder.now) - dt.timedelta(days=rng.randint(3, 30)))

        clients = [seeder.user(by_code[code], practitioner=False,
                               email=f"client@{EMAIL_DOMAIN}" if i == 0 else None)[0]
                   for i, code in enumerate(CLIENT_REGIONS)]
        db.session.flush()
        # Known practitioner logins: two approved advocates serving the demo client's region.
        local_advocates = [p for p in profiles if p.category.code == "advocate"
                           and p.status == ProfileStatus.APPROVED and clients[0].region in p.regions]
        for login, profile in zip(("practitioner", "practitioner2"), local_advocates):
            profile.user.email = profile.user.username = f"{login}@{EMAIL_DOMAIN}"

        approved = {code: [p for p in profiles
                           if p.category.code == code and p.status == ProfileStatus.APPROVED]
                    for code in categories}
        statuses = list(REQUEST_STATUSES)
        rng.shuffle(statuses)
        requests = [seeder.request(t, s, clients, approved) for t, s in zip(REQUESTS, statuses)]
        # The demo advocates' feeds: every advocate specialization and the regions of the
        # open advocate requests, so logging in as practitioner@ shows requests to answer.
        open_regions = [r.region for r, _, _ in requests
                        if r.status == RequestStatus.OPEN and r.category.code == "advocate"]
        for profile in local_advocates[:2]:
            profile.specializations = list(categories["advocate"].specializations)
            profile.regions = profile.regions + [g for g in dict.fromkeys(open_regions)
                                                 if g not in profile.regions]
        completed = [(r, p, lang) for r, p, lang in requests if r.status == RequestStatus.COMPLETED]
        reviews = [seeder.review(r, p, lang, rating) for (r, p, lang), rating in zip(completed, RATINGS)]
        db.session.flush()

        for profile in profiles:
            ratings = [r.rating for r in reviews
                       if r.profile is profile and r.status == ReviewStatus.PUBLISHED]
            profile.reviews_count = len(ratings)
            profile.rating_avg = round(sum(ratings) / len(ratings), 2) if ratings else 0.0
            profile.negative_reviews_count = sum(1 for x in ratings if x <= NEGATIVE_RATING_MAX)
            if profile.negative_reviews_count >= 3:  # agreement 6.6, as services.reviews does
                profile.flagged_at, profile.flag_reason = seeder.now, "negative_reviews"
        counts = {
            "practitioners": len(profiles),
            "approved": len([p for p in profiles if p.status == ProfileStatus.APPROVED]),
            "clients": len(clients),
            "requests": len(requests),
            "offers": sum(len(r.offers) for r, _, _ in requests),
            "reviews": len(reviews),
        }
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts
