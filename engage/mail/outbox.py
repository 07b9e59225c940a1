"""The outbox's states: claiming due rows, recovering stale claims, recording each outcome.

Every function here is one short transaction of its own. A worker commits its
claim before it talks to SMTP, and records each message's outcome right after
the server's reply, so a crash loses at most the one message in flight.

    pending --claim--> sending --sent--> sent (bodies cleared)
       ^                  |----temporary failure--> pending (later) ... failed
       |                  |----permanent failure--> failed
       +--lease expired---+
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import Connection, Update, bindparam, select, update

from engage.db import LOCK_TIMEOUT_SECONDS, end_read, transaction, utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.writerturn import lock_path, writer_turn

log = logging.getLogger("engage.mail")

# Waits after the 1st, 2nd, 3rd... temporary failure; the last repeats.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)
MAX_ERROR_LENGTH = 1000


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the given number of failed attempts."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def recover_stale(*, now: dt.datetime | None = None, lease_seconds: int | None = None) -> int:
    """Put rows whose worker died mid-send back in the queue; how many.

    A row still "sending" after the lease was claimed by a worker that stopped
    before recording the outcome. It is sent again, which may repeat that one
    message; rows that keep killing workers are failed after MAIL_MAX_ATTEMPTS.
    """
    now = now or utcnow()
    if lease_seconds is None:
        lease_seconds = current_app.config["MAIL_CLAIM_LEASE_SECONDS"]
    cutoff = now - dt.timedelta(seconds=lease_seconds)
    stale = (
        OutboxMessage.status == MessageStatus.SENDING,
        OutboxMessage.claimed_at < cutoff,
    )
    reason = "The worker stopped before the mail server replied; sending again."
    with transaction() as session:
        exhausted = session.execute(
            update(OutboxMessage)
            .where(*stale, OutboxMessage.attempts >= _max_attempts())
            .values(
                status=MessageStatus.FAILED,
                claimed_by=None,
                claimed_at=None,
                last_error="The worker stopped while sending this message too many times.",
            )
        ).rowcount
        recovered = session.execute(
            update(OutboxMessage)
            .where(*stale)
            .values(
                status=MessageStatus.PENDING,
                next_attempt_at=now,
                claimed_by=None,
                claimed_at=None,
                last_error=reason,
            )
        ).rowcount
    if recovered or exhausted:
        log.warning("recovered %d stale outbox rows, failed %d", recovered, exhausted)
    return recovered + exhausted


def claim_due(worker_id: str, *, limit: int, now: dt.datetime | None = None) -> list[int]:
    """Claim up to `limit` due messages for this worker; their ids, oldest first.

    The claim is committed before returning, so no other worker can take the
    same rows: PostgreSQL skips rows another worker has locked (FOR UPDATE
    SKIP LOCKED); SQLite serialises claims with BEGIN IMMEDIATE.
    """
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    with transaction() as session:
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MessageStatus.PENDING)
                .values(
                    status=MessageStatus.SENDING,
                    claimed_by=worker_id,
                    claimed_at=now,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
    return ids


def _record(message_id: int, worker_id: str, **values) -> bool:
    # Only the worker holding the claim may record an outcome: if its lease
    # ran out and another worker took the row, this one's late answer is dropped.
    # One Core UPDATE in a transaction of its own: an ORM session adds nothing
    # here but its bookkeeping, once per message sent.
    parameters = {f"new_{name}": value for name, value in values.items()}
    with _writing() as connection:
        changed = connection.execute(
            _record_statement(tuple(values)),
            {"message_id": message_id, "worker_id": worker_id, **parameters},
        ).rowcount
    if not changed:
        log.warning("outbox message %s: claim lost before its outcome was recorded", message_id)
    return bool(changed)


@functools.lru_cache(maxsize=16)
def _record_statement(names: tuple[str, ...]) -> Update:
    """The UPDATE that records an outcome setting these columns, built once (Core, on the table)."""
    table = OutboxMessage.__table__
    return (
        update(table)
        .where(
            table.c.id == bindparam("message_id"),
            table.c.status == MessageStatus.SENDING,
            table.c.claimed_by == bindparam("worker_id"),
        )
        .values(
            claimed_by=None, claimed_at=None, **{name: bindparam(f"new_{name}") for name in names}
        )
    )


@contextmanager
def _writing() -> Iterator[Connection]:
    """A write transaction on a connection of its own, committed at the end of the block.

    On SQLite it takes the writers' turn and then its write lock up front (BEGIN
    IMMEDIATE), as transaction() does.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    turn = writer_turn(lock_path(engine.url.database), LOCK_TIMEOUT_SECONDS)
    with turn, engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        yield connection


def mark_sent(message_id: int, worker_id: str, *, now: dt.datetime | None = None) -> bool:
    """Record a delivery and clear the bodies, which may hold working links."""
    now = now or utcnow()
    done = _record(
        message_id,
        worker_id,
        status=MessageStatus.SENT,
        sent_at=now,
        last_error=None,
        body_text="",
        body_html="",
        attachments=[],
    )
    log.info("outbox message %s sent", message_id)
    return done


def mark_failed(message_id: int, worker_id: str, reason: str) -> bool:
    """Give up on a message for good, keeping the reason."""
    log.warning("outbox message %s failed", message_id)
    return _record(
        message_id, worker_id, status=MessageStatus.FAILED, last_error=reason[:MAX_ERROR_LENGTH]
    )


def mark_for_retry(
    message_id: int, worker_id: str, reason: str, *, now: dt.datetime | None = None
) -> bool:
    """Try again later, waiting longer after each failure; failed after MAIL_MAX_ATTEMPTS."""
    now = now or utcnow()
    session = db.session()
    attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    end_read()
    if attempts is None:
        return False
    if attempts >= _max_attempts():
        return mark_failed(message_id, worker_id, f"Gave up after {attempts} attempts: {reason}")
    log.info("outbox message %s will be retried (attempt %s failed)", message_id, attempts)
    return _record(
        message_id,
        worker_id,
        status=MessageStatus.PENDING,
        next_attempt_at=now + retry_delay(attempts),
        last_error=reason[:MAX_ERROR_LENGTH],
    )


def release(message_ids: Sequence[int], worker_id: str) -> None:
    """Hand back claimed messages this worker did not try (it is stopping)."""
    if not message_ids:
        return
    with transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.status == MessageStatus.SENDING,
                OutboxMessage.claimed_by == worker_id,
            )
            .values(
                status=MessageStatus.PENDING,
                claimed_by=None,
                claimed_at=None,
                attempts=OutboxMessage.attempts - 1,
            )
        )


def _max_attempts() -> int:
    return current_app.config["MAIL_MAX_ATTEMPTS"]
