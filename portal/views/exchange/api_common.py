"""What the exchange's API modules share: the web permission an endpoint
mirrors, the service's field names as the API calls them, and the shapes
built from several services (one request as its reader sees it)."""
from __future__ import annotations

import contextlib

from portal.core import links
from portal.core.errors import NotFound, ServiceError
from portal.models.exchange import RequestStatus, ServiceRequest
from portal.services.exchange import messages as messages_service
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.services.notifications import inbox

# the services' field names -> the API's (a body names the catalog by codes, files are "files")
FIELDS = {"category_id": "category", "region_id": "region", "specialization_ids": "specializations",
          "attachments": "files"}


@contextlib.contextmanager
def api_fields():
    """A service's refusal names the field as the API body does."""
    try:
        yield
    except NotFound:
        raise
    except ServiceError as err:
        err.field = FIELDS.get(err.field, err.field)
        raise


def offer_input(data: dict) -> offers_service.OfferInput:
    return offers_service.OfferInput(price=data.get("price"), price_kind=data.get("price_kind") or "",
                                     term_days=data.get("term_days"), message=data.get("message") or "")


def request_view(user, req: ServiceRequest) -> dict:
    """One request as ``user`` sees it: the same facts and actions the request
    page shows (views.exchange.requests), from the same service functions.
    Notifications about it are now seen, as when the page is opened."""
    role = requests_service.viewer_role(user, req)
    if role != "staff":
        inbox.mark_read(user.id, link=links.request_page(req.id))
    view = {"request": req, "role": role, "client": None, "practitioner": None, "next_step": None}
    if role == "client":
        view["client"] = {
            "can_edit": requests_service.can_edit(req), "can_publish": req.status == RequestStatus.DRAFT,
            "can_cancel": req.status in requests_service.EDITABLE,
            "can_complete": req.status == RequestStatus.IN_PROGRESS,
            "can_review": reviews_service.can_review(user, req.id), "review": req.review}
    elif role == "practitioner":
        offer = offers_service.own_offer(user, req.id)
        thread = messages_service.my_thread(user, req.id)
        view["practitioner"] = {
            "my_offer": offer,
            "may_offer": offers_service.can_offer(user, req),
            "can_ask_completion": request_lifecycle.may_ask_completion(user, req),
            "thread_id": thread.id if thread else None}
    step = request_lifecycle.next_step(user, req)
    if step is not None:
        view["next_step"] = {"role": step.role, "profile": step.profile, "contacts": step.other,
                             "thread_id": step.thread.id if step.thread else None}
    return view
