"""No-shows as a trust signal (issue 17: "a no-show mark by either side feeds the
complaint signals"). A booking marked no_show counts against the side that did not
come: the client when the practitioner marked it (or nobody recorded who did), the
practitioner when the client marked it. The window is the complaint signal's
(COMPLAINT_SIGNAL_DAYS, by the time of the mark); services.trust.complaints.signals
adds these counts to the complaints when it compares with the threshold."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from portal.core.extensions import db
from portal.models.bookings import Booking, BookingStatus
from portal.models.practitioners import PractitionerProfile


def missed_by():
    """The SQL expression of the account that missed a no-show booking (needs the profile joined)."""
    return case((Booking.outcome_by_id == Booking.client_id, PractitionerProfile.user_id),
                else_=Booking.client_id)


def _no_shows(since: dt.datetime):
    return (select(missed_by().label("user_id"), Booking.id.label("booking_id"))
            .join(PractitionerProfile, PractitionerProfile.id == Booking.profile_id)
            .where(Booking.status == BookingStatus.NO_SHOW, Booking.outcome_at >= since))


def counts(since: dt.datetime, user_ids: list[int] | None = None) -> dict[int, int]:
    """No-shows per account since ``since`` (only of ``user_ids`` when given)."""
    sub = _no_shows(since).subquery()
    stmt = select(sub.c.user_id, func.count()).group_by(sub.c.user_id)
    if user_ids is not None:
        if not user_ids:
            return {}
        stmt = stmt.where(sub.c.user_id.in_(user_ids))
    return {uid: n for uid, n in db.session.execute(stmt).all()}


def count_about(user_id: int, since: dt.datetime) -> int:
    return counts(since, [user_id]).get(user_id, 0)
