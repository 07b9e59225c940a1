"""Mailings: one message to many people, written into the outbox by the worker, a batch at a time.

A feature creates a mailing inside its own transaction (create_mailing): one
row, and its recipients frozen by one INSERT ... SELECT however many they
are, so an organiser's request renders no email at all. The feature also
registers a writer for the mailing's kind (`@mailing_writer("...")`): a
function that queues ONE recipient's email (queue_email) and returns it, or
returns None for someone who should no longer get it.

Each worker pass writes the next batch (write_next_batch). In one transaction
it locks a due mailing (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN
IMMEDIATE holds the database), takes up to MAILING_BATCH_SIZE recipients not
yet written, calls the writer for each and marks each one written, with its
outbox row, before committing. A recipient marked written is never written
again, and a worker that dies mid-batch rolls the whole batch back (emails and
marks together), so the next pass writes it afresh: one email per recipient.
Delivery then carries on as for any outbox row. This package imports no
feature: what a recipient id means is the writer's business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Select, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.extensions import db
from engage.mail.models import (
    Mailing,
    MailingRecipient,
    MailingStatus,
    MessageStatus,
    OutboxMessage,
)
from engage.mail.services import requeue_failed

log = logging.getLogger("engage.mail")

Writer = Callable[..., OutboxMessage | None]


@dataclasses.dataclass(frozen=True)
class Registered:
    """A kind's writer, and what it reads once per batch (if anything)."""

    write: Writer
    prepare: Callable[[Mailing, list[int]], Any] | None = None


_writers: dict[str, Registered] = {}

# What became of one recipient in a batch.
WRITTEN, SKIPPED, ERROR = "written", "skipped", "error"


class UnknownMailingKind(LookupError):
    """No writer is registered for that kind of mailing."""


def mailing_writer(
    kind: str, *, prepare: Callable[[Mailing, list[int]], Any] | None = None
) -> Callable[[Writer], Writer]:
    """Register the decorated function as the writer of mailings of `kind`.

    It is called as writer(mailing, recipient_id) inside the worker's
    transaction, queues that one recipient's email and returns the outbox row,
    or None to skip a recipient who is gone or should no longer be written to.
    With `prepare`, prepare(mailing, recipient_ids) runs once per batch in the
    same transaction and the writer gets what it returned as a third argument:
    what every email of the batch needs, read in one query rather than one each.
    """

    def register(function: Writer) -> Writer:
        _writers[kind] = Registered(function, prepare)
        return function

    return register


def registered_kinds() -> list[str]:
    """The kinds of mailing this process can write."""
    return sorted(_writers)


