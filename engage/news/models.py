"""The news_items table."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow
from engage.extensions import db


class NewsState(enum.StrEnum):
    """Where an item stands, worked out from its publication time (not stored)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


class NewsItem(db.Model):
    __tablename__ = "news_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # None is a draft; a time in the future is scheduled; otherwise published.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author = relationship("User")
    event = relationship("Event")

    def is_visible(self, now: dt.datetime | None = None) -> bool:
        """Whether visitors may see this item at the given time."""
        now = now or utcnow()
        return self.published_at is not None and self.published_at <= now

    def __repr__(self) -> str:
        return f"<NewsItem {self.slug}>"
