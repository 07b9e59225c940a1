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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import Row, Select, select

from engage.attendees import listing
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
    RegistrationAnswer,
    RegistrationStatus,
    registration_workshops,
)
from engage.registrations.needs import CATERING_COLUMNS
from engage.search import fold
from engage.timefmt import local, zone_label

CHUNK = 200
QUESTION_PREFIX = "q"  # the column key of question 12 is "q12"
DIETARY = "dietary"
ACCESS = "access"
DEFAULT_COLUMNS = (
    "name",
    "email",
    "organisation",
    "organisation_listed",
    "category",
    "status",
    "workshops",
)
NOT_CHECKED_IN = "☐"  # a box to tick on the printed room list


# --- the attendee export ----------------------------------------------------------


def _when(tz: str) -> Callable[[dt.datetime | None], str]:
    def when(value: dt.datetime | None) -> str:
        return "" if value is None else local(value, tz).strftime("%Y-%m-%d %H:%M")

    return when


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    """One registration as the export reads it: plain fields, workshop titles and answers.

    Read as plain rows rather than ORM objects, so a chunk of them costs little memory.
    """

    row: Row
    workshops: list[str]
    answers: dict[int, str | list[str]]

    @property
    def full_name(self) -> str:
        """First and last name together, as on the registration."""
        return f"{self.row.first_name} {self.row.last_name}"


@dataclasses.dataclass(frozen=True)
class Column:
    """A column an organiser can choose: its key in the form, its header, its value."""

    key: str
    label: str
    value: Callable[[Person], str | int | None]


PERSON_FIELDS = (
    Registration.id,
    Registration.first_name,
    Registration.last_name,
    Registration.email,
    Registration.organisation,
    Registration.organisation_id,
    Registration.job_title,
    Registration.category,
    Registration.status,
    Registration.created_at,
    Registration.checked_in_at,
    Registration.dietary_requirements,
    Registration.access_requirements,
)


def _answer_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return value


def _question_column(question: EventQuestion) -> Column:
    question_id, yes_no = question.id, question.kind == QuestionKind.YES_NO

    def value(person: Person) -> str:
        text = _answer_text(person.answers.get(question_id))
        return text.capitalize() if yes_no else text

    return Column(f"{QUESTION_PREFIX}{question.id}", question.label, value)


def columns_for(event: Event, positions: dict[int, int] | None = None) -> list[Column]:
    """Every column an export of this event can have, in the order they are written.

    The requirement columns come last; the form offers them apart from the rest.
    """
    when = _when(event.timezone)
    zone = zone_label(event.timezone)
    positions = positions or {}
    return [
        Column("name", "Name", lambda p: p.full_name),
        Column("email", "Email", lambda p: p.row.email),
        Column("organisation", "Organisation", lambda p: p.row.organisation),
        # "No" is "Other": what they typed, not an entry of the curated list.
        Column(
            "organisation_listed",
            "Organisation from list",
            lambda p: "Yes" if p.row.organisation_id else "No",
        ),
        Column("job_title", "Job title", lambda p: p.row.job_title),
        Column("category", "Category", lambda p: p.row.category.label),
        Column("status", "Status", lambda p: STATUS_LABELS[p.row.status]),
        Column("position", "Waiting list position", lambda p: positions.get(p.row.id)),
        Column("workshops", "Workshops", lambda p: "; ".join(p.workshops)),
        *(_question_column(question) for question in event.questions),
        Column("booked_at", f"Booked at ({zone})", lambda p: when(p.row.created_at)),
        Column("checked_in_at", f"Checked in at ({zone})", lambda p: when(p.row.checked_in_at)),
        Column(DIETARY, "Dietary requirements", lambda p: p.row.dietary_requirements),
        Column(ACCESS, "Access requirements", lambda p: p.row.access_requirements),
    ]


def _workshop_titles(chunk: list[int]) -> dict[int, list[str]]:
    query = (
        select(registration_workshops.c.registration_id, EventSession.title)
        .join(EventSession, EventSession.id == registration_workshops.c.session_id)
        .where(registration_workshops.c.registration_id.in_(chunk))
        .order_by(EventSession.starts_at, EventSession.id)
    )
    titles = defaultdict(list)
    for registration_id, title in db.session.execute(query):
        titles[registration_id].append(title)
    return titles


def _answers(chunk: list[int]) -> dict[int, dict[int, str | list[str]]]:
    query = select(
        RegistrationAnswer.registration_id, RegistrationAnswer.question_id, RegistrationAnswer.value
    ).where(RegistrationAnswer.registration_id.in_(chunk))
    answers = defaultdict(dict)
    for registration_id, question_id, value in db.session.execute(query):
        answers[registration_id][question_id] = value
    return answers


def _rows_in_chunks(
    chosen: AttendeeFilter,
    people_in_order: Select,
    columns: list[Column],
    *,
    workshops: bool,
    answers: bool,
) -> Iterator[list]:
    """The chosen columns of the filtered list, in its order, read CHUNK rows at a time.

    Each chunk starts after the last row of the one before (keyset pages), so
    memory holds one chunk whatever the list's length. The statement is built
    before the download starts: the event it names is not read again.
    """
    query = people_in_order
    while True:
        found = db.session.execute(query.limit(CHUNK)).all()
        chunk = [row.id for row in found]
        titles = _workshop_titles(chunk) if workshops and chunk else {}
        answered = _answers(chunk) if answers and chunk else {}
        people = [Person(row, titles.get(row.id, []), answered.get(row.id, {})) for row in found]
        rows = [[c.value(person) for c in columns] for person in people]
        if found:
            query = people_in_order.where(chosen.after(chosen.sort_key(found[-1])))
        del found, titles, answered, people
        end_read()  # no transaction is held while the chunk is written out and sent
        yield from rows
        if len(rows) < CHUNK:
            return


def attendee_sheet(chosen: AttendeeFilter, keys: Iterable[str]) -> tuple[Sheet, int]:
    """The filtered list with the chosen columns (in the usual order), and how many rows."""
    event = chosen.event
    wanted = set(keys)
    count = listing.matched(chosen)
    positions = registration_services.waitlist_positions(event) if "position" in wanted else {}
    columns = [c for c in columns_for(event, positions) if c.key in wanted]
    end_read()
    people_in_order = chosen.statement().with_only_columns(*PERSON_FIELDS)
    rows = _rows_in_chunks(
        chosen,
        people_in_order,
        columns,
        workshops="workshops" in wanted,
        answers=any(c.key.startswith(QUESTION_PREFIX) for c in columns),
    )
    return Sheet("Attendees", [c.label for c in columns], rows), count


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
        Sheet("People", list(CATERING_COLUMNS), people),
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
