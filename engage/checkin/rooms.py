"""Workshop rooms: checking people in at a workshop room's door, with the room's count.

A room check-in is a row in workshop_checkins, unique per person and room: it
is inserted inside a savepoint, and a unique violation means another door was
first (nothing is written, and the answer says who and when). Someone not yet
checked in at the event desk is checked in there too, in the same transaction:
one action at the door. Someone not booked on the workshop is told which
workshops they are booked on; with a second confirmation they are booked on it
(a place permitting, or knowingly over its places) and let in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from engage.attendees.services import BY_ORGANISER
from engage.audit.services import record
from engage.checkin.services import (
    LOCK_ATTEMPTS,
    CheckInRefused,
    UnknownCode,
    _log,
    _ready,
    by_code,
    check_in_locked,
    totals,
)
from engage.db import retrying, utcnow
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations import services as registrations
from engage.registrations.models import (
    CheckInAction,
    CheckInSource,
    HistoryAction,
    Registration,
    WorkshopCheckIn,
)
from engage.timefmt import clock_time

ROOM = CheckInSource.ROOM


def room_label(workshop: EventSession) -> str:
    """The workshop and its room, as the log's note and the page name them (no personal data)."""
    return f"{workshop.title} ({workshop.room})" if workshop.room else workshop.title


class NotBooked(CheckInRefused):
    """Not booked on this workshop: says what they are booked on; the offer books them on it."""

    offer = "add_to_workshop"

    def __init__(self, registration: Registration, workshop: EventSession):
        tz = registration.event.timezone
        booked = "; ".join(
            f"{w.title} ({clock_time(w.starts_at, tz)}{', ' + w.room if w.room else ''})"
            for w in registration.workshops
        )
        super().__init__(
            f"{registration.full_name} is not booked on {workshop.title}. "
            f"Booked on: {booked or 'no workshops'}. If they should stay, you can book them "
            "on it and let them in.",
            registration,
        )


class RoomFull(CheckInRefused):
    """Every place in the workshop is booked: only knowingly over its places."""

    offer = "over_places"

    def __init__(self, registration: Registration, workshop: EventSession):
        super().__init__(
            f"All {workshop.capacity} places in {workshop.title} are booked. "
            "They can only come in over its places.",
            registration,
        )


@dataclasses.dataclass
class RoomResult:
    """What happened at the door: `already` when they were in the room before (or not, to undo)."""

    registration: Registration
    workshop: EventSession
    already: bool
    by: object | None
    at: dt.datetime | None
    checked_in_at_event: bool = False  # checked in at the event too, by this action
    given_place: bool = False
    added_to_workshop: bool = False
    undone: bool = False


@dataclasses.dataclass(frozen=True)
class RoomTotals:
    """How many are in the room, of its places (None when unlimited) and of those booked."""

    in_room: int
    places: int | None
    booked: int


def room_totals(workshop: EventSession) -> RoomTotals:
    """The room's count against its places."""
    in_room = db.session.scalar(
        select(func.count(WorkshopCheckIn.id)).where(WorkshopCheckIn.session_id == workshop.id)
    )
    return RoomTotals(
        in_room=in_room or 0,
        places=workshop.capacity,
        booked=totals(workshop.event, workshop).expected,
    )


def in_room(workshop: EventSession, registration_ids: list[int]) -> dict[int, WorkshopCheckIn]:
    """Registration id -> their check-in to this room, for those of the ids who are in it."""
    if not registration_ids:
        return {}
    rows = db.session.scalars(
        select(WorkshopCheckIn).where(
            WorkshopCheckIn.session_id == workshop.id,
            WorkshopCheckIn.registration_id.in_(registration_ids),
        )
    )
    return {row.registration_id: row for row in rows}


