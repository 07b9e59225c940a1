"""Mailings: frozen recipients, written into the outbox by workers exactly once each."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from sqlalchemy import event, select, update

from engage.audit.models import AuditEntry
from engage.db import transaction
from engage.extensions import db
from engage.mail import mailings
from engage.mail.mailings import UnknownMailingKind, create_mailing, progress, write_next_batch
from engage.mail.models import (
    Mailing,
    MailingRecipient,
    MailingStatus,
    MessageStatus,
    OutboxMessage,
)
from engage.mail.worker import Worker, deliver_due
from tests.mail.conftest import add_messages
from tests.mail.mailing_helpers import (
    KIND,
    TROUBLE,
    Killed,
    address,
    new_mailing,
    not_exactly_once,
    numbers,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_trouble():
    """The test writer writes every recipient unless the test says otherwise."""
    yield
    TROUBLE.gone, TROUBLE.fail_for, TROUBLE.die_at = set(), set(), None


class Statements:
    """The SQL statements an engine runs while counting."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, _params, _context, _executemany):
        self.seen.append(" ".join(statement.split()))

    def containing(self, text: str) -> list[str]:
        """The statements that contain the text (case-insensitive)."""
        return [s for s in self.seen if text.upper() in s.upper()]


def _count(model, *where) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model).where(*where))


def _mailing(mailing_id: int) -> Mailing:
    return db.session.get(Mailing, mailing_id, populate_existing=True)


def _addresses(mailing_id: int, count: int) -> set[str]:
    return {address(mailing_id, n) for n in range(1, count + 1)}


# --- creating ----------------------------------------------------------------------


def test_ten_thousand_recipients_are_frozen_in_one_statement(app):
    with app.app_context():
        with Statements(db.engine) as statements:
            mailing, created = create_mailing(
                kind=KIND, key="big", recipients=numbers(10_000), summary="Hello", now=NOW
            )
        assert created
        [insert] = statements.containing("INSERT INTO mailing_recipients")
        assert "SELECT" in insert  # INSERT ... SELECT: one statement for them all
        stored = _mailing(mailing.id)
        assert (stored.status, stored.recipient_count, stored.created_at) == (
            MailingStatus.QUEUED,
            10_000,
            NOW,
        )
        assert _count(MailingRecipient, MailingRecipient.written_at.is_(None)) == 10_000
        assert _count(OutboxMessage) == 0  # nothing is written until a worker does it
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.target_type, entry.target_id) == (
            "mailing.created",
            "Mailing",
            mailing.id,
        )
        assert "10000 recipient(s)" in entry.summary


def test_the_same_key_gives_the_same_mailing_and_nothing_twice(app):
    with app.app_context():
        first_id = new_mailing(5, key="once")
        again, created = create_mailing(kind=KIND, key="once", recipients=numbers(7))
        assert not created and again.id == first_id
        assert _count(Mailing) == 1 and _count(MailingRecipient) == 5
        assert _count(AuditEntry) == 1


def test_a_key_taken_between_the_check_and_the_insert_gives_the_other_mailing(app, monkeypatch):
    """Two requests with one key at once: the second's insert fails, and it finds the first's."""
    with app.app_context():
        first_id = new_mailing(3, key="raced")
        looked = []

        def missed_once(session, key):
            looked.append(key)
            if len(looked) == 1:
                return None  # as if the other request had not committed yet
            return session.scalar(select(Mailing).where(Mailing.key == key))

        monkeypatch.setattr(mailings, "_by_key", missed_once)
        with transaction():  # the caller's, as a feature's change would be
            db.session.add(AuditEntry(action="caller.change", actor_label="system", summary=""))
            mailing, created = create_mailing(kind=KIND, key="raced", recipients=numbers(5))
            assert (mailing.id, created) == (first_id, False)
        # The caller's own transaction went on: only the failed insert was undone.
        assert _count(AuditEntry, AuditEntry.action == "caller.change") == 1
        assert _count(Mailing) == 1 and _count(MailingRecipient) == 3


def test_a_kind_nobody_writes_is_refused(app):
    with app.app_context(), pytest.raises(UnknownMailingKind):
        create_mailing(kind="no-such-kind", key="x", recipients=numbers(1))
    with app.app_context():
        assert _count(Mailing) == 0


def test_a_mailing_to_nobody_is_done_at_once(app):
    with app.app_context():
        mailing_id = new_mailing(0)
        assert _mailing(mailing_id).status == MailingStatus.DONE
        assert write_next_batch(batch_size=10) == 0


# --- writing and delivering --------------------------------------------------------


