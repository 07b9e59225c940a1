"""SQLite's writers take turns through a lock file (engage/writerturn.py)."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest

from engage.db import LockUnavailable, transaction
from engage.events.models import Event
from engage.extensions import db
from engage.writerturn import lock_path, writer_turn


def _taken(path: str) -> bool:
    """Whether another descriptor holds the lock now (tried once, never waited on)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


@pytest.fixture
def sqlite_file(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the writers' turn is SQLite's; PostgreSQL wakes lock waiters itself")
        return lock_path(db.engine.url.database)


def test_a_transaction_holds_the_turn_until_it_has_committed_or_rolled_back(
    app, make_event, sqlite_file
):
    event = make_event(capacity=5)
    with app.app_context():
        assert not _taken(sqlite_file)
        with transaction(lock=(Event, event.id)):
            assert _taken(sqlite_file)
            db.session.get(Event, event.id).capacity = 6
        assert not _taken(sqlite_file)
        with pytest.raises(ValueError), transaction():
            assert _taken(sqlite_file)
            raise ValueError("boom")
        assert not _taken(sqlite_file)


def test_a_writer_waits_for_the_turn_and_gives_up_in_time(app, sqlite_file, monkeypatch):
    with writer_turn(sqlite_file, timeout=1):
        with pytest.raises(TimeoutError), writer_turn(sqlite_file, timeout=0):
            pass
        # The same through transaction(), with a timeout that has passed already.
        monkeypatch.setattr("engage.db.LOCK_TIMEOUT_SECONDS", 0)
        with app.app_context(), pytest.raises(LockUnavailable), transaction():
            pass


def test_the_next_writer_goes_as_soon_as_the_turn_is_free(sqlite_file):
    order = []
    waiting = threading.Event()

    def second():
        waiting.set()
        with writer_turn(sqlite_file, timeout=30):
            order.append("second")

    with writer_turn(sqlite_file, timeout=1):
        thread = threading.Thread(target=second)
        thread.start()
        waiting.wait(5)
        assert _taken(sqlite_file)
        order.append("first")
    thread.join(30)
    assert order == ["first", "second"]


def test_a_database_in_memory_has_no_lock_file():
    assert lock_path(":memory:") is None and lock_path("") is None
    assert lock_path("/srv/engage/instance/engage.sqlite3") == (
        "/srv/engage/instance/engage.sqlite3-writers"
    )
