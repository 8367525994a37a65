"""The questionnaire of a practitioner's application: the answers
(``ApplicationInput``), their formats, and what each category requires before
the application is submitted (services.practitioners.verification)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.clock import utcnow
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.catalog import Category, Chamber, City, Licensor, Region, Specialization
from portal.models.practitioners import SERVICE_LANGUAGES, DocumentKind, PractitionerProfile

TEXT_MAX = 5000
EXPERIENCE_MAX = 70
PRICE_MAX = 1_000_000_000


@dataclass
class ApplicationInput:
    category_id: int | None = None
    licence_number: str = ""
    licence_date: dt.date | None = None
    licensor: str = ""
    chamber: str = ""
    membership_id: str = ""
    region_ids: list[int] = field(default_factory=list)
    specialization_ids: list[int] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    experience_years: int | None = None
    education_kk: str = ""
    education_ru: str = ""
    about_kk: str = ""
    about_ru: str = ""
    price_from: int | None = None
    online_consultation: bool = False
    city: str = ""
    # the reference rows (catalog City, Licensor, Chamber); the free text above is the
    # fallback ("other") and is kept only while no row is chosen
    city_id: int | None = None
    licensor_id: int | None = None
    chamber_id: int | None = None


def input_from(profile: PractitionerProfile) -> ApplicationInput:
    """The profile's current answers (to fill the form)."""
    return ApplicationInput(
        category_id=profile.category_id, licence_number=profile.licence_number,
        licence_date=profile.licence_date, licensor=profile.licensor, chamber=profile.chamber,
        membership_id=profile.membership_id, region_ids=[r.id for r in profile.regions],
        specialization_ids=[s.id for s in profile.specializations], languages=profile.language_codes,
        experience_years=profile.experience_years, education_kk=profile.education_kk,
        education_ru=profile.education_ru, about_kk=profile.about_kk, about_ru=profile.about_ru,
        price_from=profile.price_from, online_consultation=profile.online_consultation, city=profile.city,
        city_id=profile.city_id, licensor_id=profile.licensor_id, chamber_id=profile.chamber_id)


_LICENCE = ["licence_number", "licence_date", "licensor"]
_COMMON = ["region_ids", "languages", "about"]
# What each category must have before submitting (names of ApplicationInput
# fields; "about" = about_kk or about_ru; "licence_document" = an uploaded licence copy).
REQUIRED: dict[str, list[str]] = {
    "notary": _LICENCE + ["chamber"] + _COMMON + ["licence_document"],
    "bailiff": _LICENCE + ["chamber"] + _COMMON + ["licence_document"],
    "advocate": _LICENCE + ["chamber", "membership_id"] + _COMMON + ["licence_document"],
    # a forensic expert's qualification certificate stands for the licence
    "expert": _LICENCE + _COMMON + ["licence_document"],
    "consultant": list(_COMMON),
}
REQUIRED_DEFAULT = _LICENCE + _COMMON + ["licence_document"]

MISSING_MESSAGES = {
    "licence_number": _l("Enter the licence number."),
    "licence_date": _l("Enter the date the licence was issued."),
    "licensor": _l("Enter who issued the licence."),
    "chamber": _l("Enter the chamber or collegium you are a member of."),
    "membership_id": _l("Enter your membership number in the chamber or collegium."),
    "region_ids": _l("Choose at least one region you serve."),
    "languages": _l("Choose the languages you work in."),
    "about": _l("Write about your practice in Kazakh or Russian."),
    "licence_document": _l("Upload a copy of your licence."),
}
# form field a missing requirement belongs to
MISSING_FIELD = {"about": "about_ru", "licence_document": DocumentKind.LICENCE}


def required_for(category_code: str | None) -> list[str]:
    return REQUIRED.get(category_code or "", REQUIRED_DEFAULT)


def _present(profile: PractitionerProfile, name: str) -> bool:
    if name == "about":
        return bool(profile.about_kk.strip() or profile.about_ru.strip())
    if name == "region_ids":
        return bool(profile.regions)
    if name == "languages":
        return bool(profile.language_codes)
    if name == "licence_document":
        return any(d.kind == DocumentKind.LICENCE for d in profile.documents)
    if name in FACT_ROWS and getattr(profile, name + "_id") is not None:
        return True
    value = getattr(profile, name)
    return bool(value.strip()) if isinstance(value, str) else value is not None


def missing_fields(profile: PractitionerProfile) -> list[tuple[str, object]]:
    """(form field, translated message) for each requirement still missing."""
    code = profile.category.code if profile.category is not None else None
    return [(MISSING_FIELD.get(name, name), MISSING_MESSAGES[name])
            for name in required_for(code) if not _present(profile, name)]


def missing(profile: PractitionerProfile) -> list:
    """What is still required for this category (translated); [] = complete."""
    return [message for _field, message in missing_fields(profile)]


