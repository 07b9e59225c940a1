"""`make run`: the web server, the mail worker and the local mail sink, stopped together.

The worker delivers the outbox to the sink (MAIL_SERVER/MAIL_PORT default to
127.0.0.1:8025), which keeps every message as a .eml file under instance/mail/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time


def processes(port: str) -> dict[str, list[str]]:
    """The commands that make up the local site."""
    python = sys.executable
    return {
        "mail-sink": [
            python,
            "-m",
            "engage.mail.sink",
            "--port",
            os.environ.get("MAIL_PORT", "8025"),
            "--dir",
            os.environ.get("MAIL_SINK_DIR", "instance/mail"),
        ],
        "mail-worker": [
            python,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "engage",
            "worker",
            "--interval",
            os.environ.get("MAIL_POLL_SECONDS", "2"),
        ],
        "web": [
            python,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "run",
            "--port",
            port,
            "--reload",
            "--no-debugger",
        ],
    }


def main() -> int:
    """Start every process; when one stops, stop the rest."""
    port = os.environ.get("PORT", "5000")
    commands = processes(port)
    # The sink first, and listening, so the worker's first delivery does not
    # meet a closed port and wait a minute to retry.
    children = {"mail-sink": subprocess.Popen(commands.pop("mail-sink"))}
    _wait_for_port(int(os.environ.get("MAIL_PORT", "8025")), children["mail-sink"])
    children.update({name: subprocess.Popen(cmd) for name, cmd in commands.items()})
    print(f"Engage is running at http://127.0.0.1:{port}  (Ctrl+C stops it)", flush=True)
    print("Emails the site sends are kept in instance/mail/", flush=True)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [name for name, child in children.items() if child.returncode not in (0, -15, None)]
    return 1 if failed and not stopping else 0


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)  # waiting for another process to listen, not for the clock


if __name__ == "__main__":
    sys.exit(main())
