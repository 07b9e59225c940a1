"""Which organisers run which event: admins assign and remove them, one transaction each."""

from __future__ import annotations

from sqlalchemy import select

from engage.accounts.models import User
from engage.audit.services import record
from engage.db import transaction
from engage.events.models import Event
from engage.extensions import db


def assign(user: User, event: Event) -> None:
    """Let an organiser manage an event."""
    with transaction(lock=(Event, event.id)):
        event = db.session.get(Event, event.id, populate_existing=True)
        user = db.session.get(User, user.id)
        if any(organiser.id == user.id for organiser in event.organisers):
            return
        event.organisers.append(user)
        record(
            "user.event_assigned",
            target=user,
            summary=f"{user.email} assigned to event {event.id} ({event.title})",
        )


def remove(user: User, event: Event) -> None:
    """Stop an organiser managing an event."""
    with transaction(lock=(Event, event.id)):
        event = db.session.get(Event, event.id, populate_existing=True)
        user = db.session.get(User, user.id)
        if not any(organiser.id == user.id for organiser in event.organisers):
            return
        event.organisers.remove(user)
        record(
            "user.event_removed",
            target=user,
            summary=f"{user.email} removed from event {event.id} ({event.title})",
        )


def assignable_events(user: User) -> list[Event]:
    """Events the user is not yet assigned to, latest first."""
    assigned = {event.id for event in user.organised_events}
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc()))
    return [event for event in events if event.id not in assigned]
