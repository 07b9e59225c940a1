"""Gunicorn on a free loopback port for `make bench`: the same command for every app."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

WORKERS = os.environ.get("BENCH_WORKERS", "2")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`gunicorn -w N` (sync workers) serving `app` until the block ends."""

    def __init__(self, app: str, env: dict[str, str], *, access_log: str | None = None):
        self.env = env
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = access_log
        self.command = f"gunicorn -w {WORKERS} (sync) -b 127.0.0.1"
        self._args = [sys.executable, "-m", "gunicorn", "-w", WORKERS, "-b"]
        self._args += [f"127.0.0.1:{self.port}", "--log-level", "warning"]
        if access_log:
            # Only for measuring: the bench's paths hold no secrets, and the file is thrown away.
            self._args += ["--access-logfile", access_log]
            self._args += ["--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        self._args.append(app)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self._args, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)  # waiting for the server to listen
        self.__exit__()
        raise SystemExit(f"{self._args[-1]} did not start")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def forget_access_log(self) -> None:
        """Empty the access log, so that what follows is measured alone."""
        if self.access_log:
            with open(self.access_log, "w"):
                pass

    def median_ms(self, method: str, path: str) -> float | None:
        """The server's median time for successful requests of that method and path."""
        times = []
        with open(self.access_log, encoding="utf-8") as log:
            for line in log:
                parts = line.split()
                if len(parts) == 4 and parts[:2] == [method, path] and parts[2] in ("200", "302"):
                    times.append(int(parts[3]) / 1000)
        return round(statistics.median(times), 1) if times else None

    def _workers(self) -> list[str]:
        return subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()

    def worker_memory_mb(self) -> dict[int, tuple[float, float]]:
        """Each web worker's resident memory now and at its peak: pid -> (VmRSS, VmHWM)."""
        memory = {}
        for pid in self._workers():
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            memory[int(pid)] = tuple(
                round(int(fields[name].split()[0]) / 1024, 1) for name in ("VmRSS", "VmHWM")
            )
        return memory

    def reset_peak_memory(self) -> None:
        """Start each web worker's peak (VmHWM) again from its resident memory now."""
        for pid in self._workers():
            # Linux's clear_refs: "5" resets the peak resident set size.
            with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")

    def peak_memory_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of the web workers."""
        peaks = [peak for _, peak in self.worker_memory_mb().values()]
        return max(peaks) if peaks else 0.0
