"""A short per-process cache of the public pages every anonymous visitor sees alike.

The event page, the home page and the news pages are the same for everyone
who is not signed in, yet each rendering reads the database and runs the
templates. `@for_visitors` keeps a page's finished body for at most
PAGE_CACHE_SECONDS (one second by default; 0 turns it off) and serves it
again to visitors who send no cookie at all.

Why this way, and why it is safe:
- Freshness. The issue allows the places left to be at most a second out of
  date. A copy lives at most one second, so a booking, a cancellation, an
  organiser's edit or the clock passing "registration closes" made through
  ANY process shows within that second, with no query on the cached path.
  In this process it shows at once: any commit that wrote something clears
  the cache (the session listeners below), so a visitor who has just booked,
  or an organiser who has just saved, never sees the page from before.
- Only anonymous visitors, only clean pages. A request with any cookie (a
  session, so perhaps staff, a flash message or a form's CSRF token) neither
  reads nor fills the cache. Only a 200 answer to GET or HEAD that neither
  sets a cookie nor writes the session is kept, so a page with a flash, a
  form (its CSRF token), an error or personal data is never stored: none of
  those can exist without a session.
- Headers. The security headers (engage/security.py) are added to every
  answer after the view, cached or not; the policy has no per-request nonce,
  so a cached body carries nothing stale. Vary: Cookie is kept, as on the
  rendered page (it differs for signed-in staff); Cache-Control is left to
  the security hook, which marks staff answers no-store.
- Memory. At most MAX_ENTRIES pages per process; past that the cache starts
  again empty, so varying query strings cannot grow it without bound.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, has_app_context, make_response, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

MAX_ENTRIES = 512
_KEY = "engage.page_cache"
_WROTE = "engage.page_cache.wrote"


# What a write touched: table names, or EVERYTHING when it cannot be told (plain SQL).
EVERYTHING = None


@dataclass
class PageCache:
    """One app's kept values: key -> (stored at, value, the tables it was made from).

    A page depends on every table (None); a remembered value names its own, so
    that a booking, say, does not throw away the organisation list.
    """

    seconds: float
    entries: dict[tuple, tuple[float, Any, frozenset[str] | None]] = field(default_factory=dict)

    def get(self, key: tuple) -> Any | None:
        """The value stored under key if it is younger than `seconds`, else None."""
        found = self.entries.get(key)
        if found is None:
            return None
        stored_at, value, _tables = found
        # Wall-clock time (time-machine moves it in tests); a clock set back counts as stale.
        if not 0 <= time.time() - stored_at < self.seconds:
            self.entries.pop(key, None)
            return None
        return value

    def put(self, key: tuple, value: Any, tables: frozenset[str] | None = None) -> None:
        """Keep a value made from `tables` (None: from anything), starting again empty when full."""
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (time.time(), value, tables)

    def forget(self, written: set[str] | None) -> None:
        """Drop what was made from any of the `written` tables (None: drop everything)."""
        if written is EVERYTHING:
            self.entries.clear()
            return
        for key, (_, _, tables) in list(self.entries.items()):
            if tables is None or not tables.isdisjoint(written):
                self.entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self.entries.clear()


def cache_of(app: Flask) -> PageCache | None:
    """The app's page cache, or None when it is turned off."""
    return app.extensions.get(_KEY)


def _cacheable_request() -> bool:
    # No cookie at all: no session, so not staff, no flash, no form in progress.
    return request.method in ("GET", "HEAD") and not request.cookies


def _keepable(response: Response) -> bool:
    # A session written while rendering (a flash, a form's CSRF token) means the body is
    # this visitor's own; Flask adds its Set-Cookie only after the view, so ask the session.
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and not session.modified
    )


def for_visitors(view: Callable) -> Callable:
    """Serve the view's page from the cache to anonymous visitors (see the module's notes)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cache = cache_of(current_app)
        if cache is None or not _cacheable_request():
            return view(*args, **kwargs)
        key = (request.endpoint, request.root_url, request.full_path)
        if (found := cache.get(key)) is not None:
            body, mimetype = found
            response = Response(body, mimetype=mimetype)
        else:
            response = make_response(view(*args, **kwargs))
            if _keepable(response):
                cache.put(key, (response.get_data(), response.mimetype))
        # As on the rendered page (whose flash check reads the session): it differs for staff.
        response.vary.add("Cookie")
        return response

    return wrapper


def remembered(key: tuple, make: Callable[[], Any], *, tables: frozenset[str]) -> Any:
    """make(), read from `tables`, kept by this process as long as a page is.

    For what many requests read alike and only staff change, such as the
    organisation list a form offers: at most a second old, and forgotten at
    once when this process writes to one of `tables` (not at every booking).
    Keep plain values, never ORM objects.
    """
    cache = cache_of(current_app)
    if cache is None:
        return make()
    key = ("remembered", *key)
    found = cache.get(key)
    if found is None:
        found = make()
        cache.put(key, found, tables)
    return found


def _note(session: Session, tables: set[str] | None) -> None:
    written = session.info.get(_WROTE, set())
    session.info[_WROTE] = (
        EVERYTHING if tables is EVERYTHING or written is EVERYTHING else written | tables
    )


def _mark_written(session: Session, *_args) -> None:
    # After a flush the session still lists what it wrote.
    changed = (*session.new, *session.dirty, *session.deleted)
    if tables := {type(thing).__table__.name for thing in changed}:
        _note(session, tables)


# Plain SQL that writes no table: the lock timeout transaction() sets on PostgreSQL.
_NOT_WRITES = ("SET ", "SELECT ")


def _mark_if_not_select(state) -> None:
    # Bulk UPDATE/DELETE and plain SQL statements write without a flush.
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if table is not None and hasattr(table, "name"):
        _note(state.session, {table.name})
    elif not str(state.statement).lstrip().upper().startswith(_NOT_WRITES):
        _note(state.session, EVERYTHING)


def _forget_written(session: Session, *_args) -> None:
    # After a commit: what was written changed. After a rollback too, to be safe: a value
    # read inside the transaction may have come from a row that is now gone.
    if _WROTE not in session.info:
        return
    written = session.info.pop(_WROTE)
    cache = cache_of(current_app) if has_app_context() else None
    if cache is not None:
        cache.forget(written)


def init_app(app: Flask) -> None:
    """Give the app its cache (unless PAGE_CACHE_SECONDS is 0) and clear it on every write."""
    seconds = float(app.config.get("PAGE_CACHE_SECONDS", 1))
    if seconds > 0:
        app.extensions[_KEY] = PageCache(min(seconds, 1.0))  # the bound: one second
    for name, listener in (
        ("after_flush", _mark_written),
        ("do_orm_execute", _mark_if_not_select),
        ("after_commit", _forget_written),
        ("after_rollback", _forget_written),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
