"""How often one connection, or one email address, may book or ask for its link again.

Counted in the sign-in throttle's store (engage.accounts.throttle): the database
under memory://, else Redis, so every gunicorn worker sees the same counts.
Police forces often share one outgoing address: bookings per address allow a
force booking its people in an afternoon, and only completed bookings count.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse

from engage.accounts.throttle import LONGEST_WINDOW, throttle
from engage.tokens import digest

BOOKINGS_PER_ADDRESS = "100 per hour"
BOOKINGS_PER_EMAIL = "5 per hour"
LINKS_PER_ADDRESS = "10 per hour"
LINKS_PER_EMAIL = "3 per hour"


@dataclass(frozen=True)
class Limit:
    """A pair of limits: per client address and per typed email address."""

    purpose: str
    per_address: RateLimitItem
    per_email: RateLimitItem

    def keys(self, address: str | None, email: str) -> tuple[str, str]:
        """The two counters (hashed: no personal data in the store)."""
        return (
            f"{self.purpose}:address:{digest(address or 'unknown')}",
            f"{self.purpose}:email:{digest(email.strip().lower())}",
        )


def _setting(name: str, default: str) -> RateLimitItem:
    limit = parse(current_app.config.get(name) or os.environ.get(name) or default)
    if dt.timedelta(seconds=limit.get_expiry()) > LONGEST_WINDOW:
        raise ValueError(f"{name}: windows longer than {LONGEST_WINDOW} are not kept")
    return limit


def bookings() -> Limit:
    """Completed bookings (REGISTRATION_RATE_LIMIT, REGISTRATION_EMAIL_RATE_LIMIT)."""
    return Limit(
        "booking",
        _setting("REGISTRATION_RATE_LIMIT", BOOKINGS_PER_ADDRESS),
        _setting("REGISTRATION_EMAIL_RATE_LIMIT", BOOKINGS_PER_EMAIL),
    )


def link_requests() -> Limit:
    """Requests to have a self-service link emailed again."""
    return Limit("manage-link", parse(LINKS_PER_ADDRESS), parse(LINKS_PER_EMAIL))


def _enabled() -> bool:
    return current_app.config.get("RATELIMIT_ENABLED", True)


def blocked_until(limit: Limit, address: str | None, email: str) -> dt.datetime | None:
    """When this address and email may go on, if either has used up its limit (else None)."""
    if not _enabled():
        return None
    by_address, by_email = limit.keys(address, email)
    counters = throttle()
    times = [
        counters.blocked_until(limit.per_address, by_address),
        counters.blocked_until(limit.per_email, by_email),
    ]
    latest = max((t for t in times if t is not None), default=None)
    # Rounded up to the minute, so "after 3:41pm" is true when the page says so.
    return _next_minute(latest) if latest else None


def _next_minute(value: dt.datetime) -> dt.datetime:
    seconds = math.ceil(value.timestamp() / 60) * 60
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def count(limit: Limit, address: str | None, email: str) -> None:
    """Count one use against the address and the email."""
    if not _enabled():
        return
    by_address, by_email = limit.keys(address, email)
    counters = throttle()
    counters.hit(limit.per_address, by_address)
    counters.hit(limit.per_email, by_email)
