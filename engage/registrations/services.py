"""Registration rules: who may book, capacity, workshops, the waiting list and tokens.

Every use case that can take a place runs in engage.db.transaction locked on
the event's row, so the capacity check and the insert are one locked transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import itertools
import secrets
from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.addresses import normalise_email
from engage.db import retrying, transaction, utcnow
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind
from engage.events.services import BookingState, booking_closed
from engage.extensions import db
from engage.forms import FieldError
from engage.registrations import consents, emails, needs
from engage.registrations.models import (
    AttendeeCategory,
    ConsentKind,
    ConsentSource,
    HistoryAction,
    ManageToken,
    Registration,
    RegistrationAnswer,
    RegistrationHistory,
    RegistrationStatus,
    registration_workshops,
)
from engage.tokens import digest

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
MAX_TOKEN_LENGTH = 100
LOCK_ATTEMPTS = 2
# An address already registered is sent its link again at most this often.
LINK_RESEND_INTERVAL = dt.timedelta(minutes=10)


# --- errors -------------------------------------------------------------------


class RegistrationError(Exception):
    """A rule refused the request; `message` is safe to show the attendee."""

    message = "Sorry, we could not take that registration."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class RegistrationClosed(RegistrationError):
    message = "Registration for this event is not open."


class EventFull(RegistrationError):
    message = "Sorry, all places are taken and there is no waiting list for this event."


class WorkshopError(RegistrationError, FieldError):
    """A problem with the workshops chosen."""

    field = "workshops"


class WorkshopFull(WorkshopError):
    def __init__(self, workshop: EventSession):
        self.workshop = workshop
        super().__init__(f"“{workshop.title}” is full. Choose another workshop.")


class TooManyWorkshops(WorkshopError):
    def __init__(self, limit: int):
        self.limit = limit
        noun = "workshop" if limit == 1 else "workshops"
        super().__init__(f"Choose no more than {limit} {noun}")


class WorkshopsOverlap(WorkshopError):
    def __init__(self, first: EventSession, second: EventSession):
        super().__init__(
            f"“{first.title}” and “{second.title}” run at the same time. Choose one of them."
        )


class UnknownWorkshop(WorkshopError):
    message = "Choose workshops from the list"


class InvalidAnswer(RegistrationError):
    message = "One of the answers to the event's questions is not valid."


class NotChangeable(RegistrationError):
    message = "This registration can no longer be changed."


class AlreadyRegistered(RegistrationError, FieldError):
    """Told to organisers only: the address holds an active registration for the event."""

    field = "email"

    def __init__(self, registration: Registration):
        self.registration = registration
        super().__init__(
            f"{registration.email} is already registered for this event, "
            f"as {registration.full_name}"
        )


class ConsentNeeded(RegistrationError, FieldError):
    """A dietary or access requirement was given without the consent to keep it.

    Refused, never dropped quietly: the person types it again or ticks the box.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self.field = f"{kind}_consent"
        super().__init__(f"Tick the box to let us keep your {kind} requirements, or clear the box")


class RegistrationNotFound(LookupError):
    """No registration matches that self-service token."""


# --- data in and out ----------------------------------------------------------


