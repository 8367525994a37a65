"""API schemas of trust: complaints (and reports of inaccurate information)
and the user's support chat."""
from __future__ import annotations

from flask_babel import gettext
from marshmallow import fields, validate

from portal.core.labels import label
from portal.forms.api import Id, In, Out, Query, Text
from portal.forms.api.accounts import UtcDateTime
from portal.models.trust import ComplaintKind, ComplaintTarget
from portal.services.bookings import conversation as booking_threads
from portal.services.trust import complaints, support
from portal.services.trust.complaint_targets import Target

QUOTE_MAX = 200  # of a review's comment or a message's text in a complaint's summary (as the web list)


class ReasonsQuery(Query):
    kind = fields.String(load_default=ComplaintKind.COMPLAINT, validate=validate.OneOf(ComplaintKind.ALL),
                         metadata={"description": "complaint, or inaccuracy (a profile's information is wrong)"})
    target_type = fields.String(load_default=ComplaintTarget.PROFILE, validate=validate.OneOf(ComplaintTarget.ALL))


class ReasonOut(Out):
    code = fields.String(required=True, metadata={"description": "Send it as reason"})
    label = fields.String(required=True, metadata={"description": "In the call's language"})


class ComplaintIn(In):
    kind = fields.String(load_default=ComplaintKind.COMPLAINT, validate=validate.OneOf(ComplaintKind.ALL))
    target_type = fields.String(required=True, validate=validate.OneOf(ComplaintTarget.ALL))
    target_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=30),
                           metadata={"description": "A code from GET /api/v1/complaints/reasons"})
    text = Text(complaints.TEXT_MAX, load_default="",
                metadata={"description": f"What is wrong, {complaints.TEXT_MIN} to {complaints.TEXT_MAX} characters"})


class TargetOut(Out):
    type = fields.String(required=True)
    id = fields.Integer(required=True)
    available = fields.Boolean(required=True, metadata={"description": "false: hidden, withdrawn or deleted "
                                                                       "since, or no longer visible to you"})
    summary = fields.String(required=True, metadata={"description": "What it is, in one line"})
    link = fields.String(allow_none=True, metadata={"description": "The web page where it is"})


class ComplaintOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    reason = fields.String(required=True)
    reason_label = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "new, in_review, resolved or dismissed"})
    status_label = fields.String(required=True)
    text = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"description": "What staff decided (when resolved or dismissed)"})
    created_at = UtcDateTime(required=True)
    closed_at = UtcDateTime(allow_none=True)
    target = fields.Nested(TargetOut, required=True)


class SupportMessageOut(Out):
    id = fields.Integer(required=True)
    from_staff = fields.Boolean(required=True, metadata={"description": "true: support wrote it"})
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class SupportChatOut(Out):
    status = fields.String(allow_none=True, metadata={"description": "open or closed; null before the first message"})
    unread = fields.Integer(required=True, metadata={"description": "Support's messages not read before this call"})
    messages = fields.List(fields.Nested(SupportMessageOut), required=True)


class SupportMessageIn(In):
    body = Text(support.MESSAGE_MAX, load_default="")


def _quote(text: str | None) -> str:
    text = (text or "").strip()
    return f"“{text if len(text) <= QUOTE_MAX else text[:QUOTE_MAX - 1].rstrip() + '…'}”"


def summary(target: Target) -> str:
    """What a complaint is about, in one line of plain text: the web list's wording
    (portal/templates/portal/trust/complaints/_macros.html)."""
    o = target.obj
    if o is None:
        return f"{label(target.type)} #{target.id} — {gettext('no longer available')}"
    if target.type == ComplaintTarget.PROFILE:
        text = gettext("Profile of %(name)s", name=o.name)
        return f"{text} ({o.category.name})" if o.category else text
    if target.type == ComplaintTarget.REVIEW:
        text = gettext("Review by %(author)s on the profile of %(name)s", author=o.author_name, name=o.profile.name)
        return f"{text}: {_quote(o.comment)}"
    if target.type == ComplaintTarget.REQUEST:
        return f"{gettext('Request')} {_quote(o.title)}"
    if target.type == ComplaintTarget.OFFER:
        return f"{gettext('Offer of %(name)s on the request', name=o.profile.name)} {_quote(o.request.title)}"
    sender = o.sender.display_name if o.sender else ""
    text = gettext("Message from %(name)s in the conversation about", name=sender)
    return f"{text} {_quote(booking_threads.title(o.thread))}: {_quote(o.body)}"


def complaint_body(complaint, target: Target) -> dict:
    """A complaint with what it is about as its reporter sees it (``ComplaintOut``)."""
    return {"id": complaint.id, "kind": complaint.kind, "reason": complaint.reason,
            "reason_label": label(complaint.reason), "status": complaint.status,
            "status_label": label(complaint.status), "text": complaint.text, "outcome": complaint.outcome,
            "created_at": complaint.created_at, "closed_at": complaint.closed_at,
            "target": {"type": target.type, "id": target.id, "available": target.obj is not None,
                       "summary": summary(target), "link": target.link}}
