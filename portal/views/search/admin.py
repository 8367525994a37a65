"""Back office: the search concept dictionary (portal.models.search.SearchConcept).

Admins add and edit concepts (moderators read, portal.security); every edited
field goes to the audit trail (AuditedEditView). A save takes effect without a
release: services.search.concepts_changed() queues every profile for reindexing
and makes this process re-read the dictionary.

No delete: a concept is switched off with "Active" (audited, reversible). A
deleted seeded concept would come back at the next start anyway
(services.catalog.ensure_reference_data adds the seed concepts missing by code)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.core.extensions import db
from portal.forms.search import ConceptForm, split_phrases
from portal.models.search import SearchConcept
from portal.services import search
from portal.views.staff import LABELS, AuditedEditView


def _lines(text: str) -> Markup:
    """The phrases on the details page one per line (each escaped)."""
    return Markup("<br>").join(split_phrases(text))


class SearchConceptAdminView(AuditedEditView):
    audit_entity = "search_concept"
    route_base = "/admin/search-concepts"
    datamodel = SQLAInterface(SearchConcept)
    list_title = _l("Search concepts")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    label_columns = {**LABELS, "name": _l("Name"), "categories": _l("Categories"),
                     "phrases_kk": _l("Phrases (kk)"), "phrases_ru": _l("Phrases (ru)"),
                     "phrases_en": _l("Phrases (en)"), "query_only": _l("Only widens queries"),
                     "active": _l("Active"), "updated_at": _l("Changed")}
    list_columns = ["code", "name", "categories", "active", "query_only"]
    add_columns = edit_columns = ["code", "name_kk", "name_ru", "name_en", "categories", "phrases_kk",
                                  "phrases_ru", "phrases_en", "query_only", "active"]
    show_columns = add_columns + ["created_at", "updated_at"]
    search_columns = ["code", "name_kk", "name_ru", "name_en", "active", "query_only"]
    base_order = ("code", "asc")
    add_form = edit_form = ConceptForm
    formatters_columns = {**AuditedEditView.formatters_columns,
                          "updated_at": AuditedEditView.formatters_columns["created_at"],
                          **{f"phrases_{lang}": _lines for lang in ("kk", "ru", "en")}}

    def _changed(self) -> None:
        search.concepts_changed()
        db.session.commit()

    def post_add(self, item) -> None:
        self._changed()

    def post_update(self, item) -> None:
        self._changed()
