"""Several doors at once: two staff letting the same people into the same room record each once.

Gunicorn serves the app with two workers; 25 people booked on one workshop are
each scanned twice at the same moment at its door (50 requests released
together, one from each of two staff members). Exactly 25 room check-ins are
recorded (and 25 event check-ins: half were checked in at the desk before,
half are checked in at the event by the same action), each logged once; for each
person one door hears "In <workshop>" and the other "Already in". The control
runs the same burst against the app with the savepoint's guard taken away
(tests/checkin/unsafe_room_server_app.py): the doors then collide.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from engage.db import utcnow
from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.registrations.models import CheckIn, CheckInSource, Registration, WorkshopCheckIn
from tests.checkin.test_concurrency import PEOPLE, _serve, _signed_in
from tests.registrations.conftest import book, workshop

pytestmark = pytest.mark.slow


def _workshop_with_people(
    app, make_event, staff, slug: str, *, in_already: int
) -> tuple[str, list[str]]:
    """An event run by the staff, PEOPLE booked on its workshop; the room's desk path, and codes.

    The first `in_already` were checked in at the event's desk before: at their
    room's door only the room's row guards them (for the others, the event
    check-in's conditional UPDATE also makes the doors wait on PostgreSQL).
    """
    event = make_event(
        slug=slug, capacity=PEOPLE, sessions=[workshop("Workshop A", 11, capacity=PEOPLE)]
    )
    with app.app_context():
        for user in staff:
            db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
        db.session.commit()
        room = db.session.get(Event, event.id).workshops[0].id
        codes = [
            book(
                event, email=f"p{n}-{slug}@example.org", workshop_ids=[room]
            ).registration.checkin_code
            for n in range(PEOPLE)
        ]
        db.session.execute(
            db.update(Registration)
            .where(Registration.checkin_code.in_(codes[:in_already]))
            .values(checked_in_at=utcnow())
        )
        db.session.commit()
        db.session.remove()
    return f"/admin/events/{event.id}/check-in?workshop={room}&room=1", codes


def _burst(url: str, codes: list[str], sessions: list[dict]) -> list[tuple[str, int, str]]:
    """Each code sent twice at once, once per staff session; (code, status, answer) for each."""
    jobs = [(code, cookies) for code in codes for cookies in sessions]
    barrier = threading.Barrier(len(jobs))

    def send(job):
        code, cookies = job
        barrier.wait()
        response = requests.post(url, data={"q": code}, cookies=cookies, timeout=60)
        found = re.search(r'<h2 class="checkin-panel__title">([^<:]+):', response.text)
        return code, response.status_code, found[1] if found else "no panel"

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


def _recorded(app, slug: str) -> tuple[int, int, int]:
    """(room check-ins, people checked in at the event, room log rows) for the event."""
    with app.app_context():
        event_id = db.session.scalar(db.select(Event.id).where(Event.slug == slug))
        ids = db.select(Registration.id).where(Registration.event_id == event_id)
        count = db.func.count
        in_room = db.session.scalar(
            db.select(count(WorkshopCheckIn.id)).where(WorkshopCheckIn.registration_id.in_(ids))
        )
        at_event = db.session.scalar(
            db.select(count(Registration.id)).where(
                Registration.event_id == event_id, Registration.checked_in_at.is_not(None)
            )
        )
        logged = db.session.scalar(
            db.select(count(CheckIn.id)).where(
                CheckIn.registration_id.in_(ids),
                CheckIn.source == CheckInSource.ROOM,
                CheckIn.note == "Workshop A (Room 11)",
            )
        )
        db.session.remove()
    return in_room, at_event, logged


def test_two_doors_letting_the_same_people_in_at_once_record_each_once_per_room(
    app, make_event, staff, gunicorn_for
):
    path, codes = _workshop_with_people(app, make_event, staff, "room-race", in_already=PEOPLE // 2)
    server = _serve(gunicorn_for, "server_app")
    sessions = [_signed_in(server.url, user.email) for user in staff]
    answers = _burst(server.url + path, codes, sessions)
    assert {status for _, status, _ in answers} == {200}
    assert _recorded(app, "room-race") == (PEOPLE, PEOPLE, PEOPLE)
    for code in codes:
        heard = sorted(answer for c, _, answer in answers if c == code)
        assert heard == ["Already in Workshop A", "In Workshop A"], code


def test_control_without_the_guard_the_same_burst_collides(app, make_event, staff, gunicorn_for):
    server = _serve(gunicorn_for, "checkin.unsafe_room_server_app")
    failed = 0
    for attempt in range(4):
        slug = f"unsafe-room-{attempt}"
        path, codes = _workshop_with_people(app, make_event, staff, slug, in_already=PEOPLE)
        sessions = [_signed_in(server.url, user.email) for user in staff]
        answers = _burst(server.url + path, codes, sessions)
        failed = sum(status != 200 for _, status, _ in answers)
        if failed:
            break
    assert failed, "the unguarded version should have had two doors insert the same row"
