"""The staff form of the search concept dictionary (portal.views.search.admin):
phrases one per line in kk/ru/en, categories chosen from the Category table and
stored as space-separated codes (portal.models.search.SearchConcept)."""
from __future__ import annotations

import re

from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2ManyWidget
from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from portal.core.extensions import db
from portal.models.catalog import Category
from portal.models.search import SearchConcept

PHRASE_LANGUAGES = ("kk", "ru", "en")
MAX_PHRASE = 100
MAX_PHRASES = 200
CODE = re.compile(r"^[a-z0-9-]+$")


def split_phrases(text: str | None) -> list[str]:
    """One phrase per line, trimmed, blank lines dropped (as portal.search.concepts reads them)."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def _category_choices():
    return [(c.code, f"{c.code} — {c.name}")
            for c in db.session.scalars(select(Category).order_by(Category.sort_order, Category.code))]


class CategoryCodesField(SelectMultipleField):
    """Category codes; the model keeps them as one space-separated string."""

    widget = Select2ManyWidget()

    def process_data(self, value):
        super().process_data(value.split() if isinstance(value, str) else value)

    def populate_obj(self, obj, name):
        setattr(obj, name, " ".join(self.data or []))


def _code_is_free(form, field):
    existing = db.session.scalar(select(SearchConcept.id).where(SearchConcept.code == field.data))
    if existing is not None and existing != getattr(form, "_id", None):
        raise ValidationError(_l("A concept with this code already exists."))


def _code_format(form, field):
    if field.data and not CODE.match(field.data):
        raise ValidationError(_l("Use lowercase Latin letters, digits and hyphens only."))


def _phrase_lengths(form, field):
    too_long = [p for p in split_phrases(field.data) if len(p) > MAX_PHRASE]
    if too_long:
        raise ValidationError(_l("A phrase may be at most %(max)d characters long: %(phrase)s",
                                 max=MAX_PHRASE, phrase=too_long[0][:40] + "…"))


def _phrases(label):
    return TextAreaField(label, validators=[_phrase_lengths], widget=BS3TextAreaFieldWidget(),
                         description=_l("One phrase per line."), filters=[lambda v: "\n".join(split_phrases(v))])


class ConceptForm(DynamicForm):
    code = StringField(_l("Code"), widget=BS3TextFieldWidget(), filters=[lambda v: (v or "").strip()],
                       validators=[DataRequired(message=_l("Enter the concept code.")), Length(max=64),
                                   _code_format, _code_is_free],
                       description=_l("Lowercase Latin letters, digits and hyphens, e.g. divorce."))
    name_kk = StringField(_l("Name (kk)"), widget=BS3TextFieldWidget(),
                          validators=[DataRequired(message=_l("Enter the name in Kazakh.")), Length(max=200)])
    name_ru = StringField(_l("Name (ru)"), widget=BS3TextFieldWidget(),
                          validators=[DataRequired(message=_l("Enter the name in Russian.")), Length(max=200)])
    name_en = StringField(_l("Name (en)"), widget=BS3TextFieldWidget(), validators=[Optional(), Length(max=200)])
    categories = CategoryCodesField(_l("Categories"), choices=_category_choices,
                                    description=_l("The categories of practitioners who handle this matter."))
    phrases_kk = _phrases(_l("Phrases (kk)"))
    phrases_ru = _phrases(_l("Phrases (ru)"))
    phrases_en = _phrases(_l("Phrases (en)"))
    query_only = BooleanField(_l("Only widens queries"),
                              description=_l("The phrases are not looked for in profiles; a query with them "
                                             "also finds the concept's categories."))
    active = BooleanField(_l("Active"), default=True)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        phrases = [p for lang in PHRASE_LANGUAGES for p in split_phrases(self[f"phrases_{lang}"].data)]
        if not phrases:
            self.phrases_ru.errors = [*self.phrases_ru.errors, _l("Enter at least one phrase in some language.")]
            ok = False
        elif len(phrases) > MAX_PHRASES:
            self.phrases_ru.errors = [*self.phrases_ru.errors, _l(
                "A concept may have at most %(max)d phrases in all languages.", max=MAX_PHRASES)]
            ok = False
        return ok
