"""Practitioners: the public profile (Анкета) and what verifying it takes: documents, the agreement quiz, the identity interview and the notices of decisions."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin

profile_regions = Table(
    "profile_region",
    Model.metadata,
    Column("profile_id", ForeignKey("practitioner_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)

profile_specializations = Table(
    "profile_specialization",
    Model.metadata,
    Column("profile_id", ForeignKey("practitioner_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("specialization_id", ForeignKey("specialization.id", ondelete="CASCADE"), primary_key=True),
)


class ProfileStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUIZ_PASSED = "quiz_passed"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    APPROVED = "approved"
    REJECTED = "rejected"
    WARNED = "warned"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    ALL = (DRAFT, SUBMITTED, QUIZ_PASSED, INTERVIEW_SCHEDULED, APPROVED, REJECTED,
           WARNED, SUSPENDED, REVOKED)
    # The owner closed their account (services.closure): final, and set only there
    # (not in ALL: no staff action, import or form leads to it or away from it).
    CLOSED = "closed"
    PUBLIC = (APPROVED, WARNED)  # a warned practitioner stays verified and visible


SERVICE_LANGUAGES = ("kk", "ru", "en")


class PractitionerProfile(LocalizedMixin, Model):
    __tablename__ = "practitioner_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), unique=True, nullable=False)
    # Id of the row in an imported registry (``flask portal import-practitioners``).
    external_id: Mapped[Optional[str]] = mapped_column(String(64), unique=True, index=True, nullable=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=ProfileStatus.DRAFT, index=True)
    city: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    licence_number: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    licence_date: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    licensor: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    chamber: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    # The facts as reference rows with kk/ru/en names; the free-text columns above
    # (city, licensor, chamber) are the fallback, shown only while no row is set.
    city_id: Mapped[Optional[int]] = mapped_column(ForeignKey("city.id", ondelete="SET NULL"), nullable=True)
    licensor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("licensor.id", ondelete="SET NULL"),
                                                       nullable=True)
    chamber_id: Mapped[Optional[int]] = mapped_column(ForeignKey("chamber.id", ondelete="SET NULL"),
                                                      nullable=True)
    membership_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    languages: Mapped[str] = mapped_column(String(32), nullable=False, default="ru")
    experience_years: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    education_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    education_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    about_kk: Mapped[str] = mapped_column(Text, nullable=False, default="")
    about_ru: Mapped[str] = mapped_column(Text, nullable=False, default="")
    price_from: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    online_consultation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    rating_avg: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    negative_reviews_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Set when the profile needs a moderator's look (agreement 6.6: the third
    # negative review); cleared by the moderator. flag_reason says why.
    flagged_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    flag_reason: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Staff allow a rejected or revoked practitioner to apply again.
    may_reapply: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verified_since: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    user = relationship(
        "PortalUser", foreign_keys=[user_id], backref=backref("practitioner_profile", uselist=False)
    )
    category = relationship("Category")
    city_ref = relationship("City")
    licensor_ref = relationship("Licensor")
    chamber_ref = relationship("Chamber")
    regions = relationship("Region", secondary=profile_regions, order_by="Region.sort_order")
    specializations = relationship(
        "Specialization", secondary=profile_specializations, order_by="Specialization.sort_order"
    )

    @property
    def name(self) -> str:
        return self.user.display_name if self.user else ""

    # The facts in the page's language: the reference row's name, else the free text.
    @property
    def city_name(self) -> str:
        return self.city_ref.name if self.city_ref is not None else (self.city or "")

    @property
    def licensor_name(self) -> str:
        return self.licensor_ref.name if self.licensor_ref is not None else (self.licensor or "")

    @property
    def chamber_name(self) -> str:
        return self.chamber_ref.name if self.chamber_ref is not None else (self.chamber or "")

    @property
    def language_codes(self) -> list[str]:
        return [c for c in (self.languages or "").split(",") if c]

    @property
    def is_public(self) -> bool:
        return self.status in ProfileStatus.PUBLIC and self.user is not None and self.user.is_active


def public_profiles() -> Select:
    """The profiles anyone may see and find: approved or warned, of an active account."""
    from portal.models.accounts import AccountStatus, PortalUser

    return (
        select(PractitionerProfile)
        .join(PortalUser, PractitionerProfile.user_id == PortalUser.id)
        .where(PractitionerProfile.status.in_(ProfileStatus.PUBLIC),
               PortalUser.status == AccountStatus.ACTIVE, PortalUser.active.is_(True))
    )


class DocumentKind:
    PHOTO = "photo"      # shown on the public profile once approved
    LICENCE = "licence"  # private: applicant and staff only
    OTHER = "other"
    ALL = (PHOTO, LICENCE, OTHER)


class ProfileDocument(Model):
    """A file of an application; the bytes live in UPLOAD_FOLDER/profiles/<storage_key>."""

    __tablename__ = "profile_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default=DocumentKind.OTHER)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    profile = relationship("PractitionerProfile", backref="documents")


class QuizQuestion(LocalizedMixin, Model):
    """A question of the agreement quiz; admins edit the bank."""

    __tablename__ = "quiz_question"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    text_kk: Mapped[str] = mapped_column(Text, nullable=False)
    text_ru: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    clause: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # e.g. "6.6"
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    options = relationship("QuizOption", back_populates="question", order_by="QuizOption.sort_order",
                           cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.code


class QuizOption(LocalizedMixin, Model):
    __tablename__ = "quiz_option"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    text_kk: Mapped[str] = mapped_column(Text, nullable=False)
    text_ru: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_correct: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    question = relationship(QuizQuestion, back_populates="options")

    def __str__(self) -> str:
        return self.text_ru[:60]


class QuizAttempt(Model):
    """One sitting of the quiz: the questions drawn, the answers and the score."""

    __tablename__ = "quiz_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    question_ids: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON list
    answers: Mapped[str] = mapped_column(Text, nullable=False, default="{}")       # JSON {question: option}
    score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    profile = relationship("PractitionerProfile", backref="quiz_attempts")


class InterviewMode:
    IN_PERSON = "in_person"
    PHONE = "phone"
    ALL = (IN_PERSON, PHONE)


class InterviewOutcome:
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    NO_SHOW = "no_show"
    ALL = (PENDING, PASSED, FAILED, NO_SHOW)


class Interview(Model):
    """The identity interview. Passport data is confirmed, never stored in
    full: only that it was checked, by whom, when, and at most 4 last digits."""

    __tablename__ = "interview"
    __table_args__ = (Index("ix_interview_profile", "profile_id", "scheduled_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id", ondelete="CASCADE"),
                                            nullable=False)
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    mode: Mapped[str] = mapped_column(String(12), nullable=False, default=InterviewMode.IN_PERSON)
    staff_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    outcome: Mapped[str] = mapped_column(String(12), nullable=False, default=InterviewOutcome.PENDING)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    passport_checked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    passport_checked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    passport_checked_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    passport_last_digits: Mapped[Optional[str]] = mapped_column(String(4), nullable=True)
    recorded_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    profile = relationship("PractitionerProfile", backref="interviews")
    staff = relationship("PortalUser", foreign_keys=[staff_id])
    passport_checked_by = relationship("PortalUser", foreign_keys=[passport_checked_by_id])


class PracticeNotice(Model):
    """What the practitioner is told about a decision on their practice
    (warnings, suspension, revocation, reinstatement, approval): shown on
    "my practice" in their language. The internal reason stays in the audit
    trail; ``message`` is what staff chose to tell (may be empty, 6.3/6.5)."""

    __tablename__ = "practice_notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(20), nullable=False)  # approve, reject, warn, suspend, ...
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    profile = relationship("PractitionerProfile", backref="notices")


def active_profile(user) -> PractitionerProfile | None:
    """The user's practitioner profile if it may act (verified, account active)."""
    profile = getattr(user, "practitioner_profile", None)
    return profile if profile is not None and profile.is_public else None
