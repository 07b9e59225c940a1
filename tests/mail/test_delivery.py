"""Delivery through a real SMTP server: what arrives, retries, refusals and outages."""

from __future__ import annotations

import datetime as dt
import socket

from engage.accounts import emails
from engage.accounts.models import User
from engage.db import utcnow
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.services import Attachment, queue_email
from engage.mail.worker import deliver_due
from tests.mail.conftest import add_messages, expected_ids

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def test_a_queued_message_arrives_with_both_parts_and_its_attachment(mail_app, smtp_server):
    pdf = b"%PDF-1.4 not really\x00\xff"
    with mail_app.app_context():
        user = User(email="ada@example.org", name="Ada")
        db.session.add(user)
        emails.password_reset(user, "abc")
        queue_email(
            kind="test",
            to="ada@example.org",
            subject="With a file",
            template="accounts/password_reset",
            context={"user": user, "reset_url": "http://x/r", "site_name": "S", "site_url": "u"},
            attachments=[Attachment("notes.pdf", "application/pdf", pdf)],
        )
        db.session.commit()
        tally = deliver_due()
    assert tally.sent == 2

    [reset, with_file] = [r.message for r in smtp_server.received]
    assert reset["To"] == "ada@example.org"
    assert reset["Subject"] == "Reset your Centre for Policing Research and Learning password"
    assert reset["Auto-Submitted"] == "auto-generated"
    assert reset["Message-ID"].startswith("<outbox.1.")
    text = reset.get_body(("plain",)).get_content()
    html = reset.get_body(("html",)).get_content()
    link = mail_app.config["SITE_URL"].rstrip("/") + "/account/reset/abc"
    assert link in text
    assert f'href="{link}"' in html
    assert any(part.get_content_type() == "multipart/alternative" for part in reset.walk())

    [attachment] = list(with_file.iter_attachments())
    assert attachment.get_filename() == "notes.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


def test_one_connection_serves_a_batch(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(5)
        deliver_due()
    assert len(smtp_server.received) == 5
    assert len({r.peer for r in smtp_server.received}) == 1


def test_a_sent_message_keeps_its_log_but_not_its_bodies(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(1, attachments=[Attachment("a.txt", "text/plain", b"x").as_json()])
        deliver_due(now=NOW)
    [row] = _rows(mail_app)
    assert row.status == MessageStatus.SENT
    assert (row.body_text, row.body_html, row.attachments) == ("", "", [])
    assert (row.kind, row.to_address, row.subject) == ("test", "person0@example.org", "Message 0")
    assert row.sent_at == NOW
    assert row.attempts == 1
    assert row.claimed_by is None


def test_a_server_answering_421_then_accepting_delivers_once(mail_app, smtp_server):
    smtp_server.answer_next("421 4.3.2 Try again later", "421 4.3.2 Try again later")
    with mail_app.app_context():
        add_messages(1)
        first = deliver_due(now=NOW)
        [row] = _rows(mail_app)
        assert (first.retrying, row.status, row.attempts) == (1, MessageStatus.PENDING, 1)
        assert row.last_error == "421 4.3.2 Try again later"
        assert row.next_attempt_at == NOW + dt.timedelta(minutes=1)

        # Not due yet: nothing is tried.
        assert deliver_due(now=NOW + dt.timedelta(seconds=59)).tried == 0
        second = deliver_due(now=NOW + dt.timedelta(minutes=1))
        [row] = _rows(mail_app)
        assert (second.retrying, row.attempts) == (1, 2)
        assert row.next_attempt_at == NOW + dt.timedelta(minutes=6)

        third = deliver_due(now=NOW + dt.timedelta(minutes=6))
    [row] = _rows(mail_app)
    assert (third.sent, row.status, row.attempts, row.last_error) == (1, "sent", 3, None)
    assert len(smtp_server.received) == 1


def test_a_550_fails_after_one_try_and_keeps_the_answer(mail_app, smtp_server):
    smtp_server.refuse_all("550 5.1.1 Mailbox unavailable")
    with mail_app.app_context():
        add_messages(2)
        tally = deliver_due(now=NOW)
        assert deliver_due(now=NOW + dt.timedelta(days=1)).tried == 0
    assert (tally.failed, tally.retrying) == (2, 0)
    for row in _rows(mail_app):
        assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
        assert row.last_error == "550 5.1.1 Mailbox unavailable"
        assert row.body_text  # kept, so an admin can retry it
    assert smtp_server.received == []


def test_a_refused_recipient_fails_and_the_rest_of_the_batch_still_goes(mail_app, smtp_server):
    smtp_server.inbox.refused_recipients["person1@example.org"] = "550 5.1.1 No such user"
    with mail_app.app_context():
        add_messages(3)
        tally = deliver_due(now=NOW)
    assert (tally.sent, tally.failed) == (2, 1)
    assert _rows(mail_app)[1].last_error == "550 5.1.1 No such user"
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["person0@example.org"],
        ["person2@example.org"],
    ]


def test_retries_grow_then_give_up(mail_app, smtp_server):
    smtp_server.refuse_all("451 4.3.0 Busy")
    when = NOW
    with mail_app.app_context():
        add_messages(1)
        waits = []
        for _ in range(mail_app.config["MAIL_MAX_ATTEMPTS"]):
            assert deliver_due(now=when).tried == 1
            [row] = _rows(mail_app)
            if row.status == MessageStatus.FAILED:
                break
            waits.append(row.next_attempt_at - when)
            when = row.next_attempt_at
    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=6),
        dt.timedelta(hours=12),
    ]
    assert row.status == MessageStatus.FAILED
    assert row.attempts == mail_app.config["MAIL_MAX_ATTEMPTS"]
    assert row.last_error == "Gave up after 7 attempts: 451 4.3.0 Busy"


