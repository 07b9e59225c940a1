"""A past event with everything the retention job must handle, for the retention tests.

Engagement Day (21 January 2027, 9:30am to 4:30pm), 2 places, a waiting list
and one workshop; answers kept 7 days, details 30 days. Ada (confirmed, with
dietary and access answers, booked on the workshop, checked in), Bob
(confirmed with a dietary answer, then cancelled), Cy (waiting, promoted when
Bob cancelled, never came), Dee (still waiting). Every email sent but the last.
Another event, kept a year, has Kim, so that a purge that goes too far shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import JSON, String, Text, cast, func, select, update

from engage.accounts.models import Role
from engage.audit.services import record
from engage.checkin.services import check_in
from engage.db import transaction
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.registrations import services
from engage.registrations.models import CheckInSource, Registration
from tests.conftest import london
from tests.registrations.conftest import data, workshop

START = london(2027, 1, 21, 9, 30)
ENDED = START + dt.timedelta(hours=7)
BOOKED = START - dt.timedelta(days=30)
NEEDS_GO = ENDED + dt.timedelta(days=7)
ALL_GO = ENDED + dt.timedelta(days=30)
PURGED = ("ada@example.org", "bob@example.org", "cy@example.org", "dee@example.org")
KEPT = "kim@example.org"


@dataclasses.dataclass
class World:
    event_id: int
    kept_id: int
    ids: dict[str, int]
    workshop_id: int


def build(app, make_event, make_user) -> World:
    """Seed the world above; the ids to look things up by."""
    staff = make_user("desk@example.org", role=Role.ADMIN)
    event = make_event(
        slug="engagement-day",
        starts_at=START,
        capacity=2,
        retention_days=30,
        needs_retention_days=7,
        sessions=[workshop("Learning from failure", 11, capacity=10)],
    )
    kept = make_event(slug="kept", starts_at=START, retention_days=365, needs_retention_days=30)
    event_id, kept_id = event.id, kept.id
    with app.app_context():
        event = db.session.get(Event, event_id)
        workshop_id = event.workshops[0].id
        ids = {}
        for name, extra in (
            (
                "ada",
                dict(
                    dietary_requirements="Vegan",
                    dietary_consent=True,
                    access_requirements="Step-free route",
                    access_consent=True,
                    workshop_ids=[workshop_id],
                    organisation="Northbridge Police",
                ),
            ),
            (
                "bob",
                dict(
                    dietary_requirements="No nuts",
                    dietary_consent=True,
                    organisation="University of Eastmoor",
                ),
            ),
            ("cy", dict(organisation="Northbridge Police")),
            ("dee", dict(organisation="University of Eastmoor")),
        ):
            result = services.register(
                db.session.get(Event, event.id),
                data(
                    email=f"{name}@example.org",
                    first_name=name.title(),
                    last_name="Tester",
                    **extra,
                ),
                now=BOOKED,
            )
            ids[name] = result.registration.id
        services.register(
            db.session.get(Event, kept_id),
            data(email=KEPT, first_name="Kim", dietary_requirements="Halal", dietary_consent=True),
            now=BOOKED,
        )
        _send_all()
        services.cancel(db.session.get(Registration, ids["bob"]), now=BOOKED + dt.timedelta(days=1))
        check_in(
            db.session.get(Event, event.id),
            registration_id=ids["ada"],
            by=staff,
            source=CheckInSource.SEARCH,
            now=START,
        )
        with transaction():
            # As another feature might: a summary that quotes an address and a name.
            record("attendee.noted", None, "Wrote to dee@example.org about parking")
            record(
                "attendee.updated",
                db.session.get(Registration, ids["cy"]),
                "Cy Tester: details corrected",
            )
        _send_all()
        # One message still waiting to go: it is never touched.
        with transaction():
            db.session.add(
                OutboxMessage(
                    kind="test",
                    to_address="ada@example.org",
                    subject="Pending",
                    body_text="Vegan",
                    body_html="<p>Vegan</p>",
                    event_id=event.id,
                    registration_id=ids["ada"],
                )
            )
        db.session.remove()
    return World(event_id, kept_id, ids, workshop_id)


def _send_all() -> None:
    with transaction():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.PENDING)
            .values(status=MessageStatus.SENT, sent_at=BOOKED)
        )


def places_holding(text: str) -> list[str]:
    """Every table.column (text or JSON, in any table of the metadata) that holds the text."""
    found = []
    pattern = f"%{text.lower()}%"
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (String, Text, JSON)):
                continue
            hits = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(func.lower(cast(column, Text)).like(pattern))
            )
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found
