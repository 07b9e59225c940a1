"""Fixtures for the feedback survey: an event held on 21 January 2027, a survey, and people."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from engage.events.models import EventSession, SessionKind
from engage.extensions import db
from engage.feedback.models import Survey, SurveyInvitation, SurveyQuestion, SurveyQuestionKind
from engage.registrations.models import AttendeeCategory, Registration, RegistrationStatus
from engage.tokens import digest
from tests.conftest import london
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures

ENDS = london(2027, 1, 21, 16, 30)  # the test events' end
SENDS = ENDS + dt.timedelta(hours=2)  # the survey's default send_after_hours
CLOSES = ENDS + dt.timedelta(days=21)
DAY = dt.timedelta(days=1)


def session(kind: SessionKind, title: str, hour: int) -> EventSession:
    """A programme session on the day, starting at `hour` London time, for an hour."""
    start = london(2027, 1, 21, hour)
    return EventSession(
        kind=kind, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )


def questions() -> list[SurveyQuestion]:
    """One question of each kind."""
    return [
        SurveyQuestion(
            kind=SurveyQuestionKind.RATING, label="How was the day overall?", is_required=True
        ),
        SurveyQuestion(
            kind=SurveyQuestionKind.SINGLE_CHOICE,
            label="Would you come again?",
            choices=["Yes", "Maybe", "No"],
            position=1,
        ),
        SurveyQuestion(
            kind=SurveyQuestionKind.MULTIPLE_CHOICE,
            label="What was most useful?",
            choices=["Talks", "Workshops", "Networking"],
            position=2,
        ),
        SurveyQuestion(kind=SurveyQuestionKind.TEXT, label="Anything else?", position=3),
    ]


@pytest.fixture
def survey_event(app, make_event):
    """An event with a plenary, two workshops and a break, and an enabled survey; (event, survey id)."""

    def factory(**survey_fields):
        event = make_event(
            sessions=[
                session(SessionKind.PLENARY, "Opening plenary", 10),
                session(SessionKind.WORKSHOP, "Workshop A", 11),
                session(SessionKind.WORKSHOP, "Workshop B", 11),
                session(SessionKind.BREAK, "Lunch", 12),
            ]
        )
        survey_fields.setdefault("is_enabled", True)
        with app.app_context():
            survey = Survey(event_id=event.id, **survey_fields)
            survey.questions.extend(questions())
            db.session.add(survey)
            db.session.commit()
            return event, survey.id

    return factory


def people(
    app, event, count: int, *, checked_in: bool = False, start: int = 0, **fields
) -> list[int]:
    """`count` confirmed registrations for the event, inserted directly; their ids."""
    rows = [
        {
            "event_id": event.id,
            "status": RegistrationStatus.CONFIRMED,
            "email": f"person{n}@example.org",
            "first_name": f"Person{n}",
            "last_name": "Test",
            "organisation": "Org",
            "job_title": "Role",
            "category": AttendeeCategory.ACADEMIC,
            "created_at": london(2026, 11, 1),
            "confirmed_at": london(2026, 11, 1),
            "checkin_code": f"{event.id:04x}{n:028x}",
            "checked_in_at": london(2027, 1, 21, 9) if checked_in else None,
            **fields,
        }
        for n in range(start, start + count)
    ]
    with app.app_context():
        db.session.execute(insert(Registration), rows)
        db.session.commit()
        found = db.session.scalars(
            select(Registration.id)
            .where(
                Registration.event_id == event.id,
                Registration.email.in_([r["email"] for r in rows]),
            )
            .order_by(Registration.id)
        )
        return list(found)


def invitations(app) -> list[SurveyInvitation]:
    """Every invitation, detached, in id order."""
    with app.app_context():
        rows = list(db.session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.id)))
        db.session.expunge_all()
        return rows


def invite(app, survey_id: int, registration_id: int, *, sent_at=SENDS) -> str:
    """An invitation written directly (no email); the link's token."""
    token = f"token-{survey_id}-{registration_id}-" + "x" * 20
    with app.app_context():
        db.session.add(
            SurveyInvitation(
                survey_id=survey_id,
                registration_id=registration_id,
                token_hash=digest(token),
                sent_at=sent_at,
            )
        )
        db.session.commit()
    return token
