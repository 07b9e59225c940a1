"""The event page as people read it: places in words, a second way to book, cancelled events."""

import datetime as dt
import re

import pytest
import time_machine

from engage.events.models import EventSession, SessionKind
from tests.conftest import london

NOW = london(2026, 12, 1, 12)
REGISTER = re.compile(r'<a class="button" href="/events/day/register">([^<]+)<')


def _workshop(title: str, capacity: int | None, hour: int = 11) -> EventSession:
    start = london(2027, 1, 21, hour)
    return EventSession(
        kind=SessionKind.WORKSHOP,
        title=title,
        capacity=capacity,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )


def _page(client, slug: str = "day") -> str:
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/events/{slug}").get_data(as_text=True)


def test_workshop_places_read_as_places_left(client, make_event):
    make_event(
        slug="day",
        sessions=[
            _workshop("Forty", 40),
            _workshop("One", 1),
            _workshop("None", 0),
            _workshop("Open", None),
        ],
    )
    html = _page(client)
    assert "(workshop, 40 places left)" in html
    assert "(workshop, 1 place left)" in html
    assert "(workshop, full)" in html
    assert re.search(r"Open</strong>\s*<span class=\"muted\">\(workshop\)</span>", html)
    assert "places:" not in html and "50 places left" in html


@pytest.mark.parametrize(
    ("fields", "buttons"),
    [
        ({}, ["Register", "Register"]),
        ({"capacity": 0}, ["Join the waiting list", "Join the waiting list"]),
        ({"capacity": 0, "waitlist_enabled": False}, []),
        ({"registration_closes_at": london(2026, 11, 1)}, []),
    ],
)
def test_the_booking_button_comes_again_after_the_programme(client, make_event, fields, buttons):
    make_event(slug="day", sessions=[_workshop("Leadership", 10)], **fields)
    html = _page(client)
    assert REGISTER.findall(html) == buttons
    if buttons:
        # The second one follows the programme's table.
        assert html.index("</table>") < html.rindex('href="/events/day/register"')


def test_without_a_programme_the_button_is_not_repeated(client, make_event):
    make_event(slug="day")
    assert REGISTER.findall(_page(client)) == ["Register"]


def test_a_cancelled_event_offers_no_calendar(client, make_event):
    make_event(slug="day")
    make_event(slug="off", cancelled_at=london(2026, 11, 1), cancellation_reason="Snow.")
    assert "Add to calendar" in _page(client, "day")
    assert client.get("/events/day/calendar.ics").status_code == 200
    html = _page(client, "off")
    assert "This event has been cancelled." in html and "Add to calendar" not in html
    assert "/events/off/calendar.ics" not in html
    assert client.get("/events/off/calendar.ics").status_code == 404


def test_card_details_are_spaced(client, make_event):
    make_event(
        slug="off", is_online=True, venue_name="", cancelled_at=london(2026, 11, 1), title="Off"
    )
    make_event(slug="on", venue_name="Riverside Centre", title="On")
    with time_machine.travel(NOW, tick=False):
        html = client.get("/events/").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "(UK time) · Online · Cancelled" in text
    assert "(UK time) · Riverside Centre Off" not in text  # not run into the next card either
    assert "Online·" not in text and "·Cancelled" not in text
