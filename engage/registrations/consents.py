"""Consent wordings, versioned, and the record of who agreed to which version, when and how.

A wording is never changed in place: publishing a change adds the next
version, so a record written last year still points at the words that person
read. "The current wording" of a kind is its highest version (current()).
Withdrawing the dietary or access consent erases those answers at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engage.audit.services import record as audit
from engage.db import retrying, transaction, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.pagecache import remembered
from engage.registrations import needs
from engage.registrations.models import (
    ConsentKind,
    ConsentRecord,
    ConsentSource,
    ConsentWording,
    HistoryAction,
    Registration,
    RegistrationHistory,
)

WORDING_MAX = 5000
WORDING_TABLES = frozenset({"consent_wordings"})
# Version 1 of each wording: the texts the forms and the notice had before they
# were versioned. Migration 0020 seeds the same texts; a database built without
# the migrations (the tests) gets them when one is first recorded.
DEFAULT_TEXTS = {
    ConsentKind.PRIVACY_NOTICE: (
        "This notice explains what personal data we collect when you register for one of "
        "our events, why, how long we keep it, and what you can do about it."
    ),
    ConsentKind.PRIVACY: (
        "I have read the privacy notice and agree to my details being used to run this event"
    ),
    ConsentKind.DIETARY: (
        "I agree that you may keep my dietary requirements and share them with the caterers"
    ),
    ConsentKind.ACCESS: (
        "I agree that you may keep my access requirements and share them with the venue"
    ),
    ConsentKind.FEEDBACK: (
        "Your answers to the feedback survey help us improve our events. "
        "They are shown to the event's organisers."
    ),
}
KIND_LABELS = {
    ConsentKind.PRIVACY_NOTICE: "Privacy notice (its opening words)",
    ConsentKind.PRIVACY: "Agreement to the privacy notice",
    ConsentKind.DIETARY: "Consent for dietary requirements",
    ConsentKind.ACCESS: "Consent for access requirements",
    ConsentKind.FEEDBACK: "Feedback survey",
}
SOURCE_LABELS = {
    ConsentSource.PUBLIC_FORM: "on the registration form",
    ConsentSource.SELF_SERVICE: "on their own registration page",
    ConsentSource.ORGANISER: "recorded by an organiser on their behalf",
}
NEED_KINDS = (ConsentKind.DIETARY, ConsentKind.ACCESS)
# History notes are shown to organisers and on the attendee's page: no answers here.
WITHDRAWN_NOTE = "Withdrew consent for {kind} requirements; answers erased"


class NothingToWithdraw(Exception):
    """The registration holds no such consent (or answer) to withdraw."""


# --- wordings ---------------------------------------------------------------------


def current(kind: ConsentKind) -> ConsentWording | None:
    """The current wording of a kind: its highest version; None if none is stored yet."""
    query = (
        select(ConsentWording)
        .where(ConsentWording.kind == kind)
        .order_by(ConsentWording.version.desc())
        .limit(1)
    )
    return db.session.scalar(query)


@dataclass(frozen=True)
class CurrentWording:
    """What a booking needs of the current wording: which row it is, and its words."""

    id: int
    text: str


def _current_kept(kind: ConsentKind) -> CurrentWording | None:
    # Every booking reads these three times over; only an admin's publish changes them,
    # and a publish here forgets them at once (elsewhere, within the page cache's second).
    def read() -> CurrentWording | None:
        wording = current(kind)
        return CurrentWording(wording.id, wording.text) if wording is not None else None

    return remembered(("consent-wording", kind.value), read, tables=WORDING_TABLES)


def current_text(kind: ConsentKind) -> str:
    """The current wording's text, or version 1's when none is stored yet."""
    wording = _current_kept(kind)
    return wording.text if wording is not None else DEFAULT_TEXTS[kind]


def versions(kind: ConsentKind) -> list[ConsentWording]:
    """Every version of a kind, newest first."""
    query = (
        select(ConsentWording)
        .where(ConsentWording.kind == kind)
        .order_by(ConsentWording.version.desc())
    )
    return list(db.session.scalars(query))


def _stored_current(kind: ConsentKind, now: dt.datetime) -> int:
    """The current wording's id; version 1 is stored first if there is none (in the caller's
    transaction)."""
    if (kept := _current_kept(kind)) is not None:
        return kept.id
    wording = ConsentWording(kind=kind, version=1, text=DEFAULT_TEXTS[kind], created_at=now)
    db.session.add(wording)
    db.session.flush()
    return wording.id


def publish(kind: ConsentKind, text: str, *, actor, now: dt.datetime | None = None):
    """Publish a new version of a wording (the old ones stay as they were); audited."""
    now = now or utcnow()
    kind = ConsentKind(kind)

    def work() -> ConsentWording:
        _stored_current(kind, now)  # so that a first edit is version 2, after the seeded 1
        latest = db.session.scalar(
            select(func.max(ConsentWording.version)).where(ConsentWording.kind == kind)
        )
        wording = ConsentWording(
            kind=kind, version=latest + 1, text=text, created_at=now, created_by_id=actor.id
        )
        db.session.add(wording)
        db.session.flush()
        audit(
            "consent.wording_published",
            wording,
            f"{KIND_LABELS[kind]}: version {wording.version} published",
            actor=actor,
        )
        return wording

    try:
        with transaction():
            return work()
    except IntegrityError:
        # Two admins published at once: the other one took this number; take the next.
        with transaction():
            return work()


# --- records ----------------------------------------------------------------------


def record(
    registration: Registration,
    kind: ConsentKind,
    *,
    given: bool,
    source: ConsentSource,
    now: dt.datetime,
) -> ConsentRecord:
    """Record a consent given or withdrawn against the current wording; caller's transaction."""
    entry = ConsentRecord(
        kind=kind, wording_id=_stored_current(kind, now), given=given, at=now, source=source
    )
    registration.consent_records.append(entry)
    return entry


