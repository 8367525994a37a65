"""Becoming and staying a verified practitioner (agreement section 6): the
application (questionnaire and documents), and the status machine that staff
drive.

    draft -> submitted -> quiz_passed -> interview_scheduled -> approved
    submitted / quiz_passed / interview_scheduled -> rejected
    approved / warned -> warned                  (a strict warning, 6.6)
    approved / warned -> suspended -> approved   (reinstate; warned -> approved lifts a warning)
    approved / warned / suspended -> revoked     (6.5: final unless staff allow a new application)
    rejected / revoked (+ may_reapply) -> draft / submitted
    approved / warned -> submitted               (the practitioner changed licence data or category)

``TRANSITIONS`` is the table every status change goes through. Every
function raises ``ServiceError`` (a translated message, optionally the form
field it belongs to) or ``NotFound`` and then changes nothing; on success it
writes audit entries, tells the practitioner (a ``PracticeNotice`` row and a
notification in their language) and commits. The search index follows by
itself (portal.search.sync: the profile's status change writes an outbox row).
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import LazyString, force_locale, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core import audit, links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.files import DOCUMENTS, display_name, sniff, upload_folder
from portal.core.files import check as check_uploads
from portal.core.labels import label
from portal.models.accounts import PortalUser, is_staff
from portal.models.catalog import Category, Region, Specialization
from portal.models.practitioners import (
    SERVICE_LANGUAGES,
    DocumentKind,
    Interview,
    InterviewMode,
    InterviewOutcome,
    PracticeNotice,
    PractitionerProfile,
    ProfileDocument,
    QuizAttempt,
)
from portal.models.practitioners import ProfileStatus as S
from portal.services.notifications import inbox

ENTITY = "practitioner_profile"
TEXT_MAX = 5000
MESSAGE_MAX = 2000
EXPERIENCE_MAX = 70
PRICE_MAX = 1_000_000_000
PASSPORT_DIGITS_MAX = 4

# --- the status machine -----------------------------------------------------------

# transition -> (statuses it may start from, status it leads to; None = the status stays)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "reopen": ((S.REJECTED, S.REVOKED), S.DRAFT),             # editing again after allow_reapply
    "submit": ((S.DRAFT, S.REJECTED, S.REVOKED), S.SUBMITTED),  # rejected/revoked: only with may_reapply
    "quiz_passed": ((S.SUBMITTED,), S.QUIZ_PASSED),
    "schedule_interview": ((S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED), S.INTERVIEW_SCHEDULED),
    "record_interview": ((S.INTERVIEW_SCHEDULED,), None),
    # quiz_passed too: a practitioner sent back to review by a licence edit keeps
    # the quiz and the interview they passed (approval_problems checks both)
    "approve": ((S.INTERVIEW_SCHEDULED, S.QUIZ_PASSED), S.APPROVED),
    "reject": ((S.SUBMITTED, S.QUIZ_PASSED, S.INTERVIEW_SCHEDULED), S.REJECTED),
    "warn": ((S.APPROVED, S.WARNED), S.WARNED),
    "suspend": ((S.APPROVED, S.WARNED), S.SUSPENDED),
    "revoke": ((S.APPROVED, S.WARNED, S.SUSPENDED), S.REVOKED),
    "reinstate": ((S.SUSPENDED, S.WARNED), S.APPROVED),
    "allow_reapply": ((S.REJECTED, S.REVOKED), None),
    "clear_flag": (S.ALL, None),
    # licence data or category edited: the moderators look again (the quiz
    # passed before stays valid; they may approve or schedule a new interview)
    "back_to_review": ((S.APPROVED, S.WARNED), S.QUIZ_PASSED),
    "edit_public": ((S.APPROVED, S.WARNED), None),
    # the practitioner closed their account (services.closure): from any status, final
    "close_account": (S.ALL, S.CLOSED),
}

# statuses in which the applicant edits the questionnaire (plus rejected/revoked with may_reapply)
DRAFT_EDITABLE = (S.DRAFT,)
PUBLIC_EDITABLE = S.PUBLIC

_NOT_NOW = {
    "submit": _l("Your application has already been submitted."),
    "quiz_passed": _l("The quiz can only be passed while the application is under review."),
    "schedule_interview": _l("An interview can only be scheduled after the applicant has passed the quiz."),
    "record_interview": _l("The interview can only be recorded while it is scheduled."),
    "approve": _l("Only an application that passed the quiz and the interview can be approved."),
    "reject": _l("Only an application under review can be rejected."),
    "warn": _l("Only a verified practitioner can be warned."),
    "suspend": _l("Only a verified practitioner can be suspended."),
    "revoke": _l("Only a verified or suspended practitioner's status can be revoked."),
    "reinstate": _l("Only a suspended or warned practitioner can be reinstated."),
    "allow_reapply": _l("Only a rejected or revoked practitioner can be allowed to apply again."),
    "back_to_review": _l("Only a verified practitioner edits the public profile."),
    "edit_public": _l("Only a verified practitioner edits the public profile."),
}


def can(transition: str, profile: PractitionerProfile) -> bool:
    """Whether the table allows ``transition`` from the profile's status (with
    may_reapply for a new application after a rejection or revocation)."""
    allowed, _to = TRANSITIONS[transition]
    if profile.status not in allowed:
        return False
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        return profile.may_reapply
    if transition == "allow_reapply":
        return not profile.may_reapply
    if transition == "clear_flag":
        return profile.flagged_at is not None
    return True


def _check(transition: str, profile: PractitionerProfile) -> None:
    if can(transition, profile):
        return
    if transition == "allow_reapply" and profile.status in (S.REJECTED, S.REVOKED):
        raise ServiceError(_l("This practitioner may already apply again."))
    if transition == "clear_flag":
        raise ServiceError(_l("This profile is not flagged."))
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        raise ServiceError(_l("You cannot apply again unless the moderators allow it."))
    message = _NOT_NOW.get(transition)
    if message is None:
        message = _l("This is not possible while the profile is %(status)s.", status=label(profile.status))
    raise ServiceError(message)


def _move(profile: PractitionerProfile, transition: str, actor_id: int | None, reason: str = "") -> None:
    """Apply a checked transition and write its audit entry."""
    _check(transition, profile)
    to = TRANSITIONS[transition][1]
    if to is None or to == profile.status and transition != "warn":
        return
    audit.record(ENTITY, profile.id, profile.status, to, actor_id, reason=reason, action="status")
    if transition in ("submit", "reopen") and profile.status in (S.REJECTED, S.REVOKED):
        profile.verified_since = None  # a new application: "verified since" starts again
    profile.status = to


# --- the questionnaire ----------------------------------------------------------------

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


def input_from(profile: PractitionerProfile) -> ApplicationInput:
    """The profile's current answers (to fill the form)."""
    return ApplicationInput(
        category_id=profile.category_id, licence_number=profile.licence_number,
        licence_date=profile.licence_date, licensor=profile.licensor, chamber=profile.chamber,
        membership_id=profile.membership_id, region_ids=[r.id for r in profile.regions],
        specialization_ids=[s.id for s in profile.specializations], languages=profile.language_codes,
        experience_years=profile.experience_years, education_kk=profile.education_kk,
        education_ru=profile.education_ru, about_kk=profile.about_kk, about_ru=profile.about_ru,
        price_from=profile.price_from, online_consultation=profile.online_consultation, city=profile.city)


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


