"""Checking people in at the desk: one idempotent function, its refusals named, and walk-ins.

As pretix's base/services/checkin.py does, a check-in is one function that
either checks the person in or says why not. It is a conditional UPDATE
(... WHERE checked_in_at IS NULL) in one transaction, so two staff scanning the
same person at the same moment record one check-in: the second is told who
was first, and when. A log row (checkins) and an audit entry are written only
when the UPDATE changed the row, so the log holds each real change once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from engage.attendees.filters import ALL, AttendeeFilter
from engage.attendees.services import BY_ORGANISER
from engage.audit.services import record
from engage.db import retrying, utcnow
from engage.events.access import can_manage_event
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations import services as registrations
from engage.registrations.models import (
    CheckIn,
    CheckInAction,
    CheckInSource,
    HistoryAction,
    Registration,
    RegistrationStatus,
    registration_workshops,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
LOCK_ATTEMPTS = 2
AT_THE_DESK = "checked in at the desk"
SEARCH_LIMIT = 25
# A check-in code as the QR code carries it: 32 hex digits, alone (typed, or a
# scanner reading an old QR code) or at the end of the check-in link (/c/<code>).
_CODE = re.compile(r"^(?:\S*/c/)?([0-9a-f]{32})/?$", re.IGNORECASE)


# --- refusals --------------------------------------------------------------------


class CheckInRefused(Exception):
    """The person cannot be checked in as things stand; `message` says why, for staff.

    `registration` is who the code or button named, when known; `offer` names a
    second confirmation that would go ahead: "anyway" (give them a place) or
    "over_capacity" (give one though none is free).
    """

    message = "They cannot be checked in."
    offer: str | None = None

    def __init__(self, message: str | None = None, registration: Registration | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
        self.registration = registration


class UnknownCode(CheckInRefused):
    message = "No one is registered with this check-in code. Search for them by name instead."


class OtherEvent(CheckInRefused):
    """The code is another event's: named when the staff member may know of it, else not."""

    def __init__(self, title: str | None):
        where = f"“{title}”" if title else "another event"
        super().__init__(f"This check-in code is for {where}, not this one.")
        self.title = title


class EventCancelled(CheckInRefused):
    message = "This event is cancelled: no one can be checked in."


class Cancelled(CheckInRefused):
    offer = "anyway"

    def __init__(self, registration: Registration):
        super().__init__(
            f"{registration.full_name} cancelled their registration. If they are here and "
            "should stay, you can give them a place and check them in.",
            registration,
        )


class Waitlisted(CheckInRefused):
    offer = "anyway"

    def __init__(self, registration: Registration, position: int | None):
        line = f" (number {position} in line)" if position else ""
        super().__init__(
            f"{registration.full_name} is on the waiting list{line} and has no place. "
            "If they are here and should stay, you can give them a place and check them in.",
            registration,
        )


class NoPlaceFree(CheckInRefused):
    offer = "over_capacity"

    def __init__(self, event: Event, registration: Registration | None = None):
        super().__init__(
            f"All {event.capacity} places are taken. They can only come in over capacity.",
            registration,
        )


class RegisteredAgain(CheckInRefused):
    """A cancelled registration whose address holds a newer, active one: check that one in."""

    def __init__(self, registration: Registration, other: Registration):
        super().__init__(
            f"{registration.full_name} cancelled this registration but registered again: "
            "check in their other registration.",
            other,
        )


# --- results ---------------------------------------------------------------------


@dataclasses.dataclass
class CheckInResult:
    """What happened: `already` when nothing changed (checked in before, or not checked in to undo).

    `by` and `at` say who checked them in and when, this time or the first time.
    `given_place` when they had no place and were given one at the desk.
    """

    registration: Registration
    already: bool
    by: object | None
    at: dt.datetime | None
    given_place: bool = False
    undone: bool = False


@dataclasses.dataclass(frozen=True)
class Totals:
    """How many of those expected are checked in (confirmed places, or one workshop's)."""

    checked_in: int
    expected: int
    places: int | None


