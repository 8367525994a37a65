"""Back office for agreement versions: Moderators and Admins read the list
and each version; Admins publish a new version (form, then a confirmation
page), correct or withdraw a version that has not taken effect yet. A version
in force, or once in force, is read-only (the service refuses any change).

Thin: the rules are in portal.services.agreement."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.errors import NotFound, ServiceError
from portal.core.formats import format_date
from portal.core.http import put_error
from portal.forms.agreement import LANGUAGES, AgreementForm
from portal.models.agreement import AgreementAcceptance
from portal.services import agreement
from portal.views.staff import StaffView

T = "portal/agreement/"
AUDIT_LABELS = {"publish": _l("Published"), "edit": _l("Corrected"), "withdraw": _l("Withdrawn")}


class AgreementAdminView(BaseView):
    route_base = "/admin/agreements"
    default_view = "list"

    def render_template(self, template, **kwargs):
        return super().render_template(template, languages=LANGUAGES, statuses=agreement, may=self._may,
                                       alabel=lambda code: str(AUDIT_LABELS.get(code, code)), **kwargs)

    def _may(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(f"can_{permission}", self.class_permission_name))

    @expose("/list/")
    @has_access
    def list(self):
        lines = agreement.history_lines()
        counts = {line.version.id: agreement.acceptance_count(line.version.id) for line in lines}
        return self.render_template(T + "admin_list.html", lines=lines, counts=counts,
                                    next_number=agreement.next_number())

    @expose("/show/<int:version>")
    @has_access
    def show(self, version: int):
        shown = agreement.agreement_version(version)
        if shown is None:
            abort(404)
        return self.render_template(
            T + "admin_show.html", v=shown, status=agreement.status_of(shown, agreement.current_agreement()),
            locked=agreement.is_locked(shown), accepted=agreement.acceptance_count(shown.id),
            history=audit.history(agreement.ENTITY, shown.id))

    @expose("/publish", methods=["GET", "POST"])
    @has_access
    def publish(self):
        """GET: the form, filled with the version in force to start from;
        POST: check it and show the confirmation page; POST with
        ``confirm``: publish; with ``back``: the form again."""
        number = agreement.next_number()
        if request.method == "GET":
            form = AgreementForm(obj=agreement.current_agreement(), formdata=None)
            form.effective_from.data = agreement.today()
            return self.render_template(T + "admin_form.html", form=form, number=number, error=None)
        form = AgreementForm(request.form)
        error = None
        if form.validate() and "back" not in request.form:
            try:
                if request.form.get("confirm") == "1":
                    published = agreement.publish(g.user, form.draft())
                    flash(str(_l("Version %(version)d is published. It takes effect on %(date)s.",
                                 version=published.version, date=format_date(published.effective_from))),
                          "success")
                    return redirect(url_for("AgreementAdminView.show", version=published.version))
                draft = agreement.check_draft(g.user, form.draft())
                return self.render_template(T + "admin_confirm.html", action="publish", draft=draft,
                                            number=number, form=form)
            except ServiceError as err:
                error = put_error(form, err)
        status = 400 if form.errors or error else 200
        return self.render_template(T + "admin_form.html", form=form, number=number, error=error), status

    @expose("/edit/<int:version>", methods=["GET", "POST"])
    @has_access
    def edit(self, version: int):
        """Correct a scheduled version (its date has not come)."""
        try:
            scheduled = agreement.scheduled_version(g.user, version)
        except ServiceError as err:
            return _refused(version, err)
        form = AgreementForm(request.form) if request.method == "POST" else AgreementForm(obj=scheduled)
        error = None
        if request.method == "POST" and form.validate():
            try:
                agreement.update_scheduled(g.user, version, form.draft())
            except ServiceError as err:
                error = put_error(form, err)
            else:
                flash(str(_l("Version %(version)d is saved.", version=version)), "success")
                return redirect(url_for("AgreementAdminView.show", version=version))
        status = 400 if request.method == "POST" else 200
        return self.render_template(T + "admin_form.html", form=form, number=version, error=error,
                                    editing=True), status

    @expose("/withdraw/<int:version>", methods=["GET", "POST"])
    @has_access
    def withdraw(self, version: int):
        """GET: the confirmation page; POST: delete the scheduled version."""
        try:
            scheduled = agreement.scheduled_version(g.user, version)
        except ServiceError as err:
            return _refused(version, err)
        error = None
        if request.method == "POST":
            try:
                agreement.withdraw(g.user, version)
            except ServiceError as err:
                error = err.message
            else:
                flash(str(_l("Version %(version)d is withdrawn.", version=version)), "success")
                return redirect(url_for("AgreementAdminView.list"))
        return self.render_template(T + "admin_confirm.html", action="withdraw", v=scheduled,
                                    number=version, error=error), (400 if error else 200)

def _refused(version: int, err: ServiceError):
    """A version that may not change: 404 when missing, else back to it with the reason."""
    if isinstance(err, NotFound):
        abort(404)
    flash(str(err.message), "danger")
    return redirect(url_for("AgreementAdminView.show", version=version))


class AcceptanceAdminView(StaffView):
    route_base = "/admin/acceptances"
    datamodel = SQLAInterface(AgreementAcceptance)
    list_title = _l("Agreement acceptances")
    list_columns = ["user", "version", "accepted_at", "ip_address"]
    show_columns = ["user", "version", "accepted_at", "ip_address", "user_agent"]
    search_columns = ["user", "version", "accepted_at", "ip_address"]
    base_permissions = ["can_list", "can_show"]
    base_order = ("accepted_at", "desc")
