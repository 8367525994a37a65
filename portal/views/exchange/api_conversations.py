"""Conversations API (``/api/v1/conversations``): my conversations with
unread counts, opening one on a request, reading one (which marks it read, as
the web page does), posting a message with files; and the download of an
attached file (``/api/v1/attachments/<id>``). The rules are
services.exchange.messages, attachments and attachment_access, as for the web
pages (views.exchange.messages). Staff read conversations on the web only,
where they give a reason that goes to the audit trail."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.core.files import SIGNATURES, send_private
from portal.core.paging import Page
from portal.forms.api.exchange_threads import (
    ConversationDetailOut,
    ConversationOut,
    ThreadMessageIn,
    ThreadMessageOut,
    ThreadOpenIn,
)
from portal.models.exchange import Message, Thread
from portal.services.bookings import conversation as booking_threads
from portal.services.exchange import attachment_access
from portal.services.exchange import attachments as attachments_service
from portal.services.exchange import messages as messages_service
from portal.views.api import Call, PortalApi, operation
from portal.views.exchange.api_common import api_fields
from portal.views.exchange.messages import other_party

VIEW = "ThreadsView"


def _summary(thread: Thread, role: str, unread: int) -> dict:
    return {"id": thread.id, "request": thread.request, "booking_id": thread.booking_id,
            "title": booking_threads.title(thread), "role": role, "profile_id": thread.profile_id,
            "other_name": other_party(thread, role).display_name, "unread": unread,
            "last_message_at": thread.last_message_at}


def _message(message: Message, user_id: int, other_read_at) -> dict:
    mine = message.sender_id == user_id
    return {"id": message.id, "sender_id": message.sender_id, "sender_name": message.sender.display_name,
            "mine": mine, "body": message.body, "created_at": message.created_at,
            "read": (other_read_at is not None and message.created_at <= other_read_at) if mine else None,
            "attachments": list(message.attachments)}


class ConversationsApi(PortalApi):
    resource_name = "conversations"
    openapi_spec_tag = "Conversations"

    @expose("/", methods=["GET"])
    @operation("My conversations (with a message), latest activity first, with unread counts",
               response=ConversationOut, paged=True, permission=("can_index", VIEW))
    def index(self, call: Call):
        found = messages_service.mine(call.user, page=call.page, per_page=call.per_page)
        return Page([_summary(*row) for row in found.items], found.total, found.page, found.per_page)

    @expose("/", methods=["POST"])
    @operation("Open (start, or find) the conversation on a request: a practitioner their own; the client "
               "with a practitioner who offered or was asked (profile_id); or on a booking (booking_id: "
               "its client or practitioner)", body=ThreadOpenIn,
               response=ConversationOut, permission=("can_start", VIEW))
    def start(self, call: Call):
        if call.data.get("booking_id") is not None:
            thread = messages_service.open_booking_thread(call.user, call.data["booking_id"])
        else:
            thread = messages_service.open_thread(call.user, call.data["request_id"], call.data.get("profile_id"))
        role = messages_service.party_role(call.user, thread.id)
        return _summary(thread, role, messages_service.unread_count(thread, role))

    @expose("/<int:thread_id>", methods=["GET"])
    @operation("One conversation with its messages and files; reading it marks it read",
               response=ConversationDetailOut, permission=("can_show", VIEW))
    def show(self, thread_id: int, call: Call):
        messages_service.party_role(call.user, thread_id)
        view = messages_service.view(call.user, thread_id)
        thread, other = view.thread, other_party(view.thread, view.role)
        return {**_summary(thread, view.role, 0), "can_write": view.can_write,
                "contacts": other if view.contacts_visible and not other.is_closed else None,
                "other_read_at": view.other_read_at,
                "messages": [_message(m, call.user.id, view.other_read_at) for m in thread.messages]}

    @expose("/<int:thread_id>/messages", methods=["POST"])
    @operation("Write in a conversation: a text, files (multipart/form-data, field files), or both",
               body=ThreadMessageIn, multipart=True, files="files", response=ThreadMessageOut, status=201,
               errors=(413,), permission=("can_post", VIEW))
    def post(self, thread_id: int, call: Call):
        messages_service.party_role(call.user, thread_id)
        with api_fields():
            message = messages_service.post(call.user, thread_id, call.data["body"], call.files)
        return _message(message, call.user.id, None)


class AttachmentsApi(PortalApi):
    resource_name = "attachments"
    openapi_spec_tag = "Conversations"

    @expose("/<int:attachment_id>", methods=["GET"])
    @operation("Download a file of a request or a conversation I take part in (sent as an attachment with "
               "its type)", files_out=tuple(SIGNATURES), permission=("can_download", "AttachmentsView"))
    def download(self, attachment_id: int, call: Call):
        att = attachment_access.get_for(call.user, attachment_id)
        return send_private(attachments_service.key_of(att), att.content_type, att.original_name)
