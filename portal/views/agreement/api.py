"""API of the user agreement (``/api/v1/agreement``, agreement section 3): the
version in force, public, and accepting it (3.1a).

Every other endpoint answers 403 (problem type .../agreement, with
``agreement_version`` and ``accept_url``) to a user who has not accepted the
version in force (portal.views.api); accepting is exempt from that gate, so an
app shows the text from GET, accepts, and carries on.

Thin: the rules are in portal.services.agreement."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from portal.core.errors import NotFound
from portal.core.i18n import current_locale
from portal.forms.api.agreement import AcceptanceOut, AcceptIn, AgreementOut
from portal.services import agreement, agreement_text
from portal.views.api import Call, PortalApi, operation


class AgreementApi(PortalApi):
    resource_name = "agreement"
    openapi_spec_tag = "Agreement"

    @expose("", methods=["GET"])
    @operation("The user agreement in force", public=True, response=AgreementOut, errors=(404,))
    def current(self, call: Call):
        version = agreement.current_agreement()
        if version is None:
            raise NotFound(_l("No user agreement is published yet."))
        lang = current_locale()
        return {"version": version.version, "title": version.tr("title"),
                "text": agreement_text.plain_text(version, lang),
                "text_language": agreement_text.text_language(version, lang),
                "effective_from": version.effective_from,
                "changes": agreement.changes_summary(version.version)}

    @expose("/accept", methods=["POST"])
    @operation("Accept the user agreement in force", body=AcceptIn, response=AcceptanceOut, gate=False,
               description="Send the number of the version the user read (GET /api/v1/agreement); a newer "
                           "version in force by then is refused (422): read it and accept that one.")
    def accept(self, call: Call):
        acceptance = agreement.accept_current(call.user, call.data["version"], request.remote_addr or "",
                                              request.user_agent.string)
        return {"version": acceptance.version.version, "accepted_at": acceptance.accepted_at}


def register(appbuilder) -> None:
    appbuilder.add_api(AgreementApi)
