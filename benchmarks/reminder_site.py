"""The database the reminders benchmark runs on, set up and read back from a process of its own.

With DATABASE_URL set:
- `python -m benchmarks.reminder_site empty` empties a PostgreSQL database (its
  public schema dropped and made again; the benchmark's SQLite file is new anyway),
  so that nothing another benchmark queued is delivered with the reminders;
- `... seed COUNT` (after `flask db upgrade`) adds one published event starting
  in 12 hours, so that its 24-hour reminder is due now, and COUNT confirmed
  registrations booked long before;
- `... check` prints, as JSON, the reminders' outbox rows by status, how many
  reminders were recorded, and when the first and last were queued and sent.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from sqlalchemy import func, select, text

from engage import create_app
from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.models import ReminderSend
from tests.attendees.seeding import seed_registrations

HOURS_TO_START = 12  # inside the 24-hour reminder's window


def empty() -> None:
    """Drop every table of a PostgreSQL database, for `flask db upgrade` to start afresh."""
    with create_app().app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()


def seed(count: int) -> None:
    """One event whose 24-hour reminder is due now, with `count` confirmed registrations."""
    with create_app().app_context():
        start = utcnow() + dt.timedelta(hours=HOURS_TO_START)
        event = Event(
            slug="bench-reminders",
            title="Bench reminders day",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=7),
            venue_name="Bench Hall",
            venue_address="1 Bench Street, Leeds",
            is_published=True,
            reminder_offsets_hours=[7 * 24, 24],
        )
        db.session.add(event)
        db.session.commit()
        seed_registrations(event.id, count)


def check() -> dict:
    """The reminders' outbox rows by status, the reminders recorded, and the queue's times."""
    with create_app().app_context():
        reminders = select(OutboxMessage).where(OutboxMessage.kind == "reminder").subquery()
        statuses = db.session.execute(
            select(reminders.c.status, func.count()).group_by(reminders.c.status)
        )
        times = db.session.execute(
            select(
                func.min(reminders.c.created_at),
                func.max(reminders.c.created_at),
                func.min(reminders.c.sent_at),
                func.max(reminders.c.sent_at),
            )
        ).one()
        return {
            "outbox": {str(status): number for status, number in statuses},
            "recorded": db.session.scalar(select(func.count(ReminderSend.id))),
            "queued": [_stamp(times[0]), _stamp(times[1])],
            "sent": [_stamp(times[2]), _stamp(times[3])],
        }


def _stamp(value) -> float | None:
    # Columns read through a subquery come back as stored; SQLite's are naive UTC.
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "empty":
        empty()
    elif command == "seed":
        seed(int(sys.argv[2]))
    else:
        print(json.dumps(check()))
