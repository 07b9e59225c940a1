"""Reading back what the desk wrote: the check-in log, and the state of one registration."""

from __future__ import annotations

from engage.extensions import db
from engage.registrations.models import CheckIn

CODE_A = "a" * 32


def log() -> list[tuple[int, str, int | None, str, str]]:
    """(registration id, action, by user id, source, note) for every check-in log row, oldest first."""
    rows = db.session.scalars(db.select(CheckIn).order_by(CheckIn.id))
    return [(r.registration_id, r.action.value, r.by_user_id, r.source.value, r.note) for r in rows]