def code_in(text: str) -> str | None:
    """The check-in code in what was typed or scanned (a bare code, or the QR link), or None."""
    match = _CODE.match((text or "").strip())
    return match[1].lower() if match else None


# --- reading ---------------------------------------------------------------------


def totals(event: Event, workshop: EventSession | None = None) -> Totals:
    """Checked in, of the confirmed places (and of one workshop's, when given).

    count(*), not count(id): PostgreSQL then counts from the index on (event,
    status, check-in time) alone, without reading the table's rows.
    """
    query = select(func.count(), func.count(Registration.checked_in_at)).where(
        Registration.event_id == event.id, Registration.status == CONFIRMED
    )
    places = event.capacity
    if workshop is not None:
        query = query.join(
            registration_workshops, registration_workshops.c.registration_id == Registration.id
        ).where(registration_workshops.c.session_id == workshop.id)
        places = workshop.capacity
    expected, checked_in = db.session.execute(query).one()
    return Totals(checked_in=checked_in, expected=expected, places=places)


def search(
    event: Event, text: str, workshop: EventSession | None = None
) -> tuple[list[Registration], int]:
    """People whose name, email or organisation holds the text; the first few and how many in all.

    Cancelled people are found too: they may turn up, and the desk should say so.
    """
    where = AttendeeFilter(
        event=event, q=text, status=ALL, workshop=workshop.id if workshop else None
    ).conditions()
    found = db.session.scalar(select(func.count(Registration.id)).where(*where)) or 0
    query = (
        select(Registration)
        .where(*where)
        .options(selectinload(Registration.workshops), selectinload(Registration.checked_in_by))
        .order_by(Registration.status, Registration.last_name, Registration.first_name)
        .limit(SEARCH_LIMIT)
    )
    return list(db.session.scalars(query)), found


def by_code(event: Event, code: str, user) -> Registration:
    """The event's registration with this check-in code; UnknownCode or OtherEvent otherwise."""
    registration = db.session.scalar(select(Registration).where(Registration.checkin_code == code))
    if registration is None:
        raise UnknownCode()
    if registration.event_id != event.id:
        other = registration.event
        # Named to those who may know of it: its organisers, or anyone once it is public.
        known = other.is_published or can_manage_event(user, other)
        raise OtherEvent(other.title if known else None)
    return registration


def registration_for_code(code: str) -> Registration | None:
    """Whoever holds this check-in code, at any event (the QR code's link names no event)."""
    if code_in(code) != code:
        return None
    return db.session.scalar(select(Registration).where(Registration.checkin_code == code))


# --- checking in and undoing -------------------------------------------------------


def check_in(
    event: Event,
    *,
    code: str | None = None,
    registration_id: int | None = None,
    by,
    source: CheckInSource,
    anyway: bool = False,
    over_capacity: bool = False,
    now: dt.datetime | None = None,
) -> CheckInResult:
    """Check one person in, by their code or their registration's id; idempotent.

    Refusals: UnknownCode, OtherEvent, EventCancelled, Cancelled and Waitlisted
    (with `anyway` they are given a place, under the event's lock, if one is
    free: NoPlaceFree otherwise, unless `over_capacity` too), RegisteredAgain.
    Someone checked in already is not checked in again: the result says who was
    first, and when.
    """
    now = now or utcnow()
    if code is not None:
        registration_id = by_code(event, code, by).id
    event_id, by_id = event.id, by.id

    def work():
        found = db.session.get(Registration, registration_id, populate_existing=True)
        if found is None or found.event_id != event_id:
            raise UnknownCode()
        given_place = _ready(found, anyway=anyway, over_capacity=over_capacity, now=now)
        return check_in_locked(found, by_id, source, now, given_place=given_place)

    # Only giving a place needs the event's lock (places are counted); a check-in
    # alone is one conditional UPDATE of one row, safe without it.
    lock = (Event, event_id) if anyway else None
    return retrying(work, lock=lock, attempts=LOCK_ATTEMPTS)


