"""Service requests (the agreement's "запрос") and offers ("отклик")."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
