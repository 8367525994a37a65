"""The agreement quiz API (``/api/v1/practice/quiz``): what the applicant may do
now, starting an attempt, answering it and reading its result.

The rules are portal.services.practitioners.quiz's, as on the quiz pages
(views.practitioners.quiz): who may start, one open attempt, cool-down and
the attempt limit, scoring. An attempt is reached only by its owner (anyone
else's id is a 404). Which option is correct is never sent: an open attempt
lists its questions with option ids and texts, a submitted one says per
question whether the chosen answer was right."""
from __future__ import annotations

from flask_appbuilder.api import expose

from portal.forms.api.practitioners import QuizAnswersIn, QuizAttemptOut, QuizOut
from portal.services.practitioners import quiz, verification
from portal.views.api import Call, PortalApi, operation
from portal.views.practitioners.api_practice import no_application


class QuizState:
    """``quiz.availability`` with the submitted attempts, for ``QuizOut``."""

    def __init__(self, state: quiz.Availability, attempts: list):
        self._state = state
        self.attempts = attempts

    def __getattr__(self, name):
        return getattr(self._state, name)


def attempt_body(attempt) -> dict:
    """An attempt: its questions while open, its result lines once submitted."""
    submitted = attempt.finished_at is not None
    return {
        "id": attempt.id, "started_at": attempt.started_at, "finished_at": attempt.finished_at,
        "submitted": submitted, "total": attempt.total,
        "score": attempt.score if submitted else None, "passed": attempt.passed if submitted else None,
        "percent": (100 * attempt.score // attempt.total if attempt.total else 0) if submitted else None,
        "questions": [] if submitted else quiz.questions(attempt),
        "lines": quiz.result_lines(attempt) if submitted else [],
        "quiz": quiz.availability(attempt.profile) if submitted else None,
    }


class PracticeQuizApi(PortalApi):
    resource_name = "practice/quiz"
    openapi_spec_tag = "My practice"

    @expose("", methods=["GET"])
    @operation("The agreement quiz: whether I may start, attempts left, the next attempt time, passed",
               response=QuizOut, errors=(404,), permission=("can_index", "QuizView"))
    def state(self, call: Call):
        profile = verification.my_profile(call.user)
        if profile is None:
            return no_application()
        finished = [a for a in quiz.attempts_of(profile) if a.finished_at is not None]
        return QuizState(quiz.availability(profile), finished)

    @expose("/attempts", methods=["POST"])
    @operation("Start an attempt (or get the open one): its questions and options in the call's language",
               response=QuizAttemptOut, status=201, errors=(404,), permission=("can_index", "QuizView"))
    def start(self, call: Call):
        if verification.my_profile(call.user) is None:
            return no_application()
        return attempt_body(quiz.start(call.user))

    @expose("/attempts/<int:attempt_id>", methods=["GET"])
    @operation("One of my attempts: its questions while open, the result once submitted", response=QuizAttemptOut,
               permission=("can_index", "QuizView"))
    def attempt(self, attempt_id: int, call: Call):
        return attempt_body(quiz.get_own(call.user, attempt_id))

    @expose("/attempts/<int:attempt_id>/answers", methods=["POST"])
    @operation("Submit the answers of my open attempt ({question id: option id}) and get the result",
               body=QuizAnswersIn, response=QuizAttemptOut, permission=("can_index", "QuizView"))
    def answer(self, attempt_id: int, call: Call):
        return attempt_body(quiz.submit(call.user, attempt_id, call.data["answers"]))
