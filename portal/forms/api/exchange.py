"""API schemas of the exchange: requests, offers, the feed, reviews (the
conversations are in ``exchange_threads``, the field types in ``exchange_fields``).

Bodies name the catalog by codes (as the catalog API gives them); the rules
on the values (lengths, ranges, who may do what) are the services' and come
back as a 422 with the service's translated message, so the schemas only
check types. Money is a whole number of tenge; datetimes are UTC in ISO 8601
with a ``Z``; statuses are codes with a translated ``*_label`` beside them."""
from __future__ import annotations

from marshmallow import fields, validate

from portal.forms.api import In, Localized, Out, Query, Text, UtcDateTime, iso
from portal.forms.api.exchange_fields import Codes, Label, OptionalDate, WholeNumber
from portal.models.exchange import OfferStatus, PriceKind, RequestStatus
from portal.services.exchange import offers, reviews


def _url(attachment) -> str:
    return f"/api/v1/attachments/{attachment.id}"


# --- shared pieces -------------------------------------------------------------------------


class CatalogCodeOut(Out):
    code = fields.String(required=True)
    name = Localized("name", required=True)


class FileOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(attribute="original_name", required=True)
    content_type = fields.String(required=True, metadata={"description": "Found in the file's bytes"})
    size = fields.Integer(required=True, metadata={"description": "Bytes"})
    created_at = UtcDateTime(required=True)
    url = fields.Function(_url, required=True, metadata={
        "type": "string", "description": "Where to download it (GET, with the token)"})


class RequestBriefOut(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(RequestStatus.ALL)})
    status_label = Label("status", required=True)


