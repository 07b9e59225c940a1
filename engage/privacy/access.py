"""Subject access: everything held about one email address, found in a few queries.

The structured part (registrations with their answers, workshops, consents,
history and check-ins; emails to them; audit entries naming them; a staff
account) is read in a fixed number of queries, whatever the number of rows.
Then every other column the models mark as able to hold an address is searched,
one query per table (engage.privacy.personal), so a new table is never missed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from engage.accounts.models import User
from engage.audit.models import AuditEntry
from engage.db import utcnow
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.privacy.personal import address_pattern, any_mention, email_columns, holds
from engage.registrations.models import (
    CheckIn,
    ConsentRecord,
    Registration,
    RegistrationAnswer,
    RegistrationHistory,
    WorkshopCheckIn,
)

REGISTRATION_TARGET = Registration.__name__  # how the audit log names a registration


@dataclass
class Found:
    """What is held about one address, as loaded rows."""

    address: str
    user: User | None
    registrations: list[Registration]
    messages: list[OutboxMessage]
    audit: list[AuditEntry]
    # (table, primary key, {column: value}) for every other row that mentions the address.
    mentions: list[tuple[str, tuple, dict[str, Any]]] = field(default_factory=list)

    @property
    def registration_ids(self) -> list[int]:
        """The ids of their registrations."""
        return [r.id for r in self.registrations]


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def find(address: str) -> Found:
    """Everything held about `address` (already normalised, lower case), as rows."""
    address = address.lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(func.lower(Registration.email) == address)
            .options(
                joinedload(Registration.event),
                selectinload(Registration.answers).joinedload(RegistrationAnswer.question),
                selectinload(Registration.workshops),
                selectinload(Registration.history),
                selectinload(Registration.checkins),
                selectinload(Registration.consent_records).joinedload(ConsentRecord.wording),
                selectinload(Registration.room_checkins).joinedload(WorkshopCheckIn.workshop),
            )
            .order_by(Registration.created_at, Registration.id)
        ).unique()
    )
    ids = [r.id for r in registrations]
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                or_(
                    func.lower(OutboxMessage.to_address) == address,
                    OutboxMessage.registration_id.in_(ids) if ids else false(),
                )
            )
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
    pattern = address_pattern(address)
    audit = [
        entry
        for entry in db.session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    any_mention((AuditEntry.__table__.c.summary,), address),
                    and_(
                        AuditEntry.target_type == REGISTRATION_TARGET,
                        AuditEntry.target_id.in_(ids) if ids else false(),
                    ),
                )
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        if (entry.target_type == REGISTRATION_TARGET and entry.target_id in ids)
        or holds(entry.summary, pattern)
    ]
    found = Found(address, user, registrations, messages, audit)
    found.mentions = list(_other_mentions(found))
    return found


def _reported(found: Found) -> dict[str, set[tuple]]:
    """The rows the structured part already shows, by table and primary key."""
    reported: dict[str, set[tuple]] = {
        Registration.__tablename__: {(r.id,) for r in found.registrations},
        RegistrationAnswer.__tablename__: {(a.id,) for r in found.registrations for a in r.answers},
        RegistrationHistory.__tablename__: {
            (h.id,) for r in found.registrations for h in r.history
        },
        CheckIn.__tablename__: {(c.id,) for r in found.registrations for c in r.checkins},
        ConsentRecord.__tablename__: {
            (c.id,) for r in found.registrations for c in r.consent_records
        },
        OutboxMessage.__tablename__: {(m.id,) for m in found.messages},
        AuditEntry.__tablename__: {(e.id,) for e in found.audit},
        User.__tablename__: {(found.user.id,)} if found.user else set(),
    }
    return reported


def _other_mentions(found: Found) -> Iterator[tuple[str, tuple, dict[str, Any]]]:
    """Rows anywhere else whose address-bearing columns hold the address: one query a table."""
    reported = _reported(found)
    pattern = address_pattern(found.address)
    for entry in email_columns():
        table = entry.table
        keys = list(table.primary_key.columns)
        query = select(*keys, *entry.columns).where(any_mention(entry.columns, found.address))
        for row in db.session.execute(query):
            key = tuple(row[: len(keys)])
            if key in reported.get(table.name, set()):
                continue
            values = dict(zip((c.name for c in entry.columns), row[len(keys) :], strict=True))
            held = {name: value for name, value in values.items() if holds(value, pattern)}
            if held:
                yield table.name, key, held


# --- the export -------------------------------------------------------------------------


def _registration(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "id": registration.id,
        "event": {"title": event.title, "starts_at": _when(event.starts_at)},
        "status": registration.status.value,
        "email": registration.email,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "job_title": registration.job_title,
        "category": registration.category.label,
        "dietary_requirements": registration.dietary_requirements,
        "access_requirements": registration.access_requirements,
        "consents": {
            "privacy notice": {
                "given": registration.privacy_accepted,
                "at": _when(registration.privacy_accepted_at),
            },
            "dietary requirements": {
                "given": registration.dietary_consent,
                "at": _when(registration.dietary_consent_at),
            },
            "access requirements": {
                "given": registration.access_consent,
                "at": _when(registration.access_consent_at),
            },
        },
        # Which version of which wording they agreed to (or withdrew), when and how.
        "consent_records": [_consent(c) for c in registration.consent_records],
        "answers": [
            {"question": answer.question.label, "answer": answer.value}
            for answer in registration.answers
        ],
        "workshops": [workshop.title for workshop in registration.workshops],
        "booked_at": _when(registration.created_at),
        "confirmed_at": _when(registration.confirmed_at),
        "waitlisted_at": _when(registration.waitlisted_at),
        "cancelled_at": _when(registration.cancelled_at),
        "checked_in_at": _when(registration.checked_in_at),
        "history": [
            {"action": h.action.value, "at": _when(h.at), "note": h.note}
            for h in registration.history
        ],
        "check_ins": [
            {"action": c.action.value, "at": _when(c.at), "source": c.source.value, "note": c.note}
            for c in registration.checkins
        ],
        "rooms_entered": [
            {"workshop": room.workshop.title, "at": _when(room.at)}
            for room in registration.room_checkins
        ],
    }


def _consent(entry: ConsentRecord) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "given": entry.given,
        "at": _when(entry.at),
        "how": entry.source.value,
        "wording_version": entry.wording.version,
        "wording": entry.wording.text,
    }


def _message(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "to": message.to_address,
        "subject": message.subject,
        "status": message.status.value,
        "queued_at": _when(message.created_at),
        "sent_at": _when(message.sent_at),
        # Sent messages keep no body (engage.mail): it may have held a working link.
        "body_text": message.body_text,
    }


# Around each mention in someone else's record (an email to another attendee that
# quotes their answer), only this much is shown either side: enough to read what was
# said about the person, not the rest of the other person's data.
EXCERPT = 60


def _excerpts(value: Any, address: str) -> list[str]:
    """The passages of a value that mention the address, each with a little context."""
    text = value if isinstance(value, str) else json.dumps(_plain(value), ensure_ascii=False)
    passages = []
    for match in address_pattern(address).finditer(text):
        start, end = max(0, match.start() - EXCERPT), match.end() + EXCERPT
        passage = " ".join(text[start:end].split())
        passages.append(("…" if start else "") + passage + ("…" if end < len(text) else ""))
    return passages


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def export(found: Found, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything found, as one JSON-ready document."""
    user = found.user
    return {
        "email_address": found.address,
        "prepared_at": _when(now or utcnow()),
        "registrations": [_registration(r) for r in found.registrations],
        "emails": [_message(m) for m in found.messages],
        "audit_entries": [
            {"at": _when(e.at), "action": e.action, "by": e.actor_label, "summary": e.summary}
            for e in found.audit
        ],
        "staff_account": None
        if user is None
        else {
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "enabled": user.is_enabled,
            "created_at": _when(user.created_at),
            "last_sign_in_at": _when(user.last_sign_in_at),
        },
        "mentioned_elsewhere": [
            {
                "table": table,
                "row": list(key),
                "values": {k: _excerpts(v, found.address) for k, v in values.items()},
            }
            for table, key, values in found.mentions
        ],
    }


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) pairs for every leaf of a JSON document, in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if not value:
            yield path, ""
        for index, item in enumerate(value, start=1):
            yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, "" if value is None else str(value)


def csv_rows(document: dict[str, Any]) -> list[list[str]]:
    """The export as (section, field, value) rows: section is the top-level heading."""
    rows = []
    for section, content in document.items():
        for path, text in flatten(content):
            rows.append([section, path or section, text])
    return rows


def summary(found: Found) -> dict[str, int]:
    """How many of each kind of thing was found, for the pages and the audit log."""
    return {
        "registrations": len(found.registrations),
        "emails": len(found.messages),
        "audit entries": len(found.audit),
        "staff account": 1 if found.user else 0,
        "other mentions": len(found.mentions),
    }
