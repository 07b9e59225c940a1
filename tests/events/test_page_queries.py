"""The event page reads what it shows in a fixed number of queries, however long the programme."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from engage.events.models import EventResource, EventSession, SessionKind
from tests.conftest import london
from tests.events.test_page_cache import counting_queries

BEFORE, AFTER = london(2026, 12, 1, 12), london(2027, 2, 1, 12)
# BEGIN, the event, its sessions, places taken, workshop places (and resources after the day).
MOST_QUERIES = 6


def _programme(sessions: int) -> dict:
    """make_event's fields for a programme of this many sessions, each with its slides."""
    programme, resources = [], []
    for number in range(sessions):
        start = london(2027, 1, 21, 9) + dt.timedelta(minutes=30 * number)
        session = EventSession(
            kind=SessionKind.WORKSHOP if number % 2 else SessionKind.PLENARY,
            title=f"Session {number}",
            capacity=10,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
        )
        resources.append(
            EventResource(title=f"Slides {number}", url="https://example.org/s", session=session)
        )
        programme.append(session)
    return {"sessions": programme, "resources": resources}


def _queries(app, slug: str, now: dt.datetime) -> list[str]:
    client = app.test_client()
    with time_machine.travel(now, tick=False), counting_queries(app) as seen:
        response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    return seen


@pytest.mark.parametrize("now", [BEFORE, AFTER], ids=["before the day", "after the day"])
def test_a_long_programme_costs_no_more_queries(make_app, make_event, now):
    app = make_app(PAGE_CACHE_SECONDS=0)  # every visit rendered
    make_event(slug="short", **_programme(2))
    make_event(slug="long", **_programme(12))
    few, many = _queries(app, "short", now), _queries(app, "long", now)
    assert len(few) == len(many) <= MOST_QUERIES


def test_the_resources_show_after_the_day(make_app, make_event):
    app = make_app(PAGE_CACHE_SECONDS=0)
    make_event(slug="long", **_programme(3))
    with time_machine.travel(AFTER, tick=False):
        page = app.test_client().get("/events/long").get_data(as_text=True)
    assert page.count("Slides") == 3
    with time_machine.travel(BEFORE, tick=False):
        page = app.test_client().get("/events/long").get_data(as_text=True)
    assert "Slides" not in page
