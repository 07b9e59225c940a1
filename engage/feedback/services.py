"""The attendee's side of the survey: the link, whether it is open, and answering once.

Answering is one transaction under the invitation's lock: a conditional UPDATE
sets answered_at only if it was still empty, and the response is written only
if that UPDATE moved a row, so two submissions at once store one response.
An anonymous response carries no registration, the day only as its time, and
a random id; nothing in it leads back to the invitation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import secrets

from sqlalchemy import or_, select, update

from engage.db import UTC, transaction, utcnow
from engage.events.models import EventSession, SessionKind
from engage.extensions import db
from engage.feedback.models import (
    ResponseAnswer,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from engage.registrations.models import Registration, WorkshopCheckIn
from engage.tokens import digest

MAX_TOKEN_LENGTH = 100


class FeedbackError(Exception):
    """A survey answer that cannot be taken; the message says why."""

    message = "Your answers could not be saved."


class InvitationNotFound(FeedbackError):
    """No invitation has this link."""


class SurveyClosed(FeedbackError):
    """The survey has closed (or been switched off)."""

    message = "This survey has closed."


class AlreadyAnswered(FeedbackError):
    """This person has answered already: one response each."""

    message = "Thank you, you have already answered."


@dataclasses.dataclass
class Answers:
    """What was answered: values and ratings by question id; (rating, comment) by session id."""

    questions: dict[int, str | list[str]] = dataclasses.field(default_factory=dict)
    ratings: dict[int, int] = dataclasses.field(default_factory=dict)
    sessions: dict[int, tuple[int | None, str]] = dataclasses.field(default_factory=dict)


def new_token() -> tuple[str, str]:
    """A fresh link secret and the hash kept in its place."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def is_open(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Whether the survey takes answers now: switched on, the event held, not yet closed."""
    now = now or utcnow()
    event = survey.event
    return survey.is_enabled and not event.is_cancelled and event.ends_at <= now < survey.closes_at


def invitation_by_token(token: str) -> SurveyInvitation:
    """The invitation a survey link names (invitation or reminder), or InvitationNotFound."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationNotFound()
    wanted = digest(token)
    row = db.session.scalar(
        select(SurveyInvitation).where(
            or_(
                SurveyInvitation.token_hash == wanted,
                SurveyInvitation.reminder_token_hash == wanted,
            )
        )
    )
    if row is None or not (
        hmac.compare_digest(row.token_hash, wanted)
        or hmac.compare_digest(row.reminder_token_hash or "", wanted)
    ):
        raise InvitationNotFound()
    return row


def sessions_to_rate(survey: Survey, registration: Registration) -> list[EventSession]:
    """The sessions this person is asked to rate: plenaries, and workshops attended or booked."""
    if not survey.rate_sessions:
        return []
    attended = set(
        db.session.scalars(
            select(WorkshopCheckIn.session_id).where(
                WorkshopCheckIn.registration_id == registration.id
            )
        )
    )
    booked = {w.id for w in registration.workshops}
    return [
        s
        for s in survey.event.sessions
        if s.kind == SessionKind.PLENARY
        or (s.kind == SessionKind.WORKSHOP and s.id in attended | booked)
    ]


def submitted_time(survey: Survey, now: dt.datetime) -> dt.datetime:
    """The time a response records: exact when named, the day only (UTC midnight) when anonymous."""
    if not survey.anonymous:
        return now
    return dt.datetime(now.year, now.month, now.day, tzinfo=UTC)


def submit(invitation: SurveyInvitation, answers: Answers, now: dt.datetime | None = None):
    """Store one person's answers, once; AlreadyAnswered or SurveyClosed otherwise."""
    now = now or utcnow()
    invitation_id = invitation.id
    with transaction(lock=(SurveyInvitation, invitation_id)) as session:
        invitation = session.get(SurveyInvitation, invitation_id, populate_existing=True)
        if invitation.answered_at is not None:
            raise AlreadyAnswered()
        survey = invitation.survey
        if not is_open(survey, now):
            raise SurveyClosed()
        moved = session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == invitation_id, SurveyInvitation.answered_at.is_(None))
            .values(answered_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise AlreadyAnswered()
        response = SurveyResponse(
            survey_id=survey.id,
            registration_id=None if survey.anonymous else invitation.registration_id,
            submitted_at=submitted_time(survey, now),
        )
        response.answers = _answer_rows(answers)
        session.add(response)
    return response


def _answer_rows(answers: Answers) -> list[ResponseAnswer]:
    rows = [
        ResponseAnswer(question_id=question_id, value=value)
        for question_id, value in answers.questions.items()
        if value not in (None, "", [])
    ]
    rows += [
        ResponseAnswer(question_id=question_id, rating=rating)
        for question_id, rating in answers.ratings.items()
        if rating is not None
    ]
    for session_id, (rating, comment) in answers.sessions.items():
        if rating is not None or comment:
            rows.append(ResponseAnswer(session_id=session_id, rating=rating, comment=comment or ""))
    return rows
