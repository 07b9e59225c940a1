"""Recording what staff do."""

from __future__ import annotations

from flask_login import current_user

from engage.audit.models import AuditEntry
from engage.extensions import db


def record(action: str, target=None, summary: str = "", actor=None) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the change itself).

    `action` is a dotted name such as "news.published"; `target` any model with an id.
    Never pass passwords, tokens or attendees' answers in `summary`.
    """
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        summary=summary[:2000],
    )
    db.session.add(entry)
    return entry
