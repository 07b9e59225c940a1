"""Who may reach a staff page: the role guards every back-office route starts with.

They only ask the signed-in user (Flask-Login's current_user) about itself,
so every feature can use them. What a user may do with one event lives with
the events (engage.events.access).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


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


def can_edit_news(user) -> bool:
    """Whether the user may write and publish news."""
    return user.is_admin or user.can_post_news
