"""Reading events as a visitor sees them, and whether one can be booked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from urllib.parse import urlencode

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from engage.db import utcnow
from engage.events import signals
from engage.events.models import Event
from engage.extensions import db


class EventNotFound(LookupError):
    """No published event has that slug."""


def _published() -> Select[tuple[Event]]:
    return select(Event).where(Event.is_published.is_(True))


def upcoming(now: dt.datetime | None = None, limit: int | None = None) -> list[Event]:
    """Published events that have not ended, soonest first."""
    query = (
        _published()
        .where(Event.ends_at >= (now or utcnow()))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def past(now: dt.datetime | None = None) -> list[Event]:
    """Published events that have ended, latest first."""
    query = (
        _published()
        .where(Event.ends_at < (now or utcnow()))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    return list(db.session.scalars(query))


def map_url(event: Event) -> str | None:
    """An OpenStreetMap search for the venue's address (or name); None online or if unknown.

    A plain link the visitor follows: the page itself loads nothing from the map site.
    """
    where = event.venue_address or event.venue_name
    if event.is_online or not where:
        return None
    return "https://www.openstreetmap.org/search?" + urlencode({"query": " ".join(where.split())})


def get_published(slug: str) -> Event:
    """The published event with this slug, with its programme, or EventNotFound."""
    query = _published().where(Event.slug == slug).options(selectinload(Event.sessions))
    event = db.session.scalar(query)
    if event is None:
        raise EventNotFound(slug)
    return event


class BookingState(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    WAITING_LIST = "waiting_list"
    FULLY_BOOKED = "fully_booked"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    PAST = "past"


@dataclasses.dataclass(frozen=True)
class Availability:
    """What a visitor can do about an event right now."""

    state: BookingState
    places_left: int | None  # None when the event has no limit
    opens_at: dt.datetime | None = None

    @property
    def can_register(self) -> bool:
        """Whether the form takes a booking (a place or the waiting list)."""
        return self.state in (BookingState.OPEN, BookingState.WAITING_LIST)


def availability(
    event: Event, taken: int | None = None, now: dt.datetime | None = None
) -> Availability:
    """Where booking stands for an event with `taken` confirmed places (counted if not given)."""
    if taken is None:
        taken = places_taken(event)
    places_left = None if event.capacity is None else max(event.capacity - taken, 0)
    if closed := booking_closed(event, now):
        opens_at = event.registration_opens_at if closed == BookingState.NOT_YET_OPEN else None
        return Availability(closed, places_left, opens_at)
    if places_left == 0:
        state = BookingState.WAITING_LIST if event.waitlist_enabled else BookingState.FULLY_BOOKED
        return Availability(state, 0)
    return Availability(BookingState.OPEN, places_left)


def places_taken(event: Event) -> int:
    """How many of the event's places are taken (the registrations feature counts them)."""
    return signals.total(signals.places_taken, event)


def booking_closed(event: Event, now: dt.datetime | None = None) -> BookingState | None:
    """Why the event takes no bookings at `now` (cancelled, past, not yet open, closed), or None.

    The one rule for "is booking open", read by the event page, the form and the service.
    """
    now = now or utcnow()
    if not event.is_published:
        return BookingState.CLOSED
    if event.is_cancelled:
        return BookingState.CANCELLED
    if event.starts_at <= now:
        return BookingState.PAST
    if event.registration_opens_at and now < event.registration_opens_at:
        return BookingState.NOT_YET_OPEN
    if event.registration_closes_at and now >= event.registration_closes_at:
        return BookingState.CLOSED
    return None