def record_booking(registration: Registration, source: ConsentSource, now: dt.datetime) -> None:
    """Record what a new booking agreed to: the notice, and each requirement's consent given."""
    if registration.privacy_accepted:
        record(registration, ConsentKind.PRIVACY_NOTICE, given=True, source=source, now=now)
        record(registration, ConsentKind.PRIVACY, given=True, source=source, now=now)
    for kind in NEED_KINDS:
        if getattr(registration, f"{kind.value}_consent"):
            record(registration, kind, given=True, source=source, now=now)


def can_withdraw(registration: Registration, kind: ConsentKind | str) -> bool:
    """Whether the registration holds this requirement's consent or answer, so may withdraw it."""
    kind = ConsentKind(kind)
    if kind not in NEED_KINDS:
        return False
    return bool(
        getattr(registration, f"{kind.value}_consent")
        or getattr(registration, f"{kind.value}_requirements")
    )


def withdraw(
    registration: Registration, kind: ConsentKind | str, *, now: dt.datetime | None = None
) -> Registration:
    """Withdraw the dietary or access consent: the answers go at once, and it is recorded.

    One transaction, on the event's lock as every change to a registration:
    the answer and its consent cleared, the emails that may quote it blanked,
    a consent record (given=False, self-service) and a history line.
    """
    now = now or utcnow()
    kind = ConsentKind(kind)
    registration_id = registration.id

    def work() -> Registration:
        found = db.session.get(Registration, registration_id, populate_existing=True)
        if not can_withdraw(found, kind):
            raise NothingToWithdraw()
        needs.erase_need(found, kind.value)
        record(found, kind, given=False, source=ConsentSource.SELF_SERVICE, now=now)
        found.history.append(
            RegistrationHistory(
                action=HistoryAction.CHANGED, at=now, note=WITHDRAWN_NOTE.format(kind=kind.value)
            )
        )
        return found

    return retrying(work, lock=(Event, registration.event_id))