def check_in_to_room(
    event: Event,
    workshop: EventSession,
    *,
    code: str | None = None,
    registration_id: int | None = None,
    by,
    anyway: bool = False,
    over_capacity: bool = False,
    add_to_workshop: bool = False,
    over_places: bool = False,
    now: dt.datetime | None = None,
) -> RoomResult:
    """Check one person into the workshop's room (and the event, if not yet); idempotent.

    Refusals: as check_in for the event (`anyway`, `over_capacity`), then
    NotBooked unless `add_to_workshop`, and RoomFull unless `over_places` when
    booking them on it would take more than its places.
    """
    now = now or utcnow()
    if code is not None:
        registration_id = by_code(event, code, by).id
    event_id, workshop_id, by_id = event.id, workshop.id, by.id

    def work():
        found = db.session.get(Registration, registration_id, populate_existing=True)
        if found is None or found.event_id != event_id:
            raise UnknownCode()
        room = db.session.get(EventSession, workshop_id)
        given_place = _ready(found, anyway=anyway, over_capacity=over_capacity, now=now)
        added = False
        if room not in found.workshops:
            if not add_to_workshop:
                raise NotBooked(found, room)
            _book_on(found, room, over_places=over_places, now=now)
            added = True
        at_event = found.checked_in_at is None
        if at_event:
            note = f"at the door of {room_label(room)}"
            check_in_locked(found, by_id, ROOM, now, given_place=given_place, note=note)
        return _into_room(found, room, by_id, now, at_event, given_place, added)

    # Booking a place (at the event or in the workshop) counts places: the event's lock.
    lock = (Event, event_id) if anyway or add_to_workshop else None
    return retrying(work, lock=lock, attempts=LOCK_ATTEMPTS)


def _book_on(registration: Registration, workshop: EventSession, *, over_places, now) -> None:
    """Book them on the workshop at its door, in place of any workshop at the same time."""
    over = registrations.workshop_places_left(registration.event).get(workshop.id) == 0
    if over and not over_places:
        raise RoomFull(registration, workshop)
    clashing = [
        w
        for w in registration.workshops
        if w.starts_at < workshop.ends_at and workshop.starts_at < w.ends_at
    ]
    for other in clashing:
        registration.workshops.remove(other)
    registration.workshops.append(workshop)
    notes = [f"booked on {workshop.title} {BY_ORGANISER} at its door"]
    notes += [f"in place of {w.title}" for w in clashing]
    if over:
        notes.append("over its places")
    registrations.record_history(registration, HistoryAction.CHANGED, now, "; ".join(notes))
    summary = f"Registration {registration.id} booked on workshop {workshop.id} at its door"
    record("checkin.room_booked", registration, summary + (", over its places" if over else ""))
    db.session.flush()


def _into_room(registration, room, by_id, now, at_event, given_place, added) -> RoomResult:
    """The insert that can succeed once; its log row and audit entry only when it did."""
    entry = WorkshopCheckIn(
        registration_id=registration.id, session_id=room.id, at=now, by_user_id=by_id
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
        inserted = True
    except IntegrityError:
        inserted = False  # another door was first: rolled back to the savepoint, nothing written
    if inserted:
        _log(registration, CheckInAction.CHECKED_IN, by_id, ROOM, now, room_label(room))
        summary = f"Registration {registration.id} checked in to workshop {room.id}"
        record("checkin.room_checked_in", registration, summary)
        first = entry
    else:  # who was first, and when
        first = db.session.scalar(
            select(WorkshopCheckIn).where(
                WorkshopCheckIn.registration_id == registration.id,
                WorkshopCheckIn.session_id == room.id,
            )
        )
    return RoomResult(
        registration=registration,
        workshop=room,
        already=not inserted,
        by=first.by_user if first else None,
        at=first.at if first else None,
        checked_in_at_event=at_event,
        given_place=given_place,
        added_to_workshop=added,
    )


def undo_room_check_in(
    event: Event,
    workshop: EventSession,
    *,
    registration_id: int,
    by,
    now: dt.datetime | None = None,
) -> RoomResult:
    """Undo a room check-in made by mistake (their event check-in stays); idempotent."""
    now = now or utcnow()
    event_id, workshop_id, by_id = event.id, workshop.id, by.id

    def work():
        found = db.session.get(Registration, registration_id, populate_existing=True)
        if found is None or found.event_id != event_id:
            raise UnknownCode()
        room = db.session.get(EventSession, workshop_id)
        removed = db.session.execute(
            delete(WorkshopCheckIn)
            .where(
                WorkshopCheckIn.registration_id == found.id,
                WorkshopCheckIn.session_id == room.id,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if removed:
            _log(found, CheckInAction.UNDONE, by_id, ROOM, now, room_label(room))
            summary = f"Registration {found.id}: check-in to workshop {room.id} undone"
            record("checkin.room_undone", found, summary)
        db.session.expire(found, ["room_checkins"])
        return RoomResult(found, room, already=not removed, by=None, at=None, undone=True)

    return retrying(work, attempts=LOCK_ATTEMPTS)
