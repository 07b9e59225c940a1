"""`make run`: the web server, the worker and the sink together; the demo's mail lands as .eml."""

from __future__ import annotations

import email
import email.policy
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

from engage.devserver import processes
from tests.conftest import free_port
from tests.mail.conftest import add_messages

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_make_run_starts_the_worker_beside_the_web_server_and_the_sink():
    assert set(processes("5000")) == {"web", "mail-worker", "mail-sink"}
    assert processes("5000")["mail-worker"][-4:-2] == ["engage", "worker"]


@pytest.mark.slow
def test_a_queued_message_lands_in_the_sink_folder_and_everything_stops_together(app, tmp_path):
    folder = tmp_path / "mail"
    env = {
        **os.environ,
        "ENGAGE_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORT": str(free_port()),
        "MAIL_PORT": str(free_port()),
        "MAIL_POLL_SECONDS": "1",
        "MAIL_SINK_DIR": str(folder),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "engage.devserver"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        # Queue the mail once the sink listens: a message the worker tries before that is
        # retried a minute later, after this test has given up.
        while not _listening(int(env["MAIL_PORT"])):
            assert server.poll() is None and time.monotonic() < deadline, "no mail sink"
            time.sleep(0.2)  # waiting for another process, not for the clock
        with app.app_context():
            add_messages(2)
        while len(list(folder.glob("*.eml"))) < 2 and time.monotonic() < deadline:
            assert server.poll() is None, "make run stopped early"
            time.sleep(0.2)  # waiting for other processes, not for the clock
        files = sorted(folder.glob("*.eml"))
        assert len(files) == 2
        parsed = [
            email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files
        ]
        assert {m["To"] for m in parsed} == {"person0@example.org", "person1@example.org"}
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    # No child outlives it: nothing is listening on the sink's port any more.
    assert not _listening(int(env["MAIL_PORT"]))


def _listening(port: int) -> bool:
    """Whether something accepts connections on the loopback port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
