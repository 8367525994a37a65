"""API schemas of the practitioners domain: public profiles and their reviews,
"my practice" (status, questionnaire, documents) and the agreement quiz.

Names and texts come in the language of the call (``Localized``); dates and
times are ISO 8601 in UTC. The quiz schemas never carry which option is
correct: an attempt's questions list options by id and text only, and a
submitted attempt's lines say whether each answer was right, not which one
would have been."""
from __future__ import annotations

from marshmallow import fields, post_load, validate

from portal.core.collation import sorted_by_name
from portal.forms.api import Id, In, Localized, Out, Text, UtcDateTime, iso
from portal.models.practitioners import SERVICE_LANGUAGES, DocumentKind

DOCUMENTS_URL = "/api/v1/practice/documents/"
_TEXT_CAP = 20000  # a sanity cap; the questionnaire's own limits (and messages) are the service's


# --- shared ------------------------------------------------------------------------------------

class PractitionerCodeOut(Out):
    code = fields.String(required=True)
    name = Localized("name", required=True)


# --- public profiles -------------------------------------------------------------------------------

class ProfileVerificationOut(Out):
    """How the profile was verified: only facts in the data (services.practitioners.profiles)."""

    licence_checked = fields.Boolean(required=True)
    licence_number = fields.String(required=True)
    licence_date = fields.Date(allow_none=True)
    quiz_passed_at = UtcDateTime(allow_none=True)
    interview_at = UtcDateTime(allow_none=True)
    passport_checked = fields.Boolean(required=True)
    verified_since = UtcDateTime(allow_none=True)


class ProfileRatingBarOut(Out):
    stars = fields.Integer(required=True)
    count = fields.Integer(required=True)


