"""Recording what staff do."""

from __future__ import annotations

import datetime as dt

from flask_login import current_user
from sqlalchemy import select, update

from engage.audit.models import AuditEntry
from engage.db import utcnow
from engage.extensions import db

SUMMARY_MAX_LENGTH = 2000


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
        summary=summary[:SUMMARY_MAX_LENGTH],
    )
    db.session.add(entry)
    return entry


def record_repeated(
    action: str,
    *,
    window: dt.timedelta,
    target=None,
    summary: str = "",
    now: dt.datetime | None = None,
) -> None:
    """Count the event into the entry that reads the same, if one began within `window`.

    Else start a new entry (count 1) at `now`. For events anyone can cause over
    and over, such as failed sign-ins: one entry per window, however many
    attempts, so the log cannot be flooded. Call it inside a transaction().
    """
    now = now or utcnow()
    summary = summary[:SUMMARY_MAX_LENGTH]
    target_type = type(target).__name__ if target is not None else None
    target_id = getattr(target, "id", None)
    open_entry = db.session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.action == action,
            # `== None` is written IS NULL, so an entry without a target matches too.
            AuditEntry.target_type == target_type,
            AuditEntry.target_id == target_id,
            AuditEntry.summary == summary,
            AuditEntry.at > now - window,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    if open_entry is None:
        entry = record(action, target=target, summary=summary)
        entry.at = now
        return
    # Counted in SQL, so two workers counting at once both count.
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.id == open_entry)
        .values(count=AuditEntry.count + 1)
        .execution_options(synchronize_session=False)
    )