def my_profile(user: PortalUser) -> PractitionerProfile | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).first()


def _own(user: PortalUser) -> PractitionerProfile:
    profile = my_profile(user)
    if profile is None:
        raise NotFound(_l("You have not applied to become a practitioner yet."))
    return profile


def _text(value, limit: int, name: str, label_text) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(_l("%(field)s must be at most %(n)d characters long.", field=label_text, n=limit),
                           name)
    return value


def _validate(data: ApplicationInput) -> dict:
    """Formats only (not completeness). Returns the normalized values."""
    category = db.session.get(Category, data.category_id) if data.category_id else None
    if category is None:
        raise ServiceError(_l("Choose a category."), "category_id")
    v = {"category": category}
    v["licence_number"] = _text(data.licence_number, 64, "licence_number", _l("The licence number"))
    v["licensor"] = _text(data.licensor, 255, "licensor", _l("The licensor"))
    v["chamber"] = _text(data.chamber, 255, "chamber", _l("The chamber"))
    v["membership_id"] = _text(data.membership_id, 64, "membership_id", _l("The membership number"))
    v["city"] = _text(data.city, 80, "city", _l("The city"))
    for name, text_label in (("education_kk", _l("Education")), ("education_ru", _l("Education")),
                             ("about_kk", _l("About")), ("about_ru", _l("About"))):
        v[name] = _text(getattr(data, name), TEXT_MAX, name, text_label)
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
    return v


