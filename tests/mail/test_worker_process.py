"""The worker as a real process: --once, SIGTERM, and a SIGKILL mid-batch."""

from __future__ import annotations

import collections
import os
import pathlib
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from engage.extensions import db
from engage.mail import outbox
from engage.mail.models import MessageStatus, OutboxMessage
from engage.mail.worker import run
from tests.mail.conftest import add_messages, expected_ids

ROOT = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _worker(app, smtp_server, *args: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "ENGAGE_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_BATCH_SIZE": "10",
        **env,
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "engage", "worker", *args]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def test_once_delivers_what_is_due_and_exits(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(3)
    result = mail_app.test_cli_runner().invoke(args=["engage", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 to retry, 0 failed" in result.output
    assert len(smtp_server.received) == 3


def test_sigterm_finishes_the_current_message_then_exits(mail_app, smtp_server):
    with mail_app.app_context():
        add_messages(8)
    smtp_server.inbox.hold_at = 3
    worker = _worker(mail_app, smtp_server, "--interval", "0.2")
    try:
        assert smtp_server.inbox.holding.wait(timeout=60), worker.stderr.read()
        worker.send_signal(signal.SIGTERM)
        smtp_server.inbox.release.set()
        assert worker.wait(timeout=30) == 0
    finally:
        worker.kill()
    statuses = [row.status for row in _rows(mail_app)]
    # The third was in flight when told to stop: it was finished and recorded.
    assert statuses[:3] == [MessageStatus.SENT] * 3
    assert statuses[3:] == [MessageStatus.PENDING] * 5
    assert {row.attempts for row in _rows(mail_app)[3:]} == {0}
    assert len(smtp_server.received) == 3


def test_a_killed_worker_loses_nothing_and_repeats_only_the_message_in_flight(
    mail_app, smtp_server
):
    with mail_app.app_context():
        add_messages(40)
    smtp_server.inbox.hold_at = 15
    worker = _worker(mail_app, smtp_server, "--interval", "0.2")
    try:
        assert smtp_server.inbox.holding.wait(timeout=60), worker.stderr.read()
        worker.kill()  # SIGKILL while the server holds its reply to the 15th message
        worker.wait(timeout=30)
    finally:
        worker.kill()
    smtp_server.inbox.release.set()
    in_flight = smtp_server.received[14].message["Message-ID"]
    left = collections.Counter(row.status for row in _rows(mail_app))
    assert left[MessageStatus.SENT] == 14
    assert left[MessageStatus.SENDING] == 6  # the rest of its batch of ten, claimed

    restarted = _worker(mail_app, smtp_server, "--once", MAIL_CLAIM_LEASE_SECONDS="0")
    output, errors = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, errors
    assert "26 sent" in output

    counts = smtp_server.message_ids()
    assert set(counts) == expected_ids(mail_app)  # nothing lost
    assert {mid: n for mid, n in counts.items() if n > 1} == {in_flight: 2}
    assert {row.status for row in _rows(mail_app)} == {MessageStatus.SENT}


def test_the_worker_outlives_a_database_error(mail_app, smtp_server, monkeypatch):
    real_claim = outbox.claim_due
    stop = threading.Event()
    calls = []

    def flaky_claim(worker_id, **kwargs):
        calls.append(worker_id)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        claimed = real_claim(worker_id, **kwargs)
        if not claimed:
            stop.set()
        return claimed

    monkeypatch.setattr(outbox, "claim_due", flaky_claim)
    before = signal.getsignal(signal.SIGINT)  # default_int_handler, unless started with it ignored
    with mail_app.app_context():
        add_messages(2)
        tally = run(interval=0.1, stop=stop)
    assert tally.sent == 2 and len(calls) >= 3
    assert len(smtp_server.received) == 2
    assert signal.getsignal(signal.SIGINT) is before  # handed back
