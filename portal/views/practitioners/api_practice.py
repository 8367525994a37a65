"""My practice API (``/api/v1/practice``): the status and what to do next, the
questionnaire, its documents and submitting it for verification, for the
signed-in applicant or practitioner (a user reaches only their own profile and
documents; anyone else's document is a 404).

Thin, like the web page (views.practitioners.practice): the same service calls
(services.practitioners.practice, verification, questionnaire, documents),
the same messages. A user who has not applied (a client, staff) gets a 404
that says so; saving the questionnaire is how one applies."""
from __future__ import annotations

import dataclasses

from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from portal.core.api import problem
from portal.core.errors import ServiceError
from portal.core.files import SIGNATURES, send_private
from portal.forms.api.practitioners import (
    PracticeDocumentOut,
    PracticeDocumentUploadIn,
    PracticeOut,
    QuestionnaireIn,
    QuestionnaireOut,
)
from portal.forms.practitioners import ApplicationForm
from portal.services.practitioners import documents, practice, questionnaire, verification
from portal.views.api import Call, PortalApi, operation, refused_quietly

CONFIRM = "confirm_review"
VIEW = "PracticeView"  # the web page whose permission these endpoints share


def no_application():
    """The answer to a user without an application (a client, staff): 404, saying so."""
    return problem(404, practice.NO_APPLICATION)


def questionnaire_body(profile) -> dict:
    """The saved answers with the status, what is missing and the documents."""
    return {**dataclasses.asdict(questionnaire.input_from(profile)), "status": profile.status,
            "editable": practice.edit_refusal(profile) is None,
            "missing": [str(m) for m in questionnaire.missing(profile)],
            "documents": sorted(profile.documents, key=lambda d: (d.kind, d.id))}


def _answers(profile, data: dict) -> questionnaire.ApplicationInput:
    """The saved answers (none for a new application) with those sent."""
    values = dataclasses.asdict(questionnaire.input_from(profile)) if profile is not None else {}
    values.update(data)
    return questionnaire.ApplicationInput(**values)


def _review_refusal(profile, answers):
    """422 naming the changes that would send a verified profile back to review (the
    web page asks the same before saving), or None when there are none."""
    changed = list(dict.fromkeys(name.removesuffix("_id")
                                 for name in verification.review_changes(profile, answers)))
    if not changed:
        return None
    form = ApplicationForm(formdata=None)
    labels = [str((getattr(form, name + "_id", None) or getattr(form, name)).label.text) for name in changed]
    message = _l("These changes send your profile back to review: %(fields)s. Until the moderators approve it "
                 "again, your profile is hidden from the directory and search. Send them again with "
                 "confirm_review set to true to save them.", fields=", ".join(labels))
    field_names = [name + "_id" if name == "category" else name for name in changed]
    return problem(422, message, kind="refused", errors={name: [str(message)] for name in field_names})


class PracticeApi(PortalApi):
    resource_name = "practice"
    openapi_spec_tag = "My practice"

    @expose("", methods=["GET"])
    @operation("My practice: the status, what is missing, what to do next, the quiz and the documents",
               response=PracticeOut, errors=(404,), permission=("can_index", VIEW))
    def status(self, call: Call):
        if verification.my_profile(call.user) is None:
            return no_application()
        return practice.overview(call.user)

    @expose("/questionnaire", methods=["GET"])
    @operation("My questionnaire: the saved answers", response=QuestionnaireOut, errors=(404,),
               permission=("can_index", VIEW))
    def questionnaire(self, call: Call):
        profile = verification.my_profile(call.user)
        if profile is None:
            return no_application()
        return questionnaire_body(profile)

    @expose("/questionnaire", methods=["PUT"])
    @operation("Save my questionnaire: a new application or its draft, or a verified practitioner's public "
               "profile (a licence or category change needs confirm_review and sends it back to review)",
               body=QuestionnaireIn, response=QuestionnaireOut, permission=("can_index", VIEW))
    def save_questionnaire(self, call: Call):
        data = dict(call.data)
        confirmed = data.pop(CONFIRM, False)
        profile = verification.my_profile(call.user)
        answers = _answers(profile, data)
        if profile is not None and profile.status in verification.PUBLIC_EDITABLE and not confirmed:
            refusal = _review_refusal(profile, answers)
            if refusal is not None:
                return refusal
        return questionnaire_body(practice.save_questionnaire(call.user, answers))

    @expose("/documents", methods=["POST"])
    @operation("Upload documents of my questionnaire (multipart: kind and files)", body=PracticeDocumentUploadIn,
               multipart=True, files="files", response=PracticeDocumentOut, many=True, status=201, errors=(404, 413),
               permission=("can_index", VIEW))
    def upload(self, call: Call):
        if verification.my_profile(call.user) is None:
            return no_application()
        return practice.add_documents(call.user, {call.data["kind"]: call.files})

    @expose("/documents/<int:document_id>", methods=["GET"])
    @operation("Download one of my documents (the file itself)", files_out=(*SIGNATURES, "application/octet-stream"),
               permission=("can_index", VIEW))
    def document(self, document_id: int, call: Call):
        doc = documents.own_document(call.user, document_id)
        return send_private(documents.document_key(doc), doc.content_type, doc.original_name)

    @expose("/documents/<int:document_id>", methods=["DELETE"])
    @operation("Remove one of my documents (not a verified practitioner's licence copy); the rest are returned",
               response=PracticeDocumentOut, many=True, permission=("can_index", VIEW))
    def remove_document(self, document_id: int, call: Call):
        verification.remove_document(call.user, document_id)
        profile = verification.my_profile(call.user)
        return sorted(profile.documents, key=lambda d: (d.kind, d.id))

    @expose("/submit", methods=["POST"])
    @operation("Submit my application for verification, when the questionnaire is complete",
               response=PracticeOut, errors=(404,), permission=("can_index", VIEW))
    def submit(self, call: Call):
        profile = verification.my_profile(call.user)
        if profile is None:
            return no_application()
        try:
            verification.submit(call.user)
        except ServiceError as err:
            refused_quietly()
            gaps = questionnaire.missing_fields(profile) if verification.can("submit", profile) else []
            errors: dict[str, list[str]] = {}
            for name, message in gaps:
                errors.setdefault(name, []).append(str(message))
            if not errors and err.field:
                errors[err.field] = [str(err.message)]
            return problem(422, err.message, kind="refused", errors=errors or None)
        return practice.overview(call.user)

