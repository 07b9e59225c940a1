"""Reminders before an event, each queued exactly once per registration and offset.

An event's reminder_offsets_hours (default 168 and 24) say when: a reminder
is due once `starts_at - offset` has passed and until the event starts. Only
the latest due offset is sent, so a job that was not run for a while sends one
reminder, not a pile. A registration confirmed after a reminder's time does
not get that stale one (its confirmation told it everything).

Each reminder is a reminder_sends row under a unique (registration_id,
offset_hours) constraint, a fresh self-service token and the outbox row,
written together; BATCH_SIZE reminders share one transaction. A second run
finds the rows and skips; a parallel run that races past the check hits the
constraint, rolls back its batch and tries each of them again in a
transaction of its own, skipping those the other run recorded. The mail
worker runs it every minute (a periodic job, engage.mail.jobs); without a
worker, run it from cron (`flask --app wsgi engage reminders`).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from engage.db import end_read, retrying, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.jobs import periodic
from engage.registrations import emails
from engage.registrations.models import Registration, RegistrationStatus, ReminderSend
from engage.registrations.services import issue_manage_token

log = logging.getLogger("engage.registrations")
# How often the mail worker looks for reminders that have fallen due.
CHECK_EVERY = dt.timedelta(minutes=1)
# Reminders per transaction: one commit (a disk flush) for many, while the
# write lock, all of SQLite's, is held for only a few dozen renders.
BATCH_SIZE = 25


def due_offset(event: Event, now: dt.datetime) -> int | None:
    """The offset (hours) of the event's reminder due at `now`: the latest passed, else None."""
    if event.is_cancelled or not event.is_published or event.starts_at <= now:
        return None
    offsets = [h for h in event.reminder_offsets_hours or [] if isinstance(h, int) and h > 0]
    due = [h for h in offsets if event.starts_at - dt.timedelta(hours=h) <= now]
    return min(due) if due else None


