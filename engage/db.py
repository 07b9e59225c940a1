"""Database helpers shared by every feature: UTC times, SQLite setup, write locks."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import DateTime, Enum, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

from engage.extensions import db

UTC = dt.UTC
LOCK_TIMEOUT_SECONDS = 5


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


@contextmanager
def write_lock(lock_row: tuple[type, int]) -> Iterator[None]:
    """Run the block in a fresh transaction holding a write lock on one row.

    On PostgreSQL the row is locked with SELECT ... FOR UPDATE; on SQLite the
    whole database is taken with BEGIN IMMEDIATE. Either way, two blocks for
    the same row run one after the other. The block's changes are committed
    on success and rolled back on any error. A lock that cannot be had within
    a few seconds raises LockUnavailable.
    """
    model, row_id = lock_row
    session = db.session()  # the scoped session's current Session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_lock() needs a session without pending changes")
    if session.in_transaction():
        session.commit()
    try:
        if db.engine.dialect.name == "sqlite":
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        else:
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'"))
            session.execute(db.select(model.id).where(model.id == row_id).with_for_update())
    except OperationalError as error:
        session.rollback()
        raise LockUnavailable() from error
    try:
        yield
        session.commit()
    except OperationalError as error:
        session.rollback()
        if _is_lock_error(error):
            raise LockUnavailable() from error
        raise
    except BaseException:
        session.rollback()
        raise


def _is_lock_error(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "lock timeout" in message or "could not obtain lock" in message
