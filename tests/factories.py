"""Plain factory functions for tests: every call makes new, uniquely named rows."""
from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models.catalog import Category, Region
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.models.requests import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.models.reviews import Review

PASSWORD = "Test-pass-1"
_seq = itertools.count(1)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_seq)}-{dt.datetime.now().strftime('%H%M%S%f')}@test.alemtrust.kz"


def make_user(sm, roles=("Client",), email: str | None = None, first_name="Test", last_name="User",
              locale="ru", phone="+77012345678"):
    role_objs = [sm.find_role(r) for r in roles]
    email = email or unique_email(roles[-1].lower())
    user = sm.add_user(username=email, first_name=first_name, last_name=last_name, email=email,
                       role=role_objs, password=PASSWORD, commit=False)
    user.locale = locale
    user.phone = phone
    db.session.commit()
    return user


def category(code: str = "advocate") -> Category:
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def region(code: str = "KZ-75") -> Region:
    return db.session.scalars(select(Region).where(Region.code == code)).one()


def make_profile(user, category_code="advocate", status=ProfileStatus.APPROVED, region_code="KZ-75",
                 about_ru="Адвокат по гражданским делам.", about_kk="Азаматтық істер бойынша адвокат."):
    cat = category(category_code)
    profile = PractitionerProfile(
        user_id=user.id, category_id=cat.id, status=status, city="Алматы", about_ru=about_ru,
        about_kk=about_kk, languages="kk,ru", experience_years=7, price_from=20000,
        licence_number="LIC-1", verified_since=dt.datetime(2026, 1, 15) if status == "approved" else None,
    )
    profile.regions = [region(region_code)]
    profile.specializations = cat.specializations[:2]
    db.session.add(profile)
    db.session.commit()
    return profile


def make_request(client_user, category_code="advocate", status=RequestStatus.OPEN, title="Нужен адвокат"):
    req = ServiceRequest(client_id=client_user.id, category_id=category(category_code).id,
                         region_id=region().id, title=title, description="Описание запроса",
                         budget=50000, status=status)
    db.session.add(req)
    db.session.commit()
    return req


def make_offer(request, profile, status=OfferStatus.ACTIVE, price=40000):
    offer = Offer(request_id=request.id, profile_id=profile.id, price=price, message="Готов помочь",
                  status=status)
    db.session.add(offer)
    db.session.commit()
    return offer


def make_review(request, profile, rating=5, comment="Всё отлично"):
    review = Review(request_id=request.id, client_id=request.client_id, profile_id=profile.id,
                    rating=rating, comment=comment)
    db.session.add(review)
    db.session.commit()
    return review


def make_world(sm) -> SimpleNamespace:
    w = SimpleNamespace()
    w.client_a = make_user(sm, ("Client",), first_name="Асель", last_name="Ахметова")
    w.client_b = make_user(sm, ("Client",), first_name="Борис", last_name="Белов")
    w.practitioner = make_user(sm, ("Client", "Practitioner"), first_name="Ерлан", last_name="Жұмабеков")
    w.moderator = make_user(sm, ("Moderator",), first_name="Мира", last_name="Модератор")
    w.admin = make_user(sm, ("Admin",), first_name="Админ", last_name="Админов")
    w.profile = make_profile(w.practitioner)
    w.request_a = make_request(w.client_a, status=RequestStatus.COMPLETED, title="Запрос A")
    w.request_b = make_request(w.client_b, status=RequestStatus.COMPLETED, title="Запрос B")
    w.offer_a = make_offer(w.request_a, w.profile, status=OfferStatus.ACCEPTED)
    w.offer_b = make_offer(w.request_b, w.profile, status=OfferStatus.ACCEPTED)
    w.review_a = make_review(w.request_a, w.profile, comment="Отзыв A")
    w.review_b = make_review(w.request_b, w.profile, comment="Отзыв B")
    return w
