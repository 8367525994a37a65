""""My practice": becoming a practitioner (agreement section 6) and keeping
the status, from the applicant's side. The questionnaire and documents, the
status with what happens next, what is still missing, quiz results, the
interview time and every notice staff sent; and, once verified, the public
profile editor.

Thin: every change is portal.services.practitioners.verification (the status machine); a
ServiceError goes on its form field or into a flash, NotFound is a 404."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from portal.core.errors import NotFound, ServiceError
from portal.core.files import send_private
from portal.core.formats import format_filesize
from portal.core.http import refuse
from portal.forms.practitioners import FILE_FIELDS, ApplicationForm
from portal.models.practitioners import ProfileStatus as S
from portal.services.practitioners import (
    decisions,
    documents,
    practice,
    profiles,
    questionnaire,
    verification,
)

T = "portal/practitioners/practice/"

# Requirement names of questionnaire.REQUIRED -> the form fields that satisfy them.
REQUIREMENT_FIELDS = {"about": ("about_kk", "about_ru"), "licence_document": ("licence",),
                      "licensor": ("licensor_id", "licensor"), "chamber": ("chamber_id", "chamber")}
REQUIREMENT_LABELS = {"about": _l("About you (in Kazakh or Russian)"), "licence_document": _l("Licence copy")}
NEXT_PAGES = {"apply": "PracticeView.apply", "edit": "PracticeView.edit"}
# statuses whose page shows the agreement quiz (the step or its result while under review)
QUIZ_STATUSES = (S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED)


def _quiz_url() -> str:
    try:
        return url_for("QuizView.index")
    except BuildError:  # the quiz pages are not registered (yet): their fixed address
        return "/practice/quiz/"


def _required_fields(category_code: str | None) -> set[str]:
    """Form fields to mark with an asterisk for this category."""
    out: set[str] = set()
    for name in questionnaire.required_for(category_code):
        out.update(REQUIREMENT_FIELDS.get(name, (name,)))
    return out


def _requirements_by_category(form: ApplicationForm, categories) -> list[tuple]:
    """(category, [labels of what it requires]) for the "what each category needs" list."""
    def label_of(name):
        if name in REQUIREMENT_LABELS:
            return REQUIREMENT_LABELS[name]
        field = getattr(form, name + "_id", None) or getattr(form, name, None)  # a fact's list, else its field
        return field.label.text if field is not None else name
    return [(c, [label_of(n) for n in questionnaire.required_for(c.code)]) for c in categories]



class PracticeView(BaseView):
    route_base = "/practice"
    default_view = "index"

    # --- my practice ---------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        profile = verification.my_profile(g.user)
        if profile is None:
            return self.render_template(T + "index.html", profile=None)
        attempts = sorted(profile.quiz_attempts, key=lambda a: (a.started_at, a.id), reverse=True)
        notices = decisions.notices(profile)
        interview = decisions.latest_interview(profile)
        latest_notice = {}
        for notice in notices:  # newest first: keep the first of each action
            latest_notice.setdefault(notice.action, notice)
        draft_editable = verification.draft_editable(profile)
        # what is missing matters only while the questionnaire can still be completed
        missing = questionnaire.missing(profile) if draft_editable else []
        public = profile.status in S.PUBLIC
        return self.render_template(
            T + "index.html", profile=profile, missing=missing, attempts=attempts,
            notices=notices, interview=interview, latest_notice=latest_notice,
            documents=sorted(profile.documents, key=lambda d: (d.kind, d.id)),
            quiz_url=_quiz_url(), draft_editable=draft_editable,
            steps=practice.steps(profile, missing, interview),
            show_quiz=profile.status in QUIZ_STATUSES,
            verification=profiles.verification_facts(profile) if public else None)

    # --- the questionnaire -------------------------------------------------------------

    @expose("/apply", methods=["GET", "POST"])
    @has_access
    def apply(self):
        profile = verification.my_profile(g.user)
        if profile is not None and profile.status in S.PUBLIC:
            return redirect(url_for(".edit"))
        refusal = practice.edit_refusal(profile)
        if refusal is not None:
            flash(str(refusal), "warning")
            return redirect(url_for(".index"))
        if request.method == "GET":
            form = (ApplicationForm.prefilled(questionnaire.input_from(profile)) if profile is not None
                    else ApplicationForm(formdata=None))
            return self._form_page(form, profile)

        form = ApplicationForm()
        submitting = request.form.get("action") == "submit"
        if not form.validate():
            return self._form_page(form, profile, files_lost=True)
        try:
            profile = verification.save_draft(g.user, self._input(form), files=form.files(request.files))
        except ServiceError as err:
            refuse(err, form)
            return self._form_page(form, verification.my_profile(g.user), files_lost=True)
        if not submitting:
            flash(str(_l("Your draft was saved. Submit it for review when it is complete.")), "success")
            return redirect(url_for(".apply"))
        gaps = questionnaire.missing_fields(profile)
        if gaps:  # saved, but not complete: say what is missing, on the fields and as a list
            for name, message in gaps:
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = list(field.errors or ()) + [message]
            return self._form_page(form, profile, not_submitted=[m for _n, m in gaps])
        try:
            verification.submit(g.user)
        except ServiceError as err:
            refuse(err, form)
            return self._form_page(form, verification.my_profile(g.user))
        flash(str(_l("Your application was submitted for review. Next step: the agreement quiz.")), "success")
        return redirect(url_for(".index"))

    @expose("/submit", methods=["POST"])
    @has_access
    def submit(self):
        try:
            verification.submit(g.user)
        except ServiceError as err:
            refuse(err)
            return redirect(url_for(".apply"))
        flash(str(_l("Your application was submitted for review. Next step: the agreement quiz.")), "success")
        return redirect(url_for(".index"))

    # --- the public profile of a verified practitioner -----------------------------------

    @expose("/edit", methods=["GET", "POST"])
    @has_access
    def edit(self):
        profile = verification.my_profile(g.user)
        if profile is None:
            return redirect(url_for(".index"))
        if profile.status not in S.PUBLIC:
            if verification.draft_editable(profile):
                return redirect(url_for(".apply"))
            flash(str(_l("Only a verified practitioner edits the public profile.")), "warning")
            return redirect(url_for(".index"))
        if request.method == "GET":
            return self._form_page(ApplicationForm.prefilled(questionnaire.input_from(profile)), profile,
                                   editing=True)

        form = ApplicationForm()
        if not form.validate():
            return self._form_page(form, profile, editing=True, files_lost=True)
        data = self._input(form)
        to_review = self._review_changes(profile, data)
        if to_review and request.form.get("confirm_review") != "1":
            return self._form_page(form, profile, editing=True, files_lost=True, confirm_needed=to_review)
        try:
            profile = verification.update_public_profile(g.user, data, files=form.files(request.files))
        except ServiceError as err:
            refuse(err, form)
            return self._form_page(form, verification.my_profile(g.user), editing=True, files_lost=True,
                                   confirm_needed=to_review)
        if profile.status not in S.PUBLIC:  # back to review
            flash(str(_l("Your changes were saved. Your profile went back to review and is hidden from the "
                         "directory and search until it is approved again.")), "warning")
            return redirect(url_for(".index"))
        flash(str(_l("Your public profile was updated.")), "success")
        return redirect(url_for(".edit"))

    def _review_changes(self, profile, data) -> list:
        """Labels of the changed answers that send the profile back to review."""
        form = ApplicationForm(formdata=None)
        names = dict.fromkeys(name.removesuffix("_id") for name in verification.review_changes(profile, data))
        return [(getattr(form, name + "_id", None) or getattr(form, name)).label.text for name in names]

    # --- documents --------------------------------------------------------------------

    @expose("/documents/<int:document_id>")
    @has_access
    def document(self, document_id: int):
        doc = self._own_document(document_id)
        return send_private(documents.document_key(doc), doc.content_type, doc.original_name)

    @expose("/documents/<int:document_id>/remove", methods=["GET", "POST"])
    @has_access
    def remove_document(self, document_id: int):
        doc = self._own_document(document_id)
        back = NEXT_PAGES.get(request.values.get("next", ""), "PracticeView.index")
        if request.method == "GET":
            return self.render_template(T + "confirm_remove.html", doc=doc, back=back,
                                        next=request.args.get("next", ""))
        try:
            verification.remove_document(g.user, document_id)
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(_l("The document %(name)s was removed.", name=doc.original_name)), "success")
        return redirect(url_for(back))

    @staticmethod
    def _own_document(document_id: int):
        """The signed-in user's own document; anyone else's is a 404 here (staff
        read documents on the moderation pages)."""
        try:
            return documents.own_document(g.user, document_id)
        except NotFound:
            abort(404)

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _input(form: ApplicationForm) -> questionnaire.ApplicationInput:
        return questionnaire.ApplicationInput(**form.values())

    def _form_page(self, form: ApplicationForm, profile, editing: bool = False, files_lost: bool = False,
                   not_submitted=None, confirm_needed=None):
        categories = profiles.categories()
        selected = next((c for c in categories if c.id == form.category_id.data), None)
        if selected is None and profile is not None:
            selected = profile.category
        chosen_files = any(f and f.filename for name in FILE_FIELDS for f in request.files.getlist(name))
        return self.render_template(
            T + "form.html", form=form, profile=profile, editing=editing, categories=categories,
            regions=profiles.regions(), selected=selected,
            facts=profiles.fact_choices(selected, form.region_ids.data or []),
            required=_required_fields(selected.code if selected is not None else None),
            requirements=_requirements_by_category(form, categories),
            selected_regions=set(form.region_ids.data or []),
            selected_specs=set(form.specialization_ids.data or []),
            selected_languages=set(form.languages.data or []),
            files_lost=files_lost and chosen_files, not_submitted=not_submitted or [],
            confirm_needed=confirm_needed or [],
            missing=questionnaire.missing(profile) if profile is not None else [],
            documents=sorted(profile.documents, key=lambda d: (d.kind, d.id)) if profile is not None else [],
            limits={"count": current_app.config["ATTACHMENT_MAX_COUNT"],
                    "size": format_filesize(current_app.config["ATTACHMENT_MAX_BYTES"])},
            quiz_url=_quiz_url())


def register(appbuilder) -> None:
    appbuilder.add_view(PracticeView, "My practice", href="/practice/", icon="fa-user-tie",
                        label=_l("My practice"), category="My area")
