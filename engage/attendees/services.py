"""What an organiser may do for one attendee: correct, move, cancel, promote, resend, add.

Each use case runs in one transaction locked on the event's row, as the public
form does, and re-uses the registration feature's own rules. Each leaves a
line in the registration's history and an audit entry that names the
registration by its id only (no one's details go in the audit log).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engage.addresses import normalise_email
from engage.audit.services import record
from engage.db import retrying, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.forms import FieldError
from engage.mail.models import OutboxMessage
from engage.registrations import consents, emails
from engage.registrations import services as registrations
from engage.registrations.models import (
    AttendeeCategory,
    ConsentKind,
    ConsentSource,
    HistoryAction,
    Registration,
    RegistrationStatus,
)
from engage.registrations.services import (
    AlreadyRegistered,
    RegistrationData,
    RegistrationError,
    RegistrationResult,
    WorkshopFull,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
LOCK_ATTEMPTS = 2
BY_ORGANISER = "by an organiser"
# What the history and the attendee's email call each detail (never its value).
DETAIL_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email address",
    "organisation": "organisation",
    "organisation_id": "organisation",
    "job_title": "job title",
    "category": "category",
    "dietary_requirements": "dietary requirements",
    "access_requirements": "access requirements",
}


class ActionRefused(RegistrationError):
    """The registration is not in a state the action allows; the message says why."""


class NotActive(ActionRefused):
    message = "This registration is cancelled, so it can no longer be changed."


class EventCancelled(ActionRefused):
    message = "This event is cancelled, so its registrations can no longer be changed."


class NotWaiting(ActionRefused):
    message = "Only someone on the waiting list can be given a place."


class NoEmail(ActionRefused):
    message = "They gave no email address, so there is nothing to send."


class NoPlaceFree(ActionRefused):
    def __init__(self, event: Event):
        super().__init__(
            f"All {event.capacity} places are taken. Free a place, or raise the event's "
            "number of places, before giving one to someone on the waiting list."
        )


class DetailNeeded(FieldError):
    """An email address or job title emptied: only a walk-in who never gave one may have none."""

    MESSAGES = {"email": "Enter their email address", "job_title": "Enter their job title or role"}

    def __init__(self, field: str):
        super().__init__(self.MESSAGES[field], field)


# Details a walk-in may not have given (the desk's short form asks for neither a job
# title nor, necessarily, an address): left empty when corrected, never emptied.
MAY_STAY_EMPTY = ("email", "job_title")


@dataclasses.dataclass
class Details:
    """Who the person is, as the organiser corrects it."""

    first_name: str
    last_name: str
    email: str
    organisation: str
    job_title: str
    category: AttendeeCategory
    dietary_requirements: str = ""
    access_requirements: str = ""
    organisation_id: int | None = None  # the curated list's entry; None is "Other"


def _locked(event_id: int, work):
    # The event's lock, as every booking takes: places, workshops and the
    # one-active-address rule are checked and written with no one in between.
    return retrying(work, lock=(Event, event_id), attempts=LOCK_ATTEMPTS)


def _reload(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id, populate_existing=True)


def _check_changeable(registration: Registration) -> None:
    if not registration.is_active:
        raise NotActive()
    if registration.event.is_cancelled:
        raise EventCancelled()


def _tell_updated(registration: Registration, changed: list[str], now: dt.datetime) -> None:
    token = registrations.issue_manage_token(registration, now=now)
    position = registrations.waitlist_position(registration)
    emails.details_updated(registration, token, changed=changed, position=position)


def emails_to(registration: Registration) -> list[OutboxMessage]:
    """Every email queued for this registration, oldest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return list(db.session.scalars(query))


# --- correcting details ---------------------------------------------------------


