"""Device cookies: a browser that has signed in to an account keeps its own allowance.

OWASP's device-cookie pattern. After a successful sign-in the browser gets a
signed cookie naming the account and a random nonce. A later attempt for that
account from that browser is counted against the nonce alone, so strangers
guessing at the account (or sharing the owner's address) cannot lock the owner
out; five failures lock out that one cookie instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import Response, current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from engage.accounts.models import User

COOKIE_NAME = "engage_device"
# Scoped to the sign-in path, so it cannot take __Host-; __Secure- still keeps
# plain-http pages from setting it (the name follows SESSION_COOKIE_SECURE).
SECURE_PREFIX = "__Secure-"
LIFETIME = dt.timedelta(days=365)
NONCE_BYTES = 16
_SALT = "engage.accounts.device-cookie"


@dataclass(frozen=True)
class DeviceCookie:
    """What a valid device cookie says: the account it signed in to, and its own nonce."""

    user_id: int
    nonce: str
    # Ties the cookie to the password it was earned with (password_tag): a new
    # password, after a reset or a change, leaves every older cookie without its allowance.
    password: str = ""

    def vouches_for(self, user: User) -> bool:
        """Whether this cookie was earned by this account with its current password."""
        return self.user_id == user.id and hmac.compare_digest(self.password, password_tag(user))


def password_tag(user: User) -> str:
    """A short keyed digest of the account's password hash (never the hash itself)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode("utf-8") if isinstance(key, str) else key
    stored = (user.password_hash or "").encode("utf-8")
    return hmac.new(key, b"device:" + stored, hashlib.sha256).hexdigest()[:16]


def cookie_name() -> str:
    """The device cookie's name: with the __Secure- prefix wherever cookies are Secure."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    return SECURE_PREFIX + COOKIE_NAME if secure else COOKIE_NAME


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def read(value: str | None) -> DeviceCookie | None:
    """The cookie's contents if it was signed here and has not expired; None otherwise."""
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return None
    if not isinstance(data, dict):
        return None
    user_id, nonce, password = data.get("user"), data.get("nonce"), data.get("password", "")
    if not isinstance(user_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    if not isinstance(password, str):
        return None
    return DeviceCookie(user_id=user_id, nonce=nonce, password=password)


def remember(response: Response, user: User) -> Response:
    """Give the browser a fresh device cookie for this account (after a successful sign-in)."""
    value = _serializer().dumps(
        {
            "user": user.id,
            "nonce": secrets.token_urlsafe(NONCE_BYTES),
            "password": password_tag(user),
        }
    )
    response.set_cookie(
        cookie_name(),
        value,
        max_age=int(LIFETIME.total_seconds()),
        path=url_for("accounts.sign_in"),  # only the sign-in page ever reads it
        secure=current_app.config["SESSION_COOKIE_SECURE"],  # on in production
        httponly=True,
        samesite="Lax",
    )
    return response
