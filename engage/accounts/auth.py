"""Loading the signed-in user from the session."""

from __future__ import annotations

from flask import Flask

from engage.accounts import passwords, throttle
from engage.accounts.models import User
from engage.config import ConfigError
from engage.extensions import db, login_manager


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The user named by a session, if that session is still current."""
    user_id, _, version = identity.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    """Configure sign-in for staff pages."""
    if app.config.get("ENGAGE_ENV") == "production" and passwords.is_weaker_than_recommended():
        # Only the test suite lowers them (passwords.configure); never let that reach a server.
        raise ConfigError("Password hashing costs are below argon2's recommended ones.")
    throttle.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "basic"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
