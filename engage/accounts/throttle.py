"""Counting failed sign-ins where every worker sees them: Redis if configured, else the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from limits import RateLimitItem, parse, storage, strategies
from sqlalchemy import delete, func, insert, select

from engage.accounts.models import ThrottleHit
from engage.db import transaction, utcnow
from engage.errors import render_error
from engage.extensions import db
from engage.tokens import digest

SIGN_IN_FAILURES = parse("5 per 15 minutes")
RESET_REQUESTS = parse("3 per hour")
# The longest window any limit may use (other features count here too, such as
# bookings per address): database rows are kept this long, then pruned.
LONGEST_WINDOW = dt.timedelta(days=1)
_EXTENSION = "engage.accounts.throttle"
_LOCK_CLASS = 0x74687274  # "thrt": the advisory locks reserve() takes on PostgreSQL


class ThrottleUnavailable(Exception):
    """The shared counters cannot be reached, so sign-in is refused for now."""


@dataclass(frozen=True)
class Reservation:
    """The attempts one reserve() counted, so that exactly those can be given back.

    `held` is the throttle's own record of them: database row ids, or
    (Redis key, entry) pairs.
    """

    held: tuple


@contextmanager
def _storage_errors() -> Iterator[None]:
    # Fail closed: without the counters, guessing passwords would be unlimited.
    try:
        yield
    except Exception as error:
        current_app.logger.warning("Sign-in throttle storage unavailable: %s", type(error).__name__)
        raise ThrottleUnavailable() from error


class Throttle(Protocol):
    """Failure counters keyed by client address, by account, or by device cookie."""

    def is_blocked(self, limit: RateLimitItem, *keys: str) -> bool:
        """Whether any of the keys has used up the limit (counts nothing)."""

    def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one attempt against each key."""

    def reserve(self, limit: RateLimitItem, *keys: str) -> Reservation | None:
        """Atomically: None if any key has used up the limit, else count one attempt on each."""

    def give_back(self, reservation: Reservation) -> None:
        """Uncount exactly the attempts the reservation counted."""

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        """Forget the attempts counted against the keys."""

    def blocked_until(self, limit: RateLimitItem, *keys: str) -> dt.datetime | None:
        """When every key is under the limit again; None if none has used it up."""


# limits' own moving-window acquire (resources/redis/lua_scripts/acquire_moving_window.lua)
# for one attempt, but it pushes the entry as the text it is given: limits pushes a Lua
# number, whose text Redis formats, and which no one could then find to remove.
# The list stays in limits' layout (newest first, at most `limit` entries), so
# limits' test(), get_window_stats() and clear() read it as their own.
_ACQUIRE = """
local limit = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local oldest = redis.call('lindex', KEYS[1], limit - 1)
if oldest and tonumber(oldest) >= tonumber(ARGV[1]) - expiry then
    return 0
end
redis.call('lpush', KEYS[1], ARGV[1])
redis.call('ltrim', KEYS[1], 0, limit - 1)
redis.call('expire', KEYS[1], expiry)
return 1
"""


