"""Which events a staff member may manage: checked on the server for every event page."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from engage.events.models import Event, event_organisers
from engage.extensions import db


def can_manage_event(user, event: Event) -> bool:
    """Admins manage every event; organisers only those assigned to them."""
    if user.is_admin:
        return True
    return any(organiser.id == user.id for organiser in event.organisers)


def managed_events(user) -> Select[tuple[Event]]:
    """A query for the events this user may see in the back office."""
    query = select(Event)
    if not user.is_admin:
        query = query.join(event_organisers).where(event_organisers.c.user_id == user.id)
    return query


def event_or_404(event_id: int) -> Event:
    """The event, if the signed-in user may manage it; 404 otherwise.

    An organiser asking for another organiser's event gets the same 404 as
    for a missing one, so event ids reveal nothing.
    """
    event = db.session.get(Event, event_id)
    if event is None or not can_manage_event(current_user, event):
        abort(404)
    return event