def test_the_worker_writes_and_delivers_one_email_per_recipient(mail_app, smtp_server):
    with mail_app.app_context():
        mailing_id = new_mailing(130, params={"subject": "Hello"})
        tally = Worker("w", mailing_batch_size=50).drain()
        assert tally.written == 130 and tally.sent == 130
        stored = _mailing(mailing_id)
        assert (stored.status, stored.written_count) == (MailingStatus.DONE, 130)
        assert stored.finished_at is not None
        assert _count(MailingRecipient, MailingRecipient.outbox_message_id.is_(None)) == 0
        assert progress(stored) == mailings.Progress(130, 0, 0, 130, 0, 0)
    assert not_exactly_once(smtp_server, _addresses(mailing_id, 130)) == {}
    assert smtp_server.received[0].message["Subject"] == "Hello for 1"


def test_each_batch_is_one_transaction_and_the_rest_waits(app):
    with app.app_context():
        mailing_id = new_mailing(25)
        assert write_next_batch(batch_size=10, now=NOW) == 10
        stored = _mailing(mailing_id)
        assert (stored.status, stored.written_count) == (MailingStatus.SENDING, 10)
        assert progress(stored).to_write == 15 and progress(stored).queued == 10
        assert write_next_batch(batch_size=10, now=NOW) == 10
        assert write_next_batch(batch_size=10, now=NOW) == 5
        assert _mailing(mailing_id).status == MailingStatus.DONE
        assert write_next_batch(batch_size=10, now=NOW) == 0
        assert _count(OutboxMessage) == 25


def test_what_a_batch_needs_is_read_once_per_batch(app, monkeypatch):
    monkeypatch.setattr(mailings, "_writers", dict(mailings._writers))
    batches = []

    def prepare(mailing, ids):
        batches.append(list(ids))
        return {n: f"Number {n}" for n in ids}

    @mailings.mailing_writer("test-prepared", prepare=prepare)
    def write(mailing, recipient_id, labels):
        message = OutboxMessage(
            kind="test", to_address=address(mailing.id, recipient_id), subject=labels[recipient_id]
        )
        message.body_text, message.attachments = "Hello.", []
        db.session.add(message)
        return message

    with app.app_context():
        create_mailing(kind="test-prepared", key="prepared", recipients=numbers(25))
        while write_next_batch(batch_size=10, now=NOW):
            pass
        assert batches == [list(range(1, 11)), list(range(11, 21)), list(range(21, 26))]
        subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id))
        assert list(subjects) == [f"Number {n}" for n in range(1, 26)]


def test_gone_and_failing_recipients_do_not_hold_up_the_rest(app, caplog):
    TROUBLE.gone, TROUBLE.fail_for = {3}, {5}
    with app.app_context():
        mailing_id = new_mailing(8)
        with caplog.at_level(logging.INFO, logger="engage.mail"):
            assert write_next_batch(batch_size=50, now=NOW) == 8
        stored = _mailing(mailing_id)
        assert stored.status == MailingStatus.DONE
        assert (stored.written_count, stored.skipped_count, stored.error_count) == (6, 1, 1)
        assert progress(stored).not_sent == 2 and progress(stored).queued == 6
        assert _count(OutboxMessage) == 6
        # Neither is tried again: they are marked written, without a message.
        assert _count(MailingRecipient, MailingRecipient.written_at.is_(None)) == 0
    assert "recipient 5 failed (RuntimeError)" in caplog.text
    assert "@" not in caplog.text  # the writer's error named an address: not logged


def test_a_batch_killed_midway_is_rolled_back_whole_then_written_once(mail_app, smtp_server):
    TROUBLE.die_at = 75
    with mail_app.app_context():
        mailing_id = new_mailing(120)
        assert write_next_batch(batch_size=50, now=NOW) == 50
        with pytest.raises(Killed):
            write_next_batch(batch_size=50, now=NOW)  # dies at recipient 75 of 51..100
        db.session.rollback()
        # The first batch stands; of the second nothing, neither emails nor marks.
        assert _count(OutboxMessage) == 50
        assert _count(MailingRecipient, MailingRecipient.written_at.is_not(None)) == 50
        assert _mailing(mailing_id).written_count == 50

        TROUBLE.die_at = None  # a fresh worker takes over
        assert deliver_due().sent == 120
    assert not_exactly_once(smtp_server, _addresses(mailing_id, 120)) == {}


def _without_the_written_check(session, mailing_id, limit):
    return list(
        session.scalars(
            select(MailingRecipient.recipient_id)
            .where(MailingRecipient.mailing_id == mailing_id)
            .order_by(MailingRecipient.recipient_id)
            .limit(limit)
        )
    )