@dataclasses.dataclass
class RegistrationData:
    """What an attendee gave us, already validated for shape by the form."""

    first_name: str
    last_name: str
    email: str
    organisation: str
    job_title: str
    category: AttendeeCategory
    privacy_accepted: bool
    # The curated list's entry chosen (engage.organisations.services.resolve); None is "Other".
    organisation_id: int | None = None
    dietary_requirements: str = ""
    dietary_consent: bool = False
    access_requirements: str = ""
    access_consent: bool = False
    workshop_ids: list[int] = dataclasses.field(default_factory=list)
    # question id -> text, or a list of choices for multiple choice
    answers: dict[int, str | list[str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Needs:
    """Dietary and access requirements, each with the consent to keep it."""

    dietary_requirements: str = ""
    dietary_consent: bool = False
    access_requirements: str = ""
    access_consent: bool = False


@dataclasses.dataclass
class ChangeData:
    """What the attendee may change later: workshops, answers and (when given) their needs."""

    workshop_ids: list[int]
    answers: dict[int, str | list[str]]
    needs: Needs | None = None


@dataclasses.dataclass
class RegistrationResult:
    """The outcome of register(): what the person booking is told, the same either way.

    When the address already held a registration for the event, nothing is
    booked and `registration` is None: that address was emailed its own link.
    Every other field is what a new booking with the same answers gets, so the
    answer on screen cannot tell anyone whether someone else's address is booked.
    """

    email: str  # the address as stored
    status: RegistrationStatus  # CONFIRMED or WAITLISTED
    position: int | None  # place in the waiting list, when waitlisted
    registration: Registration | None


# --- reading ------------------------------------------------------------------


def count_confirmed(event: Event) -> int:
    """How many confirmed places the event has."""
    # count(*), not count(id): PostgreSQL answers from the (event, status) index alone.
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
    )
    return db.session.scalar(query) or 0


def _workshop_taken(event_id: int) -> dict[int, int]:
    query = (
        select(registration_workshops.c.session_id, func.count())
        .join(Registration, Registration.id == registration_workshops.c.registration_id)
        .where(Registration.event_id == event_id, Registration.status == CONFIRMED)
        .group_by(registration_workshops.c.session_id)
    )
    return {session_id: taken for session_id, taken in db.session.execute(query)}


def workshop_places_left(event: Event) -> dict[int, int | None]:
    """Places left in each of the event's workshops (None where unlimited)."""
    if not event.workshops:
        return {}
    taken = _workshop_taken(event.id)
    return {
        w.id: None if w.capacity is None else max(w.capacity - taken.get(w.id, 0), 0)
        for w in event.workshops
    }


def active_registrations(event: Event) -> list[Registration]:
    """Everyone holding a place or a place in line, confirmed first, in booking order."""
    query = (
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status != CANCELLED)
        .order_by(Registration.status, Registration.created_at, Registration.id)
    )
    return list(db.session.scalars(query))


def _waiting_line(event_id: int):
    # First come, first served: the order the waiting list moves in.
    return (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
    )


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id -> place in the waiting list (1 is next), for everyone waiting."""
    ids = db.session.scalars(_waiting_line(event.id).with_only_columns(Registration.id))
    return {registration_id: place for place, registration_id in enumerate(ids, 1)}


def waitlist_position(registration: Registration) -> int | None:
    """Where a waitlisted registration stands in line (1 is next), else None."""
    if registration.status != WAITLISTED:
        return None
    ahead = select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id,
        Registration.status == WAITLISTED,
        (Registration.waitlisted_at < registration.waitlisted_at)
        | (
            (Registration.waitlisted_at == registration.waitlisted_at)
            & (Registration.id < registration.id)
        ),
    )
    return (db.session.scalar(ahead) or 0) + 1


_CLOSED_MESSAGES = {
    BookingState.NOT_YET_OPEN: "Registration for this event has not opened yet.",
    BookingState.CLOSED: "Registration for this event has closed.",
}


def check_open(event: Event, now: dt.datetime | None = None) -> None:
    """Raise RegistrationClosed unless the event takes registrations right now."""
    if closed := booking_closed(event, now):
        if not event.is_published:
            raise RegistrationClosed()
        raise RegistrationClosed(_CLOSED_MESSAGES.get(closed))


def holds_place(registration: Registration) -> bool:
    """Whether this person has a confirmed place at an event still going ahead.

    Only they are shown the check-in code, the joining details and a personal invitation.
    """
    return registration.status == CONFIRMED and not registration.event.is_cancelled


def is_changeable(registration: Registration, now: dt.datetime | None = None) -> bool:
    """Whether the attendee may still change or cancel: active, and the event still to come."""
    event = registration.event
    return registration.is_active and not event.is_cancelled and event.starts_at > (now or utcnow())


def workshop_booked(workshop: EventSession) -> int:
    """How many confirmed places the workshop has."""
    return _workshop_taken(workshop.event_id).get(workshop.id, 0)


# --- tokens -------------------------------------------------------------------


def issue_manage_token(registration: Registration, *, now: dt.datetime | None = None) -> str:
    """Mint a new self-service token for the registration; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    registration.tokens.append(ManageToken(token_hash=digest(token), created_at=now or utcnow()))
    return token


