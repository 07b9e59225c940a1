"""The worker's own serialisation (engage.mail.mime) writes exactly the bytes Flask-Mail would."""

from __future__ import annotations

import base64
import datetime as dt
import random
import time
from email import generator, policy

import flask_mail
import pytest
import time_machine

from engage.mail import delivery, mime
from engage.mail.models import OutboxMessage

QR = {
    "filename": "check-in-code.png",
    "content_type": "image/png",
    "data": base64.b64encode(b"\x89PNG\r\n\x1a\n not really").decode(),
    "content_id": "check-in-code",
}
FILE = {
    "filename": 'notes \\ "quoted".pdf',
    "content_type": "application/pdf",
    "data": base64.b64encode(bytes(range(256)) * 3).decode(),
}
NAMED = {"filename": "Programme détaillé.ics", "content_type": "text/calendar; method=REQUEST",
         "data": base64.b64encode(b"BEGIN:VCALENDAR").decode()}  # fmt: skip
ROWS = {
    "plain": {},
    "long, accented subject": {"subject": "Réunion: " + "a very long subject indeed " * 6},
    "reply-to and an inline image": {"reply_to": "contact@example.org", "attachments": [QR]},
    "address beyond ASCII": {"to_address": "zoë@example.org"},
    "text alone": {"body_html": ""},
    "text and a file, no HTML": {"body_html": "", "attachments": [FILE]},
    "no subject, a file named beyond ASCII": {"subject": "", "attachments": [NAMED, QR]},
    "every kind of line end": {"body_text": "a\rb\nc\r\nd\n", "body_html": "<p>\u00e9</p>\r\n"},
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


def _flask_mail_bytes(email: delivery.Email, row: OutboxMessage, seed: int) -> bytes:
    """What Flask-Mail writes for the row, as the worker sent it before engage.mail.mime."""
    address = row.to_address
    message = flask_mail.Message(
        subject=delivery.one_line(row.subject),
        recipients=[address if address.isascii() else "smtputf8@engage.invalid"],
        reply_to=email.reply_to,
        body=row.body_text,
        html=row.body_html or None,
        extra_headers={"Auto-Submitted": "auto-generated"},
        attachments=[_flask_mail_attachment(item) for item in row.attachments],
    )
    message.msgId = delivery.message_id(row)
    message.date = time.time()
    built = message._message()
    if not address.isascii():
        # Flask-Mail refuses such an address: it is put in afterwards, in UTF-8.
        del built["To"]
        built["To"] = address
    built.policy = policy.SMTPUTF8 if not address.isascii() else policy.SMTP
    random.seed(seed)  # the MIME boundaries are random (and Message() drew a Message-ID)
    return built.as_bytes()


def _flask_mail_attachment(item: dict) -> flask_mail.Attachment:
    content_id = item.get("content_id")
    return flask_mail.Attachment(
        filename=item["filename"],
        content_type=item["content_type"],
        data=base64.b64decode(item["data"]),
        disposition="inline" if content_id else "attachment",
        headers={"Content-ID": f"<{content_id}>"} if content_id else {},
    )


@pytest.mark.parametrize("fields", ROWS.values(), ids=ROWS.keys())
def test_the_bytes_are_those_flask_mail_writes(app, fields):
    with app.app_context(), time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)):
        row = _row(**fields)
        random.seed(15)  # the MIME boundaries are random
        ours = delivery.build_message(row)
        theirs = _flask_mail_bytes(ours, row, seed=15)
    assert ours.content == theirs
    assert b"Message-ID: <outbox.7." in theirs


def test_the_bytes_stay_the_same_whatever_the_boundaries(app):
    # The multipart headers are folded once and only their digits replaced.
    with app.app_context(), time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)):
        row = _row(subject="Réunion: " + "long " * 20, attachments=[QR, NAMED])
        for seed in range(50):
            random.seed(seed)
            ours = delivery.build_message(row)
            assert ours.content == _flask_mail_bytes(ours, row, seed=seed), seed


def test_control_another_boundary_changes_the_bytes(app):
    with app.app_context(), time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)):
        row = _row(attachments=[QR])
        random.seed(15)
        ours = delivery.build_message(row)
        assert ours.content != _flask_mail_bytes(ours, row, seed=16)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_boundary_is_drawn_again_when_the_generator_would(monkeypatch, line_end):
    monkeypatch.setattr(mime.random, "randrange", lambda _: 1)  # every draw the same
    drawn = "=" * 15 + "1".zfill(19) + "=="
    part = f"x{line_end}--{drawn}{line_end}y".encode()
    headers, _ = mime.multipart(policy.SMTP, "mixed", [part])
    standard = generator.BytesGenerator._make_boundary(part)
    assert f'boundary="{standard}"' in str(headers[0][1])
    # A line holding just the boundary is found when it ends in LF (the generator's $).
    assert standard == (drawn + ".0" if line_end == "\n" else drawn)


def test_each_header_class_is_made_once():
    headers = delivery.HeaderClasses()
    assert headers["Subject"] is headers["subject"]
    assert headers["To"] is not headers["Subject"]
    standard = policy.SMTP.header_factory
    assert standard["Subject"] is not standard["Subject"]  # why the cache is worth having
