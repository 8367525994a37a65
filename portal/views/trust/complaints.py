"""Complaints and reports of inaccurate information (agreement 4e, 11.4c,
12.1): the "Report" page reached from profiles, reviews, requests, offers and
messages, the reporter's "My complaints", and the staff queue at
/moderation/complaints/ with notes and decisions behind a confirmation.

Thin: the rules are in portal.services.trust.complaints."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.http import put_error, refuse, refused
from portal.core.labels import label
from portal.core.limits import per_account
from portal.core.paging import page_arg
from portal.forms.trust import NoteForm, OutcomeForm, ReportForm
from portal.models.accounts import PortalUser, is_staff
from portal.models.trust import ComplaintKind, ComplaintStatus, ComplaintTarget
from portal.services.trust import complaints
from portal.views.practitioners.moderation import mlabel

T = "portal/trust/complaints/"
AUDIT_LABELS = {"take": _l("Taken into review"), "note": _l("Note added"), "resolve": _l("Resolved"),
                "dismiss": _l("Dismissed")}











class ComplaintsView(BaseView):
    """The reporter's side: report something, and see what became of it."""

    route_base = "/complaints"
    default_view = "index"
    limits = [per_account("complaint", "COMPLAINT_RATE_LIMIT", counted="complaint_filed")]

    @expose("/")
    @has_access
    def index(self):
        page = complaints.mine(g.user, page_arg())
        targets = complaints.as_reporter_sees(g.user, page.items)
        return self.render_template(T + "mine.html", page=page, targets=targets, open=ComplaintStatus.OPEN)

    @expose("/report/<string:target>/<int:target_id>", methods=["GET", "POST"])
    @has_access
    def report(self, target: str, target_id: int):
        return self._report(ComplaintKind.COMPLAINT, target, target_id)

    @expose("/inaccurate/<int:profile_id>", methods=["GET", "POST"])
    @has_access
    def inaccurate(self, profile_id: int):
        return self._report(ComplaintKind.INACCURACY, ComplaintTarget.PROFILE, profile_id)

    def _report(self, kind: str, target_type: str, target_id: int):
        """GET: the form; POST: file the report, or show the form again with the typed input."""
        try:
            target = complaints.target_for(g.user, target_type, target_id, kind)
        except ServiceError as err:  # one's own profile, review, ...
            refused(err)
            flash(str(err.message), "warning")
            return redirect(url_for("ComplaintsView.index"))
        form = ReportForm(request.form if request.method == "POST" else None)
        form.reason.choices = [("", _l("Choose a reason"))] + [
            (code, label(code)) for code in complaints.reasons(kind, target_type)]
        error = None
        if request.method == "POST":
            try:
                complaints.file(g.user, target_type, target_id, form.reason.data or "", form.text.data or "",
                                kind=kind)
            except ServiceError as err:
                refused(err)
                error = put_error(form, err)
            else:
                g.complaint_filed = True
                flash(str(_l("Thank you: your report is sent to staff. You will be told the outcome.")), "success")
                return redirect(url_for("ComplaintsView.index"))
        duplicate = complaints.open_duplicate(g.user, kind, target_type, target_id)
        return self.render_template(T + "report.html", target=target, kind=kind, form=form, error=error,
                                    duplicate=duplicate, text_max=complaints.TEXT_MAX), (
            400 if request.method == "POST" else 200)


