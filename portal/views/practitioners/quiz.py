"""The agreement quiz (agreement 6.2) as pages for the applicant, and the
quiz bank in the back office (Admin edits, Moderator reads: FAB shows add,
edit and delete only to roles holding those permissions, see portal.security).

Thin: the rules live in portal.services.practitioners.quiz; a ServiceError is flashed with
its translated message, NotFound is a 404."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Optional

from portal.core import links
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.http import refuse, refused
from portal.models.practitioners import QuizOption, QuizQuestion
from portal.services.practitioners import quiz
from portal.views.staff import LABELS, StaffView

T = "portal/practitioners/quiz/"
ANSWER_PREFIX = "q-"  # form field of question 7 is "q-7", its value the chosen option id


def _own_attempt(attempt_id: int):
    return quiz.get_own(g.user, attempt_id)


class QuizView(BaseView):
    route_base = "/practice/quiz"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        profile = quiz.my_profile(g.user)
        state = quiz.availability(profile)
        finished = [a for a in quiz.attempts_of(profile) if a.finished_at is not None]
        return self.render_template(T + "index.html", profile=profile, state=state, rules=quiz.rules(),
                                    attempts=finished, practice_url=links.practice_page())

    @expose("/start", methods=["POST"])
    @has_access
    def start(self):
        try:
            attempt = quiz.start(g.user)
        except ServiceError as err:
            refused(err)
            flash(str(err.message), "warning")
            return redirect(url_for(".index"))
        return redirect(url_for(".take", attempt_id=attempt.id))

    @expose("/<int:attempt_id>", methods=["GET", "POST"])
    @has_access
    def take(self, attempt_id: int):
        attempt = _own_attempt(attempt_id)
        if attempt.finished_at is not None:
            return redirect(url_for(".result", attempt_id=attempt.id))
        if request.method == "POST":
            answers = {key[len(ANSWER_PREFIX):]: value for key, value in request.form.items()
                       if key.startswith(ANSWER_PREFIX)}
            try:
                quiz.submit(g.user, attempt.id, answers)
            except ServiceError as err:
                refuse(err)
                return redirect(url_for(".index"))
            return redirect(url_for(".result", attempt_id=attempt.id))
        questions = quiz.questions(attempt)
        return self.render_template(T + "take.html", attempt=attempt, questions=questions,
                                    rules=quiz.rules(), prefix=ANSWER_PREFIX)

    @expose("/result/<int:attempt_id>")
    @has_access
    def result(self, attempt_id: int):
        attempt = _own_attempt(attempt_id)
        if attempt.finished_at is None:
            return redirect(url_for(".take", attempt_id=attempt.id))
        profile = attempt.profile
        state = quiz.availability(profile)
        return self.render_template(T + "result.html", attempt=attempt, lines=quiz.result_lines(attempt),
                                    state=state, rules=quiz.rules(), profile=profile,
                                    practice_url=links.practice_page(),
                                    percent=(100 * attempt.score // attempt.total) if attempt.total else 0)


# --- the bank in the back office ------------------------------------------------------------------

QUIZ_LABELS = {
    **LABELS,
    "clause": _l("Agreement clause"), "active": _l("Active"), "options": _l("Answer options"),
    "question": _l("Question"), "is_correct": _l("Correct answer"),
}


def _optional_text(label) -> TextAreaField:
    return TextAreaField(label, validators=[Optional()], widget=BS3TextAreaFieldWidget())


# FAB makes every NOT NULL column required: a checkbox could never be unticked
# and the English text (empty by default) never left out. These replace them.
def _flag(label, description=None) -> BooleanField:
    return BooleanField(label, description=description)


class QuizOptionAdminView(StaffView):
    route_base = "/admin/quiz-options"
    datamodel = SQLAInterface(QuizOption)
    list_title = _l("Quiz options")
    label_columns = QUIZ_LABELS
    list_columns = ["question", "text_ru", "text_kk", "is_correct", "sort_order"]
    add_columns = edit_columns = show_columns = ["question", "text_kk", "text_ru", "text_en", "is_correct",
                                                 "sort_order"]
    search_columns = ["question", "text_ru", "text_kk", "is_correct"]
    base_order = ("question_id", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "text_en": _optional_text(_l("Text (en)")),
        "is_correct": _flag(_l("Correct answer"), _l(
            "Exactly one option of a question is correct; a question with none or several is not drawn "
            "for the quiz.")),
    }
    description_columns = {
        "is_correct": _l("Exactly one option of a question is correct; a question with none or several "
                         "is not drawn for the quiz."),
        "sort_order": _l("Options are shown in this order."),
    }

    def _one_correct(self, item: QuizOption) -> None:
        if not item.is_correct or (item.question_id is None and item.question is None):
            return
        question_id = item.question_id if item.question_id is not None else item.question.id
        with db.session.no_autoflush:
            others = db.session.scalar(select(QuizOption.id).where(
                QuizOption.question_id == question_id, QuizOption.is_correct.is_(True),
                QuizOption.id != (item.id or 0)).limit(1))
        if others is not None:
            db.session.rollback()
            raise ValueError(str(_l("This question already has a correct option: untick it first.")))

    def pre_add(self, item):
        self._one_correct(item)

    def pre_update(self, item):
        self._one_correct(item)


class QuizQuestionAdminView(StaffView):
    """Questions are retired by unticking "Active", not deleted: past attempts
    refer to them, and a deleted question of content/quiz_bank.py would come
    back at the next start (ensure_reference_data inserts missing codes)."""

    route_base = "/admin/quiz-questions"
    datamodel = SQLAInterface(QuizQuestion)
    list_title = _l("Quiz questions")
    label_columns = QUIZ_LABELS
    list_columns = ["code", "clause", "text_ru", "active", "sort_order"]
    add_columns = edit_columns = ["code", "clause", "text_kk", "text_ru", "text_en", "active", "sort_order"]
    show_columns = add_columns + ["options"]
    search_columns = ["code", "clause", "text_ru", "text_kk", "active"]
    order_columns = ["code", "clause", "active", "sort_order"]
    base_order = ("sort_order", "asc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    related_views = [QuizOptionAdminView]
    add_form_extra_fields = edit_form_extra_fields = {
        "text_en": _optional_text(_l("Text (en)")),
        "active": _flag(_l("Active"), _l("Only active questions are drawn. Untick to retire a question "
                                         "(questions are never deleted: past attempts refer to them).")),
    }
    description_columns = {
        "code": _l("A stable identifier, e.g. q-6-6-negative-reviews."),
        "clause": _l("The clause of the user agreement the question is answered by, e.g. 6.6."),
        "active": _l("Only active questions are drawn. Untick to retire a question (questions are "
                     "never deleted: past attempts refer to them)."),
    }


BANK = [
    (QuizQuestionAdminView, "Quiz questions", _l("Quiz questions"), "fa-circle-question"),
    (QuizOptionAdminView, "Quiz options", _l("Quiz options"), "fa-list-check"),
]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(QuizView)
    for view, name, menu_label, icon in BANK:
        appbuilder.add_view(view, name, label=menu_label, icon=icon, category="Back office",
                            category_label=_l("Back office"), category_icon="fa-briefcase")
