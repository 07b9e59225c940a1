"""An SMTP sink for the mail benchmarks: aiosmtpd in a process of its own that only counts.

It accepts every message, counts it, and notes its Message-ID and recipient so
that duplicates show; it keeps the first message's bytes, so that the
reference loop can send exactly what the worker sent. Nothing is written to
disk, so the sink costs the same whichever client feeds it. Being a process
of its own, it does not share a GIL with the client it measures.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import re
import socket
import time

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
_SPAWN = multiprocessing.get_context("spawn")


@dataclasses.dataclass
class Report:
    """What the sink received: counts, and one message as it arrived."""

    received: int
    message_ids: int  # distinct
    recipients: int  # distinct
    cpu_seconds: float  # the sink process's own CPU time while it served
    sample: bytes
    sample_from: str
    sample_to: str


class _Counter:
    """The aiosmtpd handler: count, note the Message-ID and recipient, accept."""

    def __init__(self, count, expected: int, done):
        self.count, self.expected, self.done = count, expected, done
        self.message_ids: set[bytes] = set()
        self.recipients: set[str] = set()
        self.sample: tuple[bytes, str, str] | None = None

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content
        headers = content[: content.find(b"\r\n\r\n")]
        found = _MESSAGE_ID.search(headers)
        self.message_ids.add(found.group(1) if found else b"")
        self.recipients.update(envelope.rcpt_tos)
        if self.sample is None:
            self.sample = (content, envelope.mail_from, envelope.rcpt_tos[0])
        self.count.value += 1
        if self.count.value >= self.expected:
            self.done.set()
        return "250 OK"


def _serve(port: int, expected: int, count, ready, done, stop, answer) -> None:
    handler = _Counter(count, expected, done)
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    started = time.process_time()
    ready.set()
    stop.wait()
    controller.stop()
    content, mail_from, rcpt = handler.sample or (b"", "", "")
    answer.send(
        Report(
            received=count.value,
            message_ids=len(handler.message_ids),
            recipients=len(handler.recipients),
            cpu_seconds=time.process_time() - started,
            sample=content,
            sample_from=mail_from,
            sample_to=rcpt,
        )
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """The counting sink on a free loopback port, from `with` until its end; then `report`."""

    def __init__(self, expected: int):
        self.port = _free_port()
        self.expected = expected
        self.report: Report | None = None
        self._count = _SPAWN.Value("q", 0, lock=False)  # written by the sink alone
        self._ready, self._done, self._stop = _SPAWN.Event(), _SPAWN.Event(), _SPAWN.Event()
        self._answer, answer = _SPAWN.Pipe(duplex=False)
        self._process = _SPAWN.Process(
            target=_serve,
            args=(self.port, expected, self._count, self._ready, self._done, self._stop, answer),
            daemon=True,
        )

    def __enter__(self) -> Sink:
        self._process.start()
        if not self._ready.wait(timeout=60):
            self._process.kill()
            raise SystemExit("the SMTP sink did not start")
        return self

    @property
    def received(self) -> int:
        """Messages accepted so far."""
        return self._count.value

    def wait(self, timeout: float) -> bool:
        """Wait until `expected` messages arrived; False if `timeout` seconds passed first."""
        return self._done.wait(timeout)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._answer.poll(60):
            self.report = self._answer.recv()
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
