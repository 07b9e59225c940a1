"""Which sessions an attendee attended, and the hours of continuing professional development.

Pure functions over loaded objects, so a test can give them a programme.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from engage.events.models import Event, EventSession, SessionKind
from engage.registrations.models import Registration

QUARTER_HOUR = 15  # minutes


def attended_sessions(registration: Registration) -> list[EventSession]:
    """The plenaries, and the workshops they were checked in to at the door (else those booked)."""
    event = registration.event
    checked_into = {c.session_id for c in registration.room_checkins}
    if checked_into:
        workshops = [s for s in event.workshops if s.id in checked_into]
    else:
        booked = {w.id for w in registration.workshops}
        workshops = [s for s in event.workshops if s.id in booked]
    plenaries = [s for s in event.sessions if s.kind == SessionKind.PLENARY]
    return sorted([*plenaries, *workshops], key=lambda s: (s.starts_at, s.position, s.id))


def cpd_minutes(event: Event, attended: Iterable[EventSession]) -> int:
    """Minutes of CPD, rounded down to the quarter hour.

    The attended sessions' time (breaks never count; overlapping sessions count
    once); with no programme at all, the event's own length.
    """
    if not event.sessions:
        spans = [(event.starts_at, event.ends_at)]
    else:
        spans = [(s.starts_at, s.ends_at) for s in attended if s.kind != SessionKind.BREAK]
    total = dt.timedelta()
    covered_until = None
    for start, end in sorted(spans):
        if covered_until is not None:
            start = max(start, covered_until)
        if end > start:
            total += end - start
        covered_until = end if covered_until is None else max(covered_until, end)
    minutes = int(total.total_seconds() // 60)
    return minutes - minutes % QUARTER_HOUR


def hours_text(minutes: int) -> str:
    """Quarter hours as a certificate says them: '5.75 hours', '6 hours', '1 hour'."""
    hours = minutes / 60
    number = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{number} hour" if number == "1" else f"{number} hours"
