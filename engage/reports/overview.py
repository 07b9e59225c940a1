"""Reach across events: events per year, attendees, organisations, returning people, scores.

Each event's counts come from event_figures (kept after its purge) and its
survey's results. Returning attendees need addresses, so they are counted
only over events whose attendees are still held; the page says how many
events that leaves out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from engage.db import utcnow
from engage.events.access import managed_events
from engage.events.models import Event
from engage.extensions import db
from engage.feedback.results import Results
from engage.registrations.figures import event_figures
from engage.registrations.models import Registration, RegistrationStatus
from engage.reports.figures import feedback_results
from engage.timefmt import local


@dataclasses.dataclass(frozen=True)
class EventRow:
    """One held event's line in the overview."""

    event: Event
    year: int
    confirmed: int
    checked_in: int
    organisations: frozenset[str]
    rating_sum: float
    ratings: int
    kept: bool

    @property
    def average(self) -> float | None:
        """The event's mean rating over every rating question; None if nobody rated."""
        return self.rating_sum / self.ratings if self.ratings else None


@dataclasses.dataclass(frozen=True)
class Overview:
    """The figures for the chosen year (or every year), with the years to choose from."""

    year: int | None
    years: list[int]
    per_year: list[tuple[int, int, int]]  # (year, events held, people checked in), every year
    rows: list[EventRow]
    returning: int | None  # None: no event in the choice still holds its attendees
    purged: int  # events in the choice whose attendees are gone

    @property
    def year_rows(self) -> list[tuple[str, int]]:
        """(year, events held) for the chart, every year."""
        return [(str(year), events) for year, events, _ in self.per_year]

    @property
    def attendee_rows(self) -> list[tuple[str, int]]:
        """(event, people checked in) for the chart, the chosen events."""
        return [(row.event.title, row.checked_in) for row in self.rows]

    @property
    def confirmed(self) -> int:
        """Confirmed places over the chosen events."""
        return sum(row.confirmed for row in self.rows)

    @property
    def checked_in(self) -> int:
        """People checked in over the chosen events."""
        return sum(row.checked_in for row in self.rows)

    @property
    def attendance_rate(self) -> float | None:
        """Checked in of confirmed over the chosen events."""
        return self.checked_in / self.confirmed if self.confirmed else None

    @property
    def organisations(self) -> int:
        """Distinct organisations reached (names compared ignoring case and spaces)."""
        return len(frozenset().union(*(row.organisations for row in self.rows)))

    @property
    def average(self) -> float | None:
        """The mean of every rating given over the chosen events."""
        ratings = sum(row.ratings for row in self.rows)
        return sum(row.rating_sum for row in self.rows) / ratings if ratings else None


def same_name(name: str) -> str:
    """An organisation's name as compared across events: trimmed, spaces squeezed, any case."""
    return " ".join(name.split()).casefold()


def _rated(found: Results | None) -> tuple[float, int]:
    """(sum of ratings, how many) over the survey's rating questions."""
    if found is None:
        return 0.0, 0
    total = count = 0
    for result in found.questions:
        if result.ratings is not None:
            total += sum(score * n for score, n in result.ratings.counts.items())
            count += result.ratings.total
    return float(total), count


def event_row(event: Event) -> EventRow:
    """One event's counts for the overview."""
    figures = event_figures(event)
    names = figures.metrics.get("organisation", {})
    rating_sum, ratings = _rated(feedback_results(event))
    return EventRow(
        event=event,
        year=local(event.starts_at, event.timezone).year,
        confirmed=figures.get("status", "confirmed"),
        checked_in=figures.get("attendance", "checked_in"),
        organisations=frozenset(same_name(n) for n, count in names.items() if count and n.strip()),
        rating_sum=rating_sum,
        ratings=ratings,
        kept=figures.kept,
    )


def held_events(user, now: dt.datetime | None = None) -> list[Event]:
    """The events the user may see that have ended and were not cancelled, oldest first."""
    query = managed_events(user).where(
        Event.ends_at <= (now or utcnow()), Event.cancelled_at.is_(None)
    )
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def returning_attendees(events: list[Event]) -> int:
    """People (by address, any case) confirmed at two or more of these events."""
    if len(events) < 2:
        return 0
    address = func.lower(Registration.email)
    query = (
        select(address)
        .where(
            Registration.event_id.in_([event.id for event in events]),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.email != "",
        )
        .group_by(address)
        .having(func.count(func.distinct(Registration.event_id)) >= 2)
    )
    return len(list(db.session.scalars(query)))


def overview(user, year: int | None = None, now: dt.datetime | None = None) -> Overview:
    """Reach over the user's held events, for one year or all."""
    every = [event_row(event) for event in held_events(user, now)]
    years = sorted({row.year for row in every})
    per_year = [
        (y, sum(1 for r in every if r.year == y), sum(r.checked_in for r in every if r.year == y))
        for y in years
    ]
    rows = [row for row in every if year is None or row.year == year]
    held = [row.event for row in rows if not row.kept]
    return Overview(
        year=year,
        years=years,
        per_year=per_year,
        rows=rows,
        returning=returning_attendees(held) if held else None,
        purged=len(rows) - len(held),
    )