class PublicProfileOut(Out):
    """A public profile as its page shows it."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The profile's web page"})
    category = fields.Nested(PractitionerCodeOut, required=True)
    city = fields.String(attribute="city_name", required=True)
    regions = fields.Function(lambda p: PractitionerCodeOut().dump(sorted_by_name(p.regions), many=True),
                              metadata={"type": "array", "items": {"type": "object"}})
    specializations = fields.Function(lambda p: PractitionerCodeOut().dump(sorted_by_name(p.specializations), many=True),
                                      metadata={"type": "array", "items": {"type": "object"}})
    languages = fields.List(fields.String(), attribute="language_codes", required=True)
    experience_years = fields.Integer(required=True)
    price_from = fields.Integer(allow_none=True, metadata={"description": "KZT"})
    online_consultation = fields.Boolean(required=True)
    about = fields.Function(lambda p: p.tr("about"), metadata={"type": "string"})
    education = fields.Function(lambda p: p.tr("education"), metadata={"type": "string"})
    chamber = fields.String(attribute="chamber_name")
    licensor = fields.String(attribute="licensor_name")
    licence_number = fields.String()
    licence_date = fields.Date(allow_none=True)
    rating = fields.Function(lambda p: round(p.rating_avg or 0, 2), metadata={"type": "number"})
    reviews_count = fields.Integer(required=True)
    rating_distribution = fields.List(fields.Nested(ProfileRatingBarOut), required=True,
                                      metadata={"description": "Published reviews per rating, 5 stars down to 1"})
    verification = fields.Nested(ProfileVerificationOut, required=True)
    photo_url = fields.String(allow_none=True, metadata={"description": "The photo, or null without one"})


class ProfileReviewOut(Out):
    """A published review of the practitioner's work, with the practitioner's reply."""

    id = fields.Integer(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(required=True)
    author = fields.String(attribute="author_name", required=True,
                           metadata={"description": "The client's first name, or anonymous"})
    created_at = UtcDateTime(required=True)
    reply = fields.String(allow_none=True)
    reply_at = UtcDateTime(allow_none=True)


# --- my practice --------------------------------------------------------------------------------

class PracticeDocumentOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(DocumentKind.ALL)})
    name = fields.String(attribute="original_name", required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    url = fields.Function(lambda d: f"{DOCUMENTS_URL}{d.id}", metadata={"description": "Download (own only)"})


class QuizStateOut(Out):
    """What the applicant may do with the quiz now (services.practitioners.quiz.availability)."""

    can_start = fields.Boolean(required=True)
    reason = fields.Function(lambda a: str(a.reason) if a.reason is not None else None, allow_none=True,
                             metadata={"type": "string", "description": "Why not, when can_start is false"})
    open_attempt_id = fields.Function(lambda a: a.open_attempt.id if a.open_attempt is not None else None,
                                      allow_none=True,
                                      metadata={"type": "integer"})
    attempts_left = fields.Integer(required=True)
    next_attempt_at = UtcDateTime(attribute="next_at", allow_none=True,
                                      metadata={"description": "When the cool-down after a failed attempt ends"})
    passed = fields.Function(lambda a: a.passed is not None, metadata={"type": "boolean"})
    passed_at = fields.Function(lambda a: iso(a.passed.finished_at) if a.passed is not None else None,
                                allow_none=True,
                                metadata={"type": "string", "format": "date-time"})
    max_attempts = fields.Function(lambda a: a.rules.max_attempts, metadata={"type": "integer"})
    questions = fields.Function(lambda a: a.rules.questions, metadata={"type": "integer"})
    pass_percent = fields.Function(lambda a: a.rules.pass_percent, metadata={"type": "integer"})


class PracticeStepOut(Out):
    key = fields.Function(lambda s: s[0], metadata={"type": "string"})
    label = fields.Function(lambda s: str(s[1]), metadata={"type": "string"})
    state = fields.Function(lambda s: s[2], metadata={"type": "string", "enum": ["done", "current", "todo"]})


class PracticeInterviewOut(Out):
    scheduled_at = UtcDateTime(required=True)
    mode = fields.String(required=True)
    outcome = fields.String(required=True)


class PracticeNoticeOut(Out):
    action = fields.String(required=True)
    message = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class PracticeOut(Out):
    """The practice status (services.practitioners.practice.Overview)."""

    status = fields.String(required=True)
    status_label = fields.String(required=True)
    category = fields.Function(lambda o: PractitionerCodeOut().dump(o.profile.category),
                               metadata={"type": "object"})
    public = fields.Boolean(required=True)
    editable = fields.Boolean(required=True, metadata={"description": "The questionnaire may be changed now"})
    verified_since = UtcDateTime(allow_none=True)
    submitted_at = fields.Function(lambda o: iso(o.profile.submitted_at), allow_none=True,
                                   metadata={"type": "string", "format": "date-time"})
    missing = fields.Function(lambda o: [str(m) for m in o.missing],
                              metadata={"type": "array", "items": {"type": "string"},
                                        "description": "What the questionnaire still lacks"})
    next = fields.Function(lambda o: [str(m) for m in o.next],
                           metadata={"type": "array", "items": {"type": "string"},
                                     "description": "What the status means and what to do next"})
    steps = fields.List(fields.Nested(PracticeStepOut), required=True)
    interview = fields.Nested(PracticeInterviewOut, allow_none=True)
    quiz = fields.Nested(QuizStateOut, required=True)
    notices = fields.List(fields.Nested(PracticeNoticeOut), required=True)
    documents = fields.Function(lambda o: PracticeDocumentOut().dump(sorted(o.profile.documents,
                                                                    key=lambda d: (d.kind, d.id)), many=True),
                                metadata={"type": "array", "items": {"type": "object"}})


_STRINGS = ("licence_number", "licensor", "chamber", "membership_id", "education_kk", "education_ru",
            "about_kk", "about_ru", "city")
_LISTS = ("region_ids", "specialization_ids", "languages")


class QuestionnaireIn(In):
    """The questionnaire's answers. Fields left out keep their saved values; null
    empties a field."""

    category_id = Id(allow_none=True)
    licence_number = Text(_TEXT_CAP, allow_none=True)
    licence_date = fields.Date(allow_none=True)
    licensor_id = Id(allow_none=True, metadata={"description": "A licensor of the list; else licensor"})
    licensor = Text(_TEXT_CAP, allow_none=True)
    chamber_id = Id(allow_none=True, metadata={"description": "A chamber of the list; else chamber"})
    chamber = Text(_TEXT_CAP, allow_none=True)
    membership_id = Text(_TEXT_CAP, allow_none=True)
    region_ids = fields.List(Id(), allow_none=True)
    specialization_ids = fields.List(Id(), allow_none=True)
    languages = fields.List(fields.String(metadata={"enum": list(SERVICE_LANGUAGES)}), allow_none=True)
    experience_years = fields.Integer(allow_none=True, validate=validate.Range(min=-(2**31), max=2**31 - 1))
    education_kk = Text(_TEXT_CAP, allow_none=True)
    education_ru = Text(_TEXT_CAP, allow_none=True)
    about_kk = Text(_TEXT_CAP, allow_none=True)
    about_ru = Text(_TEXT_CAP, allow_none=True)
    price_from = fields.Integer(allow_none=True, validate=validate.Range(min=-(2**31), max=2**31 - 1),
                                metadata={"description": "KZT"})
    online_consultation = fields.Boolean(allow_none=True)
    city_id = Id(allow_none=True, metadata={"description": "A city of the list; else city"})
    city = Text(_TEXT_CAP, allow_none=True)
    confirm_review = fields.Boolean(load_default=False, metadata={
        "description": "A verified practitioner confirms a change of licence data or category, which sends "
                       "the profile back to review"})

    @post_load
    def _blanks(self, data: dict, **kwargs) -> dict:
        """null as the service's empty value of each field."""
        for name in _STRINGS:
            if name in data and data[name] is None:
                data[name] = ""
        for name in _LISTS:
            if name in data and data[name] is None:
                data[name] = []
        if data.get("online_consultation") is None and "online_consultation" in data:
            data["online_consultation"] = False
        return data