def update_details(
    registration: Registration, details: Details, *, notify: bool = True, now=None
) -> list[str]:
    """Correct who the person is; what changed (labels), empty if nothing did.

    A requirement the organiser adds was given to them with consent to keep it:
    that consent is recorded with its time. A new email address must not be
    registered already (AlreadyRegistered). With `notify`, the (new) address is
    told what changed.
    """
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = _reload(registration_id)
        if not found.is_active:
            raise NotActive()
        changed = _apply_details(found, details, now)
        if not changed:
            return []
        db.session.flush()  # the unique index sees the new address now, not at commit
        registrations.record_history(
            found, HistoryAction.CHANGED, now, f"{', '.join(changed)} corrected {BY_ORGANISER}"
        )
        record("attendee.updated", found, f"Registration {found.id}: details corrected")
        if notify and found.email:  # a walk-in who still gave no address hears nothing
            _tell_updated(found, [c.capitalize() for c in changed], now)
        return changed

    try:
        return _locked(registration.event_id, work)
    except IntegrityError as error:
        # Only the one-active-address index can clash, and every writer of
        # addresses holds the event's lock: kept as a field error all the same.
        other = registrations.active_registration(
            registration.event_id, normalise_email(details.email)
        )
        if other is None:
            raise
        raise AlreadyRegistered(other) from error


def _apply_details(registration: Registration, details: Details, now: dt.datetime) -> list[str]:
    wanted = dataclasses.asdict(details)
    for name in MAY_STAY_EMPTY:
        wanted[name] = (wanted[name] or "").strip()
        if not wanted[name] and getattr(registration, name):
            raise DetailNeeded(name)
    if wanted["email"]:
        wanted["email"] = normalise_email(wanted["email"])
    wanted["category"] = AttendeeCategory(details.category)
    for name in ("dietary_requirements", "access_requirements"):
        wanted[name] = (wanted[name] or "").strip()
    if wanted["email"] and wanted["email"] != registration.email:
        other = registrations.active_registration(registration.event_id, wanted["email"])
        if other is not None and other.id != registration.id:
            raise AlreadyRegistered(other)
    changed = [name for name, value in wanted.items() if getattr(registration, name) != value]
    for name in changed:
        setattr(registration, name, wanted[name])
    for kind in ("dietary", "access"):
        if f"{kind}_requirements" not in changed:
            continue
        if wanted[f"{kind}_requirements"]:
            _consent_given(registration, kind, now)
        else:
            # Nothing is held any more to consent to keeping (as when an answer is erased).
            setattr(registration, f"{kind}_consent", False)
            setattr(registration, f"{kind}_consent_at", None)
    # dict.fromkeys: the name and the list's entry are one "organisation" to the reader.
    return list(dict.fromkeys(DETAIL_LABELS[name] for name in changed))


def _consent_given(registration: Registration, kind: str, now: dt.datetime) -> None:
    # The person told the organiser and asked for it to be kept: that is their consent.
    if getattr(registration, f"{kind}_consent"):
        return
    setattr(registration, f"{kind}_consent", True)
    setattr(registration, f"{kind}_consent_at", now)
    consents.record(
        registration, ConsentKind(kind), given=True, source=ConsentSource.ORGANISER, now=now
    )
    registrations.record_history(
        registration, HistoryAction.CHANGED, now, f"{kind} consent given to organiser"
    )


# --- workshops -------------------------------------------------------------------


def change_workshops(
    registration: Registration,
    workshop_ids: list[int],
    *,
    book_full: bool = False,
    notify: bool = True,
    now=None,
) -> bool:
    """Put the person on these workshops; whether anything changed.

    The limit and overlap rules always apply. A full workshop is refused
    (WorkshopFull) unless the organiser says `book_full`, knowingly: the
    history says so. Waitlisted people keep their choice, as on the public
    form; places are checked when they are given one.
    """
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = _reload(registration_id)
        _check_changeable(found)
        event = found.event
        workshops = registrations.choose_workshops(event, workshop_ids)
        if {w.id for w in workshops} == {w.id for w in found.workshops}:
            return False
        full = []
        if found.status == CONFIRMED:
            full = registrations.full_workshops(event, workshops, held=found.workshops)
            if full and not book_full:
                raise WorkshopFull(full[0])
        found.workshops = workshops
        notes = [f"workshops changed {BY_ORGANISER}"]
        notes += [f"booked into full workshop: {w.title}" for w in full]
        registrations.record_history(found, HistoryAction.CHANGED, now, "; ".join(notes))
        summary = f"Registration {found.id}: workshops changed"
        if full:
            summary += ", booked into a full one"
        record("attendee.workshops_changed", found, summary)
        db.session.flush()
        if notify:
            _tell_updated(found, ["Workshops"], now)
        return True

    return _locked(registration.event_id, work)


