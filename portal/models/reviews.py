"""Reviews ("отзыв"): only the client of a completed request may write one."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.core.clock import utcnow

NEGATIVE_RATING_MAX = 2  # agreement 6.6: rating 2 or less is negative


class ReviewStatus:
    PUBLISHED = "published"
    HIDDEN = "hidden"
    ALL = (PUBLISHED, HIDDEN)


class Review(Model):
    __tablename__ = "review"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True, nullable=False)
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