def clean_text(value, limit: int, name: str, label_text) -> str:
    """``value`` stripped; a ServiceError on ``name`` if longer than ``limit``."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(_l("%(field)s must be at most %(n)d characters long.", field=label_text, n=limit),
                           name)
    return value


def validate(data: ApplicationInput) -> dict:
    """Formats only (not completeness). Returns the normalized values."""
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ServiceError(_l("Choose a category."), "category_id")
    v = {"category": category}
    v["licence_number"] = clean_text(data.licence_number, 64, "licence_number", _l("The licence number"))
    v["licensor"] = clean_text(data.licensor, 255, "licensor", _l("The licensor"))
    v["chamber"] = clean_text(data.chamber, 255, "chamber", _l("The chamber"))
    v["membership_id"] = clean_text(data.membership_id, 64, "membership_id", _l("The membership number"))
    v["city"] = clean_text(data.city, 80, "city", _l("The city"))
    for name, text_label in (("education_kk", _l("Education")), ("education_ru", _l("Education")),
                             ("about_kk", _l("About")), ("about_ru", _l("About"))):
        v[name] = clean_text(getattr(data, name), TEXT_MAX, name, text_label)
    if data.licence_date is not None and data.licence_date > utcnow().date():
        raise ServiceError(_l("The licence date cannot be in the future."), "licence_date")
    v["licence_date"] = data.licence_date
    if data.price_from is not None and not 0 < data.price_from <= PRICE_MAX:
        raise ServiceError(_l("The price must be a positive amount in tenge."), "price_from")
    v["price_from"] = data.price_from
    if data.experience_years is not None and not 0 <= data.experience_years <= EXPERIENCE_MAX:
        raise ServiceError(_l("Years of experience must be between 0 and %(n)d.", n=EXPERIENCE_MAX),
                           "experience_years")
    v["experience_years"] = data.experience_years or 0
    languages = list(dict.fromkeys(data.languages or []))
    if any(code not in SERVICE_LANGUAGES for code in languages):
        raise ServiceError(_l("Choose languages from the list."), "languages")
    v["languages"] = ",".join(code for code in SERVICE_LANGUAGES if code in languages)
    region_ids = set(data.region_ids or [])
    regions = list(db.session.scalars(select(Region).where(Region.id.in_(region_ids)))) if region_ids else []
    if len(regions) != len(region_ids):
        raise ServiceError(_l("Choose regions from the list."), "region_ids")
    v["regions"] = sorted(regions, key=lambda r: r.sort_order)
    spec_ids = set(data.specialization_ids or [])
    specs = list(db.session.scalars(select(Specialization).where(Specialization.id.in_(spec_ids)))) \
        if spec_ids else []
    if len(specs) != len(spec_ids) or any(s.category_id != category.id for s in specs):
        raise ServiceError(_l("Choose specializations of the selected category."), "specialization_ids")
    v["specializations"] = sorted(specs, key=lambda s: s.sort_order)
    v["online_consultation"] = bool(data.online_consultation)
    v.update(_facts(data, category, v["regions"]))
    return v


FACT_ROWS = {"city": City, "licensor": Licensor, "chamber": Chamber}


def _facts(data: ApplicationInput, category: Category, regions: list[Region]) -> dict:
    """The chosen city, licensor and chamber rows (checked against the category and the
    regions served); the free text of a fact is emptied when its row is chosen."""
    out = {}
    for name, model in FACT_ROWS.items():
        row_id = getattr(data, name + "_id")
        row = db.session.get(model, row_id) if row_id else None
        if row_id and row is None:
            raise ServiceError(_l("Choose from the list, or choose “Other” and type it."), name + "_id")
        out[name + "_id"] = row.id if row is not None else None
        out[name + "_ref"] = row
        if row is not None:
            out[name] = ""
    region_ids = {r.id for r in regions}
    city, chamber = out["city_ref"], out["chamber_ref"]
    if city is not None and region_ids and city.region_id not in region_ids:
        raise ServiceError(_l("Choose a city of a region you serve."), "city_id")
    if chamber is not None and chamber.category_id != category.id:
        raise ServiceError(_l("Choose a chamber or collegium of the selected category."), "chamber_id")
    if chamber is not None and chamber.region_id is not None and region_ids \
            and chamber.region_id not in region_ids:
        raise ServiceError(_l("Choose the chamber or collegium of a region you serve."), "chamber_id")
    return out


def apply(profile: PractitionerProfile, v: dict) -> None:
    """Write the values ``validate`` returned onto the profile."""
    profile.category_id = v["category"].id
    profile.category = v["category"]
    for name in ("licence_number", "licence_date", "licensor", "chamber", "membership_id", "city",
                 "education_kk", "education_ru", "about_kk", "about_ru", "price_from", "experience_years",
                 "languages", "online_consultation", "regions", "specializations",
                 "city_id", "licensor_id", "chamber_id", "city_ref", "licensor_ref", "chamber_ref"):
        setattr(profile, name, v[name])
