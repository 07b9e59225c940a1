"""The booking limit holds across gunicorn workers: the counts are shared (the database
under memory://), not kept in each worker's memory as Flask-Limiter's memory storage was."""

from __future__ import annotations

from collections import Counter

import pytest
import requests

from tests.registrations.conftest import form

pytestmark = pytest.mark.slow

LIMIT = 3


def _book(server, n: int) -> requests.Response:
    # A new connection each time, as separate clients: any worker may answer.
    return requests.post(
        server.url + "/events/day/register",
        data=form(email=f"officer{n}@police.example"),
        headers={"Connection": "close"},
        allow_redirects=False,
        timeout=30,
    )


def test_two_workers_share_the_booking_count(make_event, gunicorn_for):
    make_event(slug="day")
    server = gunicorn_for(
        "server_app",
        workers=2,
        environ={"ENGAGE_TEST_RATELIMIT": "1", "REGISTRATION_RATE_LIMIT": f"{LIMIT} per hour"},
        path="/events/day/register",
        every_worker=True,
    )
    booked = [_book(server, n) for n in range(LIMIT)]
    assert [r.status_code for r in booked] == [302] * LIMIT
    answered = Counter(r.headers["X-Worker-Pid"] for r in booked)
    # Only a refusal from a worker that did not itself book all of them proves sharing;
    # a refused booking counts nothing, so asking again changes no count.
    for n in range(LIMIT, LIMIT + 30):
        response = _book(server, n)
        assert response.status_code == 429, response.status_code
        assert "You can try again after" in response.text
        if answered[response.headers["X-Worker-Pid"]] < LIMIT:
            return
    pytest.fail(f"one worker answered every booking ({answered}); nothing was proved")
