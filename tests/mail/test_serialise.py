"""The worker's faster serialisation writes exactly the bytes the standard library would."""

from __future__ import annotations

import base64
import datetime as dt
import random
from email import policy

import pytest
import time_machine

from engage.mail import delivery
from engage.mail.models import OutboxMessage

QR = {
    "filename": "check-in-code.png",
    "content_type": "image/png",
    "data": base64.b64encode(b"\x89PNG\r\n\x1a\n not really").decode(),
    "content_id": "check-in-code",
}
ROWS = {
    "plain": {},
    "long, accented subject": {"subject": "Réunion: " + "a very long subject indeed " * 6},
    "reply-to and an inline image": {"reply_to": "contact@example.org", "attachments": [QR]},
    "address beyond ASCII": {"to_address": "zoë@example.org"},
}


def _row(**fields) -> OutboxMessage:
    values = {
        "id": 7,
        "kind": "test",
        "to_address": "ada@example.org",
        "reply_to": "",
        "subject": "Your place",
        "body_text": "Hello Ada,\n\n" + "A line of text. " * 30,
        "body_html": "<p>Hello Ada,</p>" + "<p>Ünïcode and a line.</p>" * 30,
        "attachments": [],
        "created_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        **fields,
    }
    return OutboxMessage(**values)


@pytest.mark.parametrize("fields", ROWS.values(), ids=ROWS.keys())
def test_the_bytes_are_those_of_the_standard_policies(app, monkeypatch, fields):
    with app.app_context(), time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)):
        random.seed(15)  # the MIME boundaries are random
        ours = delivery.build_message(_row(**fields)).as_bytes()
        monkeypatch.setattr(delivery, "SMTP", policy.SMTP)
        monkeypatch.setattr(delivery, "SMTPUTF8", policy.SMTPUTF8)
        random.seed(15)
        standard = delivery.build_message(_row(**fields)).as_bytes()
    assert ours == standard
    assert b"Message-ID: <outbox.7." in ours


def test_each_header_class_is_made_once():
    headers = delivery.HeaderClasses()
    assert headers["Subject"] is headers["subject"]
    assert headers["To"] is not headers["Subject"]
    standard = policy.SMTP.header_factory
    assert standard["Subject"] is not standard["Subject"]  # why the cache is worth having