def link_expires_at(event: Event) -> dt.datetime:
    """When the self-service links of the event's attendees stop working (a setting, in days)."""
    days = current_app.config["SELF_SERVICE_DAYS_AFTER_EVENT"]
    return event.ends_at + dt.timedelta(days=days)


def link_expired(registration: Registration, now: dt.datetime | None = None) -> bool:
    """Whether the registration's self-service links have stopped working, the event long over."""
    return (now or utcnow()) >= link_expires_at(registration.event)


def get_by_token(token: str) -> Registration:
    """The registration a self-service token belongs to, or RegistrationNotFound."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise RegistrationNotFound()
    wanted = digest(token)
    row = db.session.scalar(select(ManageToken).where(ManageToken.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        raise RegistrationNotFound()
    return row.registration


# --- rules --------------------------------------------------------------------


NEED_KINDS = ("dietary", "access")


def check_consent(kind: str, requirements: str, consent: bool) -> None:
    """Raise ConsentNeeded when a `kind` requirement is given without consent to keep it."""
    if (requirements or "").strip() and not consent:
        raise ConsentNeeded(kind)


def check_needs(needs) -> None:
    """Raise ConsentNeeded for the first requirement given without its consent."""
    for kind in NEED_KINDS:
        check_consent(
            kind, getattr(needs, f"{kind}_requirements"), getattr(needs, f"{kind}_consent")
        )


def check_workshop_limit(event: Event, ids: Iterable[int]) -> None:
    """Raise TooManyWorkshops if more workshops are chosen than the event allows."""
    if len(set(ids)) > event.max_workshops:
        raise TooManyWorkshops(event.max_workshops)


def choose_workshops(event: Event, ids: Iterable[int]) -> list[EventSession]:
    """The workshops chosen, in time order; refused if unknown, too many or overlapping."""
    by_id = {w.id: w for w in event.workshops}
    wanted = list(dict.fromkeys(ids))
    if any(i not in by_id for i in wanted):
        raise UnknownWorkshop()
    check_workshop_limit(event, wanted)
    chosen = sorted((by_id[i] for i in wanted), key=lambda w: (w.starts_at, w.id))
    for first, second in itertools.pairwise(chosen):
        if second.starts_at < first.ends_at:
            raise WorkshopsOverlap(first, second)
    return chosen


def full_workshops(event: Event, workshops: list[EventSession], held=()) -> list[EventSession]:
    """The workshops among those chosen with no place left (ignoring those `held` already)."""
    if not any(w.capacity is not None for w in workshops):
        return []
    taken = _workshop_taken(event.id)
    held_ids = {w.id for w in held}
    return [
        workshop
        for workshop in workshops
        if workshop.id not in held_ids
        and workshop.capacity is not None
        and taken.get(workshop.id, 0) >= workshop.capacity
    ]


def check_workshop_places(event: Event, workshops: list[EventSession], held=()) -> None:
    """Raise WorkshopFull for the first chosen workshop with no place left."""
    if full := full_workshops(event, workshops, held):
        raise WorkshopFull(full[0])


def _answers(event: Event, answers: dict[int, str | list[str]]) -> list[RegistrationAnswer]:
    questions: dict[int, EventQuestion] = {q.id: q for q in event.questions}
    rows = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise InvalidAnswer()
        if value in ("", [], None):
            continue
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            ok = isinstance(value, list) and all(v in question.choices for v in value)
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            ok = value in question.choices
        elif question.kind == QuestionKind.YES_NO:
            ok = value in ("yes", "no")
        else:
            ok = isinstance(value, str)
        if not ok:
            raise InvalidAnswer()
        rows.append(RegistrationAnswer(question_id=question_id, value=value))
    answered = {row.question_id for row in rows}
    for question in questions.values():
        if question.is_required and question.id not in answered:
            raise InvalidAnswer(f"Answer the question “{question.label}”.")
    return rows


def record_history(
    registration: Registration, action: HistoryAction, now: dt.datetime | None = None, note=""
) -> None:
    """Add a line to the registration's history."""
    at = now or utcnow()
    registration.history.append(RegistrationHistory(action=action, at=at, note=note[:500]))


