"""The rules for building events in the back office: one transaction per use case.

What an event's attendees must hear about (a new date, more places, a
cancellation) is sent as a signal (engage.events.signals) inside the same
transaction; the registrations feature acts on it there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.exc import IntegrityError

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events import signals
from engage.events.models import SCHEDULE_FIELDS, Event
from engage.extensions import db
from engage.forms import FieldError
from engage.slugs import free_slug, slug_taken
from engage.timefields import check_ends_after_start


class EventChangeRefused(FieldError):
    """A change the rules forbid; `field` names the form field to blame."""


class SlugTaken(EventChangeRefused):
    """Another event already uses that web address."""

    field = "slug"


class CapacityBelowConfirmed(EventChangeRefused):
    """Fewer places than people already confirmed."""

    field = "capacity"


class SessionsOutsideEvent(EventChangeRefused):
    """The new times would leave part of the programme outside the event."""

    field = "starts_at"


class EventAlreadyCancelled(EventChangeRefused):
    """The event was called off already."""

    field = "reason"


@dataclasses.dataclass(frozen=True)
class EventUpdate:
    """What saving an event led to."""

    attendees_told: int = 0
    schedule_changed: bool = False
    capacity_raised: bool = False
    promoted: int = 0


def slug_for(title: str, typed: str = "", exclude_id: int | None = None) -> str:
    """The typed slug if free (else SlugTaken), or a free one made from the title."""
    if typed:
        if slug_taken(Event, typed, exclude_id):
            raise SlugTaken(f"Another event already uses the web address name “{typed}”")
        return typed
    return free_slug(Event, title, fallback="event", exclude_id=exclude_id)


def _slug_race(error: IntegrityError) -> SlugTaken:
    # The only unique column a form can clash on: two people took one slug at once.
    return SlugTaken("Another event already uses that web address name")


def create_event(fields: dict, *, creator) -> Event:
    """Create an unpublished event; an organiser who creates it is assigned to it."""
    check_ends_after_start(fields["starts_at"], fields["ends_at"])
    try:
        with transaction():
            event = Event(**{**fields, "slug": slug_for(fields["title"], fields.get("slug") or "")})
            if not creator.is_admin:
                event.organisers.append(creator)
            db.session.add(event)
            db.session.flush()
            record("event.created", event, summary=event.title, actor=creator)
    except IntegrityError as error:
        raise _slug_race(error) from error
    return event


def update_event(event: Event, fields: dict) -> EventUpdate:
    """Save an event's fields; tell attendees if a published event's date, time or venue moved."""
    check_ends_after_start(fields["starts_at"], fields["ends_at"])
    try:
        with transaction(lock=(Event, event.id)):
            return _apply(db.session.get(Event, event.id, populate_existing=True), fields)
    except IntegrityError as error:
        raise _slug_race(error) from error


def _apply(event: Event, fields: dict) -> EventUpdate:
    fields = {**fields, "slug": slug_for(fields["title"], fields.get("slug") or "", event.id)}
    signals.event_changing.send(event, fields=fields)  # e.g. places below those confirmed
    outside = [
        s
        for s in event.sessions
        if s.starts_at < fields["starts_at"] or s.ends_at > fields["ends_at"]
    ]
    if outside:
        raise SessionsOutsideEvent(
            f"{len(outside)} programme session(s) would fall outside the new times; "
            "move them first: " + ", ".join(s.title for s in outside[:5])
        )
    capacity_raised = _raises_capacity(event.capacity, fields["capacity"])
    previous = {
        name: getattr(event, name) for name, new in fields.items() if getattr(event, name) != new
    }
    schedule_changed = (
        event.is_published
        and not event.is_cancelled
        and any(name in SCHEDULE_FIELDS for name in previous)
    )
    for name in previous:
        setattr(event, name, fields[name])
    if previous:
        record("event.updated", event, summary="Changed: " + ", ".join(previous))
    told = promoted = 0
    if schedule_changed:
        event.ics_sequence = (event.ics_sequence or 0) + 1
        db.session.flush()
        told = signals.total(signals.schedule_changed, event, previous=previous)
    if capacity_raised:
        # Same locked transaction as the new capacity: the line moves up in order.
        db.session.flush()
        promoted = signals.total(signals.capacity_raised, event)
    return EventUpdate(told, schedule_changed, capacity_raised, promoted)


def _raises_capacity(old: int | None, new: int | None) -> bool:
    if old is None:
        return False
    return new is None or new > old


def publish_event(event: Event) -> None:
    """Show the event on the public site."""
    with transaction():
        event = db.session.get(Event, event.id)
        if event.is_published:
            return
        event.is_published = True
        record("event.published", event, summary=event.title)


def unpublish_event(event: Event) -> None:
    """Take the event off the public site (its registrations are kept)."""
    with transaction():
        event = db.session.get(Event, event.id)
        if not event.is_published:
            return
        event.is_published = False
        record("event.unpublished", event, summary=event.title)


def cancel_event(event: Event, reason: str, now: dt.datetime | None = None) -> int:
    """Call the event off and tell its attendees by email; how many were told."""
    with transaction(lock=(Event, event.id)):
        event = db.session.get(Event, event.id, populate_existing=True)
        if event.is_cancelled:
            raise EventAlreadyCancelled("This event is already cancelled")
        event.cancelled_at = now or utcnow()
        event.cancellation_reason = reason
        told = signals.total(signals.event_cancelled, event)
        # Calendars that subscribed to the public feed must see the change too:
        # above the sequence of every invitation sent, as a CANCEL's is.
        event.ics_sequence = (event.ics_sequence or 0) + 1
        record("event.cancelled", event, summary=f"{event.title}: {reason}"[:500])
    return told
