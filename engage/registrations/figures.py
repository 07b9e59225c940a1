"""An event's figures (how many came, from where, to which workshops), kept after the purge.

Each figure is a metric with counts by key, e.g. `status` -> {"confirmed": 212,
"waitlisted": 4, "cancelled": 9}. Every metric is one function registered with
`@aggregate("name")` that counts it from live data; the purge stores what they
all return in `event_aggregates` before the attendees go, and `event_figures()`
answers from live data while it is held and from the stored counts after.
Another feature adds a metric by registering a function of its own (the
organisations feature: `@aggregate("organisation_kind")`); `aggregate_keys()`
lists them. No figure may be about one person: counts only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engage.events.models import Event, SessionKind
from engage.extensions import db
from engage.registrations.models import (
    AttendeeCategory,
    EventAggregate,
    HistoryAction,
    Registration,
    RegistrationHistory,
    RegistrationStatus,
    WorkshopCheckIn,
    registration_workshops,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WORKSHOP = SessionKind.WORKSHOP
KEY_MAX = 200

Counts = dict[str, int]
_metrics: dict[str, Callable[[Event], Counts]] = {}


def aggregate(metric: str) -> Callable:
    """Register a function (event -> {key: count}) as a figure kept after the purge."""

    def register(function: Callable[[Event], Counts]) -> Callable[[Event], Counts]:
        _metrics[metric] = function
        return function

    return register


def aggregate_keys() -> list[str]:
    """The metrics registered so far, by name."""
    return sorted(_metrics)


@dataclasses.dataclass(frozen=True)
class Figures:
    """An event's figures; `kept` when they come from the counts stored at the purge."""

    kept: bool
    metrics: dict[str, Counts]

    def get(self, metric: str, key: str = "total") -> int:
        """One count, 0 if there is none."""
        return self.metrics.get(metric, {}).get(key, 0)


def live_figures(event: Event) -> dict[str, Counts]:
    """Every registered metric counted from the registrations held now."""
    return {metric: _metrics[metric](event) for metric in aggregate_keys()}


def kept_figures(event_id: int) -> dict[str, Counts]:
    """The counts stored for the event when its attendees were purged."""
    found: dict[str, Counts] = {}
    rows = db.session.scalars(select(EventAggregate).where(EventAggregate.event_id == event_id))
    for row in rows:
        found.setdefault(row.metric, {})[row.key] = row.value
    return found


def event_figures(event: Event) -> Figures:
    """The event's figures: from live data while held, from the stored counts after the purge."""
    if event.data_purged_at is not None:
        return Figures(kept=True, metrics=kept_figures(event.id))
    return Figures(kept=False, metrics=live_figures(event))


def store_aggregates(event: Event) -> int:
    """Store the event's live figures, once; how many rows were written (0 if already stored).

    The caller holds the event's lock; the unique constraint on (event, metric,
    key) refuses a second copy even if it did not.
    """
    stored = db.session.scalar(select(func.count()).where(EventAggregate.event_id == event.id))
    if stored:
        return 0
    rows = [
        EventAggregate(event_id=event.id, metric=metric, key=key[:KEY_MAX], value=value)
        for metric, counts in live_figures(event).items()
        for key, value in counts.items()
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


# --- the figures Engage keeps ----------------------------------------------------------


def _grouped(column, *conditions) -> Counts:
    query = select(column, func.count()).where(*conditions).group_by(column)
    return {str(getattr(key, "value", key)): n for key, n in db.session.execute(query)}


@aggregate("registrations")
def count_registrations(event: Event) -> Counts:
    """Everyone who ever booked, cancelled ones included."""
    total = db.session.scalar(select(func.count()).where(Registration.event_id == event.id))
    return {"total": total or 0}


@aggregate("status")
def count_by_status(event: Event) -> Counts:
    """Registrations by where they stand now (confirmed, waitlisted, cancelled)."""
    counts = _grouped(Registration.status, Registration.event_id == event.id)
    return {status.value: counts.get(status.value, 0) for status in RegistrationStatus}


@aggregate("attendance")
def count_attendance(event: Event) -> Counts:
    """Confirmed people checked in, and those who never were (no-shows)."""
    confirmed = (Registration.event_id == event.id, Registration.status == CONFIRMED)
    came = db.session.scalar(
        select(func.count()).where(*confirmed, Registration.checked_in_at.is_not(None))
    )
    total = db.session.scalar(select(func.count()).where(*confirmed))
    return {"checked_in": came or 0, "no_show": (total or 0) - (came or 0)}


@aggregate("category")
def count_by_category(event: Event) -> Counts:
    """Confirmed people by category (police officer, academic, ...)."""
    counts = _grouped(
        Registration.category, Registration.event_id == event.id, Registration.status == CONFIRMED
    )
    return {category.value: counts.get(category.value, 0) for category in AttendeeCategory}


@aggregate("organisation")
def count_by_organisation(event: Event) -> Counts:
    """Confirmed people by organisation as typed ("" for none given); a count, not a person."""
    counts: Counts = {}
    query = (
        select(func.trim(Registration.organisation), func.count())
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
        .group_by(func.trim(Registration.organisation))
    )
    for name, n in db.session.execute(query):
        key = (name or "")[:KEY_MAX]
        counts[key] = counts.get(key, 0) + n
    return counts


@aggregate("workshop")
def count_workshop_fill(event: Event) -> Counts:
    """Confirmed people booked on each workshop, by the workshop's id."""
    booked = _grouped(
        registration_workshops.c.session_id,
        registration_workshops.c.registration_id == Registration.id,
        Registration.event_id == event.id,
        Registration.status == CONFIRMED,
    )
    return {str(w.id): booked.get(str(w.id), 0) for w in event.sessions if w.kind == WORKSHOP}


@aggregate("workshop_attended")
def count_workshop_attendance(event: Event) -> Counts:
    """People checked in at each workshop room's door, by the workshop's id."""
    came = _grouped(
        WorkshopCheckIn.session_id,
        WorkshopCheckIn.registration_id == Registration.id,
        Registration.event_id == event.id,
    )
    return {str(w.id): came.get(str(w.id), 0) for w in event.sessions if w.kind == WORKSHOP}


@aggregate("registered_on")
def count_by_booking_day(event: Event) -> Counts:
    """Bookings made each day (in the event's zone, "2027-01-04"), for registrations over time."""
    zone = ZoneInfo(event.timezone)
    days: Counts = {}
    query = select(Registration.created_at).where(Registration.event_id == event.id)
    for (created,) in db.session.execute(query):
        day = created.astimezone(zone).date().isoformat()
        days[day] = days.get(day, 0) + 1
    return days


@aggregate("waiting_list")
def count_waiting_list_peak(event: Event) -> Counts:
    """The longest the waiting list ever was, replayed from the registrations' history."""
    query = (
        select(RegistrationHistory.registration_id, RegistrationHistory.action)
        .join(Registration, Registration.id == RegistrationHistory.registration_id)
        .where(
            Registration.event_id == event.id,
            RegistrationHistory.action.in_(
                (HistoryAction.WAITLISTED, HistoryAction.PROMOTED, HistoryAction.CANCELLED)
            ),
        )
        .order_by(RegistrationHistory.at, RegistrationHistory.id)
    )
    waiting: set[int] = set()
    peak = 0
    for registration_id, action in db.session.execute(query):
        if action == HistoryAction.WAITLISTED:
            waiting.add(registration_id)
            peak = max(peak, len(waiting))
        else:
            waiting.discard(registration_id)
    return {"peak": peak}
