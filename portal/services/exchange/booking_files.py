"""Files a client adds when booking: the same types, sizes and count as a
request's files (core.files.check), stored like them (services.attachments)
with ``Attachment.booking_id``. Who may download them: attachment_access
(the booking's client and practitioner, and staff on the record)."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.core import tx
from portal.core.extensions import db
from portal.core.files import check as check_uploads
from portal.core.files import uploaded
from portal.models.accounts import PortalUser
from portal.models.bookings import Booking
from portal.models.exchange import Attachment
from portal.services.exchange import attachments

FIELD = "files"


def check(files, booking: Booking | None = None) -> None:
    """ServiceError (field "files") when a file breaks a rule; counts the booking's files."""
    already = 0
    if booking is not None:
        already = db.session.scalar(select(func.count()).select_from(Attachment)
                                    .where(Attachment.booking_id == booking.id)) or 0
    check_uploads(files, field=FIELD, already=already)


def store(client: PortalUser, booking: Booking, files) -> list[Attachment]:
    """Store already checked files as the booking's (its client's) and commit."""
    chosen = uploaded(files)
    if not chosen:
        return []
    rows = attachments.store(client, chosen)
    for row in rows:
        row.booking_id = booking.id
    tx.commit()
    return rows


def of(booking: Booking) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.booking_id == booking.id)
                                   .order_by(Attachment.id)))
