"""Loading the signed-in user from the session."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, session
from flask_login import logout_user, user_logged_in

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


# Session keys: when the user signed in, and when they were last seen (Unix seconds).
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
# Refresh "last seen" at most this often, so that not every request rewrites the cookie.
SEEN_STEP_SECONDS = 60


@user_logged_in.connect
def _stamp_sign_in(_app, user=None, **_extra) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = session[SEEN_AT] = now


def expire_session(config) -> bool:
    """Sign out a session idle or old beyond its limits (ASVS 5.0 V7.3.1, V7.3.2); whether it did.

    A session from before these stamps existed is stamped now. Runs before
    every request; the request then goes on as a visitor's, so a staff page
    sends the browser to sign in and brings it back afterwards.
    """
    if "_user_id" not in session:
        return False
    now = int(time.time())
    seen = session.setdefault(SEEN_AT, now)
    started = session.setdefault(SIGNED_IN_AT, now)
    idle_limit = config["SESSION_IDLE_MINUTES"] * 60
    if now - seen > idle_limit or now - started > config["SESSION_MAX_HOURS"] * 3600:
        logout_user()
        session.pop(SEEN_AT, None)
        session.pop(SIGNED_IN_AT, None)
        flash("You were signed out to keep the site safe. Sign in again to carry on.", "info")
        return True
    if now - seen >= SEEN_STEP_SECONDS:
        session[SEEN_AT] = now
    return False


def _expire_session_before_request() -> None:
    expire_session(current_app.config)


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
    app.before_request(_expire_session_before_request)
