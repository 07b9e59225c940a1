"""Keeping attendees' data no longer than each event's retention period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from engage.audit.services import record
from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.models import Registration


def expired_events(now: dt.datetime | None = None) -> list[Event]:
    """Events whose retention period, counted from their end, is over."""
    now = now or utcnow()
    ended = db.session.scalars(select(Event).where(Event.ends_at < now))
    return [e for e in ended if e.ends_at + dt.timedelta(days=e.retention_days) <= now]


def purge(now: dt.datetime | None = None) -> int:
    """Delete the registrations (and their messages) of every expired event; how many.

    Answers, workshop choices, history and self-service tokens go with each
    registration (ON DELETE CASCADE). The event itself stays, so the public
    page of a past event keeps working. One transaction per event.
    """
    removed = 0
    for event in expired_events(now):
        ids = list(
            db.session.scalars(select(Registration.id).where(Registration.event_id == event.id))
        )
        if not ids:
            continue
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids)))
        db.session.execute(delete(Registration).where(Registration.id.in_(ids)))
        record("registrations.purged", event, summary=f"{len(ids)} registration(s) deleted")
        db.session.commit()
        removed += len(ids)
    return removed
