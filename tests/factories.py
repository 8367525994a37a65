"""Plain factory functions for tests: every call makes new, uniquely named rows."""
from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from sqlalchemy import select

from portal.core.extensions import db
from portal.models.catalog import Category, Region
from portal.models.exchange import Offer, OfferStatus, RequestStatus, Review, ServiceRequest
from portal.models.practitioners import PractitionerProfile, ProfileStatus

PASSWORD = "Test-pass-1"
_seq = itertools.count(1)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_seq)}-{dt.datetime.now().strftime('%H%M%S%f')}@test.alemtrust.kz"


def make_user(sm, roles=("Client",), email: str | None = None, first_name="Test", last_name="User",
              locale="ru", phone="+77012345678", accepted=True):
    role_objs = [sm.find_role(r) for r in roles]
    email = email or unique_email(roles[-1].lower())
    user = sm.add_user(username=email, first_name=first_name, last_name=last_name, email=email,
                       role=role_objs, password=PASSWORD, commit=False)
    user.locale = locale
    user.phone = phone
    db.session.flush()
    if accepted:  # like a registered user: has accepted the version in force (else the gate stops them)
        from portal.services.agreement import accept_agreement, current_agreement

        agreement = current_agreement()
        if agreement is not None:
            accept_agreement(user, agreement, "127.0.0.1", "tests")
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


# --- requests, offers, reviews ----------------------------------------------------------------

def specialization(category_code: str, code: str):
    from portal.models.catalog import Specialization

    return db.session.scalars(select(Specialization).where(
        Specialization.category_id == category(category_code).id, Specialization.code == code)).one()


def make_practitioner(sm, category_code="advocate", region_codes=("KZ-75",), spec_codes=None,
                      status=ProfileStatus.APPROVED, blocked=False, first_name="Practitioner"):
    """A practitioner (roles Client + Practitioner) with a profile serving exactly
    ``region_codes`` and, when given, exactly ``spec_codes`` (else make_profile's two)."""
    user = make_user(sm, ("Client", "Practitioner"), first_name=first_name)
    profile = make_profile(user, category_code=category_code, status=status)
    profile.regions = [region(code) for code in region_codes]
    if spec_codes is not None:
        profile.specializations = [specialization(category_code, code) for code in spec_codes]
    if blocked:
        user.status = "blocked"
    db.session.commit()
    return profile


def request_input(category_code="advocate", region_code="KZ-75", spec_codes=(), **fields):
    """A valid portal.services.exchange.requests.RequestInput; ``fields`` override."""
    from portal.services.exchange.requests import RequestInput

    values = dict(category_id=category(category_code).id, region_id=region(region_code).id,
                  title="Нужна помощь адвоката", description="Подробное описание моей ситуации для юриста.",
                  city="Алматы", budget=50000,
                  specialization_ids=[specialization(category_code, c).id for c in spec_codes])
    values.update(fields)
    return RequestInput(**values)


def offer_input(price=40000, **fields):
    from portal.services.exchange.offers import OfferInput

    values = dict(price=price, price_kind="fixed", term_days=10, message="Готов помочь")
    values.update(fields)
    return OfferInput(**values)


def committed_session():
    """A separate session: reads what the database holds (committed), not the test's session."""
    from sqlalchemy.orm import Session

    return Session(db.engine)


def committed_state(*rows) -> list[dict]:
    """Column values of ``rows`` as committed in the database."""
    with committed_session() as s:
        out = []
        for row in rows:
            fresh = s.get(type(row), row.id)
            out.append(None if fresh is None else {c.key: getattr(fresh, c.key)
                                                   for c in fresh.__table__.columns})
        return out


def notification_count(user=None, kind=None) -> int:
    """Committed notification rows, optionally of one user and/or kind."""
    from sqlalchemy import func

    from portal.models.notifications import Notification

    stmt = select(func.count()).select_from(Notification)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    with committed_session() as s:
        return s.scalar(stmt)


def row_count(model, **filters) -> int:
    from sqlalchemy import func

    stmt = select(func.count()).select_from(model).filter_by(**filters)
    with committed_session() as s:
        return s.scalar(stmt)


