"""A real SMTP server on loopback for the mail tests, and helpers to read what it got."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import insert

from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from tests.conftest import free_port

# Before any `now` the tests pass, so rows added with add_messages() are due.
QUEUED_AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass
class Received:
    """One message the server accepted."""

    peer: tuple
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        """The message parsed back with the email package."""
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Inbox:
    """The aiosmtpd handler: keeps what it accepts; can be told to refuse."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[str] = []  # replies to the next DATA commands, then 250
        self.always: str | None = None  # a reply to every DATA command
        self.refused_recipients: dict[str, str] = {}
        self.hold_at: int | None = None  # hold the Nth message's reply until released
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.always:
                return self.always
            if self.answers:
                return self.answers.pop(0)
            self.received.append(
                Received(
                    session.peer, envelope.mail_from, list(envelope.rcpt_tos), envelope.content
                )
            )
            hold = self.hold_at is not None and len(self.received) == self.hold_at
        if hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 Message accepted"


class SMTPServer:
    """An aiosmtpd Controller on a free loopback port that can be stopped and started again."""

    def __init__(self, *, smtputf8: bool = True):
        self.port = free_port()
        self.inbox = Inbox()
        self.smtputf8 = smtputf8  # whether it offers SMTPUTF8, as modern relays do
        self._controller: Controller | None = None

    def start(self) -> SMTPServer:
        """Listen (again) on the same port."""
        self._controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self._controller is not None:
            self.inbox.release.set()
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        """Everything accepted so far."""
        return self.inbox.received

    def answer_next(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies, then accept."""
        self.inbox.answers.extend(replies)

    def refuse_all(self, reply: str) -> None:
        """Answer every DATA command with this reply."""
        self.inbox.always = reply

    def message_ids(self) -> collections.Counter:
        """How many times each Message-ID arrived."""
        return collections.Counter(r.message["Message-ID"] for r in self.received)


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A running SMTP server on loopback (stopped after the test)."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """The app, sending to the test SMTP server."""
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_SUPPRESS_SEND=False,
        MAIL_TIMEOUT=5,
    )


def add_messages(count: int, *, kind: str = "test", **fields) -> None:
    """Queue `count` simple messages straight into the outbox (inside an app context)."""
    now = QUEUED_AT
    rows = [
        {
            "kind": kind,
            "to_address": f"person{n}@example.org",
            "subject": f"Message {n}",
            "body_text": f"Text {n}",
            "body_html": f"<p>HTML {n}</p>",
            "attachments": [],
            "status": MessageStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            **fields,
        }
        for n in range(count)
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()


def expected_ids(app) -> set[str]:
    """The Message-ID of every row in the outbox."""
    from engage.mail.delivery import message_id

    with app.app_context():
        return {message_id(row) for row in db.session.scalars(db.select(OutboxMessage))}
