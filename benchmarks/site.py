"""The site `make bench` serves: a migrated database with the demo and a bookable event.

`python -m benchmarks.site` (DATABASE_URL set) adds the event the booking scenarios
book: published, open, no questions, BENCH_CAPACITY places (default 1,000), so a
burst fills it and the rest join the waiting list. `counts_for(env)` reads it back
to check that it was never overbooked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from engage import create_app
from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import Registration

SLUG = "bench-booking"
CAPACITY = int(os.environ.get("BENCH_CAPACITY", "1000"))


def add_event() -> None:
    """Add (or reset) the bookable event."""
    with create_app().app_context():
        event = db.session.scalar(select(Event).filter_by(slug=SLUG))
        if event is not None:
            db.session.delete(event)
            db.session.flush()
        start = utcnow() + dt.timedelta(days=60)
        db.session.add(
            Event(
                slug=SLUG,
                title="Bench booking day",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=7),
                venue_name="Bench Hall",
                capacity=CAPACITY,
                is_published=True,
            )
        )
        db.session.commit()


def counts() -> dict[str, int]:
    """The bookable event's registrations by status, and its capacity."""
    with create_app().app_context():
        event = db.session.scalar(select(Event).filter_by(slug=SLUG))
        rows = db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        )
        found = {status.value: number for status, number in rows}
        return {**found, "capacity": event.capacity}


def counts_for(env: dict[str, str]) -> dict[str, int]:
    """counts() on the database that env's DATABASE_URL names, from a process of its own."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.site", "--counts"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


if __name__ == "__main__":
    if sys.argv[1:] == ["--counts"]:
        print(json.dumps(counts()))
    else:
        add_event()
