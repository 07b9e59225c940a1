"""Which of an event's registrations the organiser is looking at: one filter, kept in the URL.

The attendee list, its exports and "Email these people" all read the same
AttendeeFilter, so a bookmarked or shared list URL, the file exported from it
and the people a message goes to are always the same set.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from sqlalchemy import Select, cast, exists, literal, or_, select, tuple_
from sqlalchemy.types import Text

from engage.events.models import Event, EventQuestion, QuestionKind
from engage.registrations.models import (
    AttendeeCategory,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    registration_workshops,
)
from engage.search import LIKE_ESCAPE, contains_pattern

# Status choices in the URL: one status, everyone holding a place or a place in line, or all.
ACTIVE = "active"
ALL = "all"
STATUSES = (ACTIVE, *(status.value for status in RegistrationStatus), ALL)
# Each order as its key columns (ending in the id, so no two rows tie) and whether it runs
# from the highest down: what ORDER BY says, and what reading the list in pages resumes from.
SORT_KEYS = {
    "name": ((Registration.last_name, Registration.first_name, Registration.id), False),
    "organisation": ((Registration.organisation, Registration.last_name, Registration.id), False),
    "booked": ((Registration.created_at, Registration.id), False),
    "-booked": ((Registration.created_at, Registration.id), True),
}
SORTS = {
    name: tuple(column.desc() if descending else column for column in columns)
    for name, (columns, descending) in SORT_KEYS.items()
}
CHECKED_IN = ("", "yes", "no")
SEARCH_MAX = 200
ANSWER_PREFIX = "a"  # ?a12=Vegan filters question 12's answers by one choice


@dataclasses.dataclass(frozen=True)
class AttendeeFilter:
    """A filter on one event's registrations, read from and written back to URL arguments.

    Anything in the URL that is not a known value is ignored (a stale bookmark
    or a hand-edited link still shows a list, never an error).
    """

    event: Event
    q: str = ""
    status: str = ACTIVE
    category: str = ""
    workshop: int | None = None
    needs: bool = False
    checked_in: str = ""
    answers: tuple[tuple[int, str], ...] = ()
    sort: str = "name"

    @classmethod
    def from_args(cls, event: Event, args: Mapping[str, str]) -> AttendeeFilter:
        """The filter a list URL describes; unknown or malformed values fall back to defaults."""
        status = args.get("status", ACTIVE)
        category = args.get("category", "")
        workshop_ids = {w.id for w in event.workshops}
        workshop = _int(args.get("workshop"))
        choices = {q.id: set(filterable_choices(q)) for q in event.questions}
        answers = []
        for question_id, allowed in choices.items():
            value = args.get(f"{ANSWER_PREFIX}{question_id}", "")
            if value in allowed:
                answers.append((question_id, value))
        return cls(
            event=event,
            q=args.get("q", "").strip()[:SEARCH_MAX],
            status=status if status in STATUSES else ACTIVE,
            category=category if category in {c.value for c in AttendeeCategory} else "",
            workshop=workshop if workshop in workshop_ids else None,
            needs=args.get("needs") == "1",
            checked_in=args.get("checked_in", "") if args.get("checked_in") in CHECKED_IN else "",
            answers=tuple(answers),
            sort=args.get("sort", "name") if args.get("sort") in SORTS else "name",
        )

    def to_args(self, **changes) -> dict[str, str]:
        """URL arguments for this filter (only those not at their default), with changes."""
        chosen = dataclasses.replace(self, **changes) if changes else self
        args = {
            "q": chosen.q,
            "status": "" if chosen.status == ACTIVE else chosen.status,
            "category": chosen.category,
            "workshop": str(chosen.workshop) if chosen.workshop else "",
            "needs": "1" if chosen.needs else "",
            "checked_in": chosen.checked_in,
            "sort": "" if chosen.sort == "name" else chosen.sort,
        }
        args.update({f"{ANSWER_PREFIX}{qid}": value for qid, value in chosen.answers})
        return {key: value for key, value in args.items() if value}

    @property
    def is_default(self) -> bool:
        """Whether the filter shows the whole active list."""
        return not self.to_args(sort="name")

    def conditions(self) -> list:
        """The WHERE conditions for the registrations this filter picks."""
        where = [Registration.event_id == self.event.id]
        if self.status == ACTIVE:
            where.append(Registration.status != RegistrationStatus.CANCELLED)
        elif self.status != ALL:
            where.append(Registration.status == RegistrationStatus(self.status))
        if self.q:
            where.append(
                Registration.search_text.like(contains_pattern(self.q), escape=LIKE_ESCAPE)
            )
        if self.category:
            where.append(Registration.category == AttendeeCategory(self.category))
        if self.workshop:
            where.append(
                exists().where(
                    registration_workshops.c.registration_id == Registration.id,
                    registration_workshops.c.session_id == self.workshop,
                )
            )
        if self.needs:
            where.append(
                or_(Registration.dietary_requirements != "", Registration.access_requirements != "")
            )
        if self.checked_in == "yes":
            where.append(Registration.checked_in_at.is_not(None))
        elif self.checked_in == "no":
            where.append(Registration.checked_in_at.is_(None))
        for question_id, value in self.answers:
            where.append(_answered(question_id, value))
        return where

    def statement(self) -> Select[tuple[Registration]]:
        """The registrations this filter picks, in its sort order (not paginated)."""
        return select(Registration).where(*self.conditions()).order_by(*SORTS[self.sort])

    def sort_key(self, row) -> tuple:
        """Where a row (a Registration, or a result row holding the key columns) stands."""
        columns, _ = SORT_KEYS[self.sort]
        return tuple(getattr(row, column.key) for column in columns)

    def after(self, key: tuple):
        """The condition for rows after `key` (a sort_key()) in this order: the next page's start.

        Reading page after page this way (keyset pagination) costs the same for the
        last page as for the first, and never skips or repeats a row.
        """
        columns, descending = SORT_KEYS[self.sort]
        # Bound with each column's type, so times compare as the database stores them.
        row = tuple_(*columns)
        values = tuple_(
            *(literal(value, column.type) for value, column in zip(key, columns, strict=True))
        )
        return row < values if descending else row > values


def filterable_choices(question: EventQuestion) -> list[str]:
    """The answers a question can be filtered by (none for free text)."""
    if question.kind == QuestionKind.YES_NO:
        return ["yes", "no"]
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return list(question.choices)
    return []


def _answered(question_id: int, value: str):
    # Answers are stored as JSON (a string, or a list for several choices), written by
    # json.dumps on both databases, so the encoded choice appears verbatim in the text.
    encoded = json.dumps(value)
    for special in (LIKE_ESCAPE, "%", "_"):
        encoded = encoded.replace(special, LIKE_ESCAPE + special)
    text = cast(RegistrationAnswer.value, Text)
    return exists().where(
        RegistrationAnswer.registration_id == Registration.id,
        RegistrationAnswer.question_id == question_id,
        or_(text == json.dumps(value), text.like(f"[%{encoded}%]", escape=LIKE_ESCAPE)),
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
