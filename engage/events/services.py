"""Reading events as a visitor sees them, and whether one can be booked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from engage.db import utcnow
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


def availability(event: Event, taken: int, now: dt.datetime | None = None) -> Availability:
    """Where booking stands for an event with `taken` confirmed places."""
    now = now or utcnow()
    places_left = None if event.capacity is None else max(event.capacity - taken, 0)
    if event.is_cancelled:
        return Availability(BookingState.CANCELLED, places_left)
    if event.starts_at <= now:
        return Availability(BookingState.PAST, places_left)
    if event.registration_opens_at and now < event.registration_opens_at:
        return Availability(BookingState.NOT_YET_OPEN, places_left, event.registration_opens_at)
    if event.registration_closes_at and now >= event.registration_closes_at:
        return Availability(BookingState.CLOSED, places_left)
    if places_left == 0:
        state = BookingState.WAITING_LIST if event.waitlist_enabled else BookingState.FULLY_BOOKED
        return Availability(state, 0)
    return Availability(BookingState.OPEN, places_left)


def confirmed_count(event: Event) -> int:
    """How many of the event's places are taken by confirmed registrations."""
    from engage.registrations.services import count_confirmed

    return count_confirmed(event)
