"""Rows of the XSS table: becoming a practitioner (the questionnaire, the public profile,
documents) and what staff write on the way (interview notes, decisions)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.practitioners import ProfileStatus
from tests import factories
from tests.contracts.xss_fields.common import FILE, NAME, Field, browser, pdf, post_ok, security_manager

# --- the questionnaire and the public profile -----------------------------------------------------

def _questionnaire(profile=None, **fields) -> dict:
    from portal.services.practitioners import questionnaire

    values = (questionnaire.input_from(profile).__dict__ if profile is not None
              else factories.application_input().__dict__)
    data = {}
    for name, value in values.items():
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif value is not None:
            data[name] = str(value)
    data.update(fields)
    return data


def apply_with(name):
    """The applicant's questionnaire (a draft) with ``name`` = the value."""
    def write(w, value):
        user = factories.make_user(security_manager(), ("Client",), first_name="Заявитель")
        me = browser(w.app, user)
        post_ok(me, "/practice/apply", {**_questionnaire(**{name: value}), "action": "draft",
                                        "licence": pdf("licence.pdf")})
        from portal.services.practitioners import verification

        return SimpleNamespace(me=me, profile=verification.my_profile(user))
    return write


def applicant_pages(w, o, marker):
    pid = o.profile.id
    return [(o.me, "/practice/apply"), ("moderator", f"/moderation/profiles/{pid}"),
            ("admin", f"/admin/profiles/show/{pid}")]


def edit_public_with(name):
    """A verified practitioner's public profile editor with ``name`` = the value."""
    def write(w, value):
        profile = factories.make_applicant(security_manager(), stage=ProfileStatus.APPROVED, staff=w.moderator)
        me = browser(w.app, profile.user)
        post_ok(me, "/practice/edit", {**_questionnaire(profile, **{name: value}), "action": "save"})
        return SimpleNamespace(me=me, profile=profile)
    return write


def public_pages_of(name):
    """The public pages in the language of the field's text (``_l_``: this request only); the
    search results where their cards show the field (about: the highlighted snippet)."""
    locale = name[-2:] if name.endswith(("_kk", "_ru")) else "ru"

    def pages(w, o, marker):
        pid = o.profile.id
        found = [("visitor", f"/practitioners/?q={marker}&_l_={locale}")] if name.startswith(("about", "city")) else []
        return [(o.me, "/practice/edit"), ("visitor", f"/practitioners/{pid}?_l_={locale}"),
                ("moderator", f"/moderation/profiles/{pid}")] + found
    return pages


def document_name(w, value):
    user = factories.make_user(security_manager(), ("Client",), first_name="Заявитель")
    me = browser(w.app, user)
    post_ok(me, "/practice/apply", {**_questionnaire(), "action": "draft", "licence": pdf(value + ".pdf")})
    from portal.services.practitioners import verification

    profile = verification.my_profile(user)
    return SimpleNamespace(me=me, profile=profile, doc=profile.documents[0])


def document_pages(w, o, marker):
    return [(o.me, "/practice/"), (o.me, "/practice/apply"), (o.me, f"/practice/documents/{o.doc.id}/remove"),
            ("moderator", f"/moderation/profiles/{o.profile.id}")]


def document_removed(w, value):
    o = document_name(w, value)
    post_ok(o.me, f"/practice/documents/{o.doc.id}/remove", {})
    return o  # the next page shows "The document <name> was removed"


# --- staff ----------------------------------------------------------------------------------------

_EARLIER_APPLICANTS: list[int] = []


def applicant_name(w, value):
    """An applicant waiting for review; the earlier examples' applicants leave the queue, so the
    list's first page (sorted by name) has this one."""
    from sqlalchemy import update

    from portal.models.practitioners import PractitionerProfile

    if _EARLIER_APPLICANTS:
        db.session.execute(update(PractitionerProfile).where(PractitionerProfile.id.in_(_EARLIER_APPLICANTS))
                           .values(status=ProfileStatus.REJECTED))
        db.session.commit()
    profile = factories.make_applicant(security_manager(), stage=ProfileStatus.SUBMITTED, first_name=value[:64])
    _EARLIER_APPLICANTS.append(profile.id)
    return SimpleNamespace(profile=profile)


def applicant_name_pages(w, o, marker):
    return [("moderator", "/moderation/applications?stage=submitted&sort=name"), ("moderator", "/moderation/"),
            ("moderator", f"/moderation/profiles/{o.profile.id}"), ("moderator", f"/moderation/profiles/{o.profile.id}/reject")]


def interview_scheduled(w, value):
    profile = factories.make_applicant(security_manager(), stage=ProfileStatus.QUIZ_PASSED, staff=w.moderator)
    day = (utcnow() + dt.timedelta(days=3)).date().isoformat()
    post_ok(w.browsers["moderator"], f"/moderation/profiles/{profile.id}/interview",
            {"date": day, "time": "10:00", "mode": "in_person", "notes": value})
    return SimpleNamespace(profile=profile)


def interview_recorded(w, value):
    from portal.services.practitioners import decisions

    profile = factories.make_applicant(security_manager(), stage=ProfileStatus.INTERVIEW_SCHEDULED, staff=w.moderator,
                                       interview_outcome="pending")
    interview = decisions.latest_interview(profile)
    post_ok(w.browsers["moderator"], f"/moderation/interviews/{interview.id}",
            {"outcome": "passed", "notes": value})
    return SimpleNamespace(profile=profile)


def staff_file_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{o.profile.id}")]


def warning_with(name):
    def write(w, value):
        profile = factories.make_practitioner(security_manager(), first_name="Предупреждённый")
        fields = {"reason": "Жалобы клиентов", "message": "Соблюдайте сроки", name: value}
        post_ok(w.browsers["moderator"], f"/moderation/profiles/{profile.id}/warn", fields)
        return SimpleNamespace(profile=profile, me=browser(w.app, profile.user))
    return write


def warning_reason_pages(w, o, marker):
    return [("moderator", f"/moderation/profiles/{o.profile.id}"), ("moderator", "/moderation/"),
            ("admin", "/admin/audit/list/")]


def warning_message_pages(w, o, marker):
    return [(o.me, "/practice/"), ("moderator", f"/moderation/profiles/{o.profile.id}")]


FIELDS = [
    *[Field(f"questionnaire {name}", apply_with(name), applicant_pages, max_len=limit)
      for name, limit in (("about_kk", 300), ("about_ru", 300), ("education_kk", 300), ("education_ru", 300),
                          ("city", 80), ("licence_number", 64), ("licensor", 255), ("chamber", 255),
                          ("membership_id", 64))],
    *[Field(f"public profile {name}", edit_public_with(name), public_pages_of(name), max_len=limit)
      for name, limit in (("about_kk", 300), ("about_ru", 300), ("education_kk", 300), ("education_ru", 300),
                          ("city", 80), ("chamber", 255))],
    Field("practitioner document file name", document_name, document_pages, max_len=200, strip=FILE),
    Field("document file name in the removal flash", document_removed, lambda w, o, m: [(o.me, "/practice/")],
          max_len=200, strip=FILE),
    Field("applicant name on the staff pages", applicant_name, applicant_name_pages, max_len=NAME),
    Field("interview notes (scheduled)", interview_scheduled, staff_file_pages),
    Field("interview notes (recorded)", interview_recorded, staff_file_pages),
    Field("decision reason (staff)", warning_with("reason"), warning_reason_pages),
    Field("decision message to the practitioner", warning_with("message"), warning_message_pages),
]
