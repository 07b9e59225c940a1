"""`python -m benchmarks.attendees`: the attendee list and its exports at 10,000 registrations.

Run in one process on a SQLite file through Flask's test client (no server, no
network), signed in as an admin: requests per second for the list, seconds for
each export, and the peak Python memory (tracemalloc) of one request of each.
Printed only; `make bench` runs it after the HTTP scenarios.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import tracemalloc

from engage import create_app
from engage.accounts.models import Role, User
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind, SessionKind
from engage.extensions import db
from tests.attendees.seeding import seed_registrations

REGISTRATIONS = int(os.environ.get("BENCH_ATTENDEES", "10000"))
LIST_REQUESTS = 40
START = dt.datetime(2027, 1, 21, 9, tzinfo=dt.UTC)
EXPORT_COLUMNS = ["name", "email", "organisation", "category", "status", "position", "workshops"]


def _event() -> Event:
    workshops = [
        EventSession(
            kind=SessionKind.WORKSHOP,
            title=f"Workshop {number}",
            starts_at=START + dt.timedelta(hours=number),
            ends_at=START + dt.timedelta(hours=number + 1),
        )
        for number in range(1, 4)
    ]
    question = EventQuestion(kind=QuestionKind.YES_NO, label="Need parking?")
    return Event(
        slug="bench",
        title="Bench",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=7),
        is_published=True,
        sessions=workshops,
        questions=[question],
    )


def _timed(client, method: str, url: str, **options) -> tuple[float, int]:
    """One request, its body read to the end: (seconds, bytes)."""
    started = time.perf_counter()
    response = client.open(url, method=method, buffered=False, **options)
    if response.status_code != 200:
        raise SystemExit(f"{method} {url}: {response.status_code}")
    size = sum(len(piece) for piece in response.response)
    response.close()
    return time.perf_counter() - started, size


def _peak(client, method: str, url: str, **options) -> int:
    tracemalloc.start()
    try:
        _timed(client, method, url, **options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclasses.dataclass
class Site:
    """A throwaway site for a benchmark: the app, an admin's client, one seeded event."""

    app: object
    client: object
    event_id: int
    workshops: tuple[int, ...]
    seconds_to_seed: float


@contextlib.contextmanager
def seeded_site(registrations: int, **config):
    """SQLite in a temporary folder, one event of `registrations` people, an admin signed in."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "ENGAGE_ENV": "testing",
                "SECRET_KEY": "bench-" + "x" * 40,
                "WTF_CSRF_ENABLED": False,  # forms are posted directly, as their pages would
                "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                **config,
            }
        )
        with app.app_context():
            db.create_all()
            event = _event()
            admin = User(email="bench@example.org", name="Bench", role=Role.ADMIN)
            db.session.add_all([event, admin])
            db.session.commit()
            event_id, admin_id = event.id, admin.get_id()
            workshops = tuple(w.id for w in event.workshops)
            started = time.perf_counter()
            seed_registrations(event_id, registrations, workshop_ids=workshops, waitlisted_every=10)
            db.session.commit()
            seeded = time.perf_counter() - started
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = admin_id, True
        try:
            yield Site(app, client, event_id, workshops, seeded)
        finally:
            with app.app_context():
                db.engine.dispose()


def main() -> int:
    """Seed, measure, print."""
    with seeded_site(REGISTRATIONS) as site:
        client, event_id, seeded = site.client, site.event_id, site.seconds_to_seed
        base = f"/admin/events/{event_id}/attendees"
        print(f"attendees: {REGISTRATIONS:,} registrations on SQLite, seeded in {seeded:.1f}s")
        for name, url in (("list", base + "/"), ("list, searched", base + "/?q=surname0999")):
            _timed(client, "GET", url)
            times = [_timed(client, "GET", url)[0] for _ in range(LIST_REQUESTS)]
            print(
                f"  {name:<22} {1 / statistics.fmean(times):>7.1f} req/s  "
                f"p50 {statistics.median(times) * 1000:.0f} ms  "
                f"peak {_peak(client, 'GET', url) / 1e6:.1f} MB"
            )
        for file_format in ("csv", "xlsx"):
            data = {"columns": EXPORT_COLUMNS, "dietary": "y", "file_format": file_format}
            seconds, size = _timed(client, "POST", base + "/export", data=data)
            peak = _peak(client, "POST", base + "/export", data=data)
            print(
                f"  export {file_format:<15} {seconds:>7.2f} s      "
                f"{size / 1e6:.1f} MB file, peak {peak / 1e6:.1f} MB"
            )
        for file_format in ("csv", "xlsx"):
            data = {"file_format": file_format}
            seconds, size = _timed(client, "POST", base + "/export/catering", data=data)
            print(f"  catering {file_format:<13} {seconds:>7.2f} s      {size / 1e3:.0f} kB file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