class ComplaintQueueView(BaseView):
    """The staff queue (Moderator and Admin)."""

    route_base = "/moderation/complaints"
    default_view = "index"

    def render_template(self, template, **kwargs):
        return super().render_template(template, alabel=lambda c: str(AUDIT_LABELS.get(c) or label(c)),
                                       mlabel=mlabel, **kwargs)

    @expose("/")
    @has_access
    def index(self):
        args = request.args
        status = args.get("status", "open")
        status = status if status in complaints.QUEUE_STATUSES else None
        kind = args.get("kind") if args.get("kind") in ComplaintKind.ALL else None
        target = args.get("target") if args.get("target") in ComplaintTarget.ALL else None
        user_id = args.get("user", type=int) or None
        page = complaints.queue(g.user, status, kind, target, user_id, page_arg())
        return self.render_template(
            T + "queue.html", page=page, status=status, kind=kind, target=target, user_id=user_id,
            statuses=complaints.QUEUE_STATUSES, kinds=ComplaintKind.ALL, targets=ComplaintTarget.ALL,
            counts=complaints.open_counts(),
            filtered_user=db.session.get(PortalUser, user_id) if user_id else None)

    @expose("/<int:complaint_id>")
    @has_access
    def show(self, complaint_id: int):
        return self._show(self._complaint(complaint_id), NoteForm())

    def _show(self, complaint, note_form, status: int = 200):
        about = complaints.count_about(complaint.target_user_id) if complaint.target_user_id else 0
        return self.render_template(
            T + "show.html", c=complaint, target=complaints.describe(complaint.target_type, complaint.target_id),
            history=complaints.history(complaint.id), note_form=note_form, open=ComplaintStatus.OPEN,
            new=ComplaintStatus.NEW, about=about, days=complaints.signal_days()), status

    @expose("/<int:complaint_id>/take", methods=["POST"])
    @has_access
    def take(self, complaint_id: int):
        try:
            complaints.take(g.user, complaint_id)
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(_l("You took the complaint into review.")), "success")
        return redirect(url_for("ComplaintQueueView.show", complaint_id=complaint_id))

    @expose("/<int:complaint_id>/notes", methods=["POST"])
    @has_access
    def note(self, complaint_id: int):
        complaint = self._complaint(complaint_id)
        form = NoteForm(request.form)
        try:
            complaints.add_note(g.user, complaint_id, form.note.data or "")
        except ServiceError as err:
            refused(err)
            error = put_error(form, err)
            if error:
                flash(str(error), "danger")
            return self._show(self._complaint(complaint.id), form, 400)
        flash(str(_l("The note is added.")), "success")
        return redirect(url_for("ComplaintQueueView.show", complaint_id=complaint_id) + "#notes")

    @expose("/<int:complaint_id>/resolve", methods=["GET", "POST"])
    @has_access
    def resolve(self, complaint_id: int):
        return self._decide(complaint_id, "resolve", complaints.resolve,
                            _l("The complaint is resolved; the reporter has been told the outcome."))

    @expose("/<int:complaint_id>/dismiss", methods=["GET", "POST"])
    @has_access
    def dismiss(self, complaint_id: int):
        return self._decide(complaint_id, "dismiss", complaints.dismiss,
                            _l("The complaint is dismissed; the reporter has been told the outcome."))

    def _decide(self, complaint_id: int, action: str, run, done):
        """GET: the confirmation page; POST: the decision, or the page again with the error."""
        complaint = self._complaint(complaint_id)
        form = OutcomeForm(request.form if request.method == "POST" else None)
        error = None
        if request.method == "POST":
            try:
                run(g.user, complaint_id, form.outcome.data or "")
            except ServiceError as err:
                refused(err)
                error = put_error(form, err)
                complaint = self._complaint(complaint_id)
            else:
                flash(str(done), "success")
                return redirect(url_for("ComplaintQueueView.show", complaint_id=complaint_id))
        return self.render_template(T + "confirm.html", c=complaint, action=action, form=form, error=error,
                                    allowed=complaint.status in ComplaintStatus.OPEN,
                                    outcome_max=complaints.OUTCOME_MAX), (
            400 if request.method == "POST" else 200)

    def _complaint(self, complaint_id: int):
        return complaints.get(g.user, complaint_id)


def _can_report() -> bool:
    return not (current_user.is_authenticated and is_staff(current_user))


def register(appbuilder) -> None:
    appbuilder.add_view(ComplaintsView, "My complaints", href="/complaints/", icon="fa-flag",
                        label=_l("My complaints"), category="My area")
    appbuilder.add_view(ComplaintQueueView, "Complaints", href="/moderation/complaints/", icon="fa-flag",
                        label=_l("Complaints"), category="Back office")
    # "Report" links: for visitors (sent to log in) and users, not staff (they act, they do not report)
    current_app.context_processor(lambda: {"can_report": _can_report})
