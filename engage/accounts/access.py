"""Who may do what: checked on the server for every staff route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from engage.accounts.models import User
from engage.events.models import Event, event_organisers
from engage.extensions import db


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only (visitors are sent to sign in)."""
    return login_required(view)


def admin_required(view: Callable) -> Callable:
    """Admins only: others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def news_editor_required(view: Callable) -> Callable:
    """Admins, and organisers an admin has allowed to post news."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_edit_news(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def can_edit_news(user: User) -> bool:
    """Whether the user may write and publish news."""
    return user.is_admin or user.can_post_news


def can_manage_event(user: User, event: Event) -> bool:
    """Admins manage every event; organisers only those assigned to them."""
    if user.is_admin:
        return True
    return any(organiser.id == user.id for organiser in event.organisers)


def managed_events(user: User) -> Select[tuple[Event]]:
    """A query for the events this user may see in the back office."""
    query = select(Event)
    if not user.is_admin:
        query = query.join(event_organisers).where(event_organisers.c.user_id == user.id)
    return query


def event_or_404(event_id: int) -> Event:
    """The event, if the signed-in user may manage it; 404 otherwise.

    An organiser asking for another organiser's event gets the same 404 as
    for a missing one, so event ids reveal nothing.
    """
    event = db.session.get(Event, event_id)
    if event is None or not can_manage_event(current_user, event):
        abort(404)
    return event
