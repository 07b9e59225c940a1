"""Several desks at once: two staff scanning the same person record one check-in.

Gunicorn serves the app with two workers; 25 people are each checked in twice
at the same moment (50 requests released together, one from each of two staff
members), by code through the desk's box. Exactly 25 check-ins and 25 log rows
are recorded, and for each person one desk hears "Checked in" and the other
"Already checked in". The control runs the same burst against the app with the
guard taken away (tests/checkin/unsafe_server_app.py), which must record more.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from engage.audit.models import AuditEntry
from engage.events.models import event_organisers
from engage.extensions import db
from engage.registrations.models import CheckIn, Registration
from tests.conftest import TEST_PASSWORD
from tests.registrations.conftest import book

pytestmark = pytest.mark.slow

PEOPLE = 25


def _event_with_people(app, make_event, staff, slug: str) -> tuple[int, dict[str, str]]:
    """An event run by the staff, with PEOPLE confirmed; its id, and code -> name."""
    event = make_event(slug=slug, capacity=PEOPLE)
    codes = {}
    with app.app_context():
        for user in staff:
            db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
        db.session.commit()
        for n in range(PEOPLE):
            registration = book(
                event, email=f"p{n}-{slug}@example.org", first_name=f"Person{n}"
            ).registration
            codes[registration.checkin_code] = registration.full_name
        db.session.remove()
    return event.id, codes


def _signed_in(server_url: str, email: str) -> dict[str, str]:
    """The cookies of a session signed in through the real sign-in page."""
    with requests.Session() as session:
        response = session.post(
            server_url + "/account/sign-in",
            data={"email": email, "password": TEST_PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, "sign-in failed"
        return session.cookies.get_dict()


def _burst(url: str, codes: list[str], sessions: list[dict]) -> list[tuple[str, str, int]]:
    """Each code sent twice at once, once per staff session; (code, answer, worker) for each."""
    jobs = [(code, cookies) for code in codes for cookies in sessions]
    barrier = threading.Barrier(len(jobs))

    def send(job):
        code, cookies = job
        barrier.wait()
        response = requests.post(url, data={"q": code}, cookies=cookies, timeout=60)
        assert response.status_code == 200, response.status_code
        found = re.search(r'<h2 class="checkin-panel__title">([^<:]+):', response.text)
        return code, found[1] if found else "no panel", response.headers["X-Worker-Pid"]

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


def _recorded(app, event_id: int) -> tuple[int, int, int]:
    """(people checked in, check-in log rows, check-in audit entries) for the event."""
    with app.app_context():
        ids = db.select(Registration.id).where(Registration.event_id == event_id)
        checked_in = db.session.scalar(
            db.select(db.func.count(Registration.id)).where(
                Registration.event_id == event_id, Registration.checked_in_at.is_not(None)
            )
        )
        rows = db.session.scalar(
            db.select(db.func.count(CheckIn.id)).where(CheckIn.registration_id.in_(ids))
        )
        audited = db.session.scalar(
            db.select(db.func.count(AuditEntry.id)).where(
                AuditEntry.action == "checkin.checked_in", AuditEntry.target_id.in_(ids)
            )
        )
        db.session.remove()
    return checked_in, rows, audited


def _serve(gunicorn_for, module: str):
    return gunicorn_for(module, workers=2, threads=4, every_worker=True)


def test_two_desks_checking_in_the_same_people_at_once_record_each_once(
    app, make_event, staff, gunicorn_for
):
    event_id, codes = _event_with_people(app, make_event, staff, "desk-race")
    server = _serve(gunicorn_for, "server_app")
    sessions = [_signed_in(server.url, user.email) for user in staff]
    answers = _burst(f"{server.url}/admin/events/{event_id}/check-in", list(codes), sessions)
    assert _recorded(app, event_id) == (PEOPLE, PEOPLE, PEOPLE)
    for code in codes:
        heard = sorted(answer for c, answer, _ in answers if c == code)
        assert heard == ["Already checked in", "Checked in"], codes[code]
    assert len({worker for _, _, worker in answers}) == 2  # both workers took part


def test_control_without_the_guard_the_same_burst_checks_people_in_twice(
    app, make_event, staff, gunicorn_for
):
    server = _serve(gunicorn_for, "checkin.unsafe_server_app")
    rows = 0
    for attempt in range(4):
        event_id, codes = _event_with_people(app, make_event, staff, f"unsafe-{attempt}")
        sessions = [_signed_in(server.url, user.email) for user in staff]
        _burst(f"{server.url}/admin/events/{event_id}/check-in", list(codes), sessions)
        _, rows, _ = _recorded(app, event_id)
        if rows > PEOPLE:
            break
    assert rows > PEOPLE, f"the unguarded version should have checked someone in twice ({rows})"
