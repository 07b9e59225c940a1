"""The rules for an event's programme sessions and its own registration questions.

Changing or removing a session takes the event's lock, as booking does, so
that a workshop's places cannot drop below those booked while someone books
it. People booked on a workshop that moves or goes are told by the
registrations feature, through the session signals.
"""

from __future__ import annotations

from engage.audit.services import record
from engage.db import transaction
from engage.events import signals
from engage.events.manage_services import EventChangeRefused
from engage.events.models import (
    Event,
    EventQuestion,
    EventSession,
    QuestionKind,
    SessionKind,
)
from engage.extensions import db
from engage.timefields import check_ends_after_start

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
# A change to any of these is news to the people booked on a workshop.
SESSION_SCHEDULE_FIELDS = ("starts_at", "ends_at", "room")


class SessionOutsideEvent(EventChangeRefused):
    """A session must start and end within its event."""

    field = "starts_at"


class WorkshopBelowBooked(EventChangeRefused):
    """Fewer places in a workshop than people already booked on it."""

    field = "capacity"


def _check_session(event: Event, fields: dict) -> dict:
    fields = {**fields, "kind": SessionKind(fields["kind"])}
    check_ends_after_start(fields["starts_at"], fields["ends_at"])
    if fields["starts_at"] < event.starts_at or fields["ends_at"] > event.ends_at:
        raise SessionOutsideEvent("The session must start and end within the event's own times")
    if fields["kind"] != SessionKind.WORKSHOP:
        fields["capacity"] = None
    return fields


class ProgrammeItemGone(LookupError):
    """The session or question was removed, by someone else, before this change reached it."""


def _current(model, item_id: int):
    # Read again inside the transaction: another request may have deleted it meanwhile.
    found = db.session.get(model, item_id, populate_existing=True)
    if found is None:
        raise ProgrammeItemGone()
    return found


def add_session(event: Event, fields: dict) -> EventSession:
    """Add a plenary, workshop or break to the programme."""
    with transaction(lock=(Event, event.id)):
        event = db.session.get(Event, event.id, populate_existing=True)
        session = EventSession(**_check_session(event, fields))
        event.sessions.append(session)
        db.session.flush()
        record("event.session_added", event, summary=f"{session.kind.value}: {session.title}")
    return session


def update_session(session: EventSession, fields: dict) -> int:
    """Change a programme session; how many people booked on it were told of a move."""
    session_id, event_id = session.id, session.event_id  # before the transaction expires them
    with transaction(lock=(Event, event_id)):
        session = _current(EventSession, session_id)
        fields = _check_session(session.event, fields)
        signals.session_changing.send(session, fields=fields)  # e.g. places below those booked
        previous = {
            name: getattr(session, name)
            for name, new in fields.items()
            if getattr(session, name) != new
        }
        for name in previous:
            setattr(session, name, fields[name])
        record(
            "event.session_updated",
            session.event,
            summary=f"{session.kind.value}: {session.title}",
        )
        told = 0
        if any(name in SESSION_SCHEDULE_FIELDS for name in previous):
            db.session.flush()
            told = signals.total(signals.session_changed, session, previous=previous)
    return told


def delete_session(session: EventSession) -> int:
    """Remove a session from the programme; how many people booked on it were told."""
    session_id, event_id = session.id, session.event_id
    with transaction(lock=(Event, event_id)):
        session = _current(EventSession, session_id)
        event = session.event
        told = signals.total(signals.session_removed, session)
        record("event.session_deleted", event, summary=f"{session.kind.value}: {session.title}")
        event.sessions.remove(session)
    return told


def _question_fields(fields: dict) -> dict:
    kind = QuestionKind(fields["kind"])
    choices = list(fields.get("choices") or []) if kind in CHOICE_KINDS else []
    return {**fields, "kind": kind, "choices": choices}


def add_question(event: Event, fields: dict) -> EventQuestion:
    """Add a question to the end of the event's registration form."""
    with transaction():
        event = db.session.get(Event, event.id)
        last = max((q.position for q in event.questions), default=-1)
        question = EventQuestion(**_question_fields(fields), position=last + 1)
        event.questions.append(question)
        db.session.flush()
        record("event.question_added", event, summary=question.label)
    return question


def update_question(question: EventQuestion, fields: dict) -> None:
    """Change one of the event's questions."""
    question_id = question.id
    with transaction():
        question = _current(EventQuestion, question_id)
        for name, value in _question_fields(fields).items():
            setattr(question, name, value)
        record("event.question_updated", question.event, summary=question.label)


def delete_question(question: EventQuestion) -> None:
    """Remove a question from the registration form."""
    question_id = question.id
    with transaction():
        question = _current(EventQuestion, question_id)
        event = question.event
        record("event.question_deleted", event, summary=question.label)
        event.questions.remove(question)
        _renumber(event.questions)


def move_question(question: EventQuestion, step: int) -> None:
    """Move a question up (step -1) or down (step 1) the form."""
    question_id = question.id
    with transaction():
        question = _current(EventQuestion, question_id)
        ordered = list(question.event.questions)
        index = ordered.index(question)
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)
        record("event.question_moved", question.event, summary=question.label)


def _renumber(questions: list[EventQuestion]) -> None:
    for position, question in enumerate(questions):
        question.position = position
