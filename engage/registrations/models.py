"""The registrations table and what hangs off it: workshops, answers, history, tokens."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.db import UTCDateTime, utcnow, value_enum
from engage.events.models import Event, EventQuestion, EventSession
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.organisations.models import Organisation
from engage.search import fold


def new_checkin_code() -> str:
    """A random code for the attendee's QR badge; it says nothing about the person."""
    return secrets.token_hex(16)


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class AttendeeCategory(enum.StrEnum):
    POLICE_OFFICER = "police_officer"
    POLICE_STAFF = "police_staff"
    ACADEMIC = "academic"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        """How the category reads on the form."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    AttendeeCategory.POLICE_OFFICER: "Police officer",
    AttendeeCategory.POLICE_STAFF: "Police staff",
    AttendeeCategory.ACADEMIC: "Academic or researcher",
    AttendeeCategory.PARTNER: "Other partner",
}


class HistoryAction(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CHANGED = "changed"
    CANCELLED = "cancelled"


registration_workshops = Table(
    "registration_workshops",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True),
)


class CheckInAction(enum.StrEnum):
    CHECKED_IN = "checked_in"
    UNDONE = "undone"


class CheckInSource(enum.StrEnum):
    """Where a check-in (or its undoing) came from, for the log."""

    SEARCH = "search"  # the desk's search results
    CODE = "code"  # a code typed or scanned into the desk's box
    LINK = "link"  # the QR code's link, opened by any QR app
    DESK = "desk"  # a walk-in registered at the desk
    RECORD = "record"  # the attendee's record page
    ROOM = "room"  # a workshop room's door (the desk in room mode); the note names the room


SEARCH_TEXT_MAX = 700
# Cancelled rows stay for the record, so uniqueness covers active ones only; a
# walk-in may give no address, and several may give none.
ACTIVE_WITH_EMAIL = "status != 'cancelled' AND email != ''"


class Registration(db.Model):
    """One person's place (or place in line) at one event."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_event_id_email_active",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text(ACTIVE_WITH_EMAIL),
            postgresql_where=text(ACTIVE_WITH_EMAIL),
        ),
        # The attendee list and its exports page through an event's registrations in
        # these orders (engage.attendees.filters.SORTS): no sort of the whole event per page.
        Index("ix_registrations_event_name", "event_id", "last_name", "first_name", "id"),
        Index("ix_registrations_event_booked", "event_id", "created_at", "id"),
        # The desk's "212 of 480 checked in", counted from the index alone.
        Index("ix_registrations_checkin_totals", "event_id", "status", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        value_enum(RegistrationStatus, "registration_status"), index=True
    )
    # Lower-cased when stored, so the unique index is case-insensitive. Empty only
    # for a walk-in who gave none: nothing is ever emailed to an empty address.
    email: Mapped[str] = mapped_column(String(254), info={"personal": "email"})
    first_name: Mapped[str] = mapped_column(String(100), info={"personal": "name"})
    last_name: Mapped[str] = mapped_column(String(100), info={"personal": "name"})
    # The name shown everywhere: the chosen entry's name, or what they typed under "Other".
    organisation: Mapped[str] = mapped_column(String(200), info={"personal": "free_text"})
    # The curated list's entry they chose; None means "Other" (or the entry was deleted).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(200), info={"personal": "free_text"})
    category: Mapped[AttendeeCategory] = mapped_column(
        value_enum(AttendeeCategory, "attendee_category")
    )
    dietary_requirements: Mapped[str] = mapped_column(
        Text, default="", info={"personal": "free_text"}
    )
    access_requirements: Mapped[str] = mapped_column(
        Text, default="", info={"personal": "free_text"}
    )

    privacy_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dietary_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    dietary_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    access_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    access_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Name, email and organisation folded for the staff search box (engage.search);
    # kept in step by the listener below, never typed by anyone.
    search_text: Mapped[str] = mapped_column(
        String(SEARCH_TEXT_MAX), default="", info={"personal": "derived"}
    )

    checkin_code: Mapped[str] = mapped_column(
        String(32), unique=True, default=new_checkin_code, info={"personal": "token"}
    )
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    checked_in_by: Mapped[User | None] = relationship()
    listed_organisation: Mapped[Organisation | None] = relationship()
    workshops: Mapped[list[EventSession]] = relationship(
        secondary=registration_workshops, order_by="(EventSession.starts_at, EventSession.id)"
    )
    answers: Mapped[list[RegistrationAnswer]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    history: Mapped[list[RegistrationHistory]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="(RegistrationHistory.at, RegistrationHistory.id)",
    )
    tokens: Mapped[list[ManageToken]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="(CheckIn.at, CheckIn.id)",
    )
    consent_records: Mapped[list[ConsentRecord]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="(ConsentRecord.at, ConsentRecord.id)",
    )
    room_checkins: Mapped[list[WorkshopCheckIn]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="(WorkshopCheckIn.at, WorkshopCheckIn.id)",
    )

    @property
    def full_name(self) -> str:
        """First and last name together."""
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        """Whether the registration holds a place or a place in line."""
        return self.status != RegistrationStatus.CANCELLED

    def answer_for(self, question: EventQuestion):
        """The stored answer to one of the event's questions, or None."""
        for answer in self.answers:
            if answer.question_id == question.id:
                return answer.value
        return None

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status.value}>"


