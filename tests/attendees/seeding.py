"""Many registrations at once, for tests (and the benchmark) of the list and exports at scale."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import insert, select

from engage.extensions import db
from engage.registrations.models import (
    AttendeeCategory,
    Registration,
    RegistrationStatus,
    registration_workshops,
    searchable,
)

START = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
CATEGORIES = list(AttendeeCategory)


def seed_registrations(
    event_id: int,
    count: int,
    *,
    workshop_ids: tuple[int, ...] = (),
    waitlisted_every: int = 0,
    names: list[tuple[str, str]] | None = None,
) -> list[int]:
    """Insert `count` registrations in one statement (inside an app context); their ids.

    Every `waitlisted_every`-th one is on the waiting list (0: none); each
    confirmed one books one of `workshop_ids` in turn. The search column is
    filled as the model's listener would.
    """
    rows = []
    for number in range(count):
        first, last = names[number] if names else (f"Person{number}", f"Surname{number:05d}")
        waiting = bool(waitlisted_every) and number % waitlisted_every == waitlisted_every - 1
        at = START + dt.timedelta(minutes=number)
        row = Registration(
            event_id=event_id,
            status=RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.CONFIRMED,
            email=f"person{number}@example.org",
            first_name=first,
            last_name=last,
            organisation=f"Force {number % 40}",
            job_title="Analyst",
            category=CATEGORIES[number % len(CATEGORIES)],
        )
        rows.append(
            {
                "event_id": event_id,
                "status": row.status,
                "email": row.email,
                "first_name": first,
                "last_name": last,
                "organisation": row.organisation,
                "job_title": row.job_title,
                "category": row.category,
                "dietary_requirements": "Vegetarian" if number % 7 == 0 else "",
                "dietary_consent": number % 7 == 0,
                "access_requirements": "",
                "privacy_accepted": True,
                "created_at": at,
                "confirmed_at": None if waiting else at,
                "waitlisted_at": at if waiting else None,
                "search_text": searchable(row),
                "checkin_code": secrets.token_hex(16),
            }
        )
    db.session.execute(insert(Registration), rows)
    ids = list(
        db.session.scalars(
            select(Registration.id)
            .where(Registration.event_id == event_id)
            .order_by(Registration.id)
        )
    )[-count:]
    if workshop_ids:
        links = [
            {"registration_id": rid, "session_id": workshop_ids[i % len(workshop_ids)]}
            for i, rid in enumerate(ids)
        ]
        db.session.execute(insert(registration_workshops), links)
    db.session.commit()
    return ids
