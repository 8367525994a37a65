"""The exchange between clients and practitioners: requests (Запрос), offers (Отклик), conversations with their messages and files, and reviews (Отзыв)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.core.clock import utcnow

request_specializations = Table(
    "request_specialization",
    Model.metadata,
    Column("request_id", ForeignKey("service_request.id", ondelete="CASCADE"), primary_key=True),
    Column("specialization_id", ForeignKey("specialization.id", ondelete="CASCADE"), primary_key=True),
)


class RequestStatus:
    DRAFT = "draft"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ALL = (DRAFT, OPEN, IN_PROGRESS, COMPLETED, CANCELLED, EXPIRED)


class OfferStatus:
    ACTIVE = "active"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ALL = (ACTIVE, ACCEPTED, DECLINED, WITHDRAWN)


class PriceKind:
    FIXED = "fixed"
    FROM = "from"
    HOURLY = "hourly"
    ALL = (FIXED, FROM, HOURLY)


def _bare_place(name: str) -> str:
    """A place name without "г." / "город" / "қаласы" / "қ.", lower case, ё as е."""
    words = (name or "").lower().replace("ё", "е").replace("г.", " ").replace("қ.", " ").split()
    return " ".join(w for w in words if w not in ("город", "қаласы", "city"))


class ServiceRequest(Model):
    __tablename__ = "service_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), nullable=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), nullable=False)
    target_profile_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("practitioner_profile.id"), nullable=True
    )
    city: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    budget: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    desired_date: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=RequestStatus.DRAFT, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    selected_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # The practitioner asked the client to confirm completion (the client confirms).
    completion_requested_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    client = relationship("PortalUser", foreign_keys=[client_id])
    category = relationship("Category")
    region = relationship("Region")
    target_profile = relationship("PractitionerProfile", foreign_keys=[target_profile_id])
    specializations = relationship("Specialization", secondary=request_specializations)
    offers = relationship("Offer", back_populates="request", order_by="Offer.created_at")

    @property
    def accepted_offer(self) -> Optional["Offer"]:
        return next((o for o in self.offers if o.status == OfferStatus.ACCEPTED), None)

    @property
    def place(self) -> str:
        """Where, named once and in the page's language: "Алматы қаласы" (not "г. Алматы,
        Алматы"), "Қарағанды, Қарағанды облысы" on a kk page for a city typed as "Караганда"."""
        region, city = self.region, " ".join((self.city or "").split())
        if not city:
            return region.name
        bare = _bare_place(city)
        if bare in {_bare_place(n) for n in (region.name_kk, region.name_ru, region.name_en)}:
            return region.name
        if bare in {_bare_place(region.centre_kk), _bare_place(region.centre_ru)}:
            city = region.tr("centre") or city
        return f"{city}, {region.name}"

    def __str__(self) -> str:
        return self.title


class Offer(Model):
    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("request_id", "profile_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), nullable=False, index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id"), nullable=False, index=True)
    price: Mapped[int] = mapped_column(Integer, nullable=False)
    price_kind: Mapped[str] = mapped_column(String(8), nullable=False, default=PriceKind.FIXED)
    term_days: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=OfferStatus.ACTIVE, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    request = relationship(ServiceRequest, back_populates="offers")
    profile = relationship("PractitionerProfile")

    def __str__(self) -> str:
        return f"#{self.id} {self.price} KZT"


class Thread(Model):
    """A conversation between a client and a practitioner: about a request (one per
    request and practitioner) or about a booking (one per booking); exactly one of
    request_id and booking_id is set."""

    __tablename__ = "thread"
    __table_args__ = (
        UniqueConstraint("request_id", "profile_id"),
        CheckConstraint("(request_id IS NULL) <> (booking_id IS NULL)", name="ck_thread_subject"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service_request.id"), nullable=True, index=True)
    booking_id: Mapped[Optional[int]] = mapped_column(ForeignKey("booking.id"), nullable=True, unique=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_message_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Read marks: everything up to this moment has been seen by that party.
    client_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    practitioner_read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    request = relationship("ServiceRequest")
    booking = relationship("Booking", backref=backref("thread", uselist=False))
    profile = relationship("PractitionerProfile")
    messages = relationship("Message", back_populates="thread", order_by="Message.id")

    def __str__(self) -> str:
        return f"#{self.id} {self.request.title if self.request else ''}"


class Message(Model):
    __tablename__ = "message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"), nullable=False, index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    thread = relationship(Thread, back_populates="messages")
    sender = relationship("PortalUser", foreign_keys=[sender_id])
    # selectin: a thread page loads every message's files in one query, not one per message
    attachments = relationship("Attachment", back_populates="message", order_by="Attachment.id",
                               lazy="selectin")


class Attachment(Model):
    """A file a party uploaded: to a request or a booking (by its client) or to a message.
    The bytes live in UPLOAD_FOLDER/attachments/<storage_key>."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service_request.id"), nullable=True,
                                                      index=True)
    message_id: Mapped[Optional[int]] = mapped_column(ForeignKey("message.id"), nullable=True, index=True)
    booking_id: Mapped[Optional[int]] = mapped_column(ForeignKey("booking.id"), nullable=True, index=True)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    message = relationship(Message, back_populates="attachments")
    request = relationship("ServiceRequest", backref="attachments")
    booking = relationship("Booking", backref="attachments")


NEGATIVE_RATING_MAX = 2  # agreement 6.6: rating 2 or less is negative


class ReviewStatus:
    PUBLISHED = "published"
    HIDDEN = "hidden"
    ALL = (PUBLISHED, HIDDEN)


class Review(Model):
    """A client's review of a practitioner: after a completed request or after an
    attended booking (exactly one of request_id and booking_id; one review each)."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating"),
        CheckConstraint("(request_id IS NULL) <> (booking_id IS NULL)", name="ck_review_subject"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("service_request.id"), unique=True, nullable=True)
    booking_id: Mapped[Optional[int]] = mapped_column(ForeignKey("booking.id"), unique=True, nullable=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id"), nullable=False, index=True)
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=ReviewStatus.PUBLISHED)
    reply: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    reply_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    hidden_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    # Set when a moderator has looked at the review (kept, hidden or restored);
    # reviews without it wait in the moderation queue.
    moderated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    moderated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    request = relationship("ServiceRequest", backref=backref("review", uselist=False))
    booking = relationship("Booking", backref=backref("review", uselist=False))
    client = relationship("PortalUser", foreign_keys=[client_id])
    profile = relationship("PractitionerProfile", backref="reviews")

    @property
    def author_name(self) -> str:
        """How the author is shown with the review: their first name (reviews are
        public; the surname is not), or "Anonymous client" once the account is
        closed (services.closure)."""
        if self.client is None or self.client.is_closed:
            return str(_l("Anonymous client"))
        return self.client.first_name

    @property
    def is_negative(self) -> bool:
        return self.rating <= NEGATIVE_RATING_MAX

    def __str__(self) -> str:
        return f"{self.rating}★ #{self.id}"


class PendingRequest(Model):
    """A request a visitor wrote before having an account (services.exchange.pending):
    the form's fields as JSON and its files in UPLOAD_FOLDER/pending/<key>, found
    only by the SHA-256 of a random token kept in the visitor's session, until
    they sign in or register (then it becomes their request) or it expires."""

    __tablename__ = "pending_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
