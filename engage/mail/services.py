"""The post office's counter: queue a message, retry a failed one, read the log.

Features write their own letters (registrations/emails.py, accounts/emails.py)
and post them here with queue_email(), in the transaction of the change that
caused them. This package imports no feature.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app, render_template
from sqlalchemy import Select, select, update

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.extensions import db
from engage.mail.delivery import one_line
from engage.mail.models import MessageStatus, OutboxMessage
from engage.urls import external_url

__all__ = [
    "Attachment",
    "NotRetryable",
    "external_url",
    "queue_email",
    "requeue_failed",
    "retry_now",
]


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file to attach to a message."""

    filename: str
    content_type: str  # may carry parameters: "text/calendar; method=REQUEST"
    data: bytes = b""
    # Set to show the file in the HTML body as <img src="cid:...">.
    content_id: str | None = None
    # Instead of data: the text of a QR code the worker draws as a PNG (mail/qrcode.py).
    qr: str | None = None

    def as_json(self) -> dict[str, str]:
        """The attachment as it is stored in the outbox row."""
        stored = {"filename": self.filename, "content_type": self.content_type}
        if self.qr is not None:
            stored["qr"] = self.qr
        else:
            stored["data"] = base64.b64encode(self.data).decode("ascii")
        if self.content_id:
            stored["content_id"] = self.content_id
        return stored


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any] | None = None,
    attachments: Iterable[Attachment] = (),
    event_id: int | None = None,
    registration_id: int | None = None,
    reply_to: str = "",
) -> OutboxMessage:
    """Render templates/emails/<template>.txt and .html into a new outbox row.

    Every template can use `site_name` and `site_url`; build links in the
    context with external_url(), so they point at SITE_URL wherever they are made.
    `reply_to`, an address, becomes the message's Reply-To (e.g. the event's contact).

    The row is added to the current session and not committed: it is saved, or
    rolled back, with the change that caused it.
    """
    context = {
        "site_name": current_app.config["SITE_NAME"],
        "site_url": external_url("public.home"),
        **(context or {}),
    }
    message = OutboxMessage(
        kind=kind,
        to_address=one_line(to),
        reply_to=one_line(reply_to),
        subject=one_line(subject),
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
        attachments=[a.as_json() for a in attachments],
        event_id=event_id,
        registration_id=registration_id,
    )
    db.session.add(message)
    return message


class NotRetryable(Exception):
    """Only a failed message can be sent again."""


def retry_now(message_id: int, *, actor=None, now: dt.datetime | None = None) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with a fresh set of attempts.

    Raises NotRetryable if the message is missing or has not failed.
    """
    with transaction() as session:
        if not requeue_failed(OutboxMessage.id == message_id, now=now):
            raise NotRetryable()
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        record(
            "mail.retried", message, f"Message {message_id} ({message.kind}) queued again", actor
        )
    return message


def requeue_failed(*conditions, now: dt.datetime | None = None) -> int:
    """Put the failed messages matching the conditions back in the queue, due now; how many.

    Each gets a fresh set of attempts. Runs in the caller's transaction (or its own).
    """
    with transaction() as session:
        return session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.FAILED, *conditions)
            .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now or utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount


def messages_query(*, event_id: int | None = None, status: MessageStatus | None = None) -> Select:
    """The outbox log, newest first, for one event and/or one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return query