@periodic("reminders", every=CHECK_EVERY)
def queue_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue every reminder due at `now` (default: the current time); how many were queued."""
    now = now or utcnow()
    queued = 0
    for event_id, offset in _due_events(now):
        ids = _candidates(event_id, offset)
        for start in range(0, len(ids), BATCH_SIZE):
            queued += _queue_batch(ids[start : start + BATCH_SIZE], offset, now)
    if queued:
        log.info("queued %d reminders", queued)
    return queued


def _due_events(now: dt.datetime) -> list[tuple[int, int]]:
    query = select(Event).where(
        Event.is_published.is_(True), Event.cancelled_at.is_(None), Event.starts_at > now
    )
    due = [(event.id, due_offset(event, now)) for event in db.session.scalars(query)]
    end_read()  # each batch of reminders has its own transaction
    return [(event_id, offset) for event_id, offset in due if offset is not None]


def _confirmed_by(due_at: dt.datetime):
    return func.coalesce(Registration.confirmed_at, Registration.created_at) <= due_at


def _candidates(event_id: int, offset: int) -> list[int]:
    event = db.session.get(Event, event_id)
    due_at = event.starts_at - dt.timedelta(hours=offset)
    sent = select(ReminderSend.id).where(
        ReminderSend.registration_id == Registration.id, ReminderSend.offset_hours == offset
    )
    query = (
        select(Registration.id)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.email != "",  # a walk-in who gave no address
            _confirmed_by(due_at),
            ~sent.exists(),
        )
        .order_by(Registration.id)
    )
    ids = list(db.session.scalars(query))
    end_read()
    return ids


def _recorded(session: Session, registration_ids: list[int], offset: int) -> set[int]:
    """Those of the registrations whose reminder at this offset is recorded already."""
    query = select(ReminderSend.registration_id).where(
        ReminderSend.registration_id.in_(registration_ids), ReminderSend.offset_hours == offset
    )
    return set(session.scalars(query))


def _claim(
    session: Session, registration_id: int, offset: int, now: dt.datetime, recorded: set[int]
):
    """The reminder_sends row for this reminder, or None if a run has it already.

    Not flushed: a batch's rows are written together when it commits, where a
    parallel run's committed row makes the unique constraint raise IntegrityError.
    """
    if registration_id in recorded:
        return None
    send = ReminderSend(registration_id=registration_id, offset_hours=offset, queued_at=now)
    session.add(send)
    return send


def _still_due(registration: Registration | None, offset: int, now: dt.datetime) -> bool:
    # Checked again inside the transaction: the person may have cancelled,
    # or the event been moved or called off, since the candidates were read.
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return False
    if not registration.email:
        return False
    event = registration.event
    if due_offset(event, now) != offset:
        return False
    confirmed_at = registration.confirmed_at or registration.created_at
    return confirmed_at <= event.starts_at - dt.timedelta(hours=offset)


def _queue_batch(ids: list[int], offset: int, now: dt.datetime) -> int:
    """Queue a batch of reminders in one transaction; how many were queued."""
    try:
        return retrying(lambda: _queue_batch_locked(ids, offset, now), attempts=3)
    except IntegrityError:
        # A parallel run recorded one of them first and the whole batch rolled
        # back: each is tried alone, so that only the ones it took are skipped.
        return sum(_queue_one(registration_id, offset, now) for registration_id in ids)


def _queue_batch_locked(ids: list[int], offset: int, now: dt.datetime) -> int:
    session = db.session()
    # Read afresh, with what the email shows, in one query each rather than one per person.
    query = (
        select(Registration)
        .where(Registration.id.in_(ids))
        .options(
            selectinload(Registration.workshops),
            selectinload(Registration.answers),
            selectinload(Registration.tokens),
        )
        .execution_options(populate_existing=True)
    )
    found = {registration.id: registration for registration in session.scalars(query)}
    recorded = _recorded(session, ids, offset)
    return sum(_queue_for(session, found.get(rid), offset, now, recorded) for rid in ids)


def _queue_one(registration_id: int, offset: int, now: dt.datetime) -> bool:
    """Queue one reminder with its record in one transaction; whether it was queued."""
    try:
        # A parallel run may hold SQLite's write lock past its timeout: wait again.
        return retrying(lambda: _queue_locked(registration_id, offset, now), attempts=3)
    except IntegrityError:
        # Another run recorded this reminder between our check and our insert:
        # it sends it, we do not. Any other integrity error is a real one.
        if not _recorded_by_another_run(registration_id, offset):
            raise
        log.info("reminder %s/%sh was queued by another run", registration_id, offset)
        return False


def _queue_locked(registration_id: int, offset: int, now: dt.datetime) -> bool:
    session = db.session()
    registration = session.get(Registration, registration_id, populate_existing=True)
    return _queue_for(
        session, registration, offset, now, _recorded(session, [registration_id], offset)
    )


def _queue_for(
    session: Session,
    registration: Registration | None,
    offset: int,
    now: dt.datetime,
    recorded: set[int],
) -> bool:
    """Record and queue one reminder in the open transaction; whether it was queued.

    `recorded`: the registrations whose reminder was found recorded when the transaction began.
    """
    if not _still_due(registration, offset, now):
        return False
    send = _claim(session, registration.id, offset, now, recorded)
    if send is None:
        return False
    token = issue_manage_token(registration)
    # The record points at its outbox row, which the commit writes first.
    send.outbox_message = emails.reminder(registration, token, offset_hours=offset)
    return True


def _recorded_by_another_run(registration_id: int, offset: int) -> bool:
    # Read afresh after the rollback: the other run's row is committed by now.
    query = select(func.count(ReminderSend.id)).where(
        ReminderSend.registration_id == registration_id, ReminderSend.offset_hours == offset
    )
    try:
        return bool(db.session.scalar(query))
    finally:
        end_read()
