"""A worker process killed while writing a mailing: the batch it was writing is written again, once."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

import pytest
from sqlalchemy import select

from engage.db import transaction
from engage.extensions import db
from engage.mail.models import Mailing, MailingRecipient, MailingStatus, OutboxMessage
from tests.mail.mailing_helpers import address, new_mailing, not_exactly_once

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
        "MAILING_BATCH_SIZE": "50",
        **env,
    }
    command = [sys.executable, "-m", "flask", "--app", "tests.mail.mailing_worker_app"]
    return subprocess.Popen(
        [*command, "engage", "worker", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(model, *where) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model).where(*where))


def test_a_worker_killed_mid_batch_leaves_one_email_per_recipient(mail_app, smtp_server):
    with mail_app.app_context():
        mailing_id = new_mailing(150)
    with socket.create_server(("127.0.0.1", 0)) as told:
        told.settimeout(60)
        port = told.getsockname()[1]
        # Batch 1 (recipients 1-50) commits; batch 2 hangs at 75, half written.
        worker = _worker(
            mail_app,
            smtp_server,
            "--interval",
            "0.2",
            MAILING_TEST_HANG_AT="75",
            MAILING_TEST_PORT=str(port),
        )
        try:
            connection, _ = told.accept()
            connection.close()
            worker.kill()  # SIGKILL mid-batch: its transaction never commits
            worker.wait(timeout=30)
        finally:
            worker.kill()
            worker.communicate(timeout=30)

    with mail_app.app_context():
        with transaction(lock=(Mailing, mailing_id)):
            pass  # the dead worker's lock is let go (PostgreSQL notices the lost connection)
        assert _count(OutboxMessage) == 50
        assert _count(MailingRecipient, MailingRecipient.written_at.is_not(None)) == 50
        mailing = db.session.get(Mailing, mailing_id)
        assert (mailing.status, mailing.written_count) == (MailingStatus.SENDING, 50)

    restarted = _worker(mail_app, smtp_server, "--once")
    output, errors = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, errors
    assert "100 mailing recipient(s) written" in output

    expected = {address(mailing_id, n) for n in range(1, 151)}
    assert not_exactly_once(smtp_server, expected) == {}
    with mail_app.app_context():
        assert db.session.get(Mailing, mailing_id).status == MailingStatus.DONE
        assert _count(OutboxMessage) == 150
