"""Staff screens over accounts: FAB's user list (with the portal's columns) and the users back office. No form bypasses portal.services.accounts.backoffice; IIN is shown masked; passwords never appear."""
from __future__ import annotations

from flask import g
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_babel import lazy_gettext as _l

from portal.core.validation import ValidIIN, ValidPhone
from portal.forms.accounts import LanguageSelectField
from portal.models.accounts import PortalUser
from portal.services.accounts import backoffice
from portal.views.staff import AuditedEdit, AuditedEditView


class UserDBModelView(AuditedEdit, FabUserDBModelView):
    """FAB's own user screens (/users/, admins only; named like FAB's for its endpoints and
    permissions), with the same audit as the
    back office. Activity, email and username are not edited here: blocking and
    unblocking go through the blocking service (reasons, emails, sessions ended),
    and an email is the account's login and its look-alike key."""

    edit_columns = ["first_name", "last_name", "roles", "groups"]
    audit_entity = "user"


class UserAdminView(AuditedEditView):
    route_base = "/admin/users"
    datamodel = SQLAInterface(PortalUser)
    list_title = _l("Users")
    list_columns = ["first_name", "last_name", "email", "phone", "roles", "status", "masked_iin", "created_on"]
    show_columns = ["first_name", "last_name", "email", "phone", "locale", "region", "roles", "status",
                    "blocked_reason", "blocked_note", "masked_iin", "created_on", "last_login"]
    # status and roles: blocking (portal.services.accounts.blocking) and FAB's role screens (Admin only)
    edit_columns = ["first_name", "last_name", "phone", "locale", "region", "iin"]
    search_columns = ["first_name", "last_name", "email", "phone", "status", "roles"]
    order_columns = ["first_name", "last_name", "email", "status", "created_on"]
    base_permissions = ["can_list", "can_show", "can_edit"]
    validators_columns = {"phone": [ValidPhone()], "iin": [ValidIIN()]}
    edit_form_extra_fields = {"locale": LanguageSelectField(_l("Language"))}
    description_columns = {"iin": _l("12 digits; never shown publicly")}
    audit_entity = "user"
    audit_masked = ("iin",)

    def may_edit(self, item) -> bool:
        """A moderator may not edit a staff account (admins, moderators, their own)."""
        return backoffice.may_edit_account(g.user, item)
