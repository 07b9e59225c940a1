"""Counting failed sign-ins, in storage every worker shares (Redis when configured)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from limits import RateLimitItem, parse, storage, strategies

SIGN_IN_FAILURES = parse("5 per 15 minutes")
RESET_REQUESTS = parse("3 per hour")
_EXTENSION = "engage.accounts.throttle"


class ThrottleUnavailable(Exception):
    """The shared counters cannot be reached, so sign-in is refused for now."""


@contextmanager
def _storage_errors() -> Iterator[None]:
    # Fail closed: without the counters, guessing passwords would be unlimited.
    try:
        yield
    except Exception as error:
        current_app.logger.warning("Sign-in throttle storage unavailable: %s", type(error).__name__)
        raise ThrottleUnavailable() from error


class Throttle:
    """Failure counters keyed by client address and by account."""

    def __init__(self, storage_uri: str, options: dict | None = None):
        counters = storage.storage_from_string(storage_uri, **(options or {}))
        self.limiter = strategies.MovingWindowRateLimiter(counters)

    def is_blocked(self, limit: RateLimitItem, *keys: str) -> bool:
        """Whether any of the keys has used up the limit (counts nothing)."""
        with _storage_errors():
            return any(not self.limiter.test(limit, "engage", key) for key in keys)

    def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one attempt against each key."""
        with _storage_errors():
            for key in keys:
                self.limiter.hit(limit, "engage", key)

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        """Forget the attempts counted against the keys."""
        with _storage_errors():
            for key in keys:
                self.limiter.clear(limit, "engage", key)


def address_key(address: str | None) -> str:
    """The counter for one client address."""
    return f"sign-in:address:{address or 'unknown'}"


def account_key(email: str, purpose: str = "sign-in") -> str:
    """The counter for one typed email address (hashed: no personal data in Redis)."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"{purpose}:account:{digest}"


def init_app(app: Flask) -> None:
    """Build the shared counters from RATELIMIT_STORAGE_URI (and _OPTIONS, as Flask-Limiter)."""
    app.extensions[_EXTENSION] = Throttle(
        app.config["RATELIMIT_STORAGE_URI"], app.config.get("RATELIMIT_STORAGE_OPTIONS")
    )

    @app.errorhandler(ThrottleUnavailable)
    def unavailable(_error):
        from engage.errors import render_error

        return render_error(503)


def throttle() -> Throttle:
    """The current app's counters."""
    return current_app.extensions[_EXTENSION]
