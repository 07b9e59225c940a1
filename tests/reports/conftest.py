"""A known event for the reports: eight registrations, two workshops, a survey with two answers."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import insert, select, update

from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.feedback import services
from engage.feedback.models import SurveyQuestion
from engage.feedback.services import Answers
from engage.registrations.models import (
    AttendeeCategory,
    HistoryAction,
    RegistrationHistory,
    RegistrationStatus,
    registration_workshops,
)
from tests.conftest import london
from tests.feedback.conftest import DAY, SENDS, invite, people, survey_event  # noqa: F401

AFTER = SENDS + DAY  # the day after: the event is over, the attendees still held
PURGED = london(2030, 1, 1)  # long after every test event's retention period
POLICE = AttendeeCategory.POLICE_OFFICER


@dataclasses.dataclass
class Known:
    """The event's id and its people's registration ids, by what they did."""

    event_id: int
    survey_id: int
    came: list[int]
    absent: list[int]


def _ids(app, event_id: int) -> dict[str, int]:
    with app.app_context():
        sessions = db.session.scalars(select(EventSession).where(EventSession.event_id == event_id))
        return {s.title: s.id for s in sessions}


def build_known(app, make_survey, *, start: int = 0, **event_fields) -> Known:
    """Eight registrations whose every count is known (see the report tests)."""
    event, survey_id = make_survey(rate_sessions=True)
    if event_fields:
        with app.app_context():
            db.session.execute(update(Event).where(Event.id == event.id).values(**event_fields))
            db.session.commit()
    day = lambda d: {"created_at": london(2026, 11, d, 12), "confirmed_at": london(2026, 11, d)}  # noqa: E731
    n = start
    police = people(
        app, event, 3, start=n, organisation="Northbridge Police", category=POLICE, **day(1)
    )
    police_came = police[:2]
    academics = people(
        app,
        event,
        2,
        start=n + 3,
        organisation="University of Leeds",
        category=AttendeeCategory.ACADEMIC,
        **day(3),
    )
    partner = people(
        app, event, 1, start=n + 5, organisation="", category=AttendeeCategory.PARTNER, **day(3)
    )
    cancelled = people(
        app,
        event,
        1,
        start=n + 6,
        status=RegistrationStatus.CANCELLED,
        category=AttendeeCategory.POLICE_STAFF,
        **day(5),
    )
    waiting = people(
        app,
        event,
        1,
        start=n + 7,
        status=RegistrationStatus.WAITLISTED,
        created_at=london(2026, 11, 5, 12),
        confirmed_at=None,
    )
    came = [*police_came, academics[0]]
    sessions = _ids(app, event.id)
    with app.app_context():
        db.session.execute(
            update(db.metadata.tables["registrations"])
            .where(db.metadata.tables["registrations"].c.id.in_(came))
            .values(checked_in_at=london(2027, 1, 21, 9))
        )
        db.session.execute(
            update(EventSession)
            .where(EventSession.id == sessions["Workshop A"])
            .values(capacity=10)
        )
        bookings = [
            (police[0], "Workshop A"),
            (academics[0], "Workshop A"),
            (police[1], "Workshop B"),
            (cancelled[0], "Workshop A"),
        ]
        db.session.execute(
            insert(registration_workshops),
            [{"registration_id": r, "session_id": sessions[w]} for r, w in bookings],
        )
        history = [
            (cancelled[0], HistoryAction.WAITLISTED, 1),
            (waiting[0], HistoryAction.WAITLISTED, 2),
            (cancelled[0], HistoryAction.CANCELLED, 3),
        ]
        db.session.add_all(
            RegistrationHistory(registration_id=r, action=a, at=london(2026, 11, 5, h))
            for r, a, h in history
        )
        db.session.commit()
        answered_on = db.session.get(Event, event.id).ends_at + DAY
        overall = db.session.scalar(
            select(SurveyQuestion.id).where(
                SurveyQuestion.survey_id == survey_id,
                SurveyQuestion.label == "How was the day overall?",
            )
        )
    for person, rating in ((police[0], 5), (academics[0], 3)):
        token = invite(app, survey_id, person)
        answers = Answers(
            ratings={overall: rating},
            questions={},
            sessions={sessions["Opening plenary"]: (4, "")},
        )
        with app.app_context():
            services.submit(services.invitation_by_token(token), answers, now=answered_on)
    absent = [police[2], academics[1], partner[0]]
    return Known(event.id, survey_id, came, absent)


@pytest.fixture
def known(app, survey_event):  # noqa: F811 - the fixture imported above
    """build_known(**event fields): the known event, in 2027 unless told otherwise."""

    def factory(**fields):
        return build_known(app, survey_event, **fields)

    return factory
