"""Reading back what an organiser's action wrote: the registration, its history, audit, outbox."""

from __future__ import annotations

from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.models import Registration
from tests.registrations.conftest import book


def booked(event, **fields) -> int:
    """Book through the public service (in an app context); the registration's id."""
    return book(event, **fields).registration.id


def fresh(registration_id: int) -> Registration:
    """The registration as the database has it now."""
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def workshop_ids(event) -> list[int]:
    """The event's workshop ids, in programme order."""
    return [w.id for w in db.session.get(Event, event.id).workshops]


def history(registration_id: int) -> list[tuple[str, str]]:
    """(action, note) for each history line, oldest first."""
    return [(h.action.value, h.note) for h in fresh(registration_id).history]


def audit() -> list[tuple[str, int | None, str]]:
    """(action, target id, summary) for every audit entry, oldest first."""
    rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
    return [(e.action, e.target_id, e.summary) for e in rows]


def outbox() -> list[tuple[str, str]]:
    """(kind, to) for every queued message, oldest first."""
    rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.kind, m.to_address) for m in rows]
