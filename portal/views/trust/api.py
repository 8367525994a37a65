"""API of trust (agreement 4e, 5.6, 11.4c, 12.1): reporting what a user sees
(``/api/v1/complaints``) and the user's chat with support (``/api/v1/support``).

Thin: the rules are in portal.services.trust.complaints and .support; the
limits are the web pages' (complaints and support messages per account,
counting only what was sent)."""
from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose

from portal.core.labels import label
from portal.core.limits import per_account
from portal.core.paging import Page
from portal.forms.api.trust import (
    ComplaintIn,
    ComplaintOut,
    ReasonOut,
    ReasonsQuery,
    SupportChatOut,
    SupportMessageIn,
    SupportMessageOut,
    complaint_body,
)
from portal.services.trust import complaints, support
from portal.views.api import Call, PortalApi, operation


class ComplaintsApi(PortalApi):
    resource_name = "complaints"
    openapi_spec_tag = "Complaints"
    limits = [per_account("complaint", "COMPLAINT_RATE_LIMIT", counted="complaint_filed")]

    @expose("/reasons", methods=["GET"])
    @operation("The reasons to choose from when reporting", public=True, query=ReasonsQuery, response=ReasonOut,
               many=True)
    def reasons(self, call: Call):
        return [{"code": code, "label": label(code)}
                for code in complaints.reasons(call.query["kind"], call.query["target_type"])]

    @expose("", methods=["POST"])
    @operation("Report a profile, review, request, offer or message", body=ComplaintIn, response=ComplaintOut,
               status=201,
               description="Only what the user sees as a party or as the public does (else 404), never "
                           "their own (422), one open report per thing (422). kind=inaccuracy reports wrong "
                           "information on a profile. Limited per account (429).")
    def file(self, call: Call):
        data = call.data
        complaint = complaints.file(call.user, data["target_type"], data["target_id"], data["reason"], data["text"],
                                    kind=data["kind"])
        g.complaint_filed = True
        return complaint_body(complaint, complaints.as_reporter_sees(call.user, [complaint])[complaint.id])

    @expose("", methods=["GET"])
    @operation("My complaints and reports, newest first, with what staff decided", response=ComplaintOut,
               paged=True)
    def mine(self, call: Call):
        page = complaints.mine(call.user, call.page, call.per_page)
        targets = complaints.as_reporter_sees(call.user, page.items)
        return Page([complaint_body(c, targets[c.id]) for c in page.items], page.total, page.page, page.per_page)


class SupportApi(PortalApi):
    resource_name = "support"
    openapi_spec_tag = "Support"
    limits = [per_account("support-message", "SUPPORT_MESSAGE_RATE_LIMIT", counted="support_message_sent")]

    @expose("", methods=["GET"])
    @operation("My chat with support", response=SupportChatOut, gate=False,
               description="Reading it marks support's messages read (unread says how many were new).")
    def chat(self, call: Call):
        unread = support.unread_for_user(call.user.id)  # before reading marks them read
        conv = support.chat_of(call.user)
        support.mark_read_by_user(call.user)
        return {"status": conv.status if conv else None, "unread": unread,
                "messages": list(conv.messages) if conv else []}

    @expose("/messages", methods=["POST"])
    @operation("Write to support", body=SupportMessageIn, response=SupportMessageOut, status=201, gate=False,
               description="Support answers in this chat and by email. Limited per account (429).")
    def write(self, call: Call):
        message = support.write(call.user, call.data["body"])
        g.support_message_sent = True
        return message


def register(appbuilder) -> None:
    appbuilder.add_api(ComplaintsApi)
    appbuilder.add_api(SupportApi)
