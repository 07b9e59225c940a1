"""No value a user typed can add a header to a message."""

from __future__ import annotations

import pytest

from engage.accounts import emails
from engage.accounts.models import User
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import Attachment, queue_email
from engage.mail.worker import deliver_due
from tests.mail.conftest import add_messages

HEADERS = {
    "Content-Type",
    "MIME-Version",
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "Auto-Submitted",
}
EVIL = "\r\nBcc: evil@example.org\r\nX-Injected: yes"


def _assert_clean(received, headers=HEADERS):
    message = received.message
    assert set(message.keys()) == headers
    assert len(message.get_all("Subject")) == 1
    assert received.rcpt_tos == ["ada@example.org"]
    for part in message.walk():
        assert "X-Injected" not in part
        assert "Bcc" not in part
    header_block = received.content.split(b"\r\n\r\n", 1)[0]
    assert b"\nX-Injected" not in header_block
    assert b"\nBcc" not in header_block


def _queue(subject, *, to="ada@example.org", name="Ada", filename="invite.ics"):
    user = User(email="ada@example.org", name=name)
    queue_email(
        kind="test",
        to=to,
        subject=subject,
        template="accounts/password_reset",
        context={"user": user, "reset_url": "http://x/r", "site_name": "S", "site_url": "u"},
        attachments=[Attachment(filename, "text/calendar", b"BEGIN:VCALENDAR")],
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Your place" + EVIL},
        {"subject": "Your place", "name": "Ada" + EVIL},
        {"subject": "Your place", "filename": "invite.ics" + EVIL},
        {"subject": "Your place\n\nBody: starts here"},
    ],
    ids=["subject", "name", "attachment-filename", "blank-line-in-subject"],
)
def test_line_breaks_in_queued_values_add_no_header(mail_app, smtp_server, fields):
    with mail_app.app_context():
        _queue(**fields)
        db.session.commit()
        assert deliver_due().sent == 1
    [received] = smtp_server.received
    _assert_clean(received)
    assert received.message["Subject"].startswith("Your place")


def test_a_named_message_with_a_hostile_name_is_clean(mail_app, smtp_server):
    with mail_app.app_context():
        user = User(email="ada@example.org", name="Ada" + EVIL)
        emails.invitation(user, "i", User(email="b@example.org", name=EVIL))
        db.session.commit()
        deliver_due()
    [received] = smtp_server.received
    _assert_clean(received)


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.org" + EVIL,
        "ada@example.org, evil@example.org",
        "Ada <ada@example.org>",
        "ada@example.org\nevil@example.org",
    ],
)
def test_an_address_with_more_in_it_is_failed_not_sent(mail_app, smtp_server, address):
    with mail_app.app_context():
        _queue("Hello", to=address)
        db.session.commit()
        tally = deliver_due()
        [row] = db.session.scalars(db.select(OutboxMessage)).all()
        assert (tally.failed, row.status) == (1, MessageStatus.FAILED)
    assert smtp_server.received == []


def test_the_worker_cleans_rows_written_without_queue_email(mail_app, smtp_server):
    # Defence in depth: a row written by other code still cannot carry a header.
    with mail_app.app_context():
        add_messages(
            1,
            to_address="ada@example.org",
            subject="Hello" + EVIL,
            attachments=[
                Attachment("a.ics" + EVIL, "text/calendar", b"x").as_json(),
            ],
        )
        add_messages(1, to_address="ada@example.org" + EVIL)
        tally = deliver_due()
    assert (tally.sent, tally.failed) == (1, 1)
    [received] = smtp_server.received
    _assert_clean(received)
    assert received.message["Subject"] == "Hello Bcc: evil@example.org X-Injected: yes"


def test_control_the_check_sees_an_injected_header(smtp_server):
    """Control: a message that does carry an injected header fails the check above."""
    import smtplib

    raw = (
        "From: events@engage.invalid\r\nTo: ada@example.org\r\n"
        "Subject: Your place\r\nBcc: evil@example.org\r\nX-Injected: yes\r\n\r\nHello\r\n"
    )
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        client.sendmail("events@engage.invalid", ["ada@example.org"], raw)
    with pytest.raises(AssertionError):
        _assert_clean(smtp_server.received[0])
