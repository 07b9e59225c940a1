"""Gunicorn on a free loopback port, serving a test app from tests/, for the real-server tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


class Gunicorn:
    """`gunicorn --workers N --threads T tests.<module>:app` on the given database."""

    def __init__(
        self,
        module: str,
        database_url: str,
        *,
        workers: int,
        threads: int = 1,
        environ: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        # The default settings: nothing of the caller's shell leaks in unless named.
        env = {k: v for k, v in os.environ.items() if k != "RATELIMIT_STORAGE_URI"}
        env.update(environ or {}, ENGAGE_TEST_SERVER_DATABASE_URL=database_url)
        command = [
            str(GUNICORN),
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
            f"tests.{module}:app",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    def wait_until_up(self, path: str = "/events/", *, every_worker: bool = False) -> None:
        """Return once `path` answers (from every worker, if asked); RuntimeError if it never does."""
        answered: set[str] = set()
        ready: Callable[[], bool] = (
            (lambda: len(answered) == self.workers) if every_worker else (lambda: bool(answered))
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                response = requests.get(self.url + path, headers={"Connection": "close"}, timeout=5)
            except requests.RequestException:
                time.sleep(0.2)  # waiting for another process to listen, not for the clock
                continue
            if response.status_code == 200:
                answered.add(response.headers["X-Worker-Pid"])
            if ready():
                return
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
