"""The privacy pages' use cases: each one transaction, each one audited without the address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events.models import Event
from engage.privacy import access, erasure
from engage.privacy.erasure import Erased, StaffAccount, erase
from engage.registrations.models import RegistrationStatus

__all__ = ["Erased", "Preview", "StaffAccount", "erase_for", "look_up", "preview_erasure"]


def _counts(found: access.Found) -> str:
    return ", ".join(f"{count} {name}" for name, count in access.summary(found).items())


def look_up(address: str, how: str, *, actor=None) -> dict[str, Any]:
    """Everything held about the address as one document; the request is audited.

    `how` says what was done with it ("shown", "downloaded as JSON"...). The audit
    entry records that a request was answered and the counts, never the address.
    """
    with transaction():
        found = access.find(address)
        document = access.export(found)
        record("privacy.accessed", summary=f"Subject access {how}: {_counts(found)}", actor=actor)
    return document


@dataclass(frozen=True)
class Preview:
    """What an erasure would remove, for the confirmation page."""

    registrations: int
    places_to_come: int  # confirmed places at events still to come: the waiting list moves up
    emails: int
    audit_entries: int
    other_mentions: int


def preview_erasure(address: str, now: dt.datetime | None = None) -> Preview:
    """What erasing the address would remove; StaffAccount if it is a staff account's."""
    now = now or utcnow()
    erasure.check_not_staff(address)
    found = access.find(address)
    confirmed = [r for r in found.registrations if r.status == RegistrationStatus.CONFIRMED]
    to_come = [r for r in confirmed if _future(r.event, now)]
    return Preview(
        registrations=len(found.registrations),
        places_to_come=len(to_come),
        emails=len(found.messages),
        audit_entries=len(found.audit),
        other_mentions=len(found.mentions),
    )


def _future(event: Event, now: dt.datetime) -> bool:
    return event.starts_at > now and not event.is_cancelled


def erase_for(address: str, *, actor=None, now: dt.datetime | None = None) -> Erased:
    """Erase everything held about the address (see engage.privacy.erasure)."""
    return erase(address, actor=actor, now=now)