def has_place(event: Event) -> bool:
    """Whether the event has a confirmed place free."""
    return event.capacity is None or count_confirmed(event) < event.capacity


def register(
    event: Event,
    data: RegistrationData,
    *,
    now: dt.datetime | None = None,
    also: Callable[[], None] | None = None,
):
    """Book a place, or a place on the waiting list; returns a RegistrationResult.

    An address already booked for the event is answered exactly like a new
    booking, after the same checks; instead of a second booking, that address
    is emailed its own self-service link (see RegistrationResult). `also` runs
    in the booking's transaction once it has succeeded (the page counts the
    booking against its limits there: one commit, not two).
    """
    now = now or utcnow()
    event_id = event.id

    def work():
        locked = db.session.get(Event, event_id, populate_existing=True)
        result = register_locked(locked, data, now=now)
        if also is not None:
            also()
        return result

    try:
        return _locked(event_id, work)
    except IntegrityError:
        # Only the active-email index can clash: the same address was booked
        # between our check and our insert. Once more, the check sees that
        # booking and answers as for any address already registered.
        return _locked(event_id, work)


def _locked(event_id: int, work):
    return retrying(work, lock=(Event, event_id), attempts=LOCK_ATTEMPTS)


def active_registration(event_id: int, email: str) -> Registration | None:
    """The registration holding a place or a place in line for this address, if any.

    None for an empty address: walk-ins who gave none are not the same person.
    """
    if not email:
        return None
    query = select(Registration).where(
        Registration.event_id == event_id,
        Registration.email == email,
        Registration.status != CANCELLED,
    )
    return db.session.scalar(query)


def register_locked(
    event: Event,
    data: RegistrationData,
    *,
    now: dt.datetime,
    by_organiser: bool = False,
    notify: bool = True,
    over_capacity: bool = False,
) -> RegistrationResult:
    """register()'s rules, for a caller holding transaction(lock=(Event, event.id)).

    `by_organiser`: an organiser adding someone by hand may do so while public
    booking is closed (not once the event is cancelled), and is told plainly
    (AlreadyRegistered) when the address is booked already; they may leave the
    address empty (a walk-in who gave none). `over_capacity`: the organiser
    knowingly gives a place when none is free (someone standing at the desk).
    `notify=False` sends no confirmation; no address is never emailed.
    """
    email = normalise_email(data.email) if data.email or not by_organiser else ""
    if by_organiser:
        if event.is_cancelled:
            raise RegistrationClosed("This event is cancelled: no one can be added to it.")
        if (existing := active_registration(event.id, email)) is not None:
            raise AlreadyRegistered(existing)
    else:
        # Every rule that does not depend on who is asking comes first, so that an
        # invalid booking is refused in the same words whether or not the address
        # is registered already.
        check_open(event, now)
    if not data.privacy_accepted:
        raise RegistrationError("Agree to the privacy notice to register.")
    workshops = choose_workshops(event, data.workshop_ids)
    answers = _answers(event, data.answers)
    if has_place(event) or (by_organiser and over_capacity):
        check_workshop_places(event, workshops)
        status = CONFIRMED
    elif event.waitlist_enabled:
        status = WAITLISTED
    else:
        raise EventFull()
    check_needs(data)
    existing = active_registration(event.id, email)
    if existing is not None:
        _send_own_link(existing, now)
        position = _next_in_line(event) if status == WAITLISTED else None
        return RegistrationResult(email, status, position, None)
    registration = _new_registration(event, data, email, status, now)
    registration.workshops = workshops
    registration.answers = answers
    db.session.add(registration)
    db.session.flush()
    source = ConsentSource.ORGANISER if by_organiser else ConsentSource.PUBLIC_FORM
    consents.record_booking(registration, source, now)
    position = waitlist_position(registration)
    if notify:
        token = issue_manage_token(registration, now=now)
        if status == CONFIRMED:
            emails.confirmation(registration, token)
        else:
            emails.waitlist_joined(registration, position, token)
    return RegistrationResult(email, status, position, registration)


