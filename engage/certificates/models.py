"""The certificates table: one row per attendee who downloaded a certificate, with its code."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow
from engage.extensions import db
from engage.registrations.models import Registration

CODE_LENGTH = 10
# No 0/o, 1/l/i: a code copied off paper by hand should still work.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_code() -> str:
    """A random 10-character code: about 49 bits, says nothing about the person."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Certificate(db.Model):
    """A certificate of attendance given to one registration; its code is the verification link.

    The row goes with the registration (ON DELETE CASCADE), so after the
    retention purge nothing is left to confirm.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(
        String(CODE_LENGTH), unique=True, default=new_code, info={"personal": "token"}
    )
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()

    def __repr__(self) -> str:
        return f"<Certificate {self.id}>"
