"""Building the next email on a thread of its own while the worker sends this one.

The worker spends most of a message waiting: for the SMTP server's reply, then
for the commit that records the outcome. One background thread turns the next
outbox row into its bytes (delivery.build_message: MIME, the QR code) meanwhile.
Only building moves there: sending and recording stay on the worker's thread,
in order, each outcome committed right after its reply, so a killed worker
still repeats at most the one message in flight.

The thread never touches the database. It reads rows the worker loaded and
detached (Worker._load expunges them): a detached row is never expired by a
commit, and reading a column it lacks raises rather than loading it; an
OutboxMessage has no deferred columns and no relationships, so every column
build_message reads is already in the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app

from engage.mail import delivery
from engage.mail.models import OutboxMessage


class Prebuilder:
    """The emails of a batch's rows, each built one step ahead of the worker on one thread.

    close() it when the batch ends: it waits for a build still running (at
    most one, after a stop) and drops any not started.
    """

    def __init__(self, rows: Sequence[OutboxMessage | None]):
        self._app = current_app._get_current_object()
        self._rows = rows
        self._builds: dict[int, Future] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engage-mail-build")

    def close(self) -> None:
        """Stop the thread, after the build it is running if any."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def message(self, index: int) -> delivery.Email | None:
        """The email of the row at `index` (None for a missing row); starts building the next.

        Raises what build_message raised (UnsendableMessage for a row no retry can fix).
        """
        self._start(index)
        self._start(index + 1)
        return self._builds.pop(index).result()

    def _start(self, index: int) -> None:
        if index < len(self._rows) and index not in self._builds:
            self._builds[index] = self._pool.submit(self._build, self._rows[index])

    def _build(self, row: OutboxMessage | None) -> delivery.Email | None:
        if row is None:
            return None
        with self._app.app_context():  # build_message reads the app's mail settings
            return delivery.build_message(row)
