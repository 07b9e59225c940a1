"""The hours of continuing professional development, from a known programme."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.certificates.hours import attended_sessions, cpd_minutes, hours_text
from engage.events.models import Event, EventSession, SessionKind
from engage.registrations.models import Registration, WorkshopCheckIn
from tests.certificates.conftest import programme
from tests.conftest import london

DAY = london(2027, 1, 21, 9, 30)


def _event(sessions=None, minutes=347) -> Event:
    event = Event(title="Day", starts_at=DAY, ends_at=DAY + dt.timedelta(minutes=minutes))
    event.sessions.extend(programme(DAY) if sessions is None else sessions)
    return event


def _titles(sessions) -> list[str]:
    return [s.title for s in sessions]


def _person(event: Event, booked=(), rooms=()) -> Registration:
    by_title = {s.title: s for s in event.sessions}
    registration = Registration(event=event)
    registration.workshops = [by_title[t] for t in booked]
    for number, session in enumerate(event.sessions, start=1):
        session.id = number  # as stored: the check-ins name sessions by id
    registration.room_checkins = [
        WorkshopCheckIn(session_id=by_title[t].id, workshop=by_title[t]) for t in rooms
    ]
    return registration


def test_booked_workshops_and_plenaries_count_breaks_do_not():
    event = _event()
    attended = attended_sessions(_person(event, booked=("Workshop A", "Workshop C")))
    assert _titles(attended) == ["Opening plenary", "Workshop A", "Workshop C", "Closing plenary"]
    # 60 + 75 + 90 + 67 = 292 minutes, rounded down to 285: 4.75 hours.
    assert cpd_minutes(event, attended) == 285
    assert hours_text(285) == "4.75 hours"


def test_the_rooms_they_were_checked_in_to_count_rather_than_the_bookings():
    event = _event()
    person = _person(event, booked=("Workshop A", "Workshop C"), rooms=("Workshop B",))
    attended = attended_sessions(person)
    assert _titles(attended) == ["Opening plenary", "Workshop B", "Closing plenary"]
    # 60 + 75 + 67 = 202, rounded down to 195.
    assert cpd_minutes(event, attended) == 195
    assert hours_text(195) == "3.25 hours"


def test_breaks_given_as_attended_still_do_not_count():
    """Control for the rule above: the whole programme, breaks included, counts 55 minutes less."""
    event = _event()
    everything = list(event.sessions)
    without_breaks = [s for s in everything if s.kind != SessionKind.BREAK]
    assert cpd_minutes(event, everything) == cpd_minutes(event, without_breaks)


def test_overlapping_sessions_count_once():
    plenary = EventSession(
        kind=SessionKind.PLENARY, title="P", starts_at=DAY, ends_at=DAY + dt.timedelta(hours=1)
    )
    workshop = EventSession(
        kind=SessionKind.WORKSHOP,
        title="W",
        starts_at=DAY + dt.timedelta(minutes=30),
        ends_at=DAY + dt.timedelta(minutes=100),
    )
    event = _event([plenary, workshop])
    assert cpd_minutes(event, [plenary, workshop]) == 90


@pytest.mark.parametrize(
    ("minutes", "expected"), [(420, 420), (430, 420), (434, 420), (435, 435), (14, 0)]
)
def test_no_programme_counts_the_event_rounded_down_to_the_quarter_hour(minutes, expected):
    event = _event(sessions=[], minutes=minutes)
    assert cpd_minutes(event, attended_sessions(_person(event))) == expected


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0 hours"), (15, "0.25 hours"), (60, "1 hour"), (90, "1.5 hours"), (420, "7 hours")],
)
def test_hours_read_as_a_certificate_says_them(minutes, text):
    assert hours_text(minutes) == text
