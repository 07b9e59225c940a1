"""The rules for building events in the back office: one transaction per use case."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.exc import IntegrityError

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events import services as public_services
from engage.events.models import Event
from engage.extensions import db
from engage.mail import messages
from engage.slugs import free_slug, slug_taken

SLUG_MAX = 120
# A change to any of these on a published event is news to every attendee.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "is_online", "venue_name", "venue_address")


class EventChangeRefused(ValueError):
    """A change the rules forbid; `field` names the form field to blame."""

    field = "title"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        if field:
            self.field = field


class SlugTaken(EventChangeRefused):
    """Another event already uses that web address."""

    field = "slug"


class EndsBeforeStart(EventChangeRefused):
    """The end is not after the start."""

    field = "ends_at"


class CapacityBelowConfirmed(EventChangeRefused):
    """Fewer places than people already confirmed."""

    field = "capacity"


class SessionsOutsideEvent(EventChangeRefused):
    """The new times would leave part of the programme outside the event."""

    field = "starts_at"


class EventAlreadyCancelled(EventChangeRefused):
    """The event was called off already."""


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
    return free_slug(Event, title, fallback="event", max_length=SLUG_MAX - 4, exclude_id=exclude_id)


def _check_times(fields: dict) -> None:
    if fields["ends_at"] <= fields["starts_at"]:
        raise EndsBeforeStart("The end must be after the start")


def create_event(fields: dict, *, creator) -> Event:
    """Create an unpublished event; an organiser who creates it is assigned to it."""
    _check_times(fields)
    try:
        event = Event(**{**fields, "slug": slug_for(fields["title"], fields.get("slug") or "")})
        if not creator.is_admin:
            event.organisers.append(creator)
        db.session.add(event)
        db.session.flush()
        record("event.created", event, summary=event.title, actor=creator)
        db.session.commit()
    except IntegrityError as error:  # two people took the same slug at once
        db.session.rollback()
        raise SlugTaken("Another event already uses that web address name") from error
    except BaseException:
        db.session.rollback()
        raise
    return event


def update_event(event: Event, fields: dict) -> EventUpdate:
    """Save an event's fields; tell attendees if a published event's date, time or venue moved."""
    _check_times(fields)
    try:
        with transaction(lock=(Event, event.id)):
            result = _apply(event, fields)
    except IntegrityError as error:
        raise SlugTaken("Another event already uses that web address name") from error
    return result


def _apply(event: Event, fields: dict) -> EventUpdate:
    fields = {**fields, "slug": slug_for(fields["title"], fields.get("slug") or "", event.id)}
    capacity = fields["capacity"]
    if capacity is not None:
        confirmed = public_services.confirmed_count(event)
        if capacity < confirmed:
            raise CapacityBelowConfirmed(
                f"Places cannot be fewer than the {confirmed} people already confirmed"
            )
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
    capacity_raised = _raises_capacity(event.capacity, capacity)
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    schedule_changed = (
        event.is_published
        and not event.is_cancelled
        and any(name in SCHEDULE_FIELDS for name in changed)
    )
    for name in changed:
        setattr(event, name, fields[name])
    told = 0
    if schedule_changed:
        event.ics_sequence = (event.ics_sequence or 0) + 1
        told = messages.event_changed(event)
    if changed:
        record("event.updated", event, summary="Changed: " + ", ".join(changed))
    promoted = []
    if capacity_raised:
        # Same locked transaction as the new capacity: the line moves up in order.
        from engage.registrations.services import promote_waiting

        db.session.flush()
        promoted = promote_waiting(event)
    return EventUpdate(told, schedule_changed, capacity_raised, len(promoted))


def _raises_capacity(old: int | None, new: int | None) -> bool:
    if old is None:
        return False
    return new is None or new > old


def publish_event(event: Event) -> None:
    """Show the event on the public site."""
    if event.is_published:
        return
    event.is_published = True
    record("event.published", event, summary=event.title)
    db.session.commit()


def unpublish_event(event: Event) -> None:
    """Take the event off the public site (its registrations are kept)."""
    if not event.is_published:
        return
    event.is_published = False
    record("event.unpublished", event, summary=event.title)
    db.session.commit()


def cancel_event(event: Event, reason: str, now: dt.datetime | None = None) -> int:
    """Call the event off and tell its attendees by email; how many were told."""
    with transaction(lock=(Event, event.id)):
        if event.is_cancelled:
            raise EventAlreadyCancelled("This event is already cancelled", field="reason")
        event.cancelled_at = now or utcnow()
        event.cancellation_reason = reason
        told = messages.event_cancelled(event)
        # Calendars that subscribed to the public feed must see the change too.
        event.ics_sequence = messages.cancel_sequence(event)
        record("event.cancelled", event, summary=f"{event.title}: {reason}"[:500])
    return told
