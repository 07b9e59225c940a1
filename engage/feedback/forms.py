"""The survey's forms: the organiser's settings and questions, and the attendee's answers."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from engage.events.forms import QuestionFormBase, WholeNumberField
from engage.events.models import EventSession
from engage.feedback.models import KIND_LABELS, RATINGS, SurveyQuestion, SurveyQuestionKind
from engage.feedback.services import Answers
from engage.forms import EngageForm, NoControlCharacters, strip
from engage.registrations.forms import Choice, MultiCheckbox

INTRO_MAX = 2000
ANSWER_MAX = 2000
RATING_WORDS = {1: "1 (poor)", 2: "2", 3: "3", 4: "4", 5: "5 (excellent)"}
RATING_CHOICES = [SelectChoice(str(n), RATING_WORDS[n]) for n in RATINGS]


def _whole(label: str, low: int, high: int, unit: str, default: int):
    return WholeNumberField(
        label,
        [
            InputRequired(f"Enter {label[0].lower() + label[1:]}"),
            NumberRange(
                min=low, max=high, message=f"{label} must be between {low} and {high} {unit}"
            ),
        ],
        default=default,
    )


class SettingsForm(EngageForm):
    """Whether the survey goes out, how, when and with what introduction."""

    is_enabled = BooleanField("Send the survey after the event")
    anonymous = BooleanField(
        "Anonymous answers",
        description="Answers are stored without the person's name, and with the day only.",
    )
    rate_sessions = BooleanField(
        "Ask each person to rate the sessions they attended or booked, and the plenaries"
    )
    send_after_hours = _whole("Hours after the event ends to send it", 0, 720, "hours", 2)
    reminder_after_days = _whole("Days after sending to remind", 1, 60, "days", 5)
    closes_after_days = _whole("Days after the event ends to close it", 1, 365, "days", 21)
    intro = TextAreaField(
        "Introduction",
        [Optional(), Length(max=INTRO_MAX), NoControlCharacters()],
        filters=[strip],
        description="Shown at the top of the survey.",
    )
    save = SubmitField("Save the survey settings")

    def validate_closes_after_days(self, field) -> None:
        """The survey must still be open when the reminder goes."""
        sent, remind = self.send_after_hours.data, self.reminder_after_days.data
        if None in (field.data, sent, remind):
            return
        if field.data * 24 <= sent + remind * 24:
            raise ValidationError("The survey must close after the reminder is sent")

    def fields(self) -> dict:
        """The settings as the service takes them."""
        names = ("is_enabled", "anonymous", "rate_sessions", "send_after_hours")
        names += ("reminder_after_days", "closes_after_days", "intro")
        return {
            name: self[name].data if name != "intro" else self.intro.data or "" for name in names
        }


class SurveyQuestionForm(QuestionFormBase):
    """One question of the survey."""

    KINDS = tuple((kind.value, KIND_LABELS[kind]) for kind in SurveyQuestionKind)
    LIST_KINDS = (
        SurveyQuestionKind.SINGLE_CHOICE.value,
        SurveyQuestionKind.MULTIPLE_CHOICE.value,
    )


# --- the attendee's form ----------------------------------------------------------


class AnswerBase(EngageForm):
    """The attendee's survey form; its fields come from the survey's questions and sessions."""

    question_fields: list[tuple[SurveyQuestion, str]] = []
    session_fields: list[tuple[EventSession, str, str]] = []
    send = SubmitField("Send my answers")

    def answers(self) -> Answers:
        """What was answered, as the service takes it."""
        found = Answers()
        for question, name in self.question_fields:
            value = self[name].data
            if value in (None, "", []):
                continue
            if question.kind == SurveyQuestionKind.RATING:
                found.ratings[question.id] = int(value)
            else:
                found.questions[question.id] = value
        for session, rating, comment in self.session_fields:
            score = self[rating].data
            found.sessions[session.id] = (
                int(score) if score else None,
                self[comment].data or "",
            )
        return found


def _text(label: str, description: str = "", required: bool = False, message: str = ""):
    return TextAreaField(
        label,
        description=description,
        filters=[strip],
        validators=[
            DataRequired(message) if required else Optional(),
            Length(max=ANSWER_MAX, message=f"Keep your answer under {ANSWER_MAX} characters"),
            NoControlCharacters(),
        ],
    )


def _question_field(question: SurveyQuestion):
    message = f"Answer the question “{question.label}”"
    required = InputRequired(message) if question.is_required else Optional()
    if question.kind == SurveyQuestionKind.TEXT:
        return _text(question.label, question.help_text, question.is_required, message)
    if question.kind == SurveyQuestionKind.RATING:
        return Choice(
            question.label,
            description=question.help_text,
            choices=RATING_CHOICES,
            validators=[required],
        )
    choices = [SelectChoice(c, c) for c in question.choices]
    if question.kind == SurveyQuestionKind.MULTIPLE_CHOICE:
        return MultiCheckbox(
            question.label,
            description=question.help_text,
            choices=choices,
            validators=[DataRequired(message) if question.is_required else Optional()],
        )
    return Choice(
        question.label, description=question.help_text, choices=choices, validators=[required]
    )


def answer_form(survey, sessions: list[EventSession], **kwargs) -> AnswerBase:
    """The attendee's form for one survey: its questions, then a rating for each session."""
    attrs: dict = {f"question_{q.id}": _question_field(q) for q in survey.questions}
    attrs["question_fields"] = [(q, f"question_{q.id}") for q in survey.questions]
    attrs["session_fields"] = []
    for session in sessions:
        rating, comment = f"session_{session.id}_rating", f"session_{session.id}_comment"
        attrs[rating] = Choice(
            f"How would you rate “{session.title}”?",
            choices=RATING_CHOICES,
            validators=[Optional()],
        )
        attrs[comment] = _text(f"Comments on “{session.title}” (optional)")
        attrs["session_fields"].append((session, rating, comment))
    form_class = type("AnswerForm", (AnswerBase,), attrs)
    return form_class(**kwargs)