def fails_without_change(*rows, error=None, field=None, count_of=()):
    """Context manager: the block must raise ``error`` (default ServiceError,
    subclasses allowed) and change nothing: after a commit of whatever the
    service left in the session (as a later commit in the same request would),
    ``rows``, the number of notification rows and every ``(model, filters)``
    count in ``count_of`` are what the database held before."""
    import contextlib

    import pytest

    from portal.core.errors import ServiceError

    @contextlib.contextmanager
    def _guard():
        before = committed_state(*rows)
        notes = notification_count()
        counts = [row_count(model, **filters) for model, filters in count_of]
        with pytest.raises(error or ServiceError) as info:
            yield info
        if field is not None:
            assert info.value.field == field
        db.session.commit()
        after = committed_state(*rows)
        changed = [{k: (b[k], a[k]) for k in b if b[k] != a[k]} if a and b else (b, a)
                   for b, a in zip(before, after) if b != a]
        assert not changed, f"an illegal action changed rows (before, after): {changed}"
        assert notification_count() == notes, "an illegal action left notification rows"
        assert [row_count(model, **filters) for model, filters in count_of] == counts

    return _guard()


# --- verification --------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n% test licence\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(data: bytes = PDF_BYTES, name: str = "licence.pdf", content_type: str = "application/pdf"):
    """A werkzeug FileStorage as a form upload gives it (the name and type are the browser's claim)."""
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def application_input(category_code="advocate", region_codes=("KZ-75",), spec_count=1, **fields):
    """A complete portal.services.practitioners.questionnaire.ApplicationInput; ``fields`` override."""
    from portal.services.practitioners.questionnaire import ApplicationInput

    cat = category(category_code)
    values = dict(category_id=cat.id, licence_number="ЛИЦ-0042", licence_date=dt.date(2015, 3, 1),
                  licensor="Министерство юстиции РК", chamber="Алматинская городская коллегия",
                  membership_id="A-117", region_ids=[region(c).id for c in region_codes],
                  specialization_ids=[s.id for s in cat.specializations[:spec_count]], languages=["kk", "ru"],
                  experience_years=8, education_kk="ҚазҰУ", education_ru="КазНУ", about_kk="Тәжірибелі заңгер.",
                  about_ru="Опытный юрист.", price_from=15000, online_consultation=True, city="Алматы")
    values.update(fields)
    return ApplicationInput(**values)


def pass_quiz(profile, score=9, total=10):
    """A finished, passed quiz attempt row (what services.quiz stores) and the status step it triggers."""
    from portal.core.clock import utcnow
    from portal.models.practitioners import QuizAttempt
    from portal.services.practitioners import verification

    attempt = QuizAttempt(profile_id=profile.id, question_ids="[]", answers="{}", score=score, total=total,
                          passed=True, finished_at=utcnow())
    db.session.add(attempt)
    db.session.flush()
    verification.quiz_passed(profile, attempt)
    return attempt


def make_applicant(sm, stage=ProfileStatus.SUBMITTED, staff=None, category_code="advocate", locale="kk",
                   first_name="Заявитель", last_name="Тестов", interview_outcome="passed",
                   passport_checked=True):
    """A user (role Client only) who applied through services.verification and
    reached ``stage``: draft, submitted, quiz_passed, interview_scheduled (with
    the interview recorded as ``interview_outcome`` unless "pending") or
    approved. ``staff`` (a Moderator) is made when a stage needs one."""
    from portal.core.clock import utcnow
    from portal.services.practitioners import decisions, verification

    user = make_user(sm, ("Client",), first_name=first_name, last_name=last_name, locale=locale)
    profile = verification.save_draft(user, application_input(category_code),
                                      {"licence": [upload()]})
    order = [ProfileStatus.DRAFT, ProfileStatus.SUBMITTED, ProfileStatus.QUIZ_PASSED,
             ProfileStatus.INTERVIEW_SCHEDULED, ProfileStatus.APPROVED]
    step = order.index(stage)
    if step >= 1:
        verification.submit(user)
    if step >= 2:
        pass_quiz(profile)
    if step >= 3:
        staff = staff or make_user(sm, ("Moderator",), first_name="Мира")
        interview = decisions.schedule_interview(staff, profile.id, utcnow() + dt.timedelta(days=2),
                                                 "in_person")
        if interview_outcome != "pending":
            decisions.record_interview(staff, interview.id, interview_outcome, "Документы в порядке",
                                       passport_checked, "1234" if passport_checked else None)
    if step >= 4:
        decisions.approve(staff, profile.id, reason="all checks passed")
    db.session.refresh(profile)
    return profile


def stored_path(key: str) -> str:
    """The path on disk of a stored file (the test app's local file store; its folder is made
    if missing, so a test may write the file itself)."""
    import os

    from portal.core import storage

    path = storage.storage().local_path(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def stored_folder(area: str) -> str:
    """The folder of an area of the test app's local file store (made if missing)."""
    import os

    from portal.core import storage

    path = os.path.join(storage.storage().root, area)
    os.makedirs(path, exist_ok=True)
    return path