class StorageThrottle:
    """Counters in a `limits` storage that every worker shares, such as Redis."""

    def __init__(self, storage_uri: str, options: dict | None = None):
        counters = storage.storage_from_string(storage_uri, **(options or {}))
        self.counters = counters
        self.limiter = strategies.MovingWindowRateLimiter(counters)
        # reserve() needs Redis, and init_app() accepts no other shared store; any
        # other storage (a test's memory://) still serves hit() and blocked_until().
        self.is_redis = isinstance(counters, storage.RedisStorage)
        if self.is_redis:
            self.acquire = counters.get_connection().register_script(_ACQUIRE)

    def is_blocked(self, limit: RateLimitItem, *keys: str) -> bool:
        """Whether any of the keys has used up the limit (counts nothing)."""
        with _storage_errors():
            return any(not self.limiter.test(limit, "engage", key) for key in keys)

    def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one attempt against each key."""
        with _storage_errors():
            for key in keys:
                self.limiter.hit(limit, "engage", key)

    def reserve(self, limit: RateLimitItem, *keys: str) -> Reservation | None:
        """Atomically per key: None if any key has used up the limit, else count one on each.

        A key refused after others were counted gives those back, so a refused
        attempt counts nothing (another attempt may be refused meanwhile by a
        slot that is then given back: it errs towards refusing, never towards
        letting one more through).
        """
        held: list[tuple[str, str]] = []
        with _storage_errors():
            for key in keys:
                name = self.counters.prefixed_key(limit.key_for("engage", key))
                # Our own entry, as text, so that give_back() can remove exactly it.
                entry = repr(time.time())
                if not self.acquire([name], [entry, limit.amount, limit.get_expiry()]):
                    self.give_back(Reservation(tuple(held)))
                    return None
                held.append((name, entry))
        return Reservation(tuple(held))

    def give_back(self, reservation: Reservation) -> None:
        """Remove exactly the entries the reservation pushed (an equal timestamp is the same)."""
        with _storage_errors():
            connection = self.counters.get_connection()
            for name, entry in reservation.held:
                connection.lrem(name, 1, entry)

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        """Forget the attempts counted against the keys."""
        with _storage_errors():
            for key in keys:
                self.limiter.clear(limit, "engage", key)

    def blocked_until(self, limit: RateLimitItem, *keys: str) -> dt.datetime | None:
        """When every key is under the limit again; None if none has used it up."""
        with _storage_errors():
            stats = [self.limiter.get_window_stats(limit, "engage", key) for key in keys]
        resets = [s.reset_time for s in stats if s.remaining <= 0]
        return dt.datetime.fromtimestamp(max(resets), dt.UTC) if resets else None


def _used_up(limit: RateLimitItem, keys: tuple[str, ...]):
    """The keys that have used up the limit within its window (a query)."""
    since = utcnow() - _window(limit)
    return (
        select(ThrottleHit.key)
        .where(ThrottleHit.key.in_(keys), ThrottleHit.hit_at > since)
        .group_by(ThrottleHit.key)
        .having(func.count() >= limit.amount)
    )


def _window(limit: RateLimitItem) -> dt.timedelta:
    return dt.timedelta(seconds=limit.get_expiry())


class DatabaseThrottle:
    """Counters as rows in throttle_hits, in the current transaction or one of their own.

    Rows older than `keep` (the longest window in use) count towards nothing;
    a hit deletes them, at most once every PRUNE_EVERY in each process (every
    booking is a hit), so the table holds little more than that much history.
    """

    PRUNE_EVERY = dt.timedelta(minutes=1)

    def __init__(self, keep: dt.timedelta):
        self.keep = keep
        self.pruned_at: dt.datetime | None = None

    def is_blocked(self, limit: RateLimitItem, *keys: str) -> bool:
        """Whether any of the keys has used up the limit (counts nothing)."""
        # A plain read: the writes that follow use transaction(), which ends it first.
        with _storage_errors():
            return db.session.execute(_used_up(limit, keys)).first() is not None

    def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one attempt against each key, and delete rows no limit counts any more."""
        self._check_kept(limit)
        with _storage_errors(), transaction() as session:
            self._insert(session, keys)

    def _check_kept(self, limit: RateLimitItem) -> None:
        if _window(limit) > self.keep:
            raise ValueError(f"{limit} outlasts the {self.keep} the rows are kept")

    def _insert(self, session, keys: tuple[str, ...]) -> list[int]:
        # One row per key, and deletes rows no limit counts any more; their ids.
        now = utcnow()
        # SKIP LOCKED (PostgreSQL): concurrent hits each prune what the others
        # have not claimed, instead of deadlocking over the same old rows.
        expired = (
            select(ThrottleHit.id)
            .where(ThrottleHit.hit_at <= now - self.keep)
            .with_for_update(skip_locked=True)
        )
        if self._due_to_prune(now):
            # No session bookkeeping: these rows are never loaded as objects.
            session.execute(
                delete(ThrottleHit).where(ThrottleHit.id.in_(expired)),
                execution_options={"synchronize_session": False},
            )
        # One statement for every key, and nothing for the session to track.
        return list(
            session.scalars(
                insert(ThrottleHit).returning(ThrottleHit.id, sort_by_parameter_order=True),
                [{"key": key, "hit_at": now} for key in keys],
            )
        )

    def reserve(self, limit: RateLimitItem, *keys: str) -> Reservation | None:
        """Atomically for all keys: None if any has used up the limit, else count one on each.

        In one transaction() of its own (or the caller's): on SQLite that holds
        the whole database; on PostgreSQL an advisory lock per key, taken in
        sorted order so two reservations cannot deadlock, queues every other
        reservation for the same key until this one commits.
        """
        self._check_kept(limit)
        used_up = _used_up(limit, keys)
        with _storage_errors(), transaction() as session:
            if session.get_bind().dialect.name == "postgresql":
                for key in sorted(set(keys)):
                    session.execute(select(func.pg_advisory_xact_lock(*_lock_id(key))))
            if session.execute(used_up).first() is not None:
                return None
            return Reservation(tuple(self._insert(session, keys)))

    def give_back(self, reservation: Reservation) -> None:
        """Delete exactly the rows the reservation inserted."""
        with _storage_errors(), transaction() as session:
            session.execute(delete(ThrottleHit).where(ThrottleHit.id.in_(reservation.held)))

    def _due_to_prune(self, now: dt.datetime) -> bool:
        # A clock set back (tests move it) counts as due.
        if self.pruned_at is not None and 0 <= (now - self.pruned_at).total_seconds() < (
            self.PRUNE_EVERY.total_seconds()
        ):
            return False
        self.pruned_at = now
        return True

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        """Forget the attempts counted against the keys."""
        with _storage_errors(), transaction() as session:
            session.execute(delete(ThrottleHit).where(ThrottleHit.key.in_(keys)))

    def blocked_until(self, limit: RateLimitItem, *keys: str) -> dt.datetime | None:
        """When every key is under the limit again; None if none has used it up."""
        since = utcnow() - _window(limit)
        frees = []
        with _storage_errors():
            for key in keys:
                # Newest first: once the limit-th newest hit leaves the window, one is free.
                nth = db.session.scalars(
                    select(ThrottleHit.hit_at)
                    .where(ThrottleHit.key == key, ThrottleHit.hit_at > since)
                    .order_by(ThrottleHit.hit_at.desc())
                    .offset(limit.amount - 1)
                    .limit(1)
                ).first()
                if nth is not None:
                    frees.append(nth + _window(limit))
        return max(frees) if frees else None


