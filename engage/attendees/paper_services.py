"""Who goes on the venue's paperwork, each list in two queries; the catering sheet, audited."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import selectinload

from engage.attendees import paper
from engage.attendees.filters import ACTIVE, AttendeeFilter
from engage.audit.services import record
from engage.db import transaction
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus, registration_workshops

CONFIRMED = RegistrationStatus.CONFIRMED


def _with_workshops(query: Select) -> list[Registration]:
    # The workshops of every person in one more query, not one per badge.
    return list(db.session.scalars(query.options(selectinload(Registration.workshops))))


def _confirmed_on(event: Event) -> Select:
    return select(Registration).where(
        Registration.event_id == event.id, Registration.status == CONFIRMED
    )


def confirmed(event: Event) -> list[Registration]:
    """The event's confirmed registrations, with their workshops."""
    return _with_workshops(_confirmed_on(event))


def for_badges(list_filter: AttendeeFilter) -> AttendeeFilter:
    """The filter badges are printed for: the list's own, holding a place unless told otherwise.

    A list's default status ("active") includes the waiting list, who have no
    place to wear a badge at; a status chosen in the URL is kept as it is.
    """
    if list_filter.status == ACTIVE:
        return dataclasses.replace(list_filter, status=CONFIRMED.value)
    return list_filter


def chosen(list_filter: AttendeeFilter) -> list[Registration]:
    """The registrations the badge filter picks (see for_badges), with their workshops."""
    query = select(Registration).where(*for_badges(list_filter).conditions())
    return _with_workshops(query)


def count_chosen(list_filter: AttendeeFilter) -> int:
    """How many badges the filter would print."""
    query = select(func.count(Registration.id)).where(*for_badges(list_filter).conditions())
    return db.session.scalar(query) or 0


def booked_on(workshop: EventSession) -> list[Registration]:
    """The confirmed people booked on one workshop, with their workshops."""
    on_it = exists().where(
        registration_workshops.c.registration_id == Registration.id,
        registration_workshops.c.session_id == workshop.id,
    )
    return _with_workshops(_confirmed_on(workshop.event).where(on_it))


def catering_sheet(event: Event, *, now: dt.datetime) -> bytes:
    """The catering sheet's PDF; its download recorded in the audit log (never whose needs).

    It holds health information (special category data), so every download
    says who took it, when, and how many people it lists. The entry is
    committed before the file is handed over: no record, no file.
    """
    people = confirmed(event)
    pdf = paper.catering_pdf(event, people, now=now)
    listed = len(paper.dietary_summary(people).people)
    with transaction():
        entry = record(
            "attendees.catering_sheet_downloaded",
            event,
            summary=f"Catering sheet downloaded: {listed} people with dietary requirements",
        )
        entry.at = now
    return pdf
