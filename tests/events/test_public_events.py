"""Visitors find events, see when and where, and can add them to a calendar."""

import datetime as dt

import icalendar
import pytest
import time_machine

from engage.events.models import Event, EventSession, SessionKind
from engage.events.services import BookingState, availability
from tests.conftest import london


def test_list_splits_upcoming_and_past(client, make_event):
    make_event(slug="soon", title="Soon", starts_at=london(2030, 1, 1, 10))
    make_event(slug="gone", title="Gone", starts_at=london(2020, 1, 1, 10))
    make_event(slug="hidden", title="Hidden", is_published=False)
    html = client.get("/events/").get_data(as_text=True)
    upcoming, past = html.split('id="past"')
    assert "Soon" in upcoming and "Gone" in past
    assert "Hidden" not in html


def test_unpublished_event_is_404(client, make_event):
    make_event(slug="draft", is_published=False)
    assert client.get("/events/draft").status_code == 404
    assert client.get("/events/draft/calendar.ics").status_code == 404


def test_detail_shows_time_in_london_with_zone_and_programme(client, make_event):
    start = london(2027, 1, 21, 9, 30)
    make_event(
        slug="day",
        title="Engagement Day",
        summary="The summary",
        description_md="**Come**",
        starts_at=start,
        ends_at=london(2027, 1, 21, 16, 30),
        venue_name="Riverside",
        online_join_details="SECRET-JOIN-LINK",
        sessions=[
            EventSession(
                kind=SessionKind.PLENARY,
                title="Plenary",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                room="Hall",
            ),
            EventSession(
                kind=SessionKind.WORKSHOP,
                title="Leadership",
                capacity=30,
                starts_at=start + dt.timedelta(hours=2),
                ends_at=start + dt.timedelta(hours=3),
                room="Room 1",
            ),
        ],
    )
    html = client.get("/events/day").get_data(as_text=True)
    assert "Thursday 21 January 2027, 9:30am to 4:30pm (UK time)" in html
    assert '<time datetime="2027-01-21T09:30:00Z">' in html
    assert "Riverside" in html and "<strong>Come</strong>" in html
    assert "Plenary" in html and "Leadership" in html and "(workshop, 30 places left)" in html
    assert "50 places left" in html
    assert "SECRET-JOIN-LINK" not in html
    assert html.count("<h1") == 1


def test_online_event_says_online(client, make_event):
    make_event(slug="web", is_online=True, venue_name="", online_join_details="secret")
    html = client.get("/events/web").get_data(as_text=True)
    assert "Online" in html and "secret" not in html


def _event(**fields):
    defaults = dict(
        starts_at=london(2027, 1, 21, 9),
        ends_at=london(2027, 1, 21, 17),
        capacity=10,
        waitlist_enabled=True,
        is_published=True,
    )
    return Event(**{**defaults, **fields})


NOW = london(2026, 12, 1)


@pytest.mark.parametrize(
    ("fields", "taken", "state", "left"),
    [
        ({}, 3, BookingState.OPEN, 7),
        ({"capacity": None}, 300, BookingState.OPEN, None),
        ({}, 10, BookingState.WAITING_LIST, 0),
        ({"waitlist_enabled": False}, 10, BookingState.FULLY_BOOKED, 0),
        ({"registration_opens_at": london(2026, 12, 2)}, 0, BookingState.NOT_YET_OPEN, 10),
        ({"registration_closes_at": london(2026, 12, 1)}, 0, BookingState.CLOSED, 10),
        ({"cancelled_at": london(2026, 11, 1)}, 0, BookingState.CANCELLED, 10),
        ({"starts_at": london(2026, 11, 30)}, 0, BookingState.PAST, 10),
    ],
)
def test_availability(fields, taken, state, left):
    result = availability(_event(**fields), taken, now=NOW)
    assert (result.state, result.places_left) == (state, left)


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {"registration_opens_at": london(2027, 1, 5, 9)},
            'Registration opens on <time datetime="2027-01-05T09:00:00Z">Tuesday 5 January 2027, 9am (UK time)',
        ),
        ({"registration_closes_at": london(2026, 12, 1)}, "Registration closed"),
        (
            {"cancelled_at": london(2026, 11, 1), "cancellation_reason": "Snow."},
            "This event has been cancelled.",
        ),
    ],
)
def test_detail_shows_booking_state(client, make_event, fields, text):
    make_event(slug="e", **fields)
    with time_machine.travel(NOW, tick=False):
        assert text in client.get("/events/e").get_data(as_text=True)


def test_event_ics_parses_back(client, make_event):
    event = make_event(
        slug="day",
        title="Engagement Day",
        starts_at=london(2027, 7, 1, 9, 30),
        ends_at=london(2027, 7, 1, 16, 30),
        venue_name="Riverside",
    )
    response = client.get("/events/day/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    [vevent] = calendar.walk("VEVENT")
    assert vevent["SUMMARY"] == "Engagement Day"
    assert vevent.decoded("DTSTART") == dt.datetime(2027, 7, 1, 8, 30, tzinfo=dt.UTC)
    assert vevent.decoded("DTEND") == dt.datetime(2027, 7, 1, 15, 30, tzinfo=dt.UTC)
    assert "Riverside" in vevent["LOCATION"]
    uid = str(vevent["UID"])
    assert uid == f"event-{event.id}@engage.invalid"
    again = icalendar.Calendar.from_ical(client.get("/events/day/calendar.ics").data)
    assert str(again.walk("VEVENT")[0]["UID"]) == uid


def test_event_ics_description_is_plain_text(client, make_event):
    make_event(
        slug="day", summary="Tea & talk", description_md='**Parking** & access <rear> "gate"'
    )
    calendar = icalendar.Calendar.from_ical(client.get("/events/day/calendar.ics").data)
    [vevent] = calendar.walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert description.startswith('Tea & talk\n\nParking & access <rear> "gate"\n\nhttp')
    assert "&amp;" not in description and "&lt;" not in description


def test_calendar_feed_has_upcoming_events_only(client, make_event):
    make_event(slug="soon", title="Soon", starts_at=london(2030, 1, 1, 10))
    make_event(slug="gone", title="Gone", starts_at=london(2020, 1, 1, 10))
    calendar = icalendar.Calendar.from_ical(client.get("/events/calendar.ics").data)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Soon"]


def test_markdown_in_event_text_is_sanitised(client, make_event):
    make_event(slug="x", description_md="<script>alert(1)</script>[a](javascript:alert(1))")
    html = client.get("/events/x").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)" in html  # shown as text, harmless


def test_home_lists_upcoming_events(client, make_event):
    make_event(slug="soon", title="Something soon", starts_at=london(2030, 1, 1, 10))
    assert "Something soon" in client.get("/").get_data(as_text=True)
