"""Erasure: everything held about one email address goes, except that it happened.

Registrations are deleted (their answers, workshops, history, tokens and
check-ins go with them); a place they held at an event still to come is first
given up through the registrations' own cancellation rule, under the event's
lock, so the waiting list moves up as it would for any cancellation. Emails to
them are deleted, audit entries naming them keep only that something happened,
and every other column the models mark as able to hold an address is searched
and has the address taken out. One audit entry, without the address, records
the erasure and its counts. Staff accounts are refused: they are disabled or
removed in the back office's Users pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update

from engage.accounts.models import ThrottleHit, User
from engage.audit.models import AuditEntry
from engage.audit.services import record
from engage.db import retrying, transaction, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.privacy.access import Found, find
from engage.privacy.personal import address_pattern, any_mention, email_columns, holds
from engage.registrations.models import Registration
from engage.registrations.services import cancel_locked
from engage.tokens import digest

ERASED = "[erased]"
LOCK_ATTEMPTS = 2


class StaffAccount(Exception):
    """The address is a staff account's: accounts are disabled or removed under Users."""

    message = (
        "This address belongs to a staff account. Disable or remove the account under "
        "Users instead; nothing has been erased."
    )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Erased:
    """What an erasure removed or rewrote, counted."""

    registrations: int
    emails: int
    audit_entries: int
    other_mentions: int
    promoted: int

    def sentence(self) -> str:
        """The counts as one line, for the audit log and the page."""
        return (
            f"{self.registrations} registration(s) and {self.emails} email(s) deleted, "
            f"{self.audit_entries} audit entr{'y' if self.audit_entries == 1 else 'ies'} "
            f"rewritten, {self.other_mentions} other mention(s) removed; "
            f"{self.promoted} person(s) given a place from the waiting list"
        )


def check_not_staff(address: str) -> None:
    """Raise StaffAccount if the address is a staff account's."""
    if db.session.scalar(select(User.id).where(func.lower(User.email) == address.lower())):
        raise StaffAccount()


def erase(address: str, *, actor=None, now: dt.datetime | None = None) -> Erased:
    """Erase everything held about `address` (normalised) in one transaction; the counts."""
    address = address.lower()
    if "@" not in address:
        raise ValueError("an email address is needed")
    now = now or utcnow()

    def work() -> Erased:
        check_not_staff(address)
        event_ids = db.session.scalars(
            select(Registration.event_id)
            .where(func.lower(Registration.email) == address)
            .distinct()
            .order_by(Registration.event_id)
        ).all()
        for event_id in event_ids:  # in id order, so two erasures cannot deadlock
            with transaction(lock=(Event, event_id)):
                pass
        found = find(address)
        erased = _erase(found, now)
        record("privacy.erased", summary=f"Erased on request: {erased.sentence()}", actor=actor)
        return erased

    return retrying(work, attempts=LOCK_ATTEMPTS)


def _erase(found: Found, now: dt.datetime) -> Erased:
    promoted = 0
    for registration in found.registrations:
        if registration.is_active:
            # A place given up frees it for the waiting list, as any cancellation does;
            # the person being erased is sent nothing.
            promoted += len(cancel_locked(registration, now=now, notify=False))
    db.session.flush()
    ids = found.registration_ids
    message_ids = [m.id for m in found.messages]
    if message_ids:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(message_ids)))
    if ids:
        # Answers, workshops, history, tokens, check-ins and reminders go too (ON DELETE CASCADE).
        db.session.execute(delete(Registration).where(Registration.id.in_(ids)))
    audit_ids = [entry.id for entry in found.audit]
    if audit_ids:
        db.session.execute(
            update(AuditEntry).where(AuditEntry.id.in_(audit_ids)).values(summary=ERASED)
        )
    # The throttles keep only a hash of a typed address: the hash goes too.
    hashed = ":" + digest(found.address)
    db.session.execute(delete(ThrottleHit).where(ThrottleHit.key.endswith(hashed)))
    db.session.expire_all()
    others = _scrub_everywhere(found.address)
    return Erased(len(ids), len(message_ids), len(audit_ids), others, promoted)


def _without(value: Any, pattern: re.Pattern) -> Any:
    """The value with every string holding the address replaced by ERASED (JSON kept whole)."""
    if isinstance(value, str):
        return ERASED if holds(value, pattern) else value
    if isinstance(value, list):
        return [_without(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, pattern) for key, item in value.items()}
    return value


def _scrub_everywhere(address: str) -> int:
    """Take the address out of every column that can hold one, in every table; rows changed."""
    pattern = address_pattern(address)
    changed = 0
    for entry in email_columns():
        table = entry.table
        keys = list(table.primary_key.columns)
        rows = db.session.execute(
            select(*keys, *entry.columns).where(any_mention(entry.columns, address))
        ).all()
        for row in rows:
            key, values = row[: len(keys)], row[len(keys) :]
            new = {
                column.name: _without(value, pattern)
                for column, value in zip(entry.columns, values, strict=True)
                if holds(value, pattern)
            }
            if not new:
                continue  # a longer address that only looks like it (nada@ for ada@)
            db.session.execute(
                update(table)
                .where(*(column == value for column, value in zip(keys, key, strict=True)))
                .values(new)
            )
            changed += 1
    return changed
