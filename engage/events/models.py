"""The events, event_sessions, event_questions, event_organisers and event_resources tables."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.db import UTCDateTime, utcnow, value_enum
from engage.extensions import db

DEFAULT_REMINDER_OFFSETS_HOURS = [7 * 24, 24]
DEFAULT_RETENTION_DAYS = 180
# Dietary and access answers are needed for the day, not for the record.
DEFAULT_NEEDS_RETENTION_DAYS = 7
# The fields that say when and where: a change to any of them on a published
# event is news to every attendee.
WHEN_FIELDS = ("starts_at", "ends_at")
WHERE_FIELDS = ("is_online", "venue_name", "venue_address")
SCHEDULE_FIELDS = WHEN_FIELDS + WHERE_FIELDS


def location_line(is_online: bool, venue_name: str, venue_address: str) -> str:
    """Where an event is, as one line ("Online", or the venue and its address; "" if unknown)."""
    if is_online:
        return "Online"
    return ", ".join(part for part in (venue_name, venue_address) if part)


event_organisers = Table(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")

    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(500), default="")
    travel_info_md: Mapped[str] = mapped_column(Text, default="")
    access_info_md: Mapped[str] = mapped_column(Text, default="")
    # Sent to confirmed attendees only; never shown on the public page.
    online_join_details: Mapped[str] = mapped_column(Text, default="")
    # For people who have booked ("bring photo ID"): their emails and self-service page only.
    attendee_note_md: Mapped[str] = mapped_column(Text, default="")
    # Whom attendees write to; "" means the site's CONTACT_EMAIL (events.contact.event_contact).
    # An organiser's or a shared mailbox's address: found by subject access like any other.
    contact_email: Mapped[str] = mapped_column(String(254), default="", info={"personal": "email"})

    # None means no limit on places.
    capacity: Mapped[int | None] = mapped_column(Integer)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    registration_opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    max_workshops: Mapped[int] = mapped_column(Integer, default=1)
    reminder_offsets_hours: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_OFFSETS_HOURS)
    )
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    # Days after the end until dietary and access answers are erased (<= retention_days).
    needs_retention_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_NEEDS_RETENTION_DAYS, server_default="7"
    )
    # When the retention job erased those answers, and deleted the attendees (counts kept).
    needs_erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    data_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # Raised whenever the date, time or venue changes, for calendar updates.
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventSession.starts_at, EventSession.position, EventSession.id)",
    )
    questions: Mapped[list[EventQuestion]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventQuestion.position, EventQuestion.id)",
    )
    organisers = relationship("User", secondary=event_organisers, backref="organised_events")
    resources: Mapped[list[EventResource]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventResource.position, EventResource.id)",
    )

    @property
    def is_cancelled(self) -> bool:
        """Whether the event has been called off."""
        return self.cancelled_at is not None

    @property
    def location(self) -> str:
        """Where the event is, as one line (see location_line)."""
        return location_line(self.is_online, self.venue_name, self.venue_address)

    @property
    def workshops(self) -> list[EventSession]:
        """The sessions an attendee chooses between."""
        return [s for s in self.sessions if s.kind == SessionKind.WORKSHOP]

    @property
    def needs_erased_on(self) -> dt.datetime:
        """When dietary and access answers go: needs_retention_days after the end."""
        return self.ends_at + dt.timedelta(days=self.needs_retention_days)

    @property
    def purged_on(self) -> dt.datetime:
        """When attendees' details go (their counts stay): retention_days after the end."""
        return self.ends_at + dt.timedelta(days=self.retention_days)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    BREAK = "break"


class EventSession(db.Model):
    """One item of an event's programme: a plenary, a parallel workshop or a break."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(value_enum(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(120), default="")
    # None means the workshop is limited only by the event's own capacity.
    capacity: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="sessions")
    resources: Mapped[list[EventResource]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="(EventResource.position, EventResource.id)",
    )

    def __repr__(self) -> str:
        return f"<EventSession {self.id} {self.kind.value}>"


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


class EventQuestion(db.Model):
    """A question of the event's own on its registration form."""

    __tablename__ = "event_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(value_enum(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="questions")


class EventResource(db.Model):
    """A link shared with attendees after the day (slides, recordings), for an event or session."""

    __tablename__ = "event_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # None: the event's own; otherwise shown under that session in the programme.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="resources")
    session: Mapped[EventSession | None] = relationship(back_populates="resources")

    def __repr__(self) -> str:
        return f"<EventResource {self.id}>"
