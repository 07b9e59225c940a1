"""News: reading it as a visitor sees it (published items only), and editing it."""

from __future__ import annotations

import datetime as dt

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events.access import managed_events
from engage.events.models import Event
from engage.extensions import db
from engage.forms import FieldError
from engage.news.models import NewsItem, NewsState
from engage.slugs import free_slug, slug_taken


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


# --- the back office ----------------------------------------------------------


class NewsChangeRefused(FieldError):
    """A change the rules forbid; `field` names the form field to blame."""


class NewsSlugTaken(NewsChangeRefused):
    """Another news item already uses that web address."""

    field = "slug"


class ScheduleInPast(NewsChangeRefused):
    """A scheduled time must be in the future."""

    field = "publish_at"


def state(item: NewsItem, now: dt.datetime | None = None) -> NewsState:
    """Draft, scheduled or published, at `now`."""
    if item.published_at is None:
        return NewsState.DRAFT
    return NewsState.SCHEDULED if item.published_at > (now or utcnow()) else NewsState.PUBLISHED


def all_items(number: int, per_page: int) -> Pagination:
    """Every news item for editors: drafts and scheduled ones too, newest first."""
    query = select(NewsItem).order_by(NewsItem.created_at.desc(), NewsItem.id.desc())
    return db.paginate(query, page=number, per_page=per_page, error_out=False)


def linkable_events(user) -> list:
    """Events an editor may link news to: published ones, and any they manage."""
    managed = managed_events(user).with_only_columns(Event.id)
    query = (
        select(Event)
        .where(or_(Event.is_published.is_(True), Event.id.in_(managed)))
        .order_by(Event.starts_at.desc())
    )
    return list(db.session.scalars(query))


def _news_slug(title: str, typed: str, exclude_id: int | None) -> str:
    if typed:
        if slug_taken(NewsItem, typed, exclude_id):
            raise NewsSlugTaken(f"Another news item already uses the web address name “{typed}”")
        return typed
    return free_slug(NewsItem, title, fallback="news", exclude_id=exclude_id)


def save_news(
    item: NewsItem | None,
    fields: dict,
    *,
    action: str,
    author,
    publish_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> NewsItem:
    """Create or change an item; action 'save' keeps its state, 'publish' or 'schedule' set it."""
    now = now or utcnow()
    if action == "schedule" and (publish_at is None or publish_at <= now):
        raise ScheduleInPast("Choose a time in the future, or use “Publish now”")
    is_new = item is None
    try:
        with transaction():
            if not is_new:
                item = db.session.get(NewsItem, item.id)
            typed_slug = fields.get("slug") or ""
            slug = _news_slug(fields["title"], typed_slug, None if is_new else item.id)
            if is_new:
                item = NewsItem(author_id=author.id)
                db.session.add(item)
            for name, value in {**fields, "slug": slug}.items():
                setattr(item, name, value)
            db.session.flush()
            record("news.created" if is_new else "news.updated", item, summary=item.title)
            if action == "publish" and state(item, now) != NewsState.PUBLISHED:
                item.published_at = now
                record("news.published", item, summary=item.title)
            elif action == "schedule":
                item.published_at = publish_at
                record("news.scheduled", item, summary=f"{item.title} at {publish_at.isoformat()}")
    except IntegrityError as error:  # two editors took the same slug at once
        raise NewsSlugTaken("Another news item already uses that web address name") from error
    return item


def unpublish_news(item: NewsItem) -> None:
    """Take an item off the site (or out of the schedule): it becomes a draft."""
    with transaction():
        item = db.session.get(NewsItem, item.id)
        if item.published_at is None:
            return
        item.published_at = None
        record("news.unpublished", item, summary=item.title)
