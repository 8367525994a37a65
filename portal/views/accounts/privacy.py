"""The user's own personal data (agreement 5.1-5.2, 11.2): "Download my
data" (a JSON file) and closing the account after a confirmation page.

Thin: the rules are in portal.services.accounts.closure and portal.services.accounts.data_export."""
from __future__ import annotations

from flask import Response, flash, g, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from flask_login import logout_user

from portal.core.errors import ServiceError
from portal.core.http import put_error, refused
from portal.core.limits import per_account
from portal.forms.accounts import CloseForm
from portal.services.accounts import closure, data_export


class PrivacyView(BaseView):
    route_base = "/account"
    default_view = "close"
    limits = [
        per_account("account-close", "ACCOUNT_CLOSE_RATE_LIMIT", endpoint="PrivacyView.close"),
        per_account("data-export", "DATA_EXPORT_RATE_LIMIT", methods=("GET",),
                    endpoint="PrivacyView.export"),
    ]

    @expose("/export")
    @has_access
    def export(self):
        body = data_export.to_json(data_export.export(g.user))
        name = data_export.file_name()
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    @expose("/close", methods=["GET", "POST"])
    @has_access
    def close(self):
        form = CloseForm(request.form if request.method == "POST" else None)
        refusal = closure.refusal(g.user)
        error = None
        if request.method == "POST" and refusal is None:
            try:
                closure.close_account(g.user, form.password.data or "", bool(form.confirm.data))
            except ServiceError as err:
                refused(err)
                error = put_error(form, err)
            else:
                return _signed_out()
        status = 400 if request.method == "POST" else 200
        return self.render_template("portal/accounts/privacy/close.html", form=form, refusal=refusal,
                                    error=error), status


def _signed_out():
    """End the session (keeping only the language) and say what happened."""
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(str(_l("Your account is closed and your personal data has been erased. Thank you for using "
                 "AlemTrust.")), "info")
    return redirect(url_for("HomeView.index"))


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PrivacyView)