def test_control_without_the_written_check_people_get_two_emails(
    mail_app, smtp_server, monkeypatch
):
    """Control: a batch that does not skip recipients already written sends them again."""
    with mail_app.app_context():
        mailing_id = new_mailing(60)
        with monkeypatch.context() as patched:
            patched.setattr(mailings, "next_recipients", _without_the_written_check)
            for _ in range(2):
                write_next_batch(batch_size=30, now=NOW)
        deliver_due()
    problems = not_exactly_once(smtp_server, _addresses(mailing_id, 60))
    assert problems == {address(mailing_id, n): 2 for n in range(1, 31)}


def _run_workers(make_app, smtp_server, workers: int = 2) -> list[int]:
    """Workers, each with its own app and engine, draining at once; how many each wrote."""
    apps = [
        make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SUPPRESS_SEND=False)
        for _ in range(workers)
    ]
    start = threading.Barrier(workers)
    errors: list[BaseException] = []
    written = [0] * workers

    def work(index, app):
        try:
            with app.app_context():
                start.wait(timeout=10)
                worker = Worker(f"w{index}", batch_size=20, mailing_batch_size=25)
                written[index] = worker.drain().written
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    return written


def test_two_workers_at_once_write_each_recipient_once(mail_app, smtp_server, make_app):
    with mail_app.app_context():
        first_id = new_mailing(150, key="first")
        second_id = new_mailing(100, key="second")
    written = _run_workers(make_app, smtp_server)

    assert sum(written) == 250
    expected = _addresses(first_id, 150) | _addresses(second_id, 100)
    assert not_exactly_once(smtp_server, expected) == {}
    with mail_app.app_context():
        assert _count(OutboxMessage) == 250
        assert {m.status for m in db.session.scalars(select(Mailing))} == {MailingStatus.DONE}
        assert sum(m.written_count for m in db.session.scalars(select(Mailing))) == 250


def test_postgresql_workers_skip_a_mailing_another_is_writing(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
        busy_id = new_mailing(5, key="busy")
        free_id = new_mailing(5, key="free")
        with db.engine.connect() as other:
            other.execute(select(Mailing.id).where(Mailing.id == busy_id).with_for_update())
            assert write_next_batch(batch_size=10, now=NOW) == 5
            other.rollback()
        assert _mailing(busy_id).status == MailingStatus.QUEUED
        assert _mailing(free_id).status == MailingStatus.DONE


def test_a_mailing_no_writer_here_knows_is_left_for_a_worker_that_does(app, monkeypatch):
    with app.app_context():
        mailing_id = new_mailing(3)
        monkeypatch.setattr(mailings, "_writers", {})
        assert write_next_batch(batch_size=10, now=NOW) == 0
        assert _mailing(mailing_id).status == MailingStatus.QUEUED


# --- progress and retries ----------------------------------------------------------


def test_progress_is_one_grouped_query(app):
    with app.app_context():
        mailing_id = new_mailing(6)
        write_next_batch(batch_size=10, now=NOW)
        ids = db.session.scalars(select(MailingRecipient.outbox_message_id)).all()
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids[:2]))
            .values(status=MessageStatus.SENT)
        )
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[2])
            .values(status=MessageStatus.FAILED)
        )
        db.session.commit()
        stored = _mailing(mailing_id)
        with Statements(db.engine) as statements:
            counts = progress(stored)
        assert len(statements.seen) == 1 and "GROUP BY" in statements.seen[0]
        assert counts == mailings.Progress(6, 0, 3, 2, 1, 0)
        assert not counts.is_finished


def test_retrying_queues_again_only_this_mailings_failed_emails(app):
    with app.app_context():
        mailing_id = new_mailing(4)
        write_next_batch(batch_size=10, now=NOW)
        add_messages(1, status=MessageStatus.FAILED)  # another email, failed too
        db.session.execute(update(OutboxMessage).values(status=MessageStatus.FAILED, attempts=7))
        db.session.commit()
        later = NOW + dt.timedelta(hours=1)
        assert mailings.retry_failed(_mailing(mailing_id), now=later) == 4
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(r.status, r.attempts) for r in rows] == [(MessageStatus.PENDING, 0)] * 4 + [
            (MessageStatus.FAILED, 7)
        ]
        assert {r.next_attempt_at for r in rows[:4]} == {later}
        assert _count(AuditEntry, AuditEntry.action == "mailing.retried") == 1
        assert mailings.retry_failed(_mailing(mailing_id)) == 0  # nothing failed now
        assert _count(AuditEntry, AuditEntry.action == "mailing.retried") == 1
