"""Web-address names (slugs): made from a title, unique within their table."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select

from engage.extensions import db


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    """Whether another row of the model already uses the slug."""
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def free_slug(model, title: str, *, fallback: str, max_length: int, exclude_id=None) -> str:
    """A slug made from the title, numbered (-2, -3, ...) until no other row has it."""
    base = slugify(title, max_length=max_length, word_boundary=True) or fallback
    candidate, number = base, 2
    while slug_taken(model, candidate, exclude_id):
        candidate, number = f"{base}-{number}", number + 1
    return candidate
