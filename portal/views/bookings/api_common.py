"""What the bookings API modules share: a time that cannot be booked answers
409 with the next free slots (documented as SlotTakenProblem), and a service's
refusal names the field as the API body does."""
from __future__ import annotations

import contextlib

from portal.core.api import problem
from portal.core.errors import NotFound, ServiceError
from portal.forms.api.bookings import SlotOut, SlotTakenProblem
from portal.services.bookings.booking import SlotTaken
from portal.views.api import PortalApi, refused_quietly

SLOT_TAKEN = 409
# the services' field names -> the API's
FIELDS = {"service_item_id": "service_id", "attachments": "files"}


def slot_taken(err: SlotTaken):
    """The 409 problem of a time that cannot be booked, with the next free slots."""
    refused_quietly()
    return problem(SLOT_TAKEN, err.message, kind="refused", errors={"starts_at": [err.message]},
                   next_slots=SlotOut(many=True).dump(err.next_slots))


@contextlib.contextmanager
def api_fields(default_field: str | None = None):
    """A service's refusal names the field as the API body does; a row the body
    names that does not exist (NotFound) is a refusal of that field (422)."""
    try:
        yield
    except SlotTaken:
        raise
    except NotFound as err:
        if default_field is None and not err.field:
            raise
        raise ServiceError(err.message, FIELDS.get(err.field, err.field) or default_field) from None
    except ServiceError as err:
        err.field = FIELDS.get(err.field, err.field)
        raise


class BookingsBaseApi(PortalApi):
    """Documents the 409 of an operation as ``SlotTakenProblem`` (with next_slots)."""

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        result = super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        for method in methods or ():
            responses = (operations or {}).get(method.lower(), {}).get("responses", {})
            if str(SLOT_TAKEN) in responses:
                responses[str(SLOT_TAKEN)] = {
                    "description": "The time cannot be booked (taken meanwhile, or not a free slot): "
                                   "errors.starts_at says why, next_slots offers the next free ones",
                    "content": {"application/problem+json": {"schema": SlotTakenProblem}}}
        return result
