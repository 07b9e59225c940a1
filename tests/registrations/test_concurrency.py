"""Capacity holds under a burst of simultaneous submissions to a real server process.

Gunicorn runs the app with several workers and threads; over a hundred
requests are released at once at an event with 10 places left. With the
lock: exactly 10 confirmed, the rest waitlisted, no server errors. The
control runs the same burst with locking switched off and must overbook.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.models import Registration
from tests.registrations.conftest import book, form

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SUBMISSIONS = 120
PLACES_LEFT = 10


def _burst(url: str, count: int, tag: str) -> list[int]:
    """POST `count` registrations at once; their status codes."""
    barrier = threading.Barrier(count)

    def submit(n: int) -> int:
        fields = form(email=f"{tag}-{n}@example.org")
        with requests.Session() as session:
            barrier.wait()
            response = session.post(url, data=fields, allow_redirects=False, timeout=60)
            return response.status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(submit, range(count)))


def _counts(app, event_id: int) -> dict[str, int]:
    with app.app_context():
        rows = db.session.scalars(db.select(Registration).where(Registration.event_id == event_id))
        found: dict[str, int] = {}
        for row in rows:
            found[row.status.value] = found.get(row.status.value, 0) + 1
        db.session.remove()
        return found


def _event_with_places_left(app, make_event, places_left: int, slug: str):
    event = make_event(slug=slug, capacity=40)
    with app.app_context():
        for n in range(40 - places_left):
            book(event, email=f"early-{slug}-{n}@example.org")
        db.session.remove()
    return event


@pytest.fixture
def server_for(gunicorn_for):
    """start(unsafe=False): the app, or its unlocked control, under 3 workers x 4 threads."""

    def start(*, unsafe: bool = False):
        module = "registrations.unsafe_server_app" if unsafe else "server_app"
        return gunicorn_for(module, workers=3, threads=4)

    return start


def test_a_burst_never_overbooks(app, make_event, server_for):
    event = _event_with_places_left(app, make_event, PLACES_LEFT, "burst")
    server = server_for()
    codes = _burst(f"{server.url}/events/burst/register", SUBMISSIONS, "burst")
    assert [c for c in codes if c >= 500] == []
    assert set(codes) == {302}, sorted(set(codes))
    counts = _counts(app, event.id)
    assert counts == {"confirmed": 40, "waitlisted": SUBMISSIONS - PLACES_LEFT}
    with app.app_context():
        kinds = db.session.scalars(db.select(OutboxMessage.kind)).all()
        db.session.remove()
    assert kinds.count("registration_confirmation") == 40
    assert kinds.count("waitlist_joined") == SUBMISSIONS - PLACES_LEFT


def test_control_without_the_lock_the_same_burst_overbooks(app, make_event, server_for):
    server = server_for(unsafe=True)
    confirmed = 0
    for attempt in range(4):
        slug = f"race-{attempt}"
        event = _event_with_places_left(app, make_event, PLACES_LEFT, slug)
        _burst(f"{server.url}/events/{slug}/register", SUBMISSIONS, slug)
        confirmed = _counts(app, event.id).get("confirmed", 0)
        if confirmed > 40:
            break
    assert confirmed > 40, f"the unlocked version should have overbooked ({confirmed} of 40)"
