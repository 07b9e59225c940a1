"""Claims: several workers never send the same message; a dead worker's claims come back."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from sqlalchemy import select, update

from engage.extensions import db
from engage.mail import outbox
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.worker import Worker
from tests.mail.conftest import add_messages, expected_ids

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def _statuses(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)
        )
        return {status.value: count for status, count in rows}


def test_a_claim_is_committed_and_not_given_twice(app):
    with app.app_context():
        add_messages(5)
        first = outbox.claim_due("a", limit=3, now=NOW)
        second = outbox.claim_due("b", limit=3, now=NOW)
        assert not db.session().in_transaction()
        rows = {r.id: r for r in db.session.scalars(select(OutboxMessage))}
    assert len(first) == 3 and len(second) == 2
    assert set(first).isdisjoint(second)
    assert {rows[i].claimed_by for i in first} == {"a"}
    assert all(rows[i].status == MessageStatus.SENDING for i in first + second)
    assert all(rows[i].claimed_at == NOW and rows[i].attempts == 1 for i in first)


def test_a_stale_claim_is_recovered_after_the_lease(app):
    with app.app_context():
        add_messages(3)
        [stale] = outbox.claim_due("dead", limit=1, now=NOW)
        [fresh] = outbox.claim_due("alive", limit=1, now=NOW + dt.timedelta(seconds=2))
        later = NOW + dt.timedelta(seconds=301)
        assert outbox.recover_stale(now=later, lease_seconds=300) == 1
        rows = {r.id: r for r in db.session.scalars(select(OutboxMessage))}
        assert rows[stale].status == MessageStatus.PENDING
        assert (rows[stale].claimed_by, rows[stale].next_attempt_at) == (None, later)
        assert "stopped" in rows[stale].last_error
        assert rows[fresh].status == MessageStatus.SENDING

        # The dead worker's late answer is dropped: the row is no longer its claim.
        assert outbox.mark_sent(stale, "dead", now=later) is False
        assert outbox.mark_sent(fresh, "alive", now=later) is True


def test_a_row_that_keeps_killing_workers_is_failed(app):
    with app.app_context():
        add_messages(1, attempts=app.config["MAIL_MAX_ATTEMPTS"] - 1)
        outbox.claim_due("dead", limit=1, now=NOW)
        outbox.recover_stale(now=NOW + dt.timedelta(hours=1), lease_seconds=300)
        row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status == MessageStatus.FAILED
    assert "too many times" in row.last_error


def test_a_stopping_worker_hands_back_what_it_did_not_try(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(4)
        stop = threading.Event()
        worker = Worker("w", now=NOW, stop=stop)
        ids = outbox.claim_due("w", limit=4, now=NOW)
        stop.set()
        worker.deliver(ids)
    assert worker.tally.released == 4
    assert _statuses(mail_app) == {"pending": 4}
    with mail_app.app_context():
        assert {r.attempts for r in db.session.scalars(select(OutboxMessage))} == {0}
    assert smtp_server.received == []


def _run_workers(make_app, smtp_server, count: int) -> dict[str, int]:
    """Two workers, each with its own app and engine, draining the outbox at once."""
    apps = [
        make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_SUPPRESS_SEND=False)
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    tallies: dict[str, int] = {}

    def work(name, app):
        try:
            with app.app_context():
                start.wait(timeout=10)
                tallies[name] = Worker(name, batch_size=25).drain().sent
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"w{i}", a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return tallies


def test_two_workers_deliver_each_message_exactly_once(mail_app, smtp_server, make_app):
    # A thousand on PostgreSQL; fewer on SQLite, where claims queue on one write lock.
    with mail_app.app_context():
        count = 1000 if db.engine.dialect.name == "postgresql" else 200
        add_messages(count)
    tallies = _run_workers(make_app, smtp_server, count)

    assert smtp_server.message_ids() == dict.fromkeys(expected_ids(mail_app), 1)
    assert len(smtp_server.received) == count
    assert sum(tallies.values()) == count
    assert all(sent > 0 for sent in tallies.values()), tallies  # both really worked
    assert _statuses(mail_app) == {"sent": count}


def test_control_without_claiming_the_same_messages_go_twice(
    mail_app, smtp_server, make_app, monkeypatch
):
    """Control: a claim that reads, then marks, without a lock lets both workers take a batch."""
    both_read = threading.Barrier(2)

    def unlocked_claim(worker_id, *, limit, now=None):
        session = db.session()
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == MessageStatus.PENDING)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        session.commit()
        if not both_read.broken:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait(timeout=2)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=MessageStatus.SENDING, claimed_by=worker_id, claimed_at=now or NOW)
        )
        session.commit()
        return ids

    monkeypatch.setattr(outbox, "claim_due", unlocked_claim)
    with mail_app.app_context():
        add_messages(50)
    _run_workers(make_app, smtp_server, 50)
    assert max(smtp_server.message_ids().values()) > 1


def test_postgresql_claims_skip_rows_another_worker_has_locked(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises claims instead")
        add_messages(3)
        with db.engine.connect() as other:
            other.execute(select(OutboxMessage.id).where(OutboxMessage.id == 1).with_for_update())
            claimed = outbox.claim_due("w", limit=10, now=NOW)
            other.rollback()
    assert claimed == [2, 3]


def test_the_claim_is_committed_before_smtp_and_no_lock_is_held_meanwhile(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(2)
    smtp_server.inbox.hold_at = 1
    done = threading.Event()

    def work():
        with mail_app.app_context():
            Worker("w", now=NOW).drain()
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert smtp_server.inbox.holding.wait(timeout=30)
        # While the server holds its reply, another connection sees the claim
        # and can write: the worker holds no transaction open across SMTP.
        assert _statuses(mail_app) == {"sending": 2}
        with mail_app.app_context():
            add_messages(1)
    finally:
        smtp_server.inbox.release.set()
        thread.join(timeout=30)
    assert done.is_set()
    assert _statuses(mail_app) == {"sent": 3}
