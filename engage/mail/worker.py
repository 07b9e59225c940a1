"""The mail worker: `flask --app wsgi engage worker [--once]`.

Each pass of `run` first runs the periodic jobs that features registered and
that are due (engage.mail.jobs: reminders, the retention purge), then drains
the outbox. Each round of the drain writes one batch of a waiting mailing
into the outbox (engage.mail.mailings), recovers stale claims, claims a batch
of due messages (committed before any SMTP traffic), sends them over one SMTP
connection and records each outcome in its own transaction right after the
server's reply, while one thread builds the next message (engage.mail.prebuild).
Logs carry message ids and states only, never addresses or bodies.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import smtplib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from engage.db import end_read, utcnow
from engage.extensions import db
from engage.mail import delivery, jobs, mailings, outbox, prebuild
from engage.mail.models import OutboxMessage

log = logging.getLogger("engage.mail")


@dataclass
class Tally:
    """What a worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    batches: int = 0
    written: int = 0  # mailing recipients handled (their email written, or skipped)

    @property
    def tried(self) -> int:
        """Messages whose outcome was recorded."""
        return self.sent + self.retrying + self.failed


def new_worker_id() -> str:
    """A name for this worker, unique across machines and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    """Delivers due outbox messages; one per process or thread, each with its own session."""

    def __init__(
        self,
        worker_id: str | None = None,
        *,
        batch_size: int | None = None,
        mailing_batch_size: int | None = None,
        now: dt.datetime | None = None,
        stop: threading.Event | None = None,
    ):
        config = current_app.config
        self.worker_id = worker_id or new_worker_id()
        self.batch_size = batch_size or config["MAIL_BATCH_SIZE"]
        self.mailing_batch_size = mailing_batch_size or config["MAILING_BATCH_SIZE"]
        self.lease = dt.timedelta(seconds=config["MAIL_CLAIM_LEASE_SECONDS"])
        self.clock: Callable[[], dt.datetime] = (lambda: now) if now else utcnow
        self.stop = stop or threading.Event()
        self.tally = Tally()
        if self.lease < dt.timedelta(seconds=4 * config["MAIL_TIMEOUT"]):
            # A live worker stuck on a slow server could have its claims recovered.
            log.warning("MAIL_CLAIM_LEASE_SECONDS is short next to MAIL_TIMEOUT")

    def drain(self) -> Tally:
        """Write waiting mailings and deliver everything due now, batch after batch; the tally."""
        while not self.stop.is_set():
            # One batch of each in turn, so a long mailing starts going out
            # while it is still being written.
            written = self.write_mailing_batch()
            if not self.run_batch() and not written:
                break
        return self.tally

    def write_mailing_batch(self) -> int:
        """Write one batch of a waiting mailing into the outbox; how many recipients it took."""
        taken = mailings.write_next_batch(batch_size=self.mailing_batch_size, now=self.clock())
        self.tally.written += taken
        return taken

    def run_batch(self) -> int:
        """Recover stale claims, then claim and deliver one batch; how many were claimed."""
        outbox.recover_stale(now=self.clock())
        ids = outbox.claim_due(self.worker_id, limit=self.batch_size, now=self.clock())
        if ids:
            self.tally.batches += 1
            self.deliver(ids)
        return len(ids)

    def deliver(self, ids: list[int]) -> None:
        """Send claimed messages over one connection, recording each outcome."""
        claimed_at = self.clock()
        rows = self._load(ids)
        connection = None
        builder = prebuild.Prebuilder([rows.get(message_id) for message_id in ids])
        try:
            for index, message_id in enumerate(ids):
                # Stop between messages, never mid-message; and hand the rest back
                # well before the lease runs out so nobody recovers them under us
                # (but always try one, so that a tiny lease still makes progress).
                overdue = index > 0 and self.clock() - claimed_at > self.lease / 2
                if self.stop.is_set() or overdue:
                    self._release(ids[index:])
                    return
                message = self._build(message_id, builder, index)
                if message is None:
                    continue
                if connection is None:
                    try:
                        connection = delivery.connect()
                    except (smtplib.SMTPException, OSError) as error:
                        # The server is unreachable: every message left waits its turn.
                        _, reason = delivery.classify(error)
                        for remaining in ids[index:]:
                            self._retry(remaining, reason)
                        return
                try:
                    connection.send(message)
                except (smtplib.SMTPException, OSError) as error:
                    # smtplib may have dropped the connection (e.g. after a 421);
                    # the next message opens a fresh one.
                    delivery.disconnect(connection)
                    connection = None
                    permanent, reason = delivery.classify(error)
                    if permanent:
                        self._fail(message_id, reason)
                    else:
                        self._retry(message_id, reason)
                    continue
                if outbox.mark_sent(message_id, self.worker_id, now=self.clock()):
                    self.tally.sent += 1
        finally:
            builder.close()
            delivery.disconnect(connection)

    def _load(self, ids: list[int]) -> dict[int, OutboxMessage]:
        # One read for the batch; the rows are detached so that no transaction
        # stays open while the worker waits on the SMTP server.
        session = db.session()
        rows = {
            row.id: row
            for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        }
        session.expunge_all()
        end_read()
        return rows

    def _build(self, message_id: int, builder: prebuild.Prebuilder, index: int):
        # Built on the builder's thread while the previous message was sent; the
        # outcome of a row that cannot be built is still recorded here, in order.
        try:
            return builder.message(index)
        except delivery.UnsendableMessage as error:
            self._fail(message_id, str(error))
            return None

    def _fail(self, message_id: int, reason: str) -> None:
        if outbox.mark_failed(message_id, self.worker_id, reason):
            self.tally.failed += 1

    def _retry(self, message_id: int, reason: str) -> None:
        if outbox.mark_for_retry(message_id, self.worker_id, reason, now=self.clock()):
            self.tally.retrying += 1

    def _release(self, ids: list[int]) -> None:
        outbox.release(ids, self.worker_id)
        self.tally.released += len(ids)


def deliver_due(*, now: dt.datetime | None = None, batch_size: int | None = None) -> Tally:
    """Deliver every message due now (or at `now`) and return; what `--once` runs."""
    return Worker(now=now, batch_size=batch_size).drain()


def run(
    *, once: bool = False, interval: float | None = None, stop: threading.Event | None = None
) -> Tally:
    """Deliver until SIGTERM or SIGINT (finishing the current message), or once with `once`."""
    stop = stop or threading.Event()
    worker = Worker(stop=stop)
    interval = current_app.config["MAIL_POLL_SECONDS"] if interval is None else interval
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    log.info("mail worker %s started", worker.worker_id)
    try:
        while not stop.is_set():
            _run_jobs(worker.worker_id)
            try:
                worker.drain()
            except Exception:
                if once:
                    raise
                # A database hiccup must not end the worker; stale claims are recovered.
                db.session.rollback()
                log.exception("mail worker pass failed; trying again")
            finally:
                db.session.remove()
            if once:
                break
            stop.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("mail worker %s stopped: %s sent", worker.worker_id, worker.tally.sent)
    return worker.tally


def _run_jobs(worker_id: str) -> None:
    # Each pass runs the features' periodic jobs that are due (reminders, the
    # retention purge), so that `make run` and a worker-only deployment need no
    # cron. A failure here must not stop delivery: it is logged, tried again later.
    try:
        jobs.run_due(worker_id)
    except Exception:
        db.session.rollback()
        log.exception("periodic jobs failed; trying again next pass")
    finally:
        db.session.remove()
