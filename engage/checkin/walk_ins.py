"""Walk-ins: someone who turned up unregistered, registered at the desk and checked in at once."""

from __future__ import annotations

import dataclasses

from sqlalchemy.exc import IntegrityError

from engage.audit.services import record
from engage.checkin.services import (
    LOCK_ATTEMPTS,
    CheckInResult,
    EventCancelled,
    NoPlaceFree,
    check_in_locked,
)
from engage.db import retrying, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.organisations.services import find_by_name
from engage.registrations import services as registrations
from engage.registrations.models import AttendeeCategory, CheckInSource, HistoryAction
from engage.registrations.services import RegistrationData


@dataclasses.dataclass
class WalkIn:
    """Someone registered at the desk: the short form."""

    first_name: str
    last_name: str
    email: str
    organisation: str
    category: AttendeeCategory
    privacy_accepted: bool


def register_walk_in(
    event: Event, walk_in: WalkIn, *, by, over_capacity: bool = False, now=None
) -> CheckInResult:
    """Register someone at the desk by the organiser's rules, and check them in at once.

    When no place is free they come in only `over_capacity` (NoPlaceFree
    otherwise): they are standing there, so never onto the waiting list. They
    are emailed their confirmation only if they gave an address.
    AlreadyRegistered when the address is registered already.
    """
    now = now or utcnow()
    event_id, by_id = event.id, by.id
    # The desk types the name (no list to scroll there): a listed one is recorded as listed.
    listed = find_by_name(walk_in.organisation)
    listed = listed if listed is not None and listed.is_active else None
    data = RegistrationData(
        first_name=walk_in.first_name,
        last_name=walk_in.last_name,
        email=walk_in.email or "",
        organisation=listed.name if listed else walk_in.organisation,
        organisation_id=listed.id if listed else None,
        job_title="",
        category=AttendeeCategory(walk_in.category),
        privacy_accepted=walk_in.privacy_accepted,
    )

    def work():
        locked = db.session.get(Event, event_id, populate_existing=True)
        if locked.is_cancelled:
            raise EventCancelled()
        over = not registrations.has_place(locked)
        if over and not over_capacity:
            raise NoPlaceFree(locked)
        result = registrations.register_locked(
            locked,
            data,
            now=now,
            by_organiser=True,
            notify=bool(data.email),
            over_capacity=over_capacity,
        )
        registration = result.registration
        registered = next(h for h in registration.history if h.action == HistoryAction.REGISTERED)
        registered.note = "walk-in, registered at the desk" + (", over capacity" if over else "")
        summary = f"Registration {registration.id} registered at the desk (walk-in)"
        record("checkin.walk_in", registration, summary + (", over capacity" if over else ""))
        db.session.flush()
        return check_in_locked(registration, by_id, CheckInSource.DESK, now, note="walk-in")

    try:
        return retrying(work, lock=(Event, event_id), attempts=LOCK_ATTEMPTS)
    except IntegrityError:
        # As add-by-hand: once more, and the check sees the booking that won.
        return retrying(work, lock=(Event, event_id), attempts=LOCK_ATTEMPTS)
