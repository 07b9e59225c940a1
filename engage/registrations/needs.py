"""Erasing dietary and access answers: at cancellation, and soon after the event.

These answers can reveal health or belief (special category data), so they
live shorter than the rest of a registration: they go at once when a place is
cancelled (by the attendee, an organiser or the event's cancellation), and
`Event.needs_retention_days` after the event for everyone else (the retention
job, engage.registrations.retention). Their consents go with them: nothing is
held any more to consent to. A history row says it happened, never what was
erased. Emails already sent or failed for those registrations may have quoted
the answers, so their bodies are blanked; pending ones go out first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import or_, select, update

from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.registrations.models import HistoryAction, Registration, RegistrationHistory

ERASED = "[erased]"
# What the caterers' list holds about each person (the catering export's columns,
# and what the privacy notice says it holds).
CATERING_COLUMNS = ("Name", "Organisation", "Dietary requirement")
# History notes are shown to organisers and attendees: reasons only, no answers.
ERASED_AT_CANCELLATION = "dietary and access answers erased: registration cancelled"
ERASED_AFTER_EVENT = "dietary and access answers erased: kept for the day only"

HOLDS_NEEDS = or_(
    Registration.dietary_requirements != "",
    Registration.access_requirements != "",
    Registration.dietary_consent.is_(True),
    Registration.access_consent.is_(True),
)


def holds_needs(registration: Registration) -> bool:
    """Whether any dietary or access answer, or its consent, is still held."""
    return bool(
        registration.dietary_requirements
        or registration.access_requirements
        or registration.dietary_consent
        or registration.access_consent
    )


def erase_needs(registration: Registration, *, now: dt.datetime, note: str) -> bool:
    """Erase one registration's answers and consents, in the caller's transaction; if any."""
    blank_sent_messages([registration.id])
    if not holds_needs(registration):
        return False
    for kind in ("dietary", "access"):
        _clear(registration, kind)
    registration.history.append(
        RegistrationHistory(action=HistoryAction.CHANGED, at=now, note=note)
    )
    return True


def erase_need(registration: Registration, kind: str) -> None:
    """Erase one kind of answer ("dietary" or "access") and its consent: a withdrawal.

    In the caller's transaction, which writes the history line and consent record.
    """
    blank_sent_messages([registration.id])
    _clear(registration, kind)


def _clear(registration: Registration, kind: str) -> None:
    setattr(registration, f"{kind}_requirements", "")
    setattr(registration, f"{kind}_consent", False)
    setattr(registration, f"{kind}_consent_at", None)


def erase_event_needs(event_id: int, *, now: dt.datetime, note: str) -> int:
    """Erase the answers of every registration of an event that still holds some; how many.

    The caller holds the event's lock. Loads only those with something to
    erase, so running it again finds nothing.
    """
    query = select(Registration).where(Registration.event_id == event_id, HOLDS_NEEDS)
    erased = sum(
        erase_needs(registration, now=now, note=note) for registration in db.session.scalars(query)
    )
    ids = select(Registration.id).where(Registration.event_id == event_id)
    blank_sent_messages(ids)
    db.session.flush()
    return erased


def blank_sent_messages(registration_ids: Iterable[int] | object) -> int:
    """Blank the bodies of the registrations' emails already sent (or given up on); how many.

    They may quote the answers. The message log keeps their kind, subject,
    address and times until the full purge.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.registration_id.in_(registration_ids),
            OutboxMessage.status.in_((MessageStatus.SENT, MessageStatus.FAILED)),
            or_(OutboxMessage.body_text != ERASED, OutboxMessage.body_html != ERASED),
        )
        .values(body_text=ERASED, body_html=ERASED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
