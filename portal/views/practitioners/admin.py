"""Staff screen over practitioner profiles: licence data, category, regions and statuses are read-only here (the moderation pages change them)."""
from __future__ import annotations

from flask import g
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.models.practitioners import PractitionerProfile
from portal.services.accounts import backoffice
from portal.services.practitioners.questionnaire import TEXT_MAX
from portal.views.staff import LABELS, AuditedEditView


class ProfileAdminView(AuditedEditView):
    """Staff correct the texts of a profile (e.g. after a complaint). Licence
    number, date, licensor, chamber, membership number, category, regions and
    specializations are read-only here: the practitioner changes them in the
    questionnaire (portal.services.practitioners.verification.update_public_profile), which
    sends a verified profile back to review with an audit entry. The status
    changes only through the moderation decisions."""

    route_base = "/admin/profiles"
    datamodel = SQLAInterface(PractitionerProfile)
    list_title = _l("Practitioner profiles")
    # the reference rows' names in the page's language, or the free text (PractitionerProfile.city_name, ...)
    list_columns = ["user", "category", "city_name", "status", "rating_avg", "reviews_count", "verified_since"]
    show_columns = ["user", "category", "status", "city_name", "regions", "specializations", "licence_number",
                    "licence_date", "licensor_name", "chamber_name", "membership_id", "languages",
                    "experience_years", "education_kk", "education_ru", "about_kk", "about_ru",
                    "price_from", "online_consultation", "rating_avg", "reviews_count",
                    "negative_reviews_count", "flagged_at", "flag_reason", "verified_since"]
    edit_columns = ["city_ref", "city", "education_kk", "education_ru", "about_kk", "about_ru"]
    # may stay empty, as in the questionnaire (FAB would make a NOT NULL text column required)
    edit_form_extra_fields = {
        name: TextAreaField(LABELS[name], widget=BS3TextAreaFieldWidget(),
                            validators=[Optional(), Length(max=TEXT_MAX)])
        for name in ("education_kk", "education_ru", "about_kk", "about_ru")}
    audit_entity = "practitioner_profile"
    search_columns = ["user", "category", "status", "city", "licence_number", "online_consultation",
                      "flagged_at", "flag_reason"]
    order_columns = ["status", "city", "rating_avg", "reviews_count", "negative_reviews_count",
                     "flagged_at", "verified_since"]
    base_permissions = ["can_list", "can_show", "can_edit"]

    def may_edit(self, item) -> bool:
        """Nor the profile of a staff account (a moderator's own practice included)."""
        return backoffice.may_edit_account(g.user, item.user)
