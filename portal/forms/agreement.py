"""The admin's form for an agreement version. It only parses the input; the
rules (what is required, dates, what may still change) live in
portal.services.agreement, whose errors the view puts back on these fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from portal.forms.exchange import OptionalDateField, _Form
from portal.services.agreement import Draft

LANGUAGES = (("kk", _l("Kazakh")), ("ru", _l("Russian")), ("en", _l("English, optional")))


class AgreementForm(_Form):
    title_kk = StringField(_l("Title (kk)"))
    title_ru = StringField(_l("Title (ru)"))
    title_en = StringField(_l("Title (en)"))
    text_kk = TextAreaField(_l("Text (kk)"))
    text_ru = TextAreaField(_l("Text (ru)"))
    text_en = TextAreaField(_l("Text (en)"))
    effective_from = OptionalDateField(
        _l("Effective from"),
        description=_l("Today or later. Signed-in users are asked to accept the new version from this day on."))

    def draft(self) -> Draft:
        return Draft(title_kk=self.title_kk.data or "", title_ru=self.title_ru.data or "",
                     title_en=self.title_en.data or "", text_kk=self.text_kk.data or "",
                     text_ru=self.text_ru.data or "", text_en=self.text_en.data or "",
                     effective_from=self.effective_from.data)