def _apply(profile: PractitionerProfile, v: dict) -> None:
    profile.category_id = v["category"].id
    profile.category = v["category"]
    for name in ("licence_number", "licence_date", "licensor", "chamber", "membership_id", "city",
                 "education_kk", "education_ru", "about_kk", "about_ru", "price_from", "experience_years",
                 "languages", "online_consultation", "regions", "specializations"):
        setattr(profile, name, v[name])


# --- documents ---------------------------------------------------------------------------

def _folder() -> str:
    return upload_folder(DOCUMENTS)


def document_path(document: ProfileDocument) -> str:
    return os.path.join(_folder(), document.storage_key)


def _check_files(profile: PractitionerProfile | None, files: dict | None) -> dict[str, list]:
    """Check uploads per kind (content type by the bytes, size, count); photo: one JPEG or PNG."""
    files = files or {}
    checked = {}
    for kind, items in files.items():
        if kind not in DocumentKind.ALL:
            raise ServiceError(_l("Unknown kind of document."), kind)
        items = [f for f in (items or []) if f is not None and getattr(f, "filename", "")]
        if not items:
            continue
        if kind == DocumentKind.PHOTO:
            if len(items) > 1:
                raise ServiceError(_l("Upload one photo."), kind)
            check_uploads(items, field=kind)
            head = items[0].stream.read(16)
            items[0].stream.seek(0)
            if sniff(head) not in ("image/jpeg", "image/png"):
                raise ServiceError(_l("The photo must be a JPEG or PNG image."), kind)
        else:
            already = sum(1 for d in profile.documents if d.kind == kind) if profile is not None else 0
            check_uploads(items, field=kind, already=already)
        checked[kind] = items
    return checked


def _store_files(profile: PractitionerProfile, checked: dict[str, list]) -> list[str]:
    """Write checked files and add their rows; returns paths of replaced files
    to delete after the commit. Written files are removed again on a rollback
    (the session's "new_files" list, see services.attachments)."""
    obsolete = []
    for kind, items in checked.items():
        if kind == DocumentKind.PHOTO:
            for old in [d for d in profile.documents if d.kind == DocumentKind.PHOTO]:
                obsolete.append(document_path(old))
                profile.documents.remove(old)
                db.session.delete(old)
        for f in items:
            key = uuid.uuid4().hex
            data = f.stream.read()
            path = os.path.join(_folder(), key)
            with open(path, "wb") as out:
                out.write(data)
            db.session.info.setdefault("new_files", []).append(path)
            content_type = sniff(data[:16])
            # shown and downloaded with the extension of the type in its bytes ("x.html" -> "x.pdf")
            doc = ProfileDocument(kind=kind, original_name=display_name(f.filename, content_type, key),
                                  content_type=content_type, size=len(data), storage_key=key)
            profile.documents.append(doc)
    return obsolete


def _remove_paths(paths: list[str]) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def photo_of(profile: PractitionerProfile) -> ProfileDocument | None:
    return next((d for d in profile.documents if d.kind == DocumentKind.PHOTO), None)


