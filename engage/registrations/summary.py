"""What a person told us when they booked, as one list of rows.

The confirmation and self-service pages and the attendee emails all show it
from here, so a question's label or a yes/no answer reads the same everywhere.
"""

from __future__ import annotations

import dataclasses

from engage.events.models import QuestionKind
from engage.registrations.models import Registration
from engage.timefmt import clock_time

YES_NO = {"yes": "Yes", "no": "No"}
NOT_ANSWERED = "Not answered"
NONE_GIVEN = "None given"


@dataclasses.dataclass(frozen=True)
class Row:
    """One thing the person told us: what the form asked, and the answer (a list of workshops)."""

    key: str
    label: str
    value: str | list[str]


def answer_text(question, answer) -> str:
    """An answer to one of the event's questions as it reads back to the person."""
    if answer is None or answer == [] or answer == "":
        return NOT_ANSWERED
    if isinstance(answer, str):
        return YES_NO.get(answer, answer) if question.kind == QuestionKind.YES_NO else answer
    return ", ".join(answer)


def told_us(registration: Registration, *, unconsented_needs: bool = True) -> list[Row]:
    """The registration's details, workshops, answers and needs, in the form's order.

    A dietary or access need is kept only with its consent; without it the row
    reads "None given", or is left out when `unconsented_needs` is false (the emails).
    """
    event = registration.event
    rows = [
        Row("name", "Name", registration.full_name),
        Row("email", "Email", registration.email),
        Row("organisation", "Organisation", registration.organisation),
        Row("job_title", "Job title or role", registration.job_title),
        Row("category", "Category", registration.category.label),
    ]
    if event.workshops:
        chosen = [
            f"{w.title} ({clock_time(w.starts_at, event.timezone)} to "
            f"{clock_time(w.ends_at, event.timezone)})"
            for w in registration.workshops
        ]
        rows.append(Row("workshops", "Workshops", chosen or "None chosen"))
    for question in event.questions:
        answer = answer_text(question, registration.answer_for(question))
        rows.append(Row(f"question_{question.id}", question.label, answer))
    for kind, label in (("dietary", "Dietary requirements"), ("access", "Access requirements")):
        text = getattr(registration, f"{kind}_requirements") or ""
        consented = getattr(registration, f"{kind}_consent")
        if consented and text:
            rows.append(Row(kind, label, text))
        elif unconsented_needs or consented:
            rows.append(Row(kind, label, NONE_GIVEN))
    return rows