class QuestionnaireOut(Out):
    """The saved answers, the status and what is still missing."""

    status = fields.String(required=True)
    editable = fields.Boolean(required=True)
    category_id = fields.Integer(allow_none=True)
    licence_number = fields.String()
    licence_date = fields.Date(allow_none=True)
    licensor_id = fields.Integer(allow_none=True)
    licensor = fields.String()
    chamber_id = fields.Integer(allow_none=True)
    chamber = fields.String()
    membership_id = fields.String()
    region_ids = fields.List(fields.Integer())
    specialization_ids = fields.List(fields.Integer())
    languages = fields.List(fields.String())
    experience_years = fields.Integer(allow_none=True)
    education_kk = fields.String()
    education_ru = fields.String()
    about_kk = fields.String()
    about_ru = fields.String()
    price_from = fields.Integer(allow_none=True)
    online_consultation = fields.Boolean()
    city_id = fields.Integer(allow_none=True)
    city = fields.String()
    missing = fields.List(fields.String(), required=True)
    documents = fields.List(fields.Nested(PracticeDocumentOut), required=True)


class PracticeDocumentUploadIn(In):
    """multipart/form-data: the kind of the documents and the files (field ``files``)."""

    kind = fields.String(required=True, validate=validate.OneOf(DocumentKind.ALL),
                         metadata={"description": "photo (one JPEG or PNG), licence or other (PDF, JPEG, PNG)"})


# --- the quiz -----------------------------------------------------------------------------------

class QuizOptionOut(Out):
    id = fields.Integer(required=True)
    text = Localized("text", required=True)


class QuizQuestionOut(Out):
    id = fields.Integer(required=True)
    text = Localized("text", required=True)
    clause = fields.String(required=True, metadata={"description": "The agreement clause it is about"})
    options = fields.List(fields.Nested(QuizOptionOut), required=True)


class QuizResultLineOut(Out):
    """One question of a submitted attempt: was the answer right (the right option is not told)."""

    question_id = fields.Function(lambda line: line.question.id, metadata={"type": "integer"})
    question = fields.Function(lambda line: line.question.tr("text"), metadata={"type": "string"})
    chosen_option_id = fields.Function(lambda line: line.chosen.id if line.chosen is not None else None,
                                       allow_none=True,
                                       metadata={"type": "integer"})
    chosen = fields.Function(lambda line: line.chosen.tr("text") if line.chosen is not None else None,
                             allow_none=True,
                             metadata={"type": "string"})
    correct = fields.Boolean(required=True)


class QuizAttemptOut(Out):
    """An attempt: its questions while open, its result once submitted."""

    id = fields.Integer(required=True)
    started_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(allow_none=True)
    submitted = fields.Boolean(required=True)
    total = fields.Integer(required=True)
    score = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    percent = fields.Integer(allow_none=True)
    questions = fields.List(fields.Nested(QuizQuestionOut), required=True,
                            metadata={"description": "While the attempt is open; empty once submitted"})
    lines = fields.List(fields.Nested(QuizResultLineOut), required=True,
                        metadata={"description": "Once submitted; empty while open"})
    quiz = fields.Nested(QuizStateOut, allow_none=True)


class QuizAttemptSummaryOut(Out):
    id = fields.Integer(required=True)
    started_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(allow_none=True)
    score = fields.Integer(required=True)
    total = fields.Integer(required=True)
    passed = fields.Boolean(required=True)


class QuizOut(QuizStateOut):
    attempts = fields.List(fields.Nested(QuizAttemptSummaryOut), required=True,
                           metadata={"description": "Submitted attempts, newest first"})


class QuizAnswersIn(In):
    answers = fields.Dict(keys=fields.String(),
                          values=Id(), required=True,
                          metadata={"description": "Question id: the chosen option id; unanswered counts as wrong"})
