"""What the attendee list reads: the event's counts and one page of the filtered registrations.

The page's cost must not grow with the rows shown: counts are GROUP BY
queries, each row's workshops come in one extra query for the whole page, and
waiting-list places in one query for the whole event.
"""

from __future__ import annotations

import dataclasses
import math

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engage.attendees.filters import AttendeeFilter
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations import services as registration_services
from engage.registrations.models import Registration, RegistrationStatus, registration_workshops

PER_PAGE = 50
CANCELLED = RegistrationStatus.CANCELLED
STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: "Confirmed",
    RegistrationStatus.WAITLISTED: "Waiting list",
    RegistrationStatus.CANCELLED: "Cancelled",
}


@dataclasses.dataclass(frozen=True)
class WorkshopCount:
    """One workshop's confirmed bookings, beside its places (None: no limit of its own)."""

    workshop: EventSession
    booked: int

    @property
    def places(self) -> int | None:
        """The workshop's own limit."""
        return self.workshop.capacity


@dataclasses.dataclass(frozen=True)
class Counts:
    """The numbers at the top of the list and on the event's page."""

    confirmed: int
    waitlisted: int
    cancelled: int
    checked_in: int
    capacity: int | None
    workshops: list[WorkshopCount]

    @property
    def total(self) -> int:
        """Every registration the event has had, cancelled ones included."""
        return self.confirmed + self.waitlisted + self.cancelled

    @property
    def places_left(self) -> int | None:
        """Places not yet confirmed (None when the event has no limit)."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)


def counts(event: Event) -> Counts:
    """The event's registrations counted by status, check-in and workshop, in two queries."""
    by_status = {status: (0, 0) for status in RegistrationStatus}
    query = (
        select(Registration.status, func.count(), func.count(Registration.checked_in_at))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    for status, number, checked_in in db.session.execute(query):
        by_status[status] = (number, checked_in)
    booked = _workshop_bookings(event.id)
    # Check-in is for people with places; a cancelled registration's old check-in is not counted.
    checked_in = sum(checked for status, (_, checked) in by_status.items() if status != CANCELLED)
    return Counts(
        confirmed=by_status[RegistrationStatus.CONFIRMED][0],
        waitlisted=by_status[RegistrationStatus.WAITLISTED][0],
        cancelled=by_status[RegistrationStatus.CANCELLED][0],
        checked_in=checked_in,
        capacity=event.capacity,
        workshops=[WorkshopCount(w, booked.get(w.id, 0)) for w in event.workshops],
    )


def _workshop_bookings(event_id: int) -> dict[int, int]:
    # Confirmed people only: those are the ones holding a workshop place.
    query = (
        select(registration_workshops.c.session_id, func.count())
        .join(Registration, Registration.id == registration_workshops.c.registration_id)
        .where(Registration.event_id == event_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(registration_workshops.c.session_id)
    )
    return {session_id: booked for session_id, booked in db.session.execute(query)}


@dataclasses.dataclass(frozen=True)
class AttendeePage:
    """One page of the filtered list, with what the template needs to show and link it."""

    items: list[Registration]
    matched: int  # how many registrations the filter picks, on every page
    page: int
    per_page: int
    positions: dict[int, int]  # registration id -> place in the waiting list

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one, so an empty list has a page)."""
        return max(math.ceil(self.matched / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages


def row_loads() -> tuple:
    """What is loaded with each page of rows, one query each, so no row lazy-loads its own."""
    return (selectinload(Registration.workshops), selectinload(Registration.checked_in_by))


def page_number(value: str | None) -> int:
    """A ?page= value as a page number; anything that is not a positive whole number is 1."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return max(number, 1)


def attendee_page(chosen: AttendeeFilter, page: int, per_page: int = PER_PAGE) -> AttendeePage:
    """The registrations the filter picks, one page of them; past the last page is the last."""
    found = matched(chosen)
    page = min(page, max(math.ceil(found / per_page), 1))
    rows = db.session.scalars(
        chosen.statement().options(*row_loads()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    positions = registration_services.waitlist_positions(chosen.event)
    return AttendeePage(list(rows), found, page, per_page, positions)


def matched(chosen: AttendeeFilter) -> int:
    """How many registrations the filter picks (count(*): an index can answer it alone)."""
    query = select(func.count()).select_from(Registration).where(*chosen.conditions())
    return db.session.scalar(query) or 0
