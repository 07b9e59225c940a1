"""The audit_entries table. Never holds passwords, tokens or attendees' answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow
from engage.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text so the entry still reads well after the account is gone.
    actor_label: Mapped[str] = mapped_column(
        String(254), default="system", info={"personal": "email"}
    )
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. "news.published"
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="", info={"personal": "free_text"})
    # How many times it happened: repeated events (failed sign-ins) share one entry.
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    actor = relationship("User")
