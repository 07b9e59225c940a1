"""Reading news as a visitor sees it: published items only."""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select

from engage.db import utcnow
from engage.extensions import db
from engage.news.models import NewsItem


class NewsNotFound(LookupError):
    """No published news item has that slug."""


def _published(now: dt.datetime) -> Select[tuple[NewsItem]]:
    return (
        select(NewsItem)
        .where(NewsItem.published_at.is_not(None), NewsItem.published_at <= now)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
    )


def latest(limit: int, now: dt.datetime | None = None) -> list[NewsItem]:
    """The newest published items."""
    return list(db.session.scalars(_published(now or utcnow()).limit(limit)))


def page(number: int, per_page: int, now: dt.datetime | None = None) -> Pagination:
    """One page of published news, newest first."""
    return db.paginate(_published(now or utcnow()), page=number, per_page=per_page, error_out=False)


def get_published(slug: str, now: dt.datetime | None = None) -> NewsItem:
    """The published item with this slug, or NewsNotFound."""
    item = db.session.scalar(_published(now or utcnow()).where(NewsItem.slug == slug))
    if item is None:
        raise NewsNotFound(slug)
    return item
