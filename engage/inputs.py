"""Addresses no page can use, refused with a 404 before any view runs.

PostgreSQL refuses a NUL character in text, and both databases refuse an
OFFSET past 64 bits: either, taken from the address into a query, was a 500.
Checking here once keeps them out of every view, today's and tomorrow's.
"""

from __future__ import annotations

from flask import Flask, abort, request

# No list on the site comes near this many pages, and OFFSET = (page - 1) x
# page size stays inside 64 bits for any page size up to 9 trillion.
MAX_PAGE = 1_000_000


def _has_nul() -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    )


def _page_out_of_reach() -> bool:
    # Read as the views and Flask-SQLAlchemy read it (int()); they deal with junk.
    try:
        return int(request.args.get("page", "1")) > MAX_PAGE
    except ValueError:
        return False


def refuse_unusable_addresses() -> None:
    """404 for a NUL anywhere in the path or query, or a ?page= past any list."""
    if _has_nul() or _page_out_of_reach():
        abort(404)


def init_app(app: Flask) -> None:
    """Check every request's address before its view."""
    app.before_request(refuse_unusable_addresses)
