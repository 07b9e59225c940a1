"""The rules for an event's programme sessions and its own registration questions."""

from __future__ import annotations

from engage.audit.services import record
from engage.events.manage_services import EndsBeforeStart, EventChangeRefused
from engage.events.models import (
    Event,
    EventQuestion,
    EventSession,
    QuestionKind,
    SessionKind,
)
from engage.extensions import db

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class SessionOutsideEvent(EventChangeRefused):
    """A session must start and end within its event."""

    field = "starts_at"


def _check_session(event: Event, fields: dict) -> dict:
    fields = {**fields, "kind": SessionKind(fields["kind"])}
    if fields["ends_at"] <= fields["starts_at"]:
        raise EndsBeforeStart("The end must be after the start")
    if fields["starts_at"] < event.starts_at or fields["ends_at"] > event.ends_at:
        raise SessionOutsideEvent("The session must start and end within the event's own times")
    if fields["kind"] != SessionKind.WORKSHOP:
        fields["capacity"] = None
    return fields


def _commit() -> None:
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def add_session(event: Event, fields: dict) -> EventSession:
    """Add a plenary, workshop or break to the programme."""
    session = EventSession(**_check_session(event, fields))
    event.sessions.append(session)
    db.session.flush()
    record("event.session_added", event, summary=f"{session.kind.value}: {session.title}")
    _commit()
    return session


def update_session(session: EventSession, fields: dict) -> None:
    """Change a programme session."""
    fields = _check_session(session.event, fields)
    for name, value in fields.items():
        setattr(session, name, value)
    record("event.session_updated", session.event, summary=f"{session.kind.value}: {session.title}")
    _commit()


def delete_session(session: EventSession) -> None:
    """Remove a session from the programme."""
    event = session.event
    record("event.session_deleted", event, summary=f"{session.kind.value}: {session.title}")
    event.sessions.remove(session)
    _commit()


def _question_fields(fields: dict) -> dict:
    kind = QuestionKind(fields["kind"])
    choices = list(fields.get("choices") or []) if kind in CHOICE_KINDS else []
    return {**fields, "kind": kind, "choices": choices}


def add_question(event: Event, fields: dict) -> EventQuestion:
    """Add a question to the end of the event's registration form."""
    last = max((q.position for q in event.questions), default=-1)
    question = EventQuestion(**_question_fields(fields), position=last + 1)
    event.questions.append(question)
    db.session.flush()
    record("event.question_added", event, summary=question.label)
    _commit()
    return question


def update_question(question: EventQuestion, fields: dict) -> None:
    """Change one of the event's questions."""
    for name, value in _question_fields(fields).items():
        setattr(question, name, value)
    record("event.question_updated", question.event, summary=question.label)
    _commit()


def delete_question(question: EventQuestion) -> None:
    """Remove a question from the registration form."""
    event = question.event
    record("event.question_deleted", event, summary=question.label)
    event.questions.remove(question)
    _renumber(event.questions)
    _commit()


def move_question(question: EventQuestion, step: int) -> None:
    """Move a question up (step -1) or down (step 1) the form."""
    ordered = list(question.event.questions)
    index = ordered.index(question)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    record("event.question_moved", question.event, summary=question.label)
    _commit()


def _renumber(questions: list[EventQuestion]) -> None:
    for position, question in enumerate(questions):
        question.position = position