def document_for(user, document_id: int) -> ProfileDocument:
    """The document if ``user`` may read it: its owner or staff; the photo of a
    public profile: anyone (``user`` may be anonymous or None)."""
    doc = db.session.get(ProfileDocument, document_id)
    if doc is None:
        raise NotFound(_l("This file does not exist or is not available to you."))
    profile = doc.profile
    user_id = getattr(user, "id", None)
    if user_id is not None and profile.user_id == user_id:
        return doc
    if doc.kind == DocumentKind.PHOTO and profile.is_public:
        return doc
    if user_id is not None and is_staff(user):
        if doc.kind != DocumentKind.PHOTO:  # staff reading private papers: on the record
            audit.record("profile_document", doc.id, None, None, user_id, action="staff_download")
            db.session.commit()
        return doc
    raise NotFound(_l("This file does not exist or is not available to you."))


def remove_document(user: PortalUser, document_id: int) -> None:
    """The owner removes a document while editing the application; a verified
    practitioner may remove the photo and other documents, not the licence."""
    profile = my_profile(user)
    doc = db.session.get(ProfileDocument, document_id)
    if profile is None or doc is None or doc.profile_id != profile.id:
        raise NotFound(_l("This file does not exist or is not available to you."))
    if _draft_editable(profile):
        pass
    elif profile.status in PUBLIC_EDITABLE and doc.kind != DocumentKind.LICENCE:
        pass
    elif profile.status in PUBLIC_EDITABLE:
        raise ServiceError(_l("The licence copy of a verified practitioner cannot be removed."))
    else:
        raise ServiceError(_l("The application cannot be changed while it is under review."))
    path = document_path(doc)
    profile.documents.remove(doc)
    db.session.delete(doc)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _remove_paths([path])


# --- the applicant's actions ---------------------------------------------------------

def _draft_editable(profile: PractitionerProfile) -> bool:
    return profile.status in DRAFT_EDITABLE or can("reopen", profile)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def _notice(profile: PractitionerProfile, action: str, message: str, actor_id: int | None) -> PracticeNotice:
    notice = PracticeNotice(profile_id=profile.id, action=action, message=message or "", actor_id=actor_id,
                            created_at=utcnow())
    db.session.add(notice)
    return notice


def _tell(profile: PractitionerProfile, kind: str, **params) -> None:
    inbox.notify(profile.user, kind, links.practice_page(), **params)


