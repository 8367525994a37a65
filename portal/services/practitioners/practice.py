""""My practice" from the applicant's side, shared by the web page
(views.practitioners.practice) and the JSON API (views.practitioners.api): the
steps to verification and what to do next, who may change the questionnaire
now and why not, saving it whatever the stage, adding documents on their own,
and the overview of the practice status.

The rules stay where they were (``verification``: the status machine and the
saves; ``questionnaire``: formats and completeness; ``documents``: files;
``quiz``: attempts); this module only puts them together the way both
front-ends need them, so neither writes a rule of its own."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.formats import format_datetime
from portal.core.labels import label
from portal.models.accounts import PortalUser
from portal.models.practitioners import Interview, PractitionerProfile, ProfileDocument
from portal.models.practitioners import ProfileStatus as S
from portal.services.practitioners import decisions, documents, questionnaire, quiz, verification

# The steps to verification, in order, as the applicant's status page lists them.
STEPS = (("questionnaire", _l("Fill in the questionnaire and upload your documents")),
         ("submit", _l("Submit the application for review")),
         ("quiz", _l("Pass the agreement quiz")),
         ("interview", _l("Identity interview with your passport")),
         ("approval", _l("Approval by the moderators")))

NO_APPLICATION = _l("You have not applied to become a practitioner yet.")


def steps(profile: PractitionerProfile, missing: list, interview) -> list[tuple[str, object, str]]:
    """(key, label, "done" | "current" | "todo") of each step to verification while the
    profile is applying; [] when no step applies (verification.application_step)."""
    current = verification.application_step(profile, missing, interview)
    if current is None:
        return []
    return [(key, text, "done" if i < current else "current" if i == current else "todo")
            for i, (key, text) in enumerate(STEPS)]


def next_step(profile: PractitionerProfile, interview: Interview | None) -> list:
    """What the status means and what to do next, in the words of the practice page."""
    status = profile.status
    out: list = []
    if status == S.DRAFT:
        out.append(_l("Your application is a draft: only you see it. Fill in the questionnaire and submit it "
                      "for review."))
    elif status == S.SUBMITTED:
        out.append(_l("Your application is under review. Next step: take the agreement quiz — it checks that "
                      "you know the rules of the portal (agreement 6.2)."))
    elif status == S.QUIZ_PASSED and profile.verified_since:
        out.append(_l("Moderators are checking the licence data or category you changed. Your profile is hidden "
                      "from the directory and search until they approve it again."))
    elif status == S.QUIZ_PASSED:
        out.append(_l("You passed the agreement quiz. Staff will contact you to schedule an identity interview, "
                      "in person or by phone; have your passport ready."))
    elif status == S.INTERVIEW_SCHEDULED:
        if interview is not None:
            out.append(_l("Your identity interview is scheduled for %(when)s (%(mode)s).",
                          when=format_datetime(interview.scheduled_at, "medium"), mode=label(interview.mode)))
        else:
            out.append(_l("Your identity interview is being scheduled."))
        out.append(_l("Have your passport ready: staff confirm your identity and record only that it was "
                      "checked."))
    elif status in S.PUBLIC:
        out.append(_l("Your profile is public: clients find it in the directory and search."))
        if status == S.WARNED:
            out.append(_l("You have received a strict warning. Further violations may lead to suspension or the "
                          "loss of your status (agreement 6.6)."))
    elif status == S.SUSPENDED:
        out.append(_l("Your practice is suspended: your profile is hidden from the directory and search and you "
                      "cannot make offers until the moderators reinstate it."))
    elif status == S.REVOKED:
        out.append(_l("Your practitioner status was revoked (agreement 6.5). Your profile is no longer public."))
    elif status == S.REJECTED:
        out.append(_l("Your application was not approved. The portal may refuse registration without giving "
                      "reasons (agreement 6.3)."))
    if status in (S.REJECTED, S.REVOKED):
        out.append(_l("The moderators allow you to apply again.") if profile.may_reapply
                   else _l("You can apply again only if the moderators allow it."))
    return out


def edit_refusal(profile: PractitionerProfile | None):
    """Why the questionnaire cannot be changed now (a translated message), or None
    when it can: a new application, a draft (or one the moderators let reopen), or
    a verified practitioner's public profile."""
    if profile is None or verification.draft_editable(profile) or profile.status in verification.PUBLIC_EDITABLE:
        return None
    if profile.status in (S.REJECTED, S.REVOKED):
        return _l("You cannot apply again unless the moderators allow it.")
    if profile.status == S.SUSPENDED:
        return _l("Your practice is suspended: your profile cannot be changed now.")
    return _l("Your application is under review and cannot be changed now.")


def save_questionnaire(user: PortalUser, data: questionnaire.ApplicationInput,
                       files: dict | None = None) -> PractitionerProfile:
    """The questionnaire saved whatever the stage: a verified practitioner's public
    profile is updated (a licence or category change sends it back to review), an
    application is saved as a draft; at any other stage the refusal the page shows."""
    profile = verification.my_profile(user)
    if profile is not None and profile.status in verification.PUBLIC_EDITABLE:
        return verification.update_public_profile(user, data, files=files)
    refusal = edit_refusal(profile)
    if refusal is not None:
        raise ServiceError(refusal)
    return verification.save_draft(user, data, files=files)


def add_documents(user: PortalUser, files: dict) -> list[ProfileDocument]:
    """Documents uploaded on their own (not with the questionnaire's answers), when
    the questionnaire may be changed: the same checks as with the answers
    (documents.check_files). Returns the new documents."""
    profile = verification.my_profile(user)
    if profile is None:
        raise NotFound(NO_APPLICATION)
    refusal = edit_refusal(profile)
    if refusal is not None:
        raise ServiceError(refusal)
    checked = documents.check_files(profile, files)
    if not checked:
        raise ServiceError(_l("Choose a file to upload."), next(iter(files), None))
    before = {d.id for d in profile.documents}
    obsolete: list[str] = []
    try:
        if profile.status not in (S.DRAFT, *verification.PUBLIC_EDITABLE):  # reopened after a refusal
            verification.move(profile, "reopen", user.id)
            profile.may_reapply = False
        obsolete = documents.store_files(profile, checked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    documents.remove_files(obsolete)
    return sorted((d for d in profile.documents if d.id not in before), key=lambda d: d.id)


@dataclass
class Overview:
    """The practice status as the practitioner's page shows it."""

    profile: PractitionerProfile
    missing: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    next: list = field(default_factory=list)
    interview: Interview | None = None
    quiz: quiz.Availability | None = None
    editable: bool = False
    notices: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.profile.status

    @property
    def status_label(self) -> str:
        return label(self.profile.status)

    @property
    def verified_since(self) -> dt.datetime | None:
        return self.profile.verified_since

    @property
    def public(self) -> bool:
        return self.profile.is_public


def overview(user: PortalUser) -> Overview:
    """The user's practice status; NotFound when they have not applied."""
    profile = verification.my_profile(user)
    if profile is None:
        raise NotFound(NO_APPLICATION)
    interview = decisions.latest_interview(profile)
    # what is missing matters only while the questionnaire can still be completed
    missing = questionnaire.missing(profile) if verification.draft_editable(profile) else []
    return Overview(profile=profile, missing=missing, steps=steps(profile, missing, interview),
                    next=next_step(profile, interview), interview=interview,
                    quiz=quiz.availability(profile), editable=edit_refusal(profile) is None,
                    notices=decisions.notices(profile))
