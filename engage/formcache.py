"""Blank public forms, drawn at most once a second per process, each with its own CSRF token.

The registration form is the first of a booking's three requests and the
costliest to draw (the organisation list alone is 206 options). Yet a blank
form is the same page for every visitor who is not signed in, but for one
thing: its CSRF token, tied to the visitor's session. kept_blank_form() keeps
the page cut at the token and joins the pieces around this visitor's own
token (Flask-WTF's generate_csrf, as drawing the form would call it).

Freshness, as for the page cache (engage/pagecache.py), whose store it uses:
- The caller's key carries everything the form shows that bookings change
  (whether it is a booking or a waiting-list form, each workshop's places
  left), read afresh for every request, so a booking anywhere shows at once.
- The form is drawn from `tables` (the event, its programme and questions,
  the organisation list, the consent wordings): a write to one of them in
  this process forgets it at once, and anywhere else within the second that
  a copy lives at most (PAGE_CACHE_SECONDS; 0 turns it off). Bookings write
  none of them, so the copy survives a busy launch.
- Only a blank form: a GET or HEAD from a visitor who is not signed in and
  has no flash message waiting, and only a 200 answer, kept without its
  cookies. A form sent back with errors is always drawn afresh, and the post
  is checked against the database under the event's lock whatever it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from engage.pagecache import cache_of

# Headers a view sets on its own answer (e.g. no-store); the session cookie is this visitor's.
_KEPT_HEADERS = ("Cache-Control", "Referrer-Policy", "Vary")


@dataclass(frozen=True)
class BlankForm:
    """A drawn form cut at its CSRF token, and the view's own headers."""

    pieces: tuple[bytes, ...]
    mimetype: str
    headers: tuple[tuple[str, str], ...]

    def answer(self) -> Response:
        """The page with this visitor's token (creating their session's secret if need be)."""
        token = generate_csrf().encode("ascii") if len(self.pieces) > 1 else b""
        response = Response(token.join(self.pieces), mimetype=self.mimetype)
        for name, value in self.headers:
            response.headers[name] = value
        return response


def _blank_request() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and "_flashes" not in session
        and not current_user.is_authenticated
    )


def _cut(response: Response) -> BlankForm:
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    pieces = body.split(token.encode("ascii")) if token else [body]
    headers = tuple(
        (name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers
    )
    return BlankForm(tuple(pieces), response.mimetype, headers)


def kept_blank_form(key: tuple, tables: frozenset[str], draw: Callable[[], Response]) -> Response:
    """draw()'s blank form, or this process's copy of it (see the module's notes)."""
    cache = cache_of(current_app)
    if cache is None or not _blank_request():
        return draw()
    key = ("blank-form", request.root_url, *key)
    if (found := cache.get(key)) is not None:
        return found.answer()
    response = make_response(draw())
    if response.status_code == 200:
        cache.put(key, _cut(response), tables)
    return response
