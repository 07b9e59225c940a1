"""Counting failed sign-ins, in storage every worker shares (Redis when configured)."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app
from limits import RateLimitItem, parse, storage, strategies

SIGN_IN_FAILURES = parse("5 per 15 minutes")
RESET_REQUESTS = parse("3 per hour")
_EXTENSION = "engage.accounts.throttle"


class Throttle:
    """Failure counters keyed by client address and by account."""

    def __init__(self, storage_uri: str):
        self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def is_blocked(self, limit: RateLimitItem, *keys: str) -> bool:
        """Whether any of the keys has used up the limit (counts nothing)."""
        return any(not self.limiter.test(limit, "engage", key) for key in keys)

    def hit(self, limit: RateLimitItem, *keys: str) -> None:
        """Count one attempt against each key."""
        for key in keys:
            self.limiter.hit(limit, "engage", key)

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        """Forget the attempts counted against the keys."""
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
    """Build the shared counters from RATELIMIT_STORAGE_URI."""
    app.extensions[_EXTENSION] = Throttle(app.config["RATELIMIT_STORAGE_URI"])


def throttle() -> Throttle:
    """The current app's counters."""
    return current_app.extensions[_EXTENSION]
