"""Database helpers shared by every feature: UTC times, SQLite setup, one way to commit."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from sqlalchemy import DateTime, Enum, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from engage.extensions import db
from engage.writerturn import lock_path, writer_turn

UTC = dt.UTC
LOCK_TIMEOUT_SECONDS = 5
T = TypeVar("T")


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def value_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A database enum that stores each member's value (e.g. "admin"), not its name."""
    return Enum(cls, name=name, values_callable=lambda members: [m.value for m in members])


class LockUnavailable(Exception):
    """The write lock could not be had in time; the user should try again."""


def configure_engine(engine: Engine) -> None:
    """Give SQLite foreign keys, WAL, a busy timeout and explicit BEGINs."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself, so that a
        # write transaction can be taken up front with BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_SECONDS * 1000}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


_DEPTH = "engage.transaction_depth"


@contextmanager
def transaction(lock: tuple[type, int] | None = None) -> Iterator[Session]:
    """Run one use case in one transaction: committed at the end, rolled back on any error.

    The block starts afresh: a read transaction left open by the caller (a view
    that loaded the object) is ended first, so pending changes are refused.
    SQLite takes its write lock up front (BEGIN IMMEDIATE), so that writers
    queue on the busy timeout instead of failing to upgrade a read. With
    `lock=(Model, id)`, PostgreSQL also locks that row (SELECT ... FOR UPDATE),
    so two blocks for the same row run one after the other. A lock that cannot
    be had within a few seconds raises LockUnavailable.

    A transaction() inside another joins it: the outer block commits, once.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth:
        if lock is not None:
            _lock_row(session, lock)
        session.info[_DEPTH] = depth + 1
        try:
            yield session
        finally:
            session.info[_DEPTH] = depth
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("transaction() needs a session without pending changes")
    if session.in_transaction():
        session.commit()
    session.info[_DEPTH] = 1
    turn = ExitStack()  # SQLite's writers' turn (engage/writerturn.py), held to the very end
    try:
        try:
            if db.engine.dialect.name == "sqlite":
                turn.enter_context(
                    writer_turn(lock_path(db.engine.url.database), LOCK_TIMEOUT_SECONDS)
                )
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            elif lock is not None:
                session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'"))
            if lock is not None:
                _lock_row(session, lock)
        except (OperationalError, TimeoutError) as error:
            session.rollback()
            raise LockUnavailable() from error
        try:
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            if _is_lock_error(error):
                raise LockUnavailable() from error
            raise
        except BaseException:
            session.rollback()
            raise
    finally:
        turn.close()
        session.info.pop(_DEPTH, None)


def end_read() -> None:
    """End the session's read-only transaction, so that no snapshot or lock is held.

    For jobs that read, then do each piece of work in a transaction() of its
    own. Refuses a session with changes: those belong in a transaction().
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read() found unsaved changes; write them in a transaction()")
    session.rollback()


def _lock_row(session: Session, lock: tuple[type, int]) -> None:
    if db.engine.dialect.name == "sqlite":
        return  # BEGIN IMMEDIATE already holds the whole database
    model, row_id = lock
    session.execute(db.select(model.id).where(model.id == row_id).with_for_update())


def retrying(
    work: Callable[[], T], *, lock: tuple[type, int] | None = None, attempts: int = 2
) -> T:
    """Run `work` in transaction(lock=lock), waiting for the lock up to `attempts` times.

    A burst can queue people (or parallel jobs) behind one lock for longer
    than its timeout; one more wait is kinder than giving up at once.
    """
    for attempt in range(attempts):
        try:
            with transaction(lock=lock):
                return work()
        except LockUnavailable:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _is_lock_error(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "lock timeout" in message or "could not obtain lock" in message
