"""What the bookings API tests share: a bookable notary with hours and a price
list, clients and strangers signed in through the API (Bearer tokens, no cookie),
and dates relative to the real clock (the API reads it)."""
from __future__ import annotations

import datetime as dt

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.services.bookings.slots import to_local, to_utc
from tests import factories as f
from tests.bookings.helpers import make_service_item, set_hours
from tests.exchange.api_client import ApiUser, client_user

EVERY_DAY = {d: [("09:00", "13:00"), ("14:00", "18:00")] for d in range(7)}
RULES = {"slot_minutes": 30, "min_notice_minutes": 60, "horizon_days": 60, "cancel_notice_minutes": 60}


def day_ahead(days: int = 3) -> dt.date:
    """A local date ``days`` from today."""
    return to_local(utcnow()).date() + dt.timedelta(days=days)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    """The naive UTC instant of a local time on ``day``."""
    return to_utc(dt.datetime(day.year, day.month, day.day, hh, mm))


def z(value: dt.datetime) -> str:
    return value.isoformat() + "Z"


def bookable_profile(app, hours=True, first_name="Нотариус"):
    profile = f.make_practitioner(app.appbuilder.sm, category_code="notary", first_name=first_name)
    profile.category.takes_bookings = True
    db.session.commit()
    if hours:
        set_hours(profile, EVERY_DAY, **RULES)
    return profile


class World:
    """A notary who takes bookings (hours every day, a 30-minute service), the
    notary signed in, a client, another client and another notary."""

    def __init__(self, app, hours=True):
        self.app = app
        self.profile = bookable_profile(app, hours=hours)
        self.item = make_service_item(self.profile, price=8000, duration=30) if hours else None
        self.pro = ApiUser(app, self.profile.user)
        self.client = ApiUser(app, client_user(app, first_name="Айгерим"))
        self.other_client = ApiUser(app, client_user(app, first_name="Чужой"))
        self.other_profile = bookable_profile(app, first_name="Другой")
        self.other_pro = ApiUser(app, self.other_profile.user)

    def book(self, starts_at: dt.datetime, who: ApiUser | None = None, item=None, **extra):
        body = {"profile_id": self.profile.id, "service_id": (item or self.item).id, "starts_at": z(starts_at),
                "note": "Доверенность на машину"} | extra
        return (who or self.client).post("/api/v1/bookings/", json=body)