def _next_in_line(event: Event) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
    )
    return (db.session.scalar(query) or 0) + 1


def send_link_again(event: Event, email: str, *, now: dt.datetime | None = None) -> None:
    """Email this address's booking for the event a fresh self-service link, if it has one.

    Returns nothing either way, so the caller cannot tell whether it is booked.
    """
    now = now or utcnow()
    with transaction():
        registration = active_registration(event.id, normalise_email(email))
        if registration is not None:
            _send_own_link(registration, now, asked=True)


def _send_own_link(registration: Registration, now: dt.datetime, *, asked: bool = False) -> None:
    """Email an address already registered its own fresh link, at most once in a while.

    A double click, or someone typing the address again and again, would
    otherwise fill that inbox; a link sent moments ago is on its way already.
    """
    latest = db.session.scalar(
        select(func.max(ManageToken.created_at)).where(
            ManageToken.registration_id == registration.id
        )
    )
    if latest is not None and now - latest < LINK_RESEND_INTERVAL:
        return
    send = emails.link_again if asked else emails.already_registered
    send(
        registration,
        issue_manage_token(registration, now=now),
        position=waitlist_position(registration),
    )


def _new_registration(event, data: RegistrationData, email: str, status, now) -> Registration:
    registration = Registration(
        event_id=event.id,
        event=event,
        status=status,
        email=email,
        first_name=data.first_name,
        last_name=data.last_name,
        organisation=data.organisation,
        organisation_id=data.organisation_id,
        job_title=data.job_title,
        category=AttendeeCategory(data.category),
        dietary_requirements=data.dietary_requirements.strip(),
        access_requirements=data.access_requirements.strip(),
        privacy_accepted=bool(data.privacy_accepted),
        privacy_accepted_at=now if data.privacy_accepted else None,
        dietary_consent=bool(data.dietary_consent),
        dietary_consent_at=now if data.dietary_consent else None,
        access_consent=bool(data.access_consent),
        access_consent_at=now if data.access_consent else None,
        created_at=now,
        confirmed_at=now if status == CONFIRMED else None,
        waitlisted_at=now if status == WAITLISTED else None,
        # Known to be empty: after the flush, adding a token or a consent record loads nothing.
        tokens=[],
        consent_records=[],
    )
    record_history(registration, HistoryAction.REGISTERED, now)
    if status == WAITLISTED:
        record_history(registration, HistoryAction.WAITLISTED, now)
    return registration


def promote_waiting(event: Event, *, now: dt.datetime | None = None) -> list[Registration]:
    """Give free places to the waiting list in order; returns those promoted.

    The caller must hold transaction(lock=(Event, event.id)): call it in the same
    locked transaction as the change that freed the places (a cancellation,
    or the organiser raising the capacity). A chosen workshop that is full by
    then is left out, and the history says so.
    """
    now = now or utcnow()
    if event.is_cancelled or event.starts_at <= now:
        return []
    free = None if event.capacity is None else event.capacity - count_confirmed(event)
    if free is not None and free <= 0:
        return []
    line = _waiting_line(event.id).limit(free)
    return [promote(registration, now=now) for registration in db.session.scalars(line)]


def promote(registration: Registration, *, now: dt.datetime) -> Registration:
    """Give one waitlisted registration a place, and email them; the caller holds the event lock.

    A chosen workshop that is full by then is left out, and the history says so
    (the attendee's own page shows that note, so it holds nothing else).
    """
    places = workshop_places_left(registration.event)
    dropped = [w for w in registration.workshops if places.get(w.id) == 0]
    for workshop in dropped:
        registration.workshops.remove(workshop)
    registration.status = CONFIRMED
    registration.confirmed_at = now
    note = "; ".join(f"left out full workshop: {w.title}" for w in dropped)
    record_history(registration, HistoryAction.PROMOTED, now, note)
    db.session.flush()
    emails.promoted(registration, issue_manage_token(registration), dropped_workshops=dropped)
    return registration


