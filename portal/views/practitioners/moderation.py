"""The moderation pages for Moderators and Admins: the dashboard of what
waits for staff, the application lists, everything about one applicant or
practitioner with the interview and status decisions, and the review queue.

Thin: the queries are services.moderation, every decision is
services.practitioners.decisions (or moderation's review functions); a
ServiceError is shown with its translated message, NotFound is a 404."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_timedelta, to_utc
from flask_babel import lazy_gettext as _l

from portal.core import links
from portal.core.clock import utcnow
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.files import send_private
from portal.core.http import put_error, refuse, refused
from portal.core.labels import label
from portal.core.paging import page_arg
from portal.forms.practitioners import ActionForm, RecordForm, ReviewActionForm, ScheduleForm
from portal.models.exchange import ReviewStatus
from portal.models.practitioners import Interview, InterviewMode, InterviewOutcome
from portal.services.practitioners import decisions, documents, moderation
from portal.services.practitioners import profiles as practitioners_service
from portal.services.trust import complaints as complaints_service

T = "portal/practitioners/moderation/"

DANGER_ACTIONS = ("reject", "suspend", "revoke")

# Codes of the moderation pages that portal.core.labels does not know (audit actions).
LABELS = {
    "status": _l("Status change"), "interview": _l("Interview"), "flag": _l("Flagged"),
    "unflag": _l("Flag cleared"), "hide": _l("Review hidden"), "restore": _l("Review restored"),
    "keep": _l("Review kept"),
}


def mlabel(code) -> str:
    """A translated label for a code of the moderation pages."""
    if code is None:
        return ""
    if code in decisions.ACTIONS:
        return str(decisions.ACTIONS[code][2])
    if code in LABELS:
        return str(LABELS[code])
    return label(code)


def age(delta) -> str:
    return format_timedelta(delta, threshold=1) if delta is not None else ""


# --- forms (parse input only; the rules are in the services) -------------------------------------












def _form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")


class ModerationView(BaseView):
    route_base = "/moderation"
    default_view = "index"

    def render_template(self, template, **kwargs):
        return super().render_template(template, mlabel=mlabel, age=age, links=links,
                                       **kwargs)

    # --- dashboard and lists ---------------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        board = moderation.dashboard()
        return self.render_template(T + "index.html", board=board,
                                    reported=moderation.reported_review_ids(r.id for r in board.reviews),
                                    complaints=complaints_service.open_counts())

    @expose("/applications")
    @has_access
    def applications(self):
        stage = request.args.get("stage") or None
        if stage not in moderation.STAGES:
            stage = None
        sort = request.args.get("sort") if request.args.get("sort") in moderation.SORTS else "age"
        category_id = request.args.get("category", type=int) or None
        page = moderation.applications(stage, sort, page_arg(), category_id=category_id)
        return self.render_template(T + "applications.html", page=page, stage=stage, sort=sort,
                                    category_id=category_id, stages=moderation.STAGES,
                                    categories=practitioners_service.categories(), now=utcnow())

    @expose("/flagged")
    @has_access
    def flagged(self):
        return self.render_template(T + "flagged.html", page=moderation.flagged(page_arg()))

    @expose("/reviews")
    @has_access
    def reviews(self):
        page = moderation.reviews_queue(page_arg())
        return self.render_template(T + "reviews.html", page=page, awaiting_total=moderation.awaiting_reviews_total(),
                                    reported=moderation.reported_review_ids(r.id for r in page.items),
                                    published=ReviewStatus.PUBLISHED, hidden=ReviewStatus.HIDDEN)

    # --- one applicant or practitioner -----------------------------------------------------------

    @expose("/profiles/<int:profile_id>")
    @has_access
    def profile(self, profile_id: int):
        return self._profile(profile_id)

    def _profile(self, profile_id: int, schedule_form=None, record_form=None):
        file = moderation.profile_file(profile_id)
        return self.render_template(
            T + "profile.html", file=file, p=file.profile,
            schedule_form=schedule_form or ScheduleForm(), record_form=record_form or RecordForm(),
            modes=InterviewMode.ALL,
            outcomes=[o for o in InterviewOutcome.ALL if o != InterviewOutcome.PENDING],
            danger_actions=DANGER_ACTIONS,
            problems=decisions.approval_problems(file.profile) if "approve" in file.actions else [])

    @expose("/documents/<int:document_id>")
    @has_access
    def document(self, document_id: int):
        doc = documents.document_for(g.user, document_id)
        return send_private(documents.document_key(doc), doc.content_type, doc.original_name)

    @expose("/profiles/<int:profile_id>/interview", methods=["POST"])
    @has_access
    def schedule(self, profile_id: int):
        form = ScheduleForm(request.form)
        if form.validate():
            when = to_utc(dt.datetime.combine(form.date.data, form.time.data))
            try:
                decisions.schedule_interview(g.user, profile_id, when, form.mode.data,
                                             (form.notes.data or "").strip())
            except ServiceError as err:
                refuse(err, form, _FIELDS.get(err.field))
            else:
                flash(str(_l("The interview is scheduled; the applicant has been notified.")), "success")
                return redirect(url_for("ModerationView.profile", profile_id=profile_id))
        return self._profile(profile_id, schedule_form=form), 400

    @expose("/interviews/<int:interview_id>", methods=["POST"])
    @has_access
    def record(self, interview_id: int):
        form = RecordForm(request.form)
        digits = (form.passport_last_digits.data or "").strip() or None
        try:
            interview = decisions.record_interview(
                g.user, interview_id, form.outcome.data or "", (form.notes.data or "").strip(),
                bool(form.passport_checked.data), digits)
        except ServiceError as err:
            refuse(err, form, _FIELDS.get(err.field))
            profile_id = _interview_profile_id(interview_id)
            return self._profile(profile_id, record_form=form), 400
        flash(str(_l("The interview is recorded.")), "success")
        return redirect(url_for("ModerationView.profile", profile_id=interview.profile_id))

    @expose("/profiles/<int:profile_id>/<string:action>", methods=["GET", "POST"])
    @has_access
    def act(self, profile_id: int, action: str):
        if action not in decisions.ACTIONS:
            abort(404)
        file = moderation.profile_file(profile_id)
        form = ActionForm(request.form if request.method == "POST" else None)
        error = None
        if request.method == "POST" and form.validate():
            reason = form.reason.data.strip()
            message = (form.message.data or "").strip() if action in decisions.TAKES_MESSAGE else ""
            try:
                decisions.act(g.user, profile_id, action, reason, message)
            except ServiceError as err:
                refused(err)
                if err.field in ("reason", "message"):
                    put_error(form, err)
                else:
                    error = err.message
                file = moderation.profile_file(profile_id)
            else:
                flash(str(_l("Done: %(action)s — %(name)s.", action=mlabel(action), name=file.profile.name)),
                      "success")
                return redirect(url_for("ModerationView.profile", profile_id=profile_id))
        status = 400 if request.method == "POST" else 200
        return self.render_template(
            T + "confirm.html", file=file, p=file.profile, action=action, form=form, error=error,
            with_message=action in decisions.TAKES_MESSAGE,
            message_required=action in decisions.MESSAGE_REQUIRED, danger=action in DANGER_ACTIONS,
            allowed=action in file.actions,
            problems=decisions.approval_problems(file.profile) if action == "approve" else []), status

    # --- reviews ---------------------------------------------------------------------------------

    @expose("/reviews/<int:review_id>/<string:action>", methods=["POST"])
    @has_access
    def review_act(self, review_id: int, action: str):
        if action not in moderation.REVIEW_ACTIONS:
            abort(404)
        form = ReviewActionForm(request.form)
        reason = (form.reason.data or "").strip()
        try:
            if action == "hide":
                moderation.hide_review(g.user, review_id, reason)
                flash(str(_l("The review is hidden; its author has been notified.")), "success")
            elif action == "restore":
                moderation.restore_review(g.user, review_id, reason)
                flash(str(_l("The review is restored; its author has been notified.")), "success")
            else:
                moderation.keep_review(g.user, review_id)
                flash(str(_l("The review stays as it is.")), "success")
        except ServiceError as err:
            refuse(err)
        back = request.form.get("next") or ""
        if not back.startswith("/moderation/") or back.startswith("//"):
            back = url_for("ModerationView.reviews")
        return redirect(back)


# --- helpers -------------------------------------------------------------------------------------

# service field names that the forms call differently
_FIELDS = {"when": "date"}


def _interview_profile_id(interview_id: int) -> int:
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        abort(404)
    return interview.profile_id


def register(appbuilder) -> None:
    appbuilder.add_view(ModerationView, "Moderation", href="/moderation/", icon="fa-gavel",
                        category="Back office", label=_l("Moderation"),
                        category_label=_l("Back office"), category_icon="fa-briefcase")