def _ready(registration: Registration, *, anyway: bool, over_capacity: bool, now) -> bool:
    """Refuse unless they may be checked in; with `anyway`, give them a place. Whether given."""
    if registration.event.is_cancelled:
        raise EventCancelled(registration=registration)
    if registration.status == CONFIRMED:
        return False
    if not anyway:
        if registration.status == WAITLISTED:
            raise Waitlisted(registration, registrations.waitlist_position(registration))
        raise Cancelled(registration)
    _give_place(registration, over_capacity=over_capacity, now=now)
    return True


def why_not(registration: Registration) -> CheckInRefused | None:
    """Why the person could not be checked in without a second confirmation; None if they could.

    Reads only: for showing the refusal before anyone presses a button.
    """
    try:
        _ready(registration, anyway=False, over_capacity=False, now=None)
    except CheckInRefused as refused:
        return refused
    return None


def _give_place(registration: Registration, *, over_capacity: bool, now: dt.datetime) -> None:
    """Confirm someone waitlisted or cancelled who is at the desk; the caller holds the event lock.

    As a promotion does, a chosen workshop that is full by now is left out, and
    the history says so. No email: they are standing there.
    """
    event = registration.event
    if registration.status == CANCELLED:
        other = registrations.active_registration(event.id, registration.email)
        if other is not None:
            raise RegisteredAgain(registration, other)
    over = not registrations.has_place(event)
    if over and not over_capacity:
        raise NoPlaceFree(event, registration)
    places = registrations.workshop_places_left(event)
    dropped = [w for w in registration.workshops if places.get(w.id) == 0]
    for workshop in dropped:
        registration.workshops.remove(workshop)
    was = registration.status
    registration.status = CONFIRMED
    registration.confirmed_at = now
    notes = [f"given a place {BY_ORGANISER}: {AT_THE_DESK}"]
    if over:
        notes.append("over capacity")
    notes += [f"left out full workshop: {w.title}" for w in dropped]
    action = HistoryAction.PROMOTED if was == WAITLISTED else HistoryAction.CHANGED
    registrations.record_history(registration, action, now, "; ".join(notes))
    summary = f"Registration {registration.id} ({was.value}) given a place at the desk"
    record("checkin.place_given", registration, summary + (", over capacity" if over else ""))
    db.session.flush()


def check_in_locked(
    registration: Registration, by_id: int, source, now: dt.datetime, *, given_place=False, note=""
) -> CheckInResult:
    """The conditional UPDATE, and its log row and audit entry only if it changed the row.

    For a caller inside transaction() (check_in, or a walk-in's registration).
    """
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=by_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        if given_place:
            note = note or "given a place at the desk"
        _log(registration, CheckInAction.CHECKED_IN, by_id, source, now, note)
        record("checkin.checked_in", registration, f"Registration {registration.id} checked in")
    # Read afresh: when another desk was first, this shows who and when.
    db.session.refresh(registration)
    return CheckInResult(
        registration=registration,
        already=not changed,
        by=registration.checked_in_by,
        at=registration.checked_in_at,
        given_place=given_place,
    )


def undo_check_in(
    event: Event,
    *,
    registration_id: int,
    by,
    source: CheckInSource,
    now: dt.datetime | None = None,
) -> CheckInResult:
    """Undo a check-in made by mistake; idempotent (`already` when they were not checked in)."""
    now = now or utcnow()
    event_id, by_id = event.id, by.id

    def work():
        found = db.session.get(Registration, registration_id, populate_existing=True)
        if found is None or found.event_id != event_id:
            raise UnknownCode()
        changed = db.session.execute(
            update(Registration)
            .where(Registration.id == found.id, Registration.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_by_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            _log(found, CheckInAction.UNDONE, by_id, source, now)
            record("checkin.undone", found, f"Registration {found.id}: check-in undone")
        db.session.refresh(found)
        return CheckInResult(found, already=not changed, by=None, at=None, undone=True)

    return retrying(work, attempts=LOCK_ATTEMPTS)


def _log(registration, action, by_id, source, now, note: str = "") -> None:
    db.session.add(
        CheckIn(
            registration_id=registration.id,
            action=action,
            by_user_id=by_id,
            at=now,
            source=CheckInSource(source),
            note=note[:200],
        )
    )
