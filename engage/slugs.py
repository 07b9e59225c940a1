"""Web-address names (slugs): made from a title, unique within their table."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select

from engage.extensions import db

# The longest web-address name a form accepts; one made from a title leaves
# room for a "-99" suffix.
SLUG_MAX = 120
_MADE_MAX = SLUG_MAX - 4


def slug_filter(value):
    """A form filter: normalise a typed slug to lower-case words joined by hyphens."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return slugify(value[:500], max_length=SLUG_MAX, word_boundary=True)


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    """Whether another row of the model already uses the slug."""
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def free_slug(model, title: str, *, fallback: str, exclude_id=None) -> str:
    """A slug made from the title, numbered (-2, -3, ...) until no other row has it."""
    base = slugify(title, max_length=_MADE_MAX, word_boundary=True) or fallback
    candidate, number = base, 2
    while slug_taken(model, candidate, exclude_id):
        candidate, number = f"{base}-{number}", number + 1
    return candidate
