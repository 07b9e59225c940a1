"""What the exports hold: the columns an organiser can choose, the venue lists, and their audit.

Rows are read in chunks of CHUNK registrations, each in a read transaction of
its own that is ended before the chunk is written out, so a slow download
neither holds the whole list in memory nor keeps a transaction open.
Dietary and access requirements leave the site only in an export that is
written to the audit log (who, when, which event, how many rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.attendees.exports import Sheet
from engage.attendees.filters import AttendeeFilter
from engage.attendees.listing import STATUS_LABELS
from engage.audit.services import record
from engage.db import end_read, transaction
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind
from engage.extensions import db
from engage.registrations import services as registration_services
from engage.registrations.models import (
    Registration,
    RegistrationStatus,
    registration_workshops,
)
from engage.search import fold
from engage.timefmt import local, zone_label

CHUNK = 500
QUESTION_PREFIX = "q"  # the column key of question 12 is "q12"
DIETARY = "dietary"
ACCESS = "access"
DEFAULT_COLUMNS = ("name", "email", "organisation", "category", "status", "workshops")
NOT_CHECKED_IN = "☐"  # a box to tick on the printed room list


@dataclasses.dataclass(frozen=True)
class Column:
    """A column an organiser can choose: its key in the form, its header, its value."""

    key: str
    label: str
    value: Callable[[Registration], str | int | None]


# --- the attendee export ----------------------------------------------------------


def _when(tz: str) -> Callable[[dt.datetime | None], str]:
    def when(value: dt.datetime | None) -> str:
        return "" if value is None else local(value, tz).strftime("%Y-%m-%d %H:%M")

    return when


def _answer_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return value


def _question_column(question: EventQuestion) -> Column:
    question_id, yes_no = question.id, question.kind == QuestionKind.YES_NO

    def value(registration: Registration) -> str:
        for answer in registration.answers:
            if answer.question_id == question_id:
                text = _answer_text(answer.value)
                return text.capitalize() if yes_no else text
        return ""

    return Column(f"{QUESTION_PREFIX}{question.id}", question.label, value)


def columns_for(event: Event, positions: dict[int, int] | None = None) -> list[Column]:
    """Every column an export of this event can have, in the order they are written.

    The requirement columns come last; the form offers them apart from the rest.
    """
    when = _when(event.timezone)
    zone = zone_label(event.timezone)
    positions = positions or {}
    return [
        Column("name", "Name", lambda r: r.full_name),
        Column("email", "Email", lambda r: r.email),
        Column("organisation", "Organisation", lambda r: r.organisation),
        Column("job_title", "Job title", lambda r: r.job_title),
        Column("category", "Category", lambda r: r.category.label),
        Column("status", "Status", lambda r: STATUS_LABELS[r.status]),
        Column("position", "Waiting list position", lambda r: positions.get(r.id)),
        Column("workshops", "Workshops", lambda r: "; ".join(w.title for w in r.workshops)),
        *(_question_column(question) for question in event.questions),
        Column("booked_at", f"Booked at ({zone})", lambda r: when(r.created_at)),
        Column("checked_in_at", f"Checked in at ({zone})", lambda r: when(r.checked_in_at)),
        Column(DIETARY, "Dietary requirements", lambda r: r.dietary_requirements),
        Column(ACCESS, "Access requirements", lambda r: r.access_requirements),
    ]


def _rows_in_chunks(ids: list[int], columns: list[Column], loads: Sequence) -> Iterator[list]:
    """The chosen columns of the registrations with these ids, in this order, CHUNK at a time."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(Registration).where(Registration.id.in_(chunk)).options(*loads)
        found = {row.id: row for row in db.session.scalars(query)}
        # One deleted since the ids were read is left out; one cancelled since is still listed.
        rows = [[c.value(found[i]) for c in columns] for i in chunk if i in found]
        del found
        end_read()  # no transaction is held while the chunk is written out and sent
        yield from rows


def attendee_sheet(chosen: AttendeeFilter, keys: Iterable[str]) -> tuple[Sheet, int]:
    """The filtered list with the chosen columns (in the usual order), and how many rows."""
    event = chosen.event
    wanted = set(keys)
    ids = list(db.session.scalars(chosen.statement().with_only_columns(Registration.id)))
    positions = registration_services.waitlist_positions(event) if "position" in wanted else {}
    columns = [c for c in columns_for(event, positions) if c.key in wanted]
    loads = []
    if "workshops" in wanted:
        loads.append(selectinload(Registration.workshops))
    if any(c.key.startswith(QUESTION_PREFIX) for c in columns):
        loads.append(selectinload(Registration.answers))
    end_read()
    rows = _rows_in_chunks(ids, columns, loads)
    return Sheet("Attendees", [c.label for c in columns], rows), len(ids)


def export_attendees(chosen: AttendeeFilter, keys: Iterable[str], file_format: str) -> Sheet:
    """The attendee export; one that includes requirements is written to the audit log first."""
    keys = list(keys)
    event_id = chosen.event.id
    sheet, count = attendee_sheet(chosen, keys)
    included = [label for key, label in ((DIETARY, "dietary"), (ACCESS, "access")) if key in keys]
    if included:
        with transaction():
            record(
                "attendees.requirements_exported",
                db.session.get(Event, event_id),
                summary=f"{count} row(s) with {' and '.join(included)} requirements "
                f"({file_format.upper()})",
            )
    return sheet


# --- venue lists --------------------------------------------------------------------


def requirement_key(text: str) -> str:
    """Two spellings of one requirement ("Vegan", " vegan") count as one."""
    return fold(text)


def catering_sheets(event: Event) -> tuple[list[Sheet], int]:
    """Dietary requirements of confirmed attendees who agreed to share them: counts and names."""
    query = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.dietary_consent.is_(True),
            Registration.dietary_requirements != "",
        )
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    people = [
        (r.full_name, r.organisation, r.dietary_requirements.strip())
        for r in db.session.scalars(query)
    ]
    counted = Counter(requirement_key(text) for _, _, text in people)
    spelling: dict[str, str] = {}
    for _, _, text in people:
        spelling.setdefault(requirement_key(text), text)
    summary = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    sheets = [
        Sheet("Summary", ["Dietary requirement", "People"], [[spelling[k], n] for k, n in summary]),
        Sheet("People", ["Name", "Organisation", "Dietary requirement"], people),
    ]
    return sheets, len(people)


def export_catering(event: Event, file_format: str) -> list[Sheet]:
    """The catering list, written to the audit log as any export of requirements is."""
    sheets, count = catering_sheets(event)
    event_id = event.id
    with transaction():
        record(
            "attendees.catering_exported",
            db.session.get(Event, event_id),
            summary=f"{count} row(s) with dietary requirements ({file_format.upper()})",
        )
    return sheets


def room_list_sheet(workshop: EventSession) -> Sheet:
    """Who is booked into one workshop (confirmed people), with a box to tick at the door."""
    query = (
        select(Registration)
        .join(registration_workshops, registration_workshops.c.registration_id == Registration.id)
        .where(
            registration_workshops.c.session_id == workshop.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    rows = [
        [r.full_name, r.organisation, "Yes" if r.checked_in_at else NOT_CHECKED_IN]
        for r in db.session.scalars(query)
    ]
    return Sheet(workshop.title, ["Name", "Organisation", "Checked in"], rows)
