"""The feedback survey after an event: its questions, who was invited, and the answers.

Who has answered lives on the invitation (answered_at); what they answered
lives on a response. For an anonymous survey nothing joins the two: the
response has no registration, its submitted_at is only the day, and its id
and its answers' ids are random, so not even the order of insertion pairs a
response with an invitation.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow, value_enum
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations.models import Registration

DEFAULT_SEND_AFTER_HOURS = 2
DEFAULT_REMINDER_AFTER_DAYS = 5
DEFAULT_CLOSES_AFTER_DAYS = 21
RATINGS = (1, 2, 3, 4, 5)


def random_id() -> str:
    """A random primary key: it says nothing about when, or in what order, a row was written."""
    return secrets.token_hex(16)


class SurveyQuestionKind(enum.StrEnum):
    RATING = "rating"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"

    @property
    def label(self) -> str:
        """How the kind reads to an organiser."""
        return KIND_LABELS[self]


KIND_LABELS = {
    SurveyQuestionKind.RATING: "A rating from 1 to 5",
    SurveyQuestionKind.SINGLE_CHOICE: "One choice from a list",
    SurveyQuestionKind.MULTIPLE_CHOICE: "Several choices from a list",
    SurveyQuestionKind.TEXT: "Text",
}


class Survey(db.Model):
    """An event's feedback survey: at most one per event, with when it is sent and closes."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counted from the event's end (sending, closing) and from the invitation (reminder).
    send_after_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_SEND_AFTER_HOURS)
    reminder_after_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_AFTER_DAYS)
    closes_after_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_CLOSES_AFTER_DAYS)
    intro: Mapped[str] = mapped_column(Text, default="")
    # Ask each person to rate (and comment on) the sessions they attended or booked.
    rate_sessions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        order_by="(SurveyQuestion.position, SurveyQuestion.id)",
    )

    @property
    def sends_at(self) -> dt.datetime:
        """When the invitations go out."""
        return self.event.ends_at + dt.timedelta(hours=self.send_after_hours)

    @property
    def closes_at(self) -> dt.datetime:
        """When the survey stops taking answers."""
        return self.event.ends_at + dt.timedelta(days=self.closes_after_days)


class SurveyQuestion(db.Model):
    """One question of a survey."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SurveyQuestionKind] = mapped_column(
        value_enum(SurveyQuestionKind, "survey_question_kind")
    )
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyInvitation(db.Model):
    """One person asked for feedback: the record that makes each invitation and reminder go once.

    It also says whether they have answered (answered_at), and nothing more: for
    an anonymous survey it is not joined to the response.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    # The links in the invitation and in the reminder, kept only as SHA-256 hashes.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": "hash"})
    reminder_token_hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, info={"personal": "hash"}
    )
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyInvitation {self.survey_id}/{self.registration_id}>"


class SurveyResponse(db.Model):
    """One person's answers. Anonymous: no registration, the day only, a random id."""

    __tablename__ = "survey_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), unique=True
    )
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    answers: Mapped[list[ResponseAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class ResponseAnswer(db.Model):
    """The answer to one question, or the rating and comment for one session."""

    __tablename__ = "survey_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    # A choice's text, or a list of them, for choice questions; free text for text questions.
    value: Mapped[str | list[str] | None] = mapped_column(JSON, info={"personal": "free_text"})
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="", info={"personal": "free_text"})

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion | None] = relationship()
    session: Mapped[EventSession | None] = relationship()
