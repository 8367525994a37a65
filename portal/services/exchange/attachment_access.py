"""Who may read a stored attachment: the parties of its request or thread,
the client and the practitioner of its booking, and staff (on the record).
Above services.messages and services.requests, whose visibility rules it asks;
services.attachments stores and checks files."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.errors import NotFound
from portal.core.extensions import db
from portal.models.accounts import PortalUser, is_staff
from portal.models.exchange import Attachment
from portal.services.exchange import messages, requests


def get_for(user: PortalUser, attachment_id: int) -> Attachment:
    """The attachment if ``user`` may read the request or thread it belongs to."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_l("This file does not exist or is not available to you."))
    try:
        if att.message_id is not None:
            thread = messages.get_thread(user, att.message.thread_id, audit=False)
            staff_only = messages.role_in(user, thread) == "staff"
        elif att.request_id is not None:
            staff_only = requests.viewer_role(user, requests.get_visible(user, att.request_id)) == "staff"
        elif att.booking_id is not None:
            staff_only = _booking_role(user, att) == "staff"
        else:
            raise NotFound(_l("This file does not exist or is not available to you."))
    except NotFound:
        raise NotFound(_l("This file does not exist or is not available to you.")) from None
    if staff_only:  # staff reading a party's file: on the record
        audit.record("attachment", att.id, None, None, user.id, action="staff_download")
        db.session.commit()
    return att


def _booking_role(user: PortalUser, att: Attachment) -> str:
    """"client" or "practitioner" of the attachment's booking, "staff"; NotFound for anyone else."""
    booking = att.booking
    if booking is not None and user is not None and getattr(user, "id", None) is not None:
        if booking.client_id == user.id:
            return "client"
        if booking.profile is not None and booking.profile.user_id == user.id:
            return "practitioner"
        if is_staff(user):
            return "staff"
    raise NotFound(_l("This file does not exist or is not available to you."))
