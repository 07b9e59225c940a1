"""Keeping attendees' data no longer than each event's retention period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.jobs import periodic
from engage.mail.mailings import delete_for_event
from engage.mail.models import OutboxMessage
from engage.registrations.models import Registration

# The mail worker runs the purge this often; `engage purge` runs it at once.
PURGE_EVERY = dt.timedelta(hours=6)


def expired_events(now: dt.datetime | None = None) -> list[Event]:
    """Events whose retention period, counted from their end, is over."""
    now = now or utcnow()
    ended = db.session.scalars(select(Event).where(Event.ends_at < now))
    return [e for e in ended if e.ends_at + dt.timedelta(days=e.retention_days) <= now]


@periodic("retention-purge", every=PURGE_EVERY)
def purge(now: dt.datetime | None = None) -> int:
    """Delete the registrations (their messages, the event's mailings) of every expired event.

    Returns how many registrations went. Answers, workshop choices, history and
    self-service tokens go with each registration (ON DELETE CASCADE). The
    event itself stays, so the public page of a past event keeps working. One
    transaction per event. The mail worker runs it every few hours (a periodic
    job); `engage purge` runs it now.
    """
    removed = 0
    for event_id in [event.id for event in expired_events(now)]:
        with transaction(lock=(Event, event_id)):
            removed += _purge_event(db.session.get(Event, event_id))
    return removed


def _purge_event(event: Event) -> int:
    ids = list(db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)))
    # The event's mailings list who they went to (and may quote them): they go too.
    mailings = delete_for_event(event.id)
    if not ids:
        return 0
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(ids)))
    db.session.execute(delete(Registration).where(Registration.id.in_(ids)))
    record(
        "registrations.purged",
        event,
        summary=f"{len(ids)} registration(s) and {mailings} mailing(s) deleted",
    )
    return len(ids)
