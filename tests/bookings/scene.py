"""A booking scene for the exchange-link tests (conversation, review, closure, staff):
a notary who takes bookings, a service of their price list, a client and a stranger,
all reading English; bookings are plain rows at the status a test needs."""
from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.bookings import BookingStatus
from tests import factories as f
from tests.bookings.helpers import make_booking, make_service_item


def scene(app) -> SimpleNamespace:
    sm = app.appbuilder.sm
    tag = uuid.uuid4().hex[:6]
    s = SimpleNamespace(tag=tag)
    s.profile = f.make_practitioner(sm, category_code="notary", first_name="Nurlan")
    s.profile.category.takes_bookings = True
    s.prac = s.profile.user
    s.prac.locale = "en"
    s.prac.last_name = f"Notary{tag}"
    s.prac.phone = "+77010000012"
    db.session.commit()
    s.item = make_service_item(s.profile, price=8000, duration=30, name_en=f"Power of attorney {tag}",
                               name_ru=f"Доверенность {tag}", name_kk=f"Сенімхат {tag}")
    s.client = f.make_user(sm, ("Client",), locale="en", first_name="Aigerim", last_name=f"Client{tag}",
                           phone="+77010000011")
    s.stranger = f.make_user(sm, ("Client",), locale="en", first_name="Stranger")
    return s


def booking(s, status=BookingStatus.CONFIRMED, starts_in=dt.timedelta(days=3), client=None, note=""):
    """A booking of ``s.client`` starting ``starts_in`` from now (negative: in the past)."""
    start = (utcnow() + starts_in).replace(second=0, microsecond=0)
    row = make_booking(s.profile, client or s.client, s.item, start, 30, status)
    if note:
        row.client_note = note
        db.session.commit()
    return row