def _lock_id(key: str) -> tuple[int, int]:
    # The two-integer form of advisory lock (a key space apart from the one-bigint
    # form): this module's class, and a 32-bit hash of the key. Two keys that
    # share a hash only wait for each other; neither is counted wrongly.
    hashed = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return _LOCK_CLASS, int.from_bytes(hashed, "big", signed=True)


def address_key(address: str | None) -> str:
    """The counter for one client address (hashed, as the account's is)."""
    return f"sign-in:address:{digest(address or 'unknown')}"


def account_key(email: str, purpose: str = "sign-in") -> str:
    """The counter for one typed email address (hashed: no personal data in the store)."""
    return f"{purpose}:account:{digest(email.strip().lower())}"


def device_key(nonce: str) -> str:
    """The counter for one browser's device cookie (see engage.accounts.devices)."""
    return f"sign-in:device:{digest(nonce)}"


def init_app(app: Flask) -> None:
    """Keep the counters in RATELIMIT_STORAGE_URI (with _OPTIONS, in the `limits` form) if it is
    shared, else in the database."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        # Memory lives in one process: each gunicorn worker would count alone.
        app.extensions[_EXTENSION] = DatabaseThrottle(LONGEST_WINDOW)
    else:
        options = app.config.get("RATELIMIT_STORAGE_OPTIONS")
        counters = StorageThrottle(uri, options)
        if not counters.is_redis:
            raise ValueError("RATELIMIT_STORAGE_URI: the shared counters must be in Redis")
        app.extensions[_EXTENSION] = counters

    @app.errorhandler(ThrottleUnavailable)
    def unavailable(_error):
        db.session.rollback()  # a failed count may have broken the transaction
        return render_error(503)


def throttle() -> Throttle:
    """The current app's counters."""
    return current_app.extensions[_EXTENSION]
