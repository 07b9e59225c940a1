"""Fixtures for certificates: an event that has ended, and attendees with their self-service links."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.db import utcnow
from engage.events.models import EventSession, SessionKind
from engage.extensions import db
from engage.registrations.models import (
    AttendeeCategory,
    Registration,
    RegistrationStatus,
    WorkshopCheckIn,
)
from engage.registrations.services import issue_manage_token


def programme(day: dt.datetime) -> list[EventSession]:
    """A day's programme from 9:30 (local to `day`): plenary, break, two rounds of workshops, plenary.

    Timings in minutes from 9:30: plenary 0-60, break 60-75, workshops A and B
    75-150, lunch (a break) 150-190, workshops C and D 190-280, plenary 280-347.
    """

    def at(start: int, end: int, kind: SessionKind, title: str) -> EventSession:
        return EventSession(
            kind=kind,
            title=title,
            starts_at=day + dt.timedelta(minutes=start),
            ends_at=day + dt.timedelta(minutes=end),
            room=f"Room {title[-1]}" if kind == SessionKind.WORKSHOP else "",
        )

    return [
        at(0, 60, SessionKind.PLENARY, "Opening plenary"),
        at(60, 75, SessionKind.BREAK, "Coffee"),
        at(75, 150, SessionKind.WORKSHOP, "Workshop A"),
        at(75, 150, SessionKind.WORKSHOP, "Workshop B"),
        at(150, 190, SessionKind.BREAK, "Lunch"),
        at(190, 280, SessionKind.WORKSHOP, "Workshop C"),
        at(190, 280, SessionKind.WORKSHOP, "Workshop D"),
        at(280, 347, SessionKind.PLENARY, "Closing plenary"),
    ]


@pytest.fixture
def ended_event(make_event):
    """A published event with the programme above that ended yesterday (real time)."""

    def factory(**fields):
        start = (utcnow() - dt.timedelta(days=2)).replace(
            hour=9, minute=30, second=0, microsecond=0
        )
        fields.setdefault("starts_at", start)
        fields.setdefault("ends_at", start + dt.timedelta(minutes=347))
        if "sessions" not in fields:
            fields["sessions"] = programme(fields["starts_at"])
        return make_event(**fields)

    return factory


@pytest.fixture
def attendee(app):
    """Book someone on an event: (registration id, self-service token).

    checked_in: checked in at the desk; workshops: titles booked; rooms: titles
    checked in to at the door.
    """

    def factory(
        event,
        *,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.org",
        checked_in=True,
        workshops=(),
        rooms=(),
        status=RegistrationStatus.CONFIRMED,
    ):
        with app.app_context():
            stored = db.session.get(type(event), event.id)
            by_title = {s.title: s for s in stored.sessions}
            registration = Registration(
                event_id=stored.id,
                status=status,
                email=email,
                first_name=first_name,
                last_name=last_name,
                organisation="Northbridge Police",
                job_title="Inspector",
                category=AttendeeCategory.POLICE_OFFICER,
                privacy_accepted=True,
                checked_in_at=stored.starts_at if checked_in else None,
            )
            registration.workshops = [by_title[t] for t in workshops]
            registration.room_checkins = [WorkshopCheckIn(session_id=by_title[t].id) for t in rooms]
            token = issue_manage_token(registration)
            db.session.add(registration)
            db.session.commit()
            return registration.id, token

    return factory
