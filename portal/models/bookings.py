"""Bookings (appointments): a practitioner's price list, weekly working hours,
booking rules, availability exceptions, and the bookings themselves.

Times of day (working hours, exceptions) are Kazakhstan local time, as minutes
after local midnight; instants (``Booking.starts_at``/``ends_at``) are naive UTC
like every other DateTime column. services.bookings.slots converts between them.

One client per slot is the database's rule, not only the service's:

- on every database, a partial unique index on (profile_id, starts_at) over the
  active bookings (requested, confirmed): two active bookings cannot start at
  the same instant;
- on PostgreSQL also an exclusion constraint (btree_gist) over
  ``tsrange(starts_at, ends_at)`` of the active bookings of one profile: no two
  of them may overlap at all. It is declared here with ``ddl_if`` (PostgreSQL
  only); Alembic's autogenerate neither reflects nor compares exclusion
  constraints, so migration 0011 creates it explicitly. On SQLite, which has
  no such constraint, writers are serialised by the database lock and the
  booking service checks for overlaps inside its write transaction.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import utcnow
from portal.core.i18n import LocalizedMixin

MINUTES_PER_DAY = 24 * 60


class ServicePriceKind:
    FIXED = "fixed"  # the price (e.g. a notarial act at the state tariff)
    FROM = "from"  # "from" the price: the final one depends on the case
    ALL = (FIXED, FROM)


class ServiceMode:
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"
    ALL = (IN_PERSON, PHONE, ONLINE)


class BookingStatus:
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    ALL = (REQUESTED, CONFIRMED, DECLINED, CANCELLED, ATTENDED, NO_SHOW)
    # The bookings that hold their time: no other active booking of the profile may overlap them.
    ACTIVE = (REQUESTED, CONFIRMED)


# The SQL condition of an active booking (the partial index and the exclusion constraint;
# migration 0011 writes the same text).
ACTIVE_BOOKING_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in BookingStatus.ACTIVE))


class ServiceItem(LocalizedMixin, Model):
    """One line of a practitioner's price list: a service with its price in tenge."""

    __tablename__ = "service_item"
    __table_args__ = (
        CheckConstraint("price >= 0", name="ck_service_item_price"),
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="ck_service_item_duration"),
        Index("ix_service_item_profile", "profile_id", "sort_order"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner_profile.id", ondelete="CASCADE"), nullable=False)
    name_kk: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_ru: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    price: Mapped[int] = mapped_column(Integer, nullable=False)  # tenge
    price_kind: Mapped[str] = mapped_column(String(8), nullable=False, default=ServicePriceKind.FIXED)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    mode: Mapped[str] = mapped_column(String(10), nullable=False, default=ServiceMode.IN_PERSON)
    # An item with bookings is never deleted (they refer to it): it is made inactive instead.
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    profile = relationship("PractitionerProfile")

    def __repr__(self) -> str:
        return f"<ServiceItem #{self.id} {self.price} KZT>"


class WorkingHours(Model):
    """One range of a weekday's working hours (a day may have several: before and
    after lunch). Local time; a range never crosses midnight."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_working_hours_weekday"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
                        name="ck_working_hours_range"),
        Index("ix_working_hours_profile", "profile_id", "weekday"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner_profile.id", ondelete="CASCADE"), nullable=False)
    weekday: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 0 Monday ... 6 Sunday (date.weekday())
    start_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # after local midnight
    end_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # exclusive; 1440 = midnight


class BookingRules(Model):
    """A practitioner's booking rules; a profile without a row has the defaults."""

    __tablename__ = "booking_rules"
    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 5 AND 1440", name="ck_booking_rules_slot"),
        CheckConstraint("buffer_minutes >= 0 AND min_notice_minutes >= 0 AND cancel_notice_minutes >= 0",
                        name="ck_booking_rules_minutes"),
        CheckConstraint("horizon_days BETWEEN 1 AND 366", name="ck_booking_rules_horizon"),
    )
    DEFAULT_SLOT = 30
    DEFAULT_BUFFER = 0
    DEFAULT_NOTICE = 120
    DEFAULT_HORIZON = 60
    DEFAULT_CANCEL_NOTICE = 120

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner_profile.id", ondelete="CASCADE"), primary_key=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_SLOT)
    buffer_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_BUFFER)
    # How late a booking may be made: its start at least this long after now.
    min_notice_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_NOTICE)
    # How far ahead: starts before now + this many days.
    horizon_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_HORIZON)
    # How late the client may cancel or move a booking (before its start).
    cancel_notice_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_CANCEL_NOTICE)
    auto_confirm: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The secret of the practitioner's private iCalendar feed URL (None: no feed yet);
    # resetting it gives a new URL and the old one stops working.
    feed_token: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, unique=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    profile = relationship("PractitionerProfile")


class AvailabilityException(Model):
    """A change to one local date's hours: a row without a range makes the date a day
    off; rows with ranges replace the weekday's hours on that date. (A day-off row
    wins over range rows of the same date.)"""

    __tablename__ = "availability_exception"
    __table_args__ = (
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)",
            name="ck_availability_exception_range"),
        Index("ix_availability_exception_profile", "profile_id", "day"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner_profile.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)  # local date
    start_minute: Mapped[Optional[int]] = mapped_column(SmallInteger, nullable=True)
    end_minute: Mapped[Optional[int]] = mapped_column(SmallInteger, nullable=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    @property
    def is_day_off(self) -> bool:
        return self.start_minute is None


class Booking(Model):
    """An appointment: a client's time with a practitioner for one service of the price list.
    requested -> confirmed | declined; confirmed -> cancelled | attended | no_show
    (requested -> cancelled too); the rules live in services.bookings."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_booking_times"),
        Index("uq_booking_active_start", "profile_id", "starts_at", unique=True,
              sqlite_where=text(ACTIVE_BOOKING_SQL), postgresql_where=text(ACTIVE_BOOKING_SQL)),
        Index("ix_booking_profile_starts", "profile_id", "starts_at"),
        Index("ix_booking_client_starts", "client_id", "starts_at"),
        Index("ix_booking_due", "status", "starts_at"),  # reminders, attendance marks
        ExcludeConstraint(
            ("profile_id", "="),
            (literal_column("tsrange(starts_at, ends_at, '[)')"), "&&"),
            name="ex_booking_no_overlap", using="gist", where=text(ACTIVE_BOOKING_SQL),
        ).ddl_if(dialect="postgresql"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("practitioner_profile.id"), nullable=False)
    client_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), nullable=False, index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # naive UTC
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)  # naive UTC, exclusive
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=BookingStatus.REQUESTED)
    # The price list line as it was when booked (the list may change later).
    price: Mapped[int] = mapped_column(Integer, nullable=False)
    price_kind: Mapped[str] = mapped_column(String(8), nullable=False, default=ServicePriceKind.FIXED)
    client_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Why it was declined or cancelled, and who cancelled it (the client, the practitioner, staff).
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancelled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    # Who marked it attended or no_show (either side; a no-show feeds the complaint signals).
    outcome_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    declined_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    outcome_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    # Reminders sent (each once): 24 h and 2 h before the start.
    reminded_24h_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)
    reminded_2h_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime, nullable=True)

    profile = relationship("PractitionerProfile")
    client = relationship("PortalUser", foreign_keys=[client_id])
    service_item = relationship(ServiceItem)
    cancelled_by = relationship("PortalUser", foreign_keys=[cancelled_by_id])
    outcome_by = relationship("PortalUser", foreign_keys=[outcome_by_id])

    @property
    def is_active(self) -> bool:
        return self.status in BookingStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Booking #{self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}Z>"