def test_an_smtp_outage_loses_nothing_and_repeats_nothing(mail_app, smtp_server):
    smtp_server.stop()
    start = utcnow() + dt.timedelta(seconds=1)  # after the rows queued just now
    with mail_app.app_context():
        # Queueing, like a registration, succeeds with the server down.
        for n in range(5):
            user = User(email=f"staff{n}@example.org", name=f"Staff {n}")
            db.session.add(user)
            emails.password_reset(user, f"{n}")
            db.session.commit()
        add_messages(15)
        tally = deliver_due(now=start)
        assert (tally.sent, tally.retrying) == (0, 20)
        rows = _rows(mail_app)
        assert {r.status for r in rows} == {MessageStatus.PENDING}
        assert rows[0].last_error == "The mail server refused the connection."

        smtp_server.start()
        assert deliver_due(now=start + dt.timedelta(seconds=30)).tried == 0
        tally = deliver_due(now=start + dt.timedelta(minutes=1))
        assert deliver_due(now=start + dt.timedelta(days=1)).tried == 0
    assert tally.sent == 20
    assert smtp_server.message_ids() == dict.fromkeys(expected_ids(mail_app), 1)


def test_the_server_going_away_mid_batch_is_retried_not_lost(mail_app, smtp_server):
    # The connection is dropped after a 421: the worker reconnects for the next message.
    smtp_server.answer_next("421 4.4.2 Closing connection")
    with mail_app.app_context():
        add_messages(3)
        first = deliver_due(now=NOW)
        second = deliver_due(now=NOW + dt.timedelta(minutes=1))
    assert (first.sent, first.retrying, second.sent) == (2, 1, 1)
    assert smtp_server.message_ids() == dict.fromkeys(expected_ids(mail_app), 1)
    # The two accepted in the first pass came over a second connection, the retry a third.
    assert len({r.peer for r in smtp_server.received}) == 2


def test_a_message_that_cannot_be_built_is_failed_not_retried(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(1, to_address="not an address")
        add_messages(1, attachments=[{"filename": "x.ics", "content_type": "text/calendar"}])
        add_messages(1, attachments=[{"filename": "x", "content_type": "bad", "data": "eA=="}])
        add_messages(
            1, attachments=[{"filename": "x.txt", "content_type": "text/plain", "qr": "a"}]
        )
        add_messages(1)
        tally = deliver_due(now=NOW)
    assert (tally.sent, tally.failed) == (1, 4)
    rows = _rows(mail_app)
    assert [r.status for r in rows] == ["failed", "failed", "failed", "failed", "sent"]
    assert rows[0].last_error == "The recipient address is not a valid email address."
    assert rows[0].attempts == 1
    assert len(smtp_server.received) == 1


def test_deliver_due_leaves_messages_that_are_not_due(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(1, next_attempt_at=utcnow() + dt.timedelta(hours=1))
        assert deliver_due().tried == 0
    assert smtp_server.received == []


def test_logs_name_ids_and_states_never_addresses_or_bodies(mail_app, smtp_server, caplog):
    smtp_server.answer_next("421 4.3.2 Try again later")
    smtp_server.inbox.refused_recipients["person2@example.org"] = "550 5.1.1 No such user"
    caplog.set_level("DEBUG", logger="engage.mail")
    with mail_app.app_context():
        add_messages(3, to_address="person2@example.org")
        add_messages(2)
        add_messages(1, to_address="broken address")
        deliver_due(now=NOW)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sent" in logged and "failed" in logged and "retried" in logged
    for secret in ("@", "Text 0", "HTML", "Message 0", "broken address"):
        assert secret not in logged


def test_a_server_that_never_answers_times_out_and_is_retried(make_app):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections but never says a word
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=silent.getsockname()[1],
        MAIL_SUPPRESS_SEND=False,
        MAIL_TIMEOUT=1,
    )
    try:
        with app.app_context():
            add_messages(2)
            tally = deliver_due(now=NOW)
    finally:
        silent.close()
    assert tally.retrying == 2
    assert {r.last_error for r in _rows(app)} == {"The mail server did not answer in time."}
    assert {r.status for r in _rows(app)} == {MessageStatus.PENDING}
