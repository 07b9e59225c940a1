"""Queueing mail: a message is written to the outbox in the caller's transaction."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from flask import render_template

from engage.extensions import db
from engage.mail.models import OutboxMessage


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file to attach to a message."""

    filename: str
    content_type: str
    data: bytes

    def as_json(self) -> dict[str, str]:
        """The attachment as it is stored in the outbox row."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data).decode("ascii"),
        }


def _one_line(value: str) -> str:
    # Nothing a user typed may start a new header line.
    return " ".join(value.split())


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
        to_address=_one_line(to),
        subject=_one_line(subject),
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
        attachments=[a.as_json() for a in attachments],
        event_id=event_id,
        registration_id=registration_id,
    )
    db.session.add(message)
    return message
