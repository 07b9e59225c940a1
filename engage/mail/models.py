"""The outbox: every message the site sends is first a row here; mailings fan out into it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import UTCDateTime, utcnow, value_enum
from engage.extensions import db


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email, rendered when queued and delivered later by the worker."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    to_address: Mapped[str] = mapped_column(String(254), info={"personal": "email"})
    # Where a reply goes (the event's contact), or "" for the sender itself.
    reply_to: Mapped[str] = mapped_column(String(254), default="", info={"personal": "email"})
    subject: Mapped[str] = mapped_column(String(300), info={"personal": "free_text"})
    body_text: Mapped[str] = mapped_column(Text, info={"personal": "free_text"})
    body_html: Mapped[str] = mapped_column(Text, default="", info={"personal": "free_text"})
    # [{"filename": ..., "content_type": ..., "data": base64}]
    attachments: Mapped[list[dict]] = mapped_column(
        JSON, default=list, info={"personal": "attachment"}
    )
    status: Mapped[MessageStatus] = mapped_column(
        value_enum(MessageStatus, "message_status"),
        default=MessageStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    # An SMTP answer may quote the recipient.
    last_error: Mapped[str | None] = mapped_column(Text, info={"personal": "free_text"})
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    # Which attendee it was for; kept without a foreign key so that purging
    # personal data never blocks on the message log.
    registration_id: Mapped[int | None] = mapped_column(Integer, index=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status.value}>"


class JobRun(db.Model):
    """When a periodic job last started: the record that lets one worker run it per period."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str] = mapped_column(String(120), default="")

    def __repr__(self) -> str:
        return f"<JobRun {self.name} {self.started_at:%Y-%m-%d %H:%M:%S}>"


class MailingStatus(enum.StrEnum):
    QUEUED = "queued"  # nobody's email written yet
    SENDING = "sending"  # written batch by batch into the outbox
    DONE = "done"  # every recipient's email written (delivery carries on in the outbox)


class Mailing(db.Model):
    """One message to many people, written into the outbox by the worker, a batch at a time.

    The recipients are frozen when it is created (engage.mail.mailings); a
    writer the feature registered for `kind` renders each one's email later.
    """

    __tablename__ = "mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    # Asked twice with one key (a double-click, a re-sent POST), the site makes one mailing.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    # The event's mailings go with it; the retention purge deletes them too.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    # What every recipient's email is made from (a subject and body, the changes of
    # an event); never anything about one recipient.
    params: Mapped[dict] = mapped_column(JSON, default=dict, info={"personal": "free_text"})
    # One line for the staff pages, e.g. the subject.
    summary: Mapped[str] = mapped_column(String(300), default="", info={"personal": "free_text"})
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[MailingStatus] = mapped_column(
        value_enum(MailingStatus, "mailing_status"), default=MailingStatus.QUEUED, index=True
    )
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    written_count: Mapped[int] = mapped_column(Integer, default=0)  # emails put in the outbox
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)  # recipient gone meanwhile
    error_count: Mapped[int] = mapped_column(Integer, default=0)  # the writer failed on them
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Mailing {self.id} {self.kind} {self.status.value}>"


class MailingRecipient(db.Model):
    """One person a mailing goes to, and whether their email has been written.

    `recipient_id` means what the mailing's kind says (a registration id for the
    attendee messages); it has no foreign key, so the mail package knows no feature.
    `written_at` is set in the same transaction as the outbox row, so a recipient
    is written exactly once; `outbox_message_id` stays empty if they were skipped.
    """

    __tablename__ = "mailing_recipients"

    mailing_id: Mapped[int] = mapped_column(
        ForeignKey("mailings.id", ondelete="CASCADE"), primary_key=True
    )
    recipient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    written_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MailingRecipient {self.mailing_id}/{self.recipient_id}>"