def cancel(registration: Registration, *, now: dt.datetime | None = None) -> Registration:
    """Cancel a place (or leave the waiting list), then promote whoever is next."""
    now = now or utcnow()
    registration_id = registration.id

    def work():
        found = db.session.get(Registration, registration_id, populate_existing=True)
        cancel_locked(found, now=now)
        return found

    return _locked(registration.event_id, work)


def cancel_locked(
    registration: Registration, *, now: dt.datetime, notify: bool = True, note: str = ""
) -> list[Registration]:
    """cancel()'s rules, for a caller holding the event's lock; returns those promoted.

    Every cancellation comes through here: the dietary and access answers go
    at once (engage.registrations.needs). `notify=False` sends the cancelled
    person nothing (those promoted are told).
    """
    if registration.status == CANCELLED:
        return []
    was_confirmed = registration.status == CONFIRMED
    registration.status = CANCELLED
    registration.cancelled_at = now
    record_history(registration, HistoryAction.CANCELLED, now, note)
    # Before the email is written, so that it cannot quote them either.
    needs.erase_needs(registration, now=now, note=needs.ERASED_AT_CANCELLATION)
    if notify:
        emails.cancelled(registration)
    db.session.flush()
    if was_confirmed:
        return promote_waiting(registration.event, now=now)
    return []


def change(
    registration: Registration, data: ChangeData, *, now: dt.datetime | None = None
) -> Registration:
    """Change a registration's workshops, answers and needs; capacity rules still apply."""
    now = now or utcnow()
    registration_id = registration.id

    def work():
        return _change_locked(
            db.session.get(Registration, registration_id, populate_existing=True), data, now
        )

    return _locked(registration.event_id, work)


def _change_locked(registration: Registration, data: ChangeData, now: dt.datetime):
    event = registration.event
    if not is_changeable(registration, now):
        raise NotChangeable()
    if data.needs is not None:
        check_needs(data.needs)
    workshops = choose_workshops(event, data.workshop_ids)
    answers = _answers(event, data.answers)
    if registration.status == CONFIRMED:
        check_workshop_places(event, workshops, held=registration.workshops)
    registration.workshops = workshops
    by_question = {a.question_id: a for a in registration.answers}
    keep = []
    for answer in answers:
        existing = by_question.get(answer.question_id)
        if existing is not None:
            existing.value = answer.value
            keep.append(existing)
        else:
            keep.append(answer)
    registration.answers = keep
    record_history(registration, HistoryAction.CHANGED, now)
    if data.needs is not None and _change_needs(registration, data.needs, now):
        record_history(registration, HistoryAction.CHANGED, now, NEEDS_CHANGED_NOTE)
    return registration


# No personal data here: the history is shown to organisers and on the attendee's page.
NEEDS_CHANGED_NOTE = "needs changed by the attendee"


def _change_needs(registration: Registration, needs: Needs, now: dt.datetime) -> bool:
    """Apply the attendee's own needs; whether anything changed.

    Consent given (or renewed for a changed answer) is recorded with its time;
    a need cleared is cleared with its consent, since nothing is kept any more.
    """
    changed = False
    for kind in NEED_KINDS:
        text = getattr(needs, f"{kind}_requirements").strip()
        if text == getattr(registration, f"{kind}_requirements"):
            continue
        changed = True
        setattr(registration, f"{kind}_requirements", text)
        setattr(registration, f"{kind}_consent", bool(text))
        setattr(registration, f"{kind}_consent_at", now if text else None)
        consents.record(
            registration,
            ConsentKind(kind),
            given=bool(text),
            source=ConsentSource.SELF_SERVICE,
            now=now,
        )
    return changed