class OfferProfileOut(Out):
    """A practitioner as a client sees them next to an offer."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    rating_avg = fields.Float(required=True)
    reviews_count = fields.Integer(required=True)
    verified_since = UtcDateTime(allow_none=True)
    is_public = fields.Boolean(required=True, metadata={"description": "The public profile can be opened"})


class PartyContactsOut(Out):
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)


# --- requests --------------------------------------------------------------------------------


class RequestEditIn(In):
    category = fields.String(metadata={"description": "Category code (ignored with target_profile_id)"})
    region = fields.String(metadata={"description": "Region code (ISO 3166-2)"})
    title = Text(10000, required=True)
    description = Text(20000, required=True)
    city = Text(200, load_default="")
    specializations = Codes(load_default=list, metadata={"description": "Specialization codes of the category"})
    budget = WholeNumber(allow_none=True, metadata={"description": "Tenge"})
    desired_date = OptionalDate(allow_none=True)
    publish = fields.Boolean(load_default=False, metadata={"description": "Publish at once (else a draft)"})


class RequestIn(RequestEditIn):
    """A new request; an edited one keeps whom it was sent to."""

    target_profile_id = WholeNumber(allow_none=True, metadata={"description": "Send to this practitioner only"})


class RequestQuery(Query):
    status = fields.String(validate=validate.OneOf(RequestStatus.ALL), metadata={"description": "Only this status"})


class RequestOut(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(RequestStatus.ALL)})
    status_label = Label("status", required=True)
    category = fields.Nested(CatalogCodeOut, required=True)
    region = fields.Nested(CatalogCodeOut, required=True)
    city = fields.String(required=True)
    place = fields.String(required=True, metadata={"description": "City and region, named once"})
    specializations = fields.List(fields.Nested(CatalogCodeOut), required=True)
    budget = fields.Integer(allow_none=True, metadata={"description": "Tenge"})
    desired_date = fields.Date(allow_none=True)
    target_profile_id = fields.Integer(allow_none=True)
    offers_count = fields.Function(lambda r: sum(1 for o in r.offers if o.status != OfferStatus.WITHDRAWN),
                                   required=True, metadata={"type": "integer",
                                                            "description": "Offers (withdrawn ones not counted)"})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    published_at = UtcDateTime(allow_none=True)
    expires_at = UtcDateTime(allow_none=True)
    selected_at = UtcDateTime(allow_none=True)
    completion_requested_at = UtcDateTime(allow_none=True, metadata={
        "description": "When the selected practitioner asked the client to confirm completion"})
    closed_at = UtcDateTime(allow_none=True)


class RequestFullOut(RequestOut):
    description = fields.String(required=True)
    attachments = fields.List(fields.Nested(FileOut), required=True)


class RequestSavedOut(Out):
    request = fields.Nested(RequestFullOut, required=True)
    sent_to = fields.Integer(allow_none=True, metadata={
        "description": "How many practitioners the request was sent to when this call published it"})
    notice = fields.String(allow_none=True, metadata={"description": "What the web page says about it"})


# --- offers ----------------------------------------------------------------------------------


class OfferIn(In):
    price = WholeNumber(allow_none=True, metadata={"description": "Tenge"})
    price_kind = fields.String(load_default=PriceKind.FIXED, metadata={"enum": list(PriceKind.ALL)})
    term_days = WholeNumber(allow_none=True)
    message = Text(20000, load_default="")


class OfferQuery(Query):
    status = fields.String(validate=validate.OneOf(OfferStatus.ALL), metadata={"description": "Only this status"})


class OfferOut(Out):
    id = fields.Integer(required=True)
    request = fields.Nested(RequestBriefOut, required=True)
    price = fields.Integer(required=True, metadata={"description": "Tenge"})
    price_kind = fields.String(required=True, metadata={"enum": list(PriceKind.ALL)})
    price_kind_label = Label("price_kind", required=True)
    term_days = fields.Integer(allow_none=True)
    message = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(OfferStatus.ALL)})
    status_label = Label("status", required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True)
    changeable = fields.Function(lambda o: offers.is_changeable(o), required=True, metadata={
        "type": "boolean", "description": "Can still be edited or withdrawn"})


class ClientOfferOut(OfferOut):
    profile = fields.Nested(OfferProfileOut, required=True)


class FeedQuery(Query):
    region = fields.String(metadata={"description": "A region code: only requests of this region"})
    specialization = fields.String(metadata={"description": "A specialization code of your category"})
    without_offer = fields.Boolean(load_default=False, metadata={"description": "Only requests without my offer"})


class FeedItemOut(Out):
    request = fields.Nested(RequestFullOut, required=True)
    my_offer = fields.Nested(OfferOut, allow_none=True)


class AskCompletionIn(In):
    work_done = fields.Boolean(load_default=False, metadata={"description": "I confirm the work is done"})


# --- reviews ---------------------------------------------------------------------------------


class RequestReviewIn(In):
    rating = WholeNumber(allow_none=True, metadata={"description": "1 to 5"})
    comment = Text(20000, load_default="")


class ReviewReplyIn(In):
    reply = Text(20000, required=True)


class RequestReviewOut(Out):
    id = fields.Integer(required=True)
    request_id = fields.Integer(required=True, allow_none=True,
                                metadata={"description": "The completed request reviewed (null: a booking)"})
    booking_id = fields.Integer(required=True, allow_none=True,
                                metadata={"description": "The attended booking reviewed (null: a request)"})
    profile_id = fields.Integer(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(required=True)
    author_name = fields.String(required=True)
    status = fields.String(required=True)
    status_label = Label("status", required=True)
    reply = fields.String(allow_none=True)
    reply_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class OwnRequestReviewOut(RequestReviewOut):
    editable = fields.Function(lambda r: reviews.can_edit(r), required=True,
                               metadata={"type": "boolean", "description": "Can still be edited"})
    editable_until = fields.Function(lambda r: iso(reviews.editable_until(r)), required=True,
                                     metadata={"type": "string", "format": "date-time"})


# --- one request as its reader sees it --------------------------------------------------------


class ClientSideOut(Out):
    can_edit = fields.Boolean(required=True)
    can_publish = fields.Boolean(required=True)
    can_cancel = fields.Boolean(required=True)
    can_complete = fields.Boolean(required=True)
    can_review = fields.Boolean(required=True)
    review = fields.Nested(OwnRequestReviewOut, allow_none=True)


class PractitionerSideOut(Out):
    my_offer = fields.Nested(OfferOut, allow_none=True)
    may_offer = fields.Boolean(required=True)
    can_ask_completion = fields.Boolean(required=True)
    thread_id = fields.Integer(allow_none=True)


class NextStepOut(Out):
    role = fields.String(required=True, metadata={"enum": ["client", "practitioner"]})
    profile = fields.Nested(OfferProfileOut, required=True)
    contacts = fields.Nested(PartyContactsOut, allow_none=True, metadata={
        "description": "The other side's contacts, shared after the selection (null: account closed)"})
    thread_id = fields.Integer(allow_none=True)


class RequestViewOut(Out):
    request = fields.Nested(RequestFullOut, required=True)
    role = fields.String(required=True, metadata={"enum": ["client", "practitioner", "staff"]})
    client = fields.Nested(ClientSideOut, allow_none=True)
    practitioner = fields.Nested(PractitionerSideOut, allow_none=True)
    next_step = fields.Nested(NextStepOut, allow_none=True)
