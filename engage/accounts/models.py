"""The staff who run the site (attendees need no account), their links and sign-in counts."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow, value_enum
from engage.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, info={"personal": "email"})
    name: Mapped[str] = mapped_column(String(120), info={"personal": "name"})
    role: Mapped[Role] = mapped_column(
        value_enum(Role, "user_role"),
        default=Role.ORGANISER,
    )
    password_hash: Mapped[str | None] = mapped_column(String(255), info={"personal": "token"})
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    can_post_news: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on sign-out, password change and disabling: every older session dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this before signing a user in
        """Whether the account may sign in."""
        return self.is_enabled

    def get_id(self) -> str:
        """The session identity: a new session_version invalidates older sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        """Whether this user may do everything."""
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a name, not a secret
    INVITATION = "invitation"


class AccountToken(db.Model):
    """A single-use link sent by email. Only a hash of the token is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Plain text rather than a database enum: a new purpose needs no migration.
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": "token"})
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: dt.datetime) -> bool:
        """Whether the link may still be used at `now`."""
        return self.used_at is None and now < self.expires_at


class ThrottleHit(db.Model):
    """One counted attempt (a failed sign-in, a reset request) against a throttle key.

    Only hashed keys are stored (see accounts/throttle.py); rows are deleted
    once no limit counts them any more.
    """

    __tablename__ = "throttle_hits"
    __table_args__ = (
        Index("ix_throttle_hits_key_hit_at", "key", "hit_at"),
        # Every hit deletes the rows no window counts any more: found by this, not a scan.
        Index("ix_throttle_hits_hit_at", "hit_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A SHA-256 of the typed email, client address or device nonce: never the address itself.
    key: Mapped[str] = mapped_column(String(100), info={"personal": "hash"})
    hit_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