def save_draft(user: PortalUser, data: ApplicationInput, files: dict | None = None) -> PractitionerProfile:
    """Create the application (a draft) or edit it while it is a draft (or
    after a rejection/revocation once staff allowed a new application: it
    becomes a draft again). Checks formats, not completeness."""
    profile = my_profile(user)
    if profile is not None and not _draft_editable(profile):
        if profile.status in PUBLIC_EDITABLE:
            raise ServiceError(_l("You are verified: edit your public profile instead."))
        if profile.status in (S.REJECTED, S.REVOKED):
            _check("reopen", profile)
        raise ServiceError(_l("The application cannot be changed while it is under review."))
    values = _validate(data)
    checked = _check_files(profile, files)
    obsolete: list[str] = []
    try:
        if profile is None:
            profile = PractitionerProfile(user_id=user.id, status=S.DRAFT, languages="")
            _apply(profile, values)
            db.session.add(profile)
            db.session.flush()
            audit.record(ENTITY, profile.id, None, S.DRAFT, user.id, action="status")
        else:
            if profile.status != S.DRAFT:  # a new application after a rejection or revocation
                _move(profile, "reopen", user.id)
                profile.may_reapply = False
            _apply(profile, values)
        obsolete = _store_files(profile, checked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _remove_paths(obsolete)
    return profile


@tx.atomic
def submit(user: PortalUser, now: dt.datetime | None = None) -> PractitionerProfile:
    """draft (or rejected/revoked with may_reapply) -> submitted, when complete."""
    profile = _own(user)
    _check("submit", profile)
    gaps = missing_fields(profile)
    if gaps:
        # rendered when shown, so the list is in the reader's language too
        raise ServiceError(LazyString(lambda: gettext("The application is not complete yet: %(what)s",
                                                      what=" ".join(str(m) for _f, m in gaps))), gaps[0][0])
    _move(profile, "submit", user.id)
    profile.submitted_at = _now(now)
    profile.may_reapply = False
    _tell(profile, "application_submitted")
    return profile


def quiz_passed(profile: PractitionerProfile, attempt: QuizAttempt) -> PractitionerProfile:
    """Called by services.quiz when ``attempt`` passed: submitted -> quiz_passed.
    Commits (with the caller's attempt); on error nothing of this is changed."""
    if attempt is None or not attempt.passed or attempt.profile_id != profile.id:
        raise ServiceError(_l("The applicant has not passed the agreement quiz."))
    _check("quiz_passed", profile)
    _move(profile, "quiz_passed", profile.user_id, reason=f"quiz attempt {attempt.id}: "
                                                           f"{attempt.score}/{attempt.total}")
    db.session.commit()
    return profile


_PUBLIC_REVIEW_FIELDS = ("licence_number", "licence_date", "licensor")


def review_changes(profile: PractitionerProfile, data: ApplicationInput) -> list[str]:
    """The answers whose change would send a public profile back to review
    (ApplicationInput field names), for the page to ask before saving."""
    changed = ["category_id"] if data.category_id != profile.category_id else []
    for name in _PUBLIC_REVIEW_FIELDS:
        old, new = getattr(profile, name), getattr(data, name)
        if isinstance(new, str):
            old, new = (old or "").strip(), new.strip()
        if old != new:
            changed.append(name)
    return changed


def update_public_profile(user: PortalUser, data: ApplicationInput, files: dict | None = None,
                          now: dt.datetime | None = None) -> PractitionerProfile:
    """A verified (or warned) practitioner edits the public profile. Changing
    the licence number, date, licensor or the category sends it back to review
    (status quiz_passed: it leaves public pages and search until a moderator
    approves again); other edits stay
    public and are re-indexed."""
    profile = _own(user)
    _check("edit_public", profile)
    values = _validate(data)
    checked = _check_files(profile, files)
    back = values["category"].id != profile.category_id or any(
        values[name] != getattr(profile, name) for name in _PUBLIC_REVIEW_FIELDS)
    obsolete: list[str] = []
    try:
        _apply(profile, values)
        obsolete = _store_files(profile, checked)
        db.session.flush()
        gaps = missing_fields(profile)
        if gaps:
            raise ServiceError(gaps[0][1], gaps[0][0])
        if back:
            _move(profile, "back_to_review", user.id, reason="licence data or category changed")
            profile.submitted_at = _now(now)
            _notice(profile, "back_to_review", "", user.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _remove_paths(obsolete)
    return profile


# --- staff ------------------------------------------------------------------------------

def _staff_profile(staff: PortalUser, profile_id: int, lock: bool = True) -> PractitionerProfile:
    if not is_staff(staff):
        raise ServiceError(_l("Only moderators and administrators can do this."))
    profile = db.session.get(PractitionerProfile, profile_id, with_for_update=lock or None,
                             populate_existing=lock)
    if profile is None:
        raise NotFound(_l("This practitioner profile does not exist."))
    if profile.user_id == staff.id:
        raise ServiceError(_l("You cannot decide on your own practice."))
    return profile


def _reason(reason: str, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ServiceError(_l("Give the reason (it stays internal)."), "reason")
    if len(reason) > TEXT_MAX:
        raise ServiceError(_l("The reason is too long."), "reason")
    return reason


def _message(message: str, required: bool = False) -> str:
    message = (message or "").strip()
    if required and not message:
        raise ServiceError(_l("Write the message the practitioner will see."), "message")
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_l("The message must be at most %(n)d characters long.", n=MESSAGE_MAX), "message")
    return message


def _aware_to_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is not None:
        return when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def _translations(make) -> dict:
    """{locale: text} rendered in each language (notification parameters are
    rendered in the reader's language)."""
    out = {}
    for code in SERVICE_LANGUAGES:
        with force_locale(code):
            out[code] = str(make())
    return out


def latest_interview(profile: PractitionerProfile) -> Interview | None:
    return db.session.scalars(select(Interview).where(Interview.profile_id == profile.id)
                              .order_by(Interview.id.desc()).limit(1)).first()


def _application_start(profile: PractitionerProfile) -> dt.datetime | None:
    """Since when quiz passes and interviews count: the current application's
    submission. A practitioner sent back to review by a licence edit (still
    ``verified_since``) keeps what they passed before; a re-application after a
    rejection or revocation starts afresh (verified_since is cleared then)."""
    return None if profile.verified_since is not None else profile.submitted_at


def has_passed_quiz(profile: PractitionerProfile) -> bool:
    stmt = select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.profile_id == profile.id, QuizAttempt.passed.is_(True))
    start = _application_start(profile)
    if start is not None:
        stmt = stmt.where(QuizAttempt.started_at >= start)
    return (db.session.scalar(stmt) or 0) > 0


@tx.atomic
def schedule_interview(staff: PortalUser, profile_id: int, when: dt.datetime, mode: str, notes: str = "",
                       now: dt.datetime | None = None) -> Interview:
    """quiz_passed -> interview_scheduled; while scheduled, moves the pending
    interview (or adds a new one after a recorded one). ``when`` is UTC
    (naive) or timezone-aware."""
    profile = _staff_profile(staff, profile_id)
    _check("schedule_interview", profile)
    if when is None:
        raise ServiceError(_l("Choose the date and time of the interview."), "when")
    when = _aware_to_utc(when)
    if when <= _now(now):
        raise ServiceError(_l("The interview must be in the future."), "when")
    if mode not in InterviewMode.ALL:
        raise ServiceError(_l("Choose how the interview takes place."), "mode")
    notes = _text(notes, TEXT_MAX, "notes", _l("Notes"))
    interview = latest_interview(profile)
    if interview is not None and interview.outcome == InterviewOutcome.PENDING \
            and profile.status == S.INTERVIEW_SCHEDULED:
        previous = interview.scheduled_at.isoformat(sep=" ", timespec="minutes")
        interview.scheduled_at, interview.mode, interview.staff_id = when, mode, staff.id
        if notes:
            interview.notes = notes
    else:
        previous = None
        interview = Interview(profile_id=profile.id, scheduled_at=when, mode=mode, staff_id=staff.id,
                              notes=notes, outcome=InterviewOutcome.PENDING, created_at=utcnow())
        db.session.add(interview)
    db.session.flush()
    audit.record(ENTITY, profile.id, previous, when.isoformat(sep=" ", timespec="minutes"), staff.id,
                 reason=f"interview {interview.id} scheduled ({mode})", action="interview")
    _move(profile, "schedule_interview", staff.id, reason=f"interview {interview.id}")
    _tell(profile, "interview_scheduled",
          when=_translations(lambda: format_datetime(when, "medium")),
          mode=_translations(lambda: label(mode)))
    return interview


def normalize_passport_digits(value: str | None) -> str | None:
    """At most the last 4 digits of the passport, digits only; None if empty."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise ServiceError(_l("Enter digits only."), "passport_last_digits")
    if len(value) > PASSPORT_DIGITS_MAX:
        raise ServiceError(_l("Enter at most the last %(n)d digits of the passport, never the full number.",
                              n=PASSPORT_DIGITS_MAX), "passport_last_digits")
    return value


@tx.atomic
def record_interview(staff: PortalUser, interview_id: int, outcome: str, notes: str, passport_checked: bool,
                     passport_last_digits: str | None = None) -> Interview:
    """The interview's result. The passport is confirmed, never stored: only
    that it was checked, by whom, when, and at most its last 4 digits."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise NotFound(_l("This interview does not exist."))
    profile = _staff_profile(staff, interview.profile_id)
    _check("record_interview", profile)
    if outcome not in InterviewOutcome.ALL or outcome == InterviewOutcome.PENDING:
        raise ServiceError(_l("Choose the outcome of the interview."), "outcome")
    digits = normalize_passport_digits(passport_last_digits)
    if digits and not passport_checked:
        raise ServiceError(_l("Enter the passport digits only when the passport was checked."),
                           "passport_last_digits")
    notes = _text(notes, TEXT_MAX, "notes", _l("Notes"))
    previous = interview.outcome
    interview.outcome, interview.notes, interview.recorded_at = outcome, notes, utcnow()
    interview.passport_checked = bool(passport_checked)
    if passport_checked:
        interview.passport_checked_by_id, interview.passport_checked_at = staff.id, utcnow()
        interview.passport_last_digits = digits
    else:
        interview.passport_checked_by_id = interview.passport_checked_at = None
        interview.passport_last_digits = None
    audit.record(ENTITY, profile.id, previous, outcome, staff.id,
                 reason=f"interview {interview.id}; passport checked: {'yes' if passport_checked else 'no'}",
                 action="interview")
    return interview


def approval_problems(profile: PractitionerProfile) -> list:
    """Why ``approve`` would refuse (translated); [] = it may be approved."""
    if not can("approve", profile):
        return [_NOT_NOW["approve"]]
    problems = []
    if not has_passed_quiz(profile):
        problems.append(_l("The applicant has not passed the agreement quiz."))
    interview = latest_interview(profile)
    start = _application_start(profile)
    if interview is not None and start is not None and interview.created_at < start:
        interview = None  # from an earlier application
    if interview is None:
        problems.append(_l("The applicant has had no interview."))
    elif interview.outcome == InterviewOutcome.PENDING:
        problems.append(_l("The result of the interview has not been recorded yet."))
    elif interview.outcome != InterviewOutcome.PASSED:
        problems.append(_l("The applicant did not pass the interview."))
    elif not interview.passport_checked:
        problems.append(_l("The applicant's passport was not checked at the interview."))
    return problems


@tx.atomic
def approve(staff: PortalUser, profile_id: int, reason: str = "", message: str = "",
            now: dt.datetime | None = None) -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason, required=False), _message(message)
    problems = approval_problems(profile)
    if problems:
        raise ServiceError(problems[0])
    _move(profile, "approve", staff.id, reason)
    # back from a licence edit: still verified since the first approval
    profile.verified_since = profile.verified_since or _now(now)
    profile.may_reapply = False
    role = current_app.appbuilder.sm.find_role("Practitioner")
    if role is not None and role not in profile.user.roles:
        profile.user.roles.append(role)
    _notice(profile, "approve", message, staff.id)
    _tell(profile, "application_approved")
    return profile


