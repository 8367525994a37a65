"""The demo's requests, offers and reviews, written as rows (a mixin of portal.demo's
seeder: it uses the seeder's rng and clock)."""
from __future__ import annotations

import datetime as dt

from portal.core.extensions import db
from portal.demo.data import (
    COMMENTS,
    OFFER_MESSAGES,
    REPLIES,
)
from portal.models.exchange import (
    Offer,
    OfferStatus,
    PriceKind,
    RequestStatus,
    Review,
    ReviewStatus,
    ServiceRequest,
)
from portal.models.practitioners import (
    PractitionerProfile,
)


class ExchangeSteps:
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
        # only practitioners verified before the request was published offered on it
        verified = [p for p in approved[cat_code] if p.verified_since < created - dt.timedelta(hours=2)]
        local = [p for p in verified if client.region in p.regions]
        others = [p for p in verified if p not in local]
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
        # written once the client marked the request completed
        created = min(self.now, request.closed_at + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 12)))
        review = Review(request=request, client=request.client, profile=profile, rating=rating,
                        comment=rng.choice(COMMENTS[lang][rating]), status=ReviewStatus.PUBLISHED,
                        created_at=created, updated_at=created)
        if rating <= 3 or rng.random() < 0.35:
            review.reply = REPLIES[lang][rating <= 3]
            review.reply_at = min(self.now, created + dt.timedelta(days=rng.randint(1, 5)))
        db.session.add(review)
        return review
