"""Queueing mail: a message is written to the outbox in the caller's transaction."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context, render_template
from sqlalchemy import Select, select, update

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.extensions import db
from engage.mail.delivery import one_line
from engage.mail.models import MessageStatus, OutboxMessage


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file to attach to a message."""

    filename: str
    content_type: str  # may carry parameters: "text/calendar; method=REQUEST"
    data: bytes
    # Set to show the file in the HTML body as <img src="cid:...">.
    content_id: str | None = None

    def as_json(self) -> dict[str, str]:
        """The attachment as it is stored in the outbox row."""
        stored = {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data).decode("ascii"),
        }
        if self.content_id:
            stored["content_id"] = self.content_id
        return stored


@contextmanager
def site_urls() -> Iterator[None]:
    """Let url_for(..., _external=True) link to SITE_URL outside a request, e.g. in CLI jobs.

    Queueing from a command (reminders, bulk notices) renders templates and
    calendar files with absolute links; inside a request this changes nothing.
    """
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        yield


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
) -> OutboxMessage:
    """Render templates/emails/<template>.txt and .html into a new outbox row.

    The row is added to the current session and not committed: it is saved, or
    rolled back, with the change that caused it.
    """
    context = dict(context or {})
    message = OutboxMessage(
        kind=kind,
        to_address=one_line(to),
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
    now = now or utcnow()
    with transaction() as session:
        changed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.FAILED)
            .values(status=MessageStatus.PENDING, attempts=0, next_attempt_at=now)
        ).rowcount
        if not changed:
            raise NotRetryable()
        message = session.get(OutboxMessage, message_id)
        record(
            "mail.retried", message, f"Message {message_id} ({message.kind}) queued again", actor
        )
    return message


def messages_query(*, event_id: int | None = None, status: MessageStatus | None = None) -> Select:
    """The outbox log, newest first, for one event and/or one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return query
