"""SQLite's writers take turns through a lock file, so the next one starts as the last one ends.

SQLite lets one writer in at a time. The others retry from its busy handler,
which sleeps 1, 2, 5, 10, 15, 20, 25 ms and more between tries: under a burst
(two gunicorn workers booking at once) a writer waits far longer than the
transaction it waits for, and the server's time per booking doubles. So a
transaction() on a SQLite file first takes an exclusive flock on a file beside
it (`<database>-writers`), polling every fraction of a millisecond, and only
then BEGIN IMMEDIATE, which then finds the database free. The lock is released
when the transaction ends, committed or not; the operating system releases it
if the process dies. Writers that do not come through transaction() (a
migration, the sqlite3 shell) are still kept out by SQLite's own lock.
PostgreSQL needs none of this: it wakes a waiter as soon as a row lock is free.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Between tries: short, since a booking's transaction takes a few milliseconds.
_POLL_SECONDS = (0.0001, 0.0002, 0.0005)


def lock_path(database: str | None) -> str | None:
    """The lock file for a SQLite database file; None for a database in memory."""
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return f"{database}-writers"


@contextmanager
def writer_turn(path: str | None, timeout: float) -> Iterator[None]:
    """Hold the writers' lock for the block; TimeoutError if it cannot be had in time."""
    if path is None:
        yield
        return
    # A descriptor of its own each time: flock excludes other descriptors, threads included.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no turn to write within {timeout} s") from None
                time.sleep(_POLL_SECONDS[min(tries, len(_POLL_SECONDS) - 1)])
                tries += 1
        yield
    finally:
        os.close(descriptor)  # releases the lock