# --- cancelling, promoting, resending -------------------------------------------------


def cancel_registration(
    registration: Registration, *, notify: bool = True, now=None
) -> list[Registration]:
    """Cancel on the person's behalf; the waiting list moves up as usual. Returns those promoted.

    With `notify` they get the usual cancellation email; those promoted are always told.
    """
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = _reload(registration_id)
        if not found.is_active:
            raise NotActive("This registration is cancelled already.")
        promoted = registrations.cancel_locked(
            found, now=now, notify=notify, note=f"cancelled {BY_ORGANISER}"
        )
        record("attendee.cancelled", found, f"Registration {found.id} cancelled {BY_ORGANISER}")
        return promoted

    return _locked(registration.event_id, work)


def promote(registration: Registration, *, now=None) -> Registration:
    """Give someone on the waiting list a free place, out of turn; they get the promotion email."""
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = _reload(registration_id)
        _check_changeable(found)
        if found.status != WAITLISTED:
            raise NotWaiting()
        if not registrations.has_place(found.event):
            raise NoPlaceFree(found.event)
        registrations.promote(found, now=now)
        # A line of its own: the promotion's note is shown to the attendee (workshops left out).
        registrations.record_history(
            found, HistoryAction.CHANGED, now, f"given a place out of turn {BY_ORGANISER}"
        )
        record("attendee.promoted", found, f"Registration {found.id} given a place out of turn")
        return found

    return _locked(registration.event_id, work)


def resend_confirmation(registration: Registration, *, now=None) -> Registration:
    """Send the confirmation again (or the waiting-list email), with a fresh self-service link.

    A confirmed person's carries the calendar invitation and the check-in QR code.
    """
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = _reload(registration_id)
        _check_changeable(found)
        if not found.email:
            raise NoEmail()
        token = registrations.issue_manage_token(found, now=now)
        if found.status == CONFIRMED:
            emails.confirmation(found, token)
        else:
            emails.waitlist_joined(found, registrations.waitlist_position(found), token)
        registrations.record_history(
            found, HistoryAction.CHANGED, now, f"confirmation email sent again {BY_ORGANISER}"
        )
        record("attendee.confirmation_resent", found, f"Registration {found.id}: confirmation sent")
        return found

    return _locked(registration.event_id, work)


# --- adding someone by hand -------------------------------------------------------


def add_registration(
    event: Event, data: RegistrationData, *, notify: bool = True, now=None
) -> RegistrationResult:
    """Register someone by hand, by the public form's rules: places, waiting list, workshops.

    Unlike the public form it works while public booking is closed (not once
    the event is cancelled), and an address already registered is refused
    (AlreadyRegistered) rather than sent its link. With `notify` they are sent
    the usual confirmation or waiting-list email.
    """
    now = now or utcnow()
    event_id = event.id

    def work():
        locked = db.session.get(Event, event_id, populate_existing=True)
        result = registrations.register_locked(
            locked, data, now=now, by_organiser=True, notify=notify
        )
        registration = result.registration
        registered = next(h for h in registration.history if h.action == HistoryAction.REGISTERED)
        registered.note = f"added {BY_ORGANISER}"
        record(
            "attendee.added",
            registration,
            f"Registration {registration.id} added {BY_ORGANISER} ({registration.status.value})",
        )
        return result

    try:
        return _locked(event_id, work)
    except IntegrityError:
        # As register(): once more, and the check sees the booking that won.
        return _locked(event_id, work)
