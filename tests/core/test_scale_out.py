"""Scale-out as production runs it: two app servers and two mail workers on one PostgreSQL.

Two gunicorn servers take a burst of bookings for the last places of an
event while two `engage worker` processes deliver to a real SMTP server. No
overbooking; every confirmation and waiting-list email arrives exactly once;
then, once the reminder falls due, every confirmed person gets exactly one
reminder. Time is passed by moving the stored times back, never by waiting
on the clock. PostgreSQL only: it is the production setup (CI sets
TEST_DATABASE_URL).
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, update

from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import JobRun, MessageStatus, OutboxMessage
from engage.registrations import services
from engage.registrations.models import Registration, RegistrationStatus
from tests.conftest import TEST_DATABASE_URL
from tests.mail.conftest import SMTPServer, expected_ids
from tests.registrations.conftest import data, form

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="the scale-out test runs on PostgreSQL"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

ROOT = Path(__file__).resolve().parents[2]
CAPACITY, BOOKED_EARLY, BURST = 40, 30, 60


@pytest.fixture
def sink():
    """A real SMTP server on loopback that the workers deliver to."""
    server = SMTPServer().start()
    yield server
    server.stop()


def _worker(url: str, smtp_port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "ENGAGE_ENV": "development",
        "DATABASE_URL": url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_BATCH_SIZE": "5",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "engage", "worker"]
    return subprocess.Popen(
        [*command, "--interval", "0.2"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _burst(urls: list[str]) -> list[int]:
    # Every client at once, alternating between the servers, each with its own address.
    barrier = threading.Barrier(BURST)

    def submit(n: int) -> int:
        with requests.Session() as session:
            barrier.wait()
            answer = session.post(
                urls[n % len(urls)],
                data=form(email=f"burst-{n}@example.org"),
                allow_redirects=False,
                timeout=60,
            )
            return answer.status_code

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(submit, range(BURST)))


def _until(app, condition, what: str, workers: list[subprocess.Popen]) -> None:
    # Wait for the workers to reach a state (not for the clock); fail with their errors.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with app.app_context():
            done = condition()
            db.session.remove()
        if done:
            return
        for worker in workers:
            assert worker.poll() is None, worker.stderr.read()
        time.sleep(0.2)
    pytest.fail(f"timed out waiting until {what}")


def _undelivered() -> bool:
    waiting = (MessageStatus.PENDING, MessageStatus.SENDING)
    query = select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(waiting))
    return db.session.scalar(query) == 0


def _count(kind: str) -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.kind == kind))


def test_two_servers_and_two_workers_book_and_mail_exactly_once(
    app, make_event, gunicorn_for, sink
):
    event = make_event(
        slug="scale",
        capacity=CAPACITY,
        starts_at=utcnow() + dt.timedelta(hours=30),
        reminder_offsets_hours=[24],
    )
    with app.app_context():
        for n in range(BOOKED_EARLY):
            services.register(db.session.get(Event, event.id), data(email=f"early-{n}@example.org"))
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    servers = [gunicorn_for("server_app", workers=2, threads=4) for _ in range(2)]
    workers = [_worker(url, sink.port) for _ in range(2)]
    try:
        codes = _burst([f"{server.url}/events/scale/register" for server in servers])
        assert collections.Counter(codes) == {302: BURST}

        with app.app_context():
            statuses = collections.Counter(
                db.session.scalars(select(Registration.status).filter_by(event_id=event.id))
            )
            db.session.remove()
        waiting = BOOKED_EARLY + BURST - CAPACITY
        assert statuses == {
            RegistrationStatus.CONFIRMED: CAPACITY,
            RegistrationStatus.WAITLISTED: waiting,
        }
        _until(app, _undelivered, "every confirmation is delivered", workers)
        assert sink.message_ids() == collections.Counter(expected_ids(app))
        assert set(sink.message_ids().values()) == {1}
        assert len(sink.received) == CAPACITY + waiting

        # A day passes: the bookings were made earlier and the reminder is now due.
        with app.app_context():
            earlier = dt.timedelta(days=3)
            for registration in db.session.scalars(select(Registration)):
                if registration.confirmed_at is not None:
                    registration.confirmed_at -= earlier
            for job in db.session.scalars(select(JobRun)):
                job.started_at -= earlier
            db.session.execute(update(Event).values(reminder_offsets_hours=[48]))
            db.session.commit()
            db.session.remove()

        def reminded() -> bool:
            return _count("reminder") == CAPACITY and _undelivered()

        _until(app, reminded, "every reminder is queued and delivered", workers)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    assert set(sink.message_ids().values()) == {1}
    assert sink.message_ids() == collections.Counter(expected_ids(app))
    with app.app_context():
        confirmed = set(
            db.session.scalars(
                select(Registration.email).filter_by(
                    event_id=event.id, status=RegistrationStatus.CONFIRMED
                )
            )
        )
        reminders = collections.Counter(
            db.session.scalars(select(OutboxMessage.to_address).filter_by(kind="reminder"))
        )
    assert reminders == collections.Counter(confirmed)
