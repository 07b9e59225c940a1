"""The organiser's rules for a survey: its settings and its questions."""

from __future__ import annotations

from engage.audit.services import record
from engage.db import transaction
from engage.events.models import Event
from engage.extensions import db
from engage.feedback.models import Survey, SurveyQuestion, SurveyQuestionKind

CHOICE_KINDS = (SurveyQuestionKind.SINGLE_CHOICE, SurveyQuestionKind.MULTIPLE_CHOICE)
SETTINGS = (
    "is_enabled",
    "anonymous",
    "rate_sessions",
    "send_after_hours",
    "reminder_after_days",
    "closes_after_days",
    "intro",
)


class SurveyItemGone(LookupError):
    """The question was removed, by someone else, before this change reached it."""


def survey_for(event: Event) -> Survey | None:
    """The event's survey, if one has been set up."""
    return db.session.scalar(db.select(Survey).where(Survey.event_id == event.id))


def _ensure(event_id: int) -> Survey:
    survey = db.session.scalar(db.select(Survey).where(Survey.event_id == event_id))
    if survey is None:
        survey = Survey(event_id=event_id)
        db.session.add(survey)
        db.session.flush()
    return survey


def save_settings(event: Event, fields: dict) -> Survey:
    """Set up (or change) the event's survey: on or off, anonymous, timings and intro."""
    with transaction(lock=(Event, event.id)):
        survey = _ensure(event.id)
        for name in SETTINGS:
            setattr(survey, name, fields[name])
        record(
            "feedback.settings_saved", survey.event, summary="on" if survey.is_enabled else "off"
        )
    return survey


def _current(question_id: int) -> SurveyQuestion:
    found = db.session.get(SurveyQuestion, question_id, populate_existing=True)
    if found is None:
        raise SurveyItemGone()
    return found


def _question_fields(fields: dict) -> dict:
    kind = SurveyQuestionKind(fields["kind"])
    choices = list(fields.get("choices") or []) if kind in CHOICE_KINDS else []
    return {**fields, "kind": kind, "choices": choices}


def add_question(event: Event, fields: dict) -> SurveyQuestion:
    """Add a question to the end of the event's survey (setting the survey up if need be)."""
    with transaction(lock=(Event, event.id)):
        survey = _ensure(event.id)
        last = max((q.position for q in survey.questions), default=-1)
        question = SurveyQuestion(**_question_fields(fields), position=last + 1)
        survey.questions.append(question)
        db.session.flush()
        record("feedback.question_added", survey.event, summary=question.label)
    return question


def update_question(question: SurveyQuestion, fields: dict) -> None:
    """Change one of the survey's questions."""
    question_id = question.id
    with transaction():
        question = _current(question_id)
        for name, value in _question_fields(fields).items():
            setattr(question, name, value)
        record("feedback.question_updated", question.survey.event, summary=question.label)


def delete_question(question: SurveyQuestion) -> None:
    """Remove a question (and its answers) from the survey."""
    question_id = question.id
    with transaction():
        question = _current(question_id)
        survey = question.survey
        record("feedback.question_deleted", survey.event, summary=question.label)
        survey.questions.remove(question)
        _renumber(survey.questions)


def move_question(question: SurveyQuestion, step: int) -> None:
    """Move a question up (step -1) or down (step 1) the survey."""
    question_id = question.id
    with transaction():
        question = _current(question_id)
        ordered = list(question.survey.questions)
        index = ordered.index(question)
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)
        record("feedback.question_moved", question.survey.event, summary=question.label)


def _renumber(questions: list[SurveyQuestion]) -> None:
    for position, question in enumerate(questions):
        question.position = position
