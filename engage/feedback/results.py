"""The survey's figures: counts, averages and rating distributions, from the stored answers."""

from __future__ import annotations

import dataclasses
from collections import Counter

from sqlalchemy import func, select

from engage.events.models import EventSession
from engage.extensions import db
from engage.feedback.models import (
    RATINGS,
    ResponseAnswer,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)


@dataclasses.dataclass
class Ratings:
    """How many gave each rating, 1 to 5."""

    counts: dict[int, int]

    @property
    def total(self) -> int:
        """How many rated."""
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        """The mean rating, or None if nobody rated."""
        if not self.total:
            return None
        return sum(score * n for score, n in self.counts.items()) / self.total

    @property
    def most(self) -> int:
        """The largest count (the longest bar of the chart)."""
        return max(self.counts.values(), default=0)


@dataclasses.dataclass
class QuestionResult:
    """One question's answers, summed up."""

    question: SurveyQuestion
    answered: int
    ratings: Ratings | None = None
    choices: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    texts: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SessionResult:
    """One session's ratings and comments."""

    session: EventSession
    ratings: Ratings
    comments: list[str]


@dataclasses.dataclass
class Results:
    """The whole survey's figures."""

    invited: int
    answered: int
    questions: list[QuestionResult]
    sessions: list[SessionResult]


def _ratings(values) -> Ratings:
    counts = Counter(v for v in values if v in RATINGS)
    return Ratings({score: counts.get(score, 0) for score in RATINGS})


def _answers(survey: Survey) -> list[ResponseAnswer]:
    query = (
        select(ResponseAnswer)
        .join(SurveyResponse, SurveyResponse.id == ResponseAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        # Free text is listed in a fixed order that says nothing about who wrote it.
        .order_by(ResponseAnswer.id)
    )
    return list(db.session.scalars(query))


def _question_result(question: SurveyQuestion, rows: list[ResponseAnswer]) -> QuestionResult:
    result = QuestionResult(question, answered=len(rows))
    if question.kind == SurveyQuestionKind.RATING:
        result.ratings = _ratings(row.rating for row in rows)
    elif question.kind == SurveyQuestionKind.TEXT:
        result.texts = [str(row.value) for row in rows if row.value]
    else:
        chosen: Counter = Counter()
        for row in rows:
            values = row.value if isinstance(row.value, list) else [row.value]
            chosen.update(v for v in values if v)
        offered = list(question.choices or [])
        extra = sorted(set(chosen) - set(offered))  # a choice since renamed or removed
        result.choices = [(choice, chosen.get(choice, 0)) for choice in offered + extra]
    return result


def results(survey: Survey) -> Results:
    """Every question's and session's figures for one survey."""
    rows = _answers(survey)
    by_question: dict[int, list[ResponseAnswer]] = {}
    by_session: dict[int, list[ResponseAnswer]] = {}
    for row in rows:
        if row.question_id is not None:
            by_question.setdefault(row.question_id, []).append(row)
        elif row.session_id is not None:
            by_session.setdefault(row.session_id, []).append(row)
    sessions = [
        SessionResult(
            session,
            _ratings(row.rating for row in by_session[session.id]),
            [row.comment for row in by_session[session.id] if row.comment],
        )
        for session in survey.event.sessions
        if session.id in by_session
    ]
    count = select(func.count(SurveyInvitation.id)).where(SurveyInvitation.survey_id == survey.id)
    return Results(
        invited=db.session.scalar(count) or 0,
        answered=db.session.scalar(count.where(SurveyInvitation.answered_at.is_not(None))) or 0,
        questions=[_question_result(q, by_question.get(q.id, [])) for q in survey.questions],
        sessions=sessions,
    )
