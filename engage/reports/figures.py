"""One event's report: every figure read from event_figures, so it outlives the purge.

While the attendees are held the figures are counted live; after the purge
they are the counts stored when it ran (engage.registrations.figures). The
feedback scores are the survey's own results (engage.feedback.results).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from engage.events.models import Event, SessionKind
from engage.feedback.results import Results, results
from engage.feedback.setup import survey_for
from engage.registrations.figures import Figures, event_figures
from engage.registrations.models import CATEGORY_LABELS

TOP_ORGANISATIONS = 20
NOT_GIVEN = "Not given"

Row = tuple[str, int]


@dataclasses.dataclass(frozen=True)
class Fill:
    """One workshop's bookings against its places (None: limited by the event only)."""

    title: str
    booked: int
    capacity: int | None


@dataclasses.dataclass(frozen=True)
class Score:
    """An average rating (None if nobody rated) and how many rated."""

    label: str
    average: float | None
    ratings: int


@dataclasses.dataclass(frozen=True)
class EventReport:
    """Everything the event's report page shows."""

    kept: bool
    registrations: int
    confirmed: int
    checked_in: int
    no_shows: int
    waiting_list_peak: int
    over_time: list[tuple[dt.date, int, int]]  # (day, booked that day, booked so far)
    categories: list[Row]
    organisations: list[Row]
    organisations_count: int
    workshops: list[Fill]
    feedback: Results | None
    question_scores: list[Score]
    session_scores: list[Score]

    @property
    def workshop_rows(self) -> list[Row]:
        """(workshop, booked) for the fill chart."""
        return [(fill.title, fill.booked) for fill in self.workshops]

    @property
    def workshop_places(self) -> list[int | None]:
        """Each workshop's places, in the same order."""
        return [fill.capacity for fill in self.workshops]

    @property
    def attendance_rate(self) -> float | None:
        """Checked in of confirmed, as a fraction; None when nobody was confirmed."""
        return self.checked_in / self.confirmed if self.confirmed else None


def cumulative(days: dict[str, int]) -> list[tuple[dt.date, int, int]]:
    """Bookings per day ("2027-01-04" -> n) as (day, that day, running total), in date order."""
    total = 0
    found = []
    for day in sorted(days):
        total += days[day]
        found.append((dt.date.fromisoformat(day), days[day], total))
    return found


def organisations(figures: Figures) -> list[Row]:
    """Organisations by confirmed people, most first (ties by name); "" reads "Not given"."""
    counts = figures.metrics.get("organisation", {})
    rows = [(name or NOT_GIVEN, n) for name, n in counts.items() if n]
    return sorted(rows, key=lambda row: (-row[1], row[0].casefold()))


def categories(figures: Figures) -> list[Row]:
    """Confirmed people by category, in the form's order."""
    counts = figures.metrics.get("category", {})
    return [(label, counts.get(category.value, 0)) for category, label in CATEGORY_LABELS.items()]


def workshop_fill(event: Event, figures: Figures) -> list[Fill]:
    """Each workshop's confirmed bookings against its capacity, in programme order."""
    booked = figures.metrics.get("workshop", {})
    return [
        Fill(session.title, booked.get(str(session.id), 0), session.capacity)
        for session in event.sessions
        if session.kind == SessionKind.WORKSHOP
    ]


def feedback_results(event: Event) -> Results | None:
    """The survey's results as the results page counts them; None without a survey."""
    survey = survey_for(event)
    return results(survey) if survey is not None else None


def _scores(found: Results | None) -> tuple[list[Score], list[Score]]:
    if found is None:
        return [], []
    questions = [
        Score(r.question.label, r.ratings.average, r.ratings.total)
        for r in found.questions
        if r.ratings is not None
    ]
    sessions = [Score(r.session.title, r.ratings.average, r.ratings.total) for r in found.sessions]
    return questions, sessions


def event_report(event: Event) -> EventReport:
    """The event's report, from its figures (live, or kept after the purge) and its survey."""
    figures = event_figures(event)
    found = feedback_results(event)
    question_scores, session_scores = _scores(found)
    ranked = organisations(figures)
    return EventReport(
        kept=figures.kept,
        registrations=figures.get("registrations"),
        confirmed=figures.get("status", "confirmed"),
        checked_in=figures.get("attendance", "checked_in"),
        no_shows=figures.get("attendance", "no_show"),
        waiting_list_peak=figures.get("waiting_list", "peak"),
        over_time=cumulative(figures.metrics.get("registered_on", {})),
        categories=categories(figures),
        organisations=ranked[:TOP_ORGANISATIONS],
        organisations_count=len(ranked),
        workshops=workshop_fill(event, figures),
        feedback=found,
        question_scores=question_scores,
        session_scores=session_scores,
    )