@tx.atomic
def reject(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """The applicant is told only that the application was not approved
    (agreement 6.3): the reason stays in the audit trail; ``message`` is
    accepted for a uniform call but never shown."""
    profile = _staff_profile(staff, profile_id)
    reason = _reason(reason)
    _move(profile, "reject", staff.id, reason)
    profile.may_reapply = False
    _notice(profile, "reject", "", staff.id)
    _tell(profile, "application_rejected")
    return profile


def _decide(transition: str, kind: str, staff: PortalUser, profile_id: int, reason: str, message: str,
            message_required: bool = False) -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason), _message(message, message_required)
    _move(profile, transition, staff.id, reason)
    _notice(profile, transition, message, staff.id)
    _tell(profile, kind)
    return profile


@tx.atomic
def warn(staff: PortalUser, profile_id: int, reason: str, message: str) -> PractitionerProfile:
    """A strict warning (6.6): the practitioner stays verified and sees the message."""
    return _decide("warn", "practice_warned", staff, profile_id, reason, message, message_required=True)


@tx.atomic
def suspend(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """Leaves public pages, search and the request feed until reinstated."""
    return _decide("suspend", "practice_suspended", staff, profile_id, reason, message)


@tx.atomic
def revoke(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """6.5: the status is taken away. The "Practitioner" role stays on the
    account on purpose: every practitioner action checks the profile status
    (models.practitioners.active_profile), so a revoked profile can do nothing, and the
    role keeps the practice page and past conversations reachable."""
    return _decide("revoke", "practice_revoked", staff, profile_id, reason, message)


@tx.atomic
def reinstate(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """suspended -> approved, or warned -> approved (the warning is lifted).
    A revoked status is final unless staff allow a new application."""
    return _decide("reinstate", "practice_reinstated", staff, profile_id, reason, message)


@tx.atomic
def allow_reapply(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    profile = _staff_profile(staff, profile_id)
    reason, message = _reason(reason), _message(message)
    _check("allow_reapply", profile)
    audit.record(ENTITY, profile.id, "no", "yes", staff.id, reason=reason, action="allow_reapply")
    profile.may_reapply = True
    _notice(profile, "allow_reapply", message, staff.id)
    _tell(profile, "reapply_allowed")
    return profile


@tx.atomic
def clear_flag(staff: PortalUser, profile_id: int, reason: str, message: str = "") -> PractitionerProfile:
    """The moderator looked at a flagged profile (6.6); the practitioner is not told."""
    profile = _staff_profile(staff, profile_id)
    reason = _reason(reason)
    _check("clear_flag", profile)
    audit.record(ENTITY, profile.id, profile.flag_reason, None, staff.id, reason=reason, action="unflag")
    profile.flagged_at, profile.flag_reason = None, None
    return profile


# name -> (function, statuses it applies to, label of the button)
ACTIONS = {
    "approve": (approve, TRANSITIONS["approve"][0], _l("Approve")),
    "reject": (reject, TRANSITIONS["reject"][0], _l("Reject")),
    "warn": (warn, TRANSITIONS["warn"][0], _l("Strict warning")),
    "suspend": (suspend, TRANSITIONS["suspend"][0], _l("Suspend")),
    "revoke": (revoke, TRANSITIONS["revoke"][0], _l("Revoke status")),
    "reinstate": (reinstate, TRANSITIONS["reinstate"][0], _l("Reinstate")),
    "allow_reapply": (allow_reapply, TRANSITIONS["allow_reapply"][0], _l("Allow a new application")),
    "clear_flag": (clear_flag, TRANSITIONS["clear_flag"][0], _l("Clear the flag")),
}
# whether the action takes a message shown to the practitioner / needs an internal reason
TAKES_MESSAGE = {"approve", "warn", "suspend", "revoke", "reinstate", "allow_reapply"}
MESSAGE_REQUIRED = {"warn"}
REASON_REQUIRED = set(ACTIONS) - {"approve"}


def allowed_actions(profile: PractitionerProfile) -> list[str]:
    """Actions the status table allows now (approve: also when its other
    conditions are unmet; ``approval_problems`` says which)."""
    return [name for name in ACTIONS if can(name, profile)]


def act(staff: PortalUser, profile_id: int, action: str, reason: str = "", message: str = ""):
    """Run ``ACTIONS[action]`` (for the moderation page's single form)."""
    if action not in ACTIONS:
        raise NotFound(_l("Unknown action."))
    return ACTIONS[action][0](staff, profile_id, reason=reason, message=message)


# --- what the practitioner sees ----------------------------------------------------------

def close_with_account(profile: PractitionerProfile, actor_id: int | None) -> list[str]:
    """The owner closed their account (services.closure; the caller commits): the
    profile moves to "closed" (off public pages, search and staff queues), its
    personal fields are emptied and its documents deleted. Returns the paths of
    the documents' files, to delete once the transaction is committed."""
    _move(profile, "close_account", actor_id, reason="account closed")
    for name in ("licence_number", "licensor", "chamber", "membership_id", "city",
                 "education_kk", "education_ru", "about_kk", "about_ru"):
        setattr(profile, name, "")
    profile.licence_date = profile.external_id = profile.flagged_at = profile.flag_reason = None
    profile.may_reapply = False
    paths = [document_path(doc) for doc in profile.documents]
    for doc in list(profile.documents):
        profile.documents.remove(doc)
        db.session.delete(doc)
    for notice in list(profile.notices):  # what staff told this practitioner
        db.session.delete(notice)
    for interview in profile.interviews:  # the fact and date of the check stay, the details go
        interview.notes, interview.passport_last_digits = "", None
    return paths


def notices(profile: PractitionerProfile) -> list[PracticeNotice]:
    return list(db.session.scalars(select(PracticeNotice).where(PracticeNotice.profile_id == profile.id)
                                   .order_by(PracticeNotice.created_at.desc(), PracticeNotice.id.desc())))


def interviews(profile: PractitionerProfile) -> list[Interview]:
    return list(db.session.scalars(select(Interview).where(Interview.profile_id == profile.id)
                                   .order_by(Interview.scheduled_at.desc(), Interview.id.desc())))


def history(profile: PractitionerProfile):
    return audit.history(ENTITY, profile.id)