def searchable(registration: Registration) -> str:
    """What the staff search box looks through for one registration."""
    parts = (registration.first_name, registration.last_name, registration.email)
    return fold(" ".join((*parts, registration.organisation or "")))[:SEARCH_TEXT_MAX]


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _keep_search_text(_mapper, _connection, registration: Registration) -> None:
    registration.search_text = searchable(registration)


class RegistrationAnswer(db.Model):
    """An answer to one of the event's own questions: text, or a list of choices."""

    __tablename__ = "registration_answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("event_questions.id", ondelete="CASCADE"))
    value: Mapped[str | list[str]] = mapped_column(JSON, info={"personal": "free_text"})

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[EventQuestion] = relationship()


class RegistrationHistory(db.Model):
    """One change of a registration's state, with its time."""

    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[HistoryAction] = mapped_column(value_enum(HistoryAction, "registration_action"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What else happened, e.g. a workshop left out at promotion; never personal data.
    note: Mapped[str] = mapped_column(String(500), default="", info={"personal": "free_text"})

    registration: Mapped[Registration] = relationship(back_populates="history")


class CheckIn(db.Model):
    """One check-in or undo at the desk: who, when and from where. Written only when it changed.

    The registration's checked_in_at and checked_in_by say where it stands now;
    these rows say how it got there.
    """

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[CheckInAction] = mapped_column(value_enum(CheckInAction, "checkin_action"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[CheckInSource] = mapped_column(value_enum(CheckInSource, "checkin_source"))
    # e.g. "given a place at the desk"; never personal data.
    note: Mapped[str] = mapped_column(String(200), default="", info={"personal": "free_text"})

    registration: Mapped[Registration] = relationship(back_populates="checkins")
    by_user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CheckIn {self.registration_id} {self.action.value}>"


class WorkshopCheckIn(db.Model):
    """Someone checked in at a workshop room's door: once per person and room, with who and when.

    The unique constraint is what makes two doors scanning one person at once
    record one: the second insert fails, and is told who was first.
    """

    __tablename__ = "workshop_checkins"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship(back_populates="room_checkins")
    workshop: Mapped[EventSession] = relationship()
    by_user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WorkshopCheckIn {self.registration_id} in {self.session_id}>"


class ConsentKind(enum.StrEnum):
    """Each wording someone may be shown and agree to; the notice itself is versioned too."""

    PRIVACY_NOTICE = "privacy_notice"
    PRIVACY = "privacy"
    DIETARY = "dietary"
    ACCESS = "access"
    FEEDBACK = "feedback"


class ConsentSource(enum.StrEnum):
    """How a consent was given or withdrawn."""

    PUBLIC_FORM = "public_form"
    SELF_SERVICE = "self_service"
    ORGANISER = "organiser"  # recorded by an organiser on the person's behalf


class ConsentWording(db.Model):
    """One version of one wording. Never updated: a change is a new, higher version."""

    __tablename__ = "consent_wordings"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConsentKind] = mapped_column(value_enum(ConsentKind, "consent_kind"))
    version: Mapped[int] = mapped_column(Integer)
    # Written by an admin for everyone to read; plain text for a box, Markdown for the notice.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ConsentWording {self.kind.value} v{self.version}>"


class ConsentRecord(db.Model):
    """One consent given or withdrawn by one registration: which wording, when and how."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(value_enum(ConsentKind, "consent_kind"))
    wording_id: Mapped[int] = mapped_column(ForeignKey("consent_wordings.id"), index=True)
    given: Mapped[bool] = mapped_column(Boolean)  # False: withdrawn
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[ConsentSource] = mapped_column(value_enum(ConsentSource, "consent_source"))

    registration: Mapped[Registration] = relationship(back_populates="consent_records")
    wording: Mapped[ConsentWording] = relationship()

    def __repr__(self) -> str:
        state = "given" if self.given else "withdrawn"
        return f"<ConsentRecord {self.registration_id} {self.kind.value} {state}>"


class ManageToken(db.Model):
    """A self-service link's secret, kept only as its SHA-256 hash."""

    __tablename__ = "registration_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"personal": "token"})
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="tokens")


class ReminderSend(db.Model):
    """A reminder queued for one registration: the record that makes each one go out once.

    The unique constraint is what stops a second run, or a parallel one, from
    queueing the same reminder again; the row and its outbox message are
    written in one transaction (see engage.registrations.reminders).
    """

    __tablename__ = "reminder_sends"
    __table_args__ = (UniqueConstraint("registration_id", "offset_hours"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    # Hours before the event's start, as in Event.reminder_offsets_hours.
    offset_hours: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    outbox_message: Mapped[OutboxMessage | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReminderSend {self.registration_id} {self.offset_hours}h>"


class EventAggregate(db.Model):
    """A count kept for an event after its attendees are purged (e.g. status/confirmed = 212).

    Written once, when the purge runs (engage.registrations.figures); nothing
    here is about one person. The unique constraint keeps a second write from
    doubling a figure.
    """

    __tablename__ = "event_aggregates"
    __table_args__ = (UniqueConstraint("event_id", "metric", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<EventAggregate {self.event_id} {self.metric}/{self.key}={self.value}>"
