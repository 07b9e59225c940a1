"""What the registrations feature does when an event changes: the receivers of its signals.

Each receiver runs inside the events feature's transaction (holding the
event's lock where the sender took it), so the emails it queues and the
places it moves commit or roll back with the change itself.

A change of date, time or venue, and a cancellation, go to everyone booked:
thousands of people, so the receiver only records a mailing with its
recipients frozen (engage.mail.mailings) and the mail worker writes each
person's email later with the writers below. A workshop change reaches the
few booked on it and is still written here, in the organiser's request.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from engage.events import signals
from engage.events.manage_services import CapacityBelowConfirmed
from engage.events.models import Event, EventSession
from engage.events.programme_services import WorkshopBelowBooked
from engage.extensions import db
from engage.mail.mailings import create_mailing, mailing_writer
from engage.mail.models import Mailing, OutboxMessage
from engage.registrations import emails, needs, services
from engage.registrations.models import HistoryAction, Registration, registration_workshops
from engage.timefmt import span


@signals.places_taken.connect
def count_places(event: Event) -> int:
    """The event's confirmed places."""
    return services.count_confirmed(event)


@signals.event_changing.connect
def refuse_fewer_places_than_confirmed(event: Event, *, fields: dict) -> None:
    """An event may not have fewer places than people already confirmed."""
    capacity = fields.get("capacity")
    if capacity is None:
        return
    confirmed = services.count_confirmed(event)
    if capacity < confirmed:
        raise CapacityBelowConfirmed(
            f"Places cannot be fewer than the {confirmed} people already confirmed"
        )


EVENT_CHANGED = "event-changed"
EVENT_CANCELLED = "event-cancelled"


def _active_ids(event: Event) -> Select:
    return select(Registration.id).where(
        Registration.event_id == event.id, Registration.status != services.CANCELLED
    )


@signals.schedule_changed.connect
def tell_of_new_schedule(event: Event, *, previous: dict) -> int:
    """Have every active attendee emailed what changed; how many will be."""
    changes = emails.schedule_changes(event, previous)
    mailing, _ = create_mailing(
        kind=EVENT_CHANGED,
        # Each change raises the sequence, so each has a mailing of its own.
        key=f"{EVENT_CHANGED}:{event.id}:{event.ics_sequence}",
        event_id=event.id,
        params={"changes": changes},
        recipients=_active_ids(event),
        summary="Changed: " + ", ".join(change["what"] for change in changes),
    )
    return mailing.recipient_count


def _still_booked(registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or not registration.is_active:
        return None  # cancelled (or purged) since the mailing was made
    return registration


def _waiting_list(mailing: Mailing, _registration_ids: list[int]) -> dict[int, int]:
    # Everyone's place in line, read once per batch (the batch holds the lock).
    return services.waitlist_positions(db.session.get(Event, mailing.event_id))


@mailing_writer(EVENT_CHANGED, prepare=_waiting_list)
def write_event_changed(
    mailing: Mailing, registration_id: int, positions: dict[int, int]
) -> OutboxMessage | None:
    """One attendee's change notice; confirmed ones get an updated invitation and a fresh link."""
    registration = _still_booked(registration_id)
    if registration is None or registration.event.is_cancelled:
        return None  # the cancellation notice says all there is to say
    return emails.event_changed(
        registration,
        mailing.params["changes"],
        token=services.issue_manage_token(registration),
        position=positions.get(registration.id),
    )


@signals.capacity_raised.connect
def promote_into_new_places(event: Event) -> int:
    """Give the new places to the waiting list, first in line first."""
    return len(services.promote_waiting(event))


@signals.event_cancelled.connect
def tell_of_cancellation(event: Event) -> int:
    """Have every active attendee emailed that the event is off; how many will be."""
    mailing, _ = create_mailing(
        kind=EVENT_CANCELLED,
        key=f"{EVENT_CANCELLED}:{event.id}",
        event_id=event.id,
        # Fixed now: the sender raises the event's own sequence after telling us.
        params={"sequence": emails.cancel_sequence(event)},
        recipients=_active_ids(event),
        summary="Cancelled",
    )
    return mailing.recipient_count


@signals.event_cancelled.connect
def erase_needs_of_cancelled_event(event: Event) -> int:
    """No day, no need for dietary and access answers: erase everyone's at once.

    Returns 0: the sender adds up people told, and this tells no one.
    """
    needs.erase_event_needs(event.id, now=event.cancelled_at, note=needs.ERASED_AT_CANCELLATION)
    event.needs_erased_at = event.cancelled_at
    return 0


@mailing_writer(EVENT_CANCELLED)
def write_event_cancelled(mailing: Mailing, registration_id: int) -> OutboxMessage | None:
    """One attendee's cancellation notice; confirmed ones get a calendar CANCEL."""
    registration = _still_booked(registration_id)
    if registration is None:
        return None
    return emails.event_cancelled(
        registration,
        confirmed=registration.status == services.CONFIRMED,
        sequence=mailing.params.get("sequence"),
    )


def _booked_on(workshop: EventSession) -> list[Registration]:
    query = (
        select(Registration)
        .join(registration_workshops, registration_workshops.c.registration_id == Registration.id)
        .where(
            registration_workshops.c.session_id == workshop.id,
            Registration.status != services.CANCELLED,
        )
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query))


@signals.session_changing.connect
def refuse_fewer_workshop_places_than_booked(workshop: EventSession, *, fields: dict) -> None:
    """A workshop may not have fewer places than people already booked on it."""
    capacity = fields.get("capacity")
    if capacity is None:
        return
    booked = services.workshop_booked(workshop)
    if capacity < booked:
        raise WorkshopBelowBooked(
            f"Places cannot be fewer than the {booked} people already booked on this workshop"
        )


def _session_changes(workshop: EventSession, previous: dict) -> list[dict[str, str]]:
    changes = []
    tz = workshop.event.timezone
    was_when = span(
        previous.get("starts_at", workshop.starts_at), previous.get("ends_at", workshop.ends_at), tz
    )
    now_when = span(workshop.starts_at, workshop.ends_at, tz)
    if was_when != now_when:
        changes.append({"what": "When", "was": was_when, "now": now_when})
    if "room" in previous:
        was_room = previous["room"] or "to be confirmed"
        changes.append({"what": "Room", "was": was_room, "now": workshop.room or "to be confirmed"})
    return changes


@signals.session_changed.connect
def tell_of_workshop_change(workshop: EventSession, *, previous: dict) -> int:
    """Email the people booked on a workshop whose time or room changed."""
    changes = _session_changes(workshop, previous)
    if not changes:
        return 0
    booked = _booked_on(workshop)
    for registration in booked:
        emails.workshop_changed(
            registration, workshop, changes, services.issue_manage_token(registration)
        )
    return len(booked)


@signals.session_removed.connect
def tell_of_workshop_removal(workshop: EventSession) -> int:
    """Take a workshop off the bookings that hold it, and tell those people."""
    booked = _booked_on(workshop)
    for registration in booked:
        registration.workshops.remove(workshop)
        services.record_history(
            registration, HistoryAction.CHANGED, note=f"workshop removed: {workshop.title}"
        )
        emails.workshop_removed(
            registration, workshop.title, services.issue_manage_token(registration)
        )
    return len(booked)