def create_mailing(
    *,
    kind: str,
    key: str,
    recipients: Select,
    event_id: int | None = None,
    params: Mapping[str, Any] | None = None,
    summary: str = "",
    actor=None,
    now: dt.datetime | None = None,
) -> tuple[Mailing, bool]:
    """The mailing with this key, created now if there is none; and whether it was created.

    `recipients` selects one integer column (e.g. registration ids); they are
    copied in one statement. Call it inside the transaction of the change that
    causes it (it joins it), or on its own. Audited as "mailing.created".
    """
    if kind not in _writers:
        raise UnknownMailingKind(kind)
    now = now or utcnow()
    with transaction() as session:
        existing = _by_key(session, key)
        if existing is not None:
            return existing, False
        mailing = Mailing(
            kind=kind,
            key=key,
            event_id=event_id,
            params=dict(params or {}),
            summary=summary[:300],
            status=MailingStatus.QUEUED,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(mailing)
                session.flush()
        except IntegrityError:
            # Another request made the mailing with this key a moment ago and has committed.
            return _by_key(session, key), False
        frozen = recipients.subquery()
        session.execute(
            insert(MailingRecipient).from_select(
                ["mailing_id", "recipient_id"],
                select(literal(mailing.id, Integer), frozen.c[0]),
            )
        )
        # Counted, not read from rowcount: SQLite's driver gives -1 for a WITH ... INSERT.
        mailing.recipient_count = session.scalar(
            select(func.count()).where(MailingRecipient.mailing_id == mailing.id)
        )
        if not mailing.recipient_count:
            mailing.status, mailing.finished_at = MailingStatus.DONE, now
        entry = record(
            "mailing.created",
            mailing,
            f"{kind} to {mailing.recipient_count} recipient(s): {summary}",
            actor,
        )
        mailing.created_by = entry.actor_id
    return mailing, True


def _by_key(session: Session, key: str) -> Mailing | None:
    return session.scalar(select(Mailing).where(Mailing.key == key))


def write_next_batch(*, batch_size: int | None = None, now: dt.datetime | None = None) -> int:
    """Write one batch of the oldest due mailing into the outbox; how many recipients it took.

    0 means no mailing this process can write is waiting (or another worker
    holds the only one).
    """
    batch_size = batch_size or current_app.config["MAILING_BATCH_SIZE"]
    now = now or utcnow()
    with transaction() as session:
        mailing = _lock_due(session)
        if mailing is None:
            return 0
        ids = next_recipients(session, mailing.id, batch_size)
        outcomes = _write(session, mailing, ids)
        _mark_written(session, mailing.id, outcomes, now)
        _count(session, mailing, outcomes, now)
    return len(ids)


def _lock_due(session: Session) -> Mailing | None:
    query = (
        select(Mailing)
        .where(Mailing.status != MailingStatus.DONE, Mailing.kind.in_(registered_kinds()))
        .order_by(Mailing.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if db.engine.dialect.name == "postgresql":
        # A mailing another worker is writing is skipped, not waited for.
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def next_recipients(session: Session, mailing_id: int, limit: int) -> list[int]:
    """The next recipients of a mailing whose email has not been written, in id order."""
    query = (
        select(MailingRecipient.recipient_id)
        .where(MailingRecipient.mailing_id == mailing_id, MailingRecipient.written_at.is_(None))
        .order_by(MailingRecipient.recipient_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def _write(session: Session, mailing: Mailing, ids: list[int]) -> dict[int, tuple[str, int | None]]:
    writer = _writers[mailing.kind]
    extra = (writer.prepare(mailing, ids),) if writer.prepare and ids else ()
    outcomes: dict[int, tuple[str, int | None]] = {}
    for recipient_id in ids:
        try:
            # One recipient the writer cannot handle must not hold up everyone else.
            with session.begin_nested():
                message = writer.write(mailing, recipient_id, *extra)
                session.flush()
        except Exception as error:  # any writer's failure: logged, counted, the batch goes on
            # The type only: a message could quote the person's data.
            log.error(
                "mailing %s: writing to recipient %s failed (%s)",
                mailing.id,
                recipient_id,
                type(error).__name__,
            )
            outcomes[recipient_id] = (ERROR, None)
            continue
        if message is None:
            outcomes[recipient_id] = (SKIPPED, None)
        else:
            outcomes[recipient_id] = (WRITTEN, message.id)
    return outcomes


def _mark_written(session: Session, mailing_id: int, outcomes, now: dt.datetime) -> None:
    if not outcomes:
        return
    table = MailingRecipient.__table__
    session.execute(
        update(table)
        .where(
            table.c.mailing_id == bindparam("b_mailing"),
            table.c.recipient_id == bindparam("b_recipient"),
            table.c.written_at.is_(None),
        )
        .values(outbox_message_id=bindparam("b_outbox"), written_at=now),
        [
            {"b_mailing": mailing_id, "b_recipient": recipient_id, "b_outbox": message_id}
            for recipient_id, (_, message_id) in outcomes.items()
        ],
    )


def _count(session: Session, mailing: Mailing, outcomes, now: dt.datetime) -> None:
    results = [outcome for outcome, _ in outcomes.values()]
    mailing.written_count += results.count(WRITTEN)
    mailing.skipped_count += results.count(SKIPPED)
    mailing.error_count += results.count(ERROR)
    if next_recipients(session, mailing.id, 1):
        mailing.status = MailingStatus.SENDING
    else:
        mailing.status, mailing.finished_at = MailingStatus.DONE, now
        log.info("mailing %s written: %s emails", mailing.id, mailing.written_count)


@dataclasses.dataclass(frozen=True)
class Progress:
    """How far a mailing has got: emails still to write, then the outbox's states."""

    recipients: int
    to_write: int
    queued: int  # in the outbox, waiting or being sent
    sent: int
    failed: int
    not_sent: int  # skipped (gone meanwhile) or not written (the writer failed)

    @property
    def is_finished(self) -> bool:
        """Whether nothing is left to write or to send."""
        return not self.to_write and not self.queued


def progress(mailing: Mailing) -> Progress:
    """The mailing's progress: its emails counted by outbox status in one GROUP BY query."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .join(MailingRecipient, MailingRecipient.outbox_message_id == OutboxMessage.id)
        .where(MailingRecipient.mailing_id == mailing.id)
        .group_by(OutboxMessage.status)
    )
    counts = {status: number for status, number in rows}
    not_sent = mailing.skipped_count + mailing.error_count
    return Progress(
        recipients=mailing.recipient_count,
        to_write=mailing.recipient_count - mailing.written_count - not_sent,
        queued=counts.get(MessageStatus.PENDING, 0) + counts.get(MessageStatus.SENDING, 0),
        sent=counts.get(MessageStatus.SENT, 0),
        failed=counts.get(MessageStatus.FAILED, 0),
        not_sent=not_sent,
    )


def retry_failed(mailing: Mailing, *, actor=None, now: dt.datetime | None = None) -> int:
    """Queue the mailing's failed emails again, due now; how many. Audited."""
    with transaction():
        ids = select(MailingRecipient.outbox_message_id).where(
            MailingRecipient.mailing_id == mailing.id
        )
        count = requeue_failed(OutboxMessage.id.in_(ids), now=now)
        if count:
            record("mailing.retried", mailing, f"{count} failed email(s) queued again", actor)
    return count


def event_mailings(event_id: int) -> Select[tuple[Mailing]]:
    """An event's mailings, newest first."""
    return select(Mailing).where(Mailing.event_id == event_id).order_by(Mailing.id.desc())


def delete_for_event(event_id: int) -> int:
    """Delete an event's mailings and their recipient lists (in the caller's transaction)."""
    session = db.session
    ids = select(Mailing.id).where(Mailing.event_id == event_id)
    session.execute(
        delete(MailingRecipient)
        .where(MailingRecipient.mailing_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return session.execute(
        delete(Mailing)
        .where(Mailing.event_id == event_id)
        .execution_options(synchronize_session=False)
    ).rowcount
