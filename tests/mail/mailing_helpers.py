"""A mailing kind of the tests' own, numbered recipients, and checks on what arrived.

The writer for "test-note" sends recipient n of mailing m to mN-personN@example.org.
TROUBLE makes it skip some recipients, fail on some, die at one (a BaseException,
as a killed worker's batch never commits) or hang at one: it connects to the
test's port to say so, then waits to be killed. A worker process reads the hang
from MAILING_TEST_HANG_AT and MAILING_TEST_PORT.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import socket
import threading

from sqlalchemy import Integer, Select, literal, select

from engage.extensions import db
from engage.mail.mailings import create_mailing, mailing_writer
from engage.mail.models import Mailing, OutboxMessage

KIND = "test-note"


class Killed(BaseException):
    """The worker's sudden death mid-batch: nothing catches it, its transaction rolls back."""


@dataclasses.dataclass
class Trouble:
    """What the test writer does besides writing."""

    gone: set[int] = dataclasses.field(default_factory=set)
    fail_for: set[int] = dataclasses.field(default_factory=set)
    die_at: int | None = None
    hang_at: int | None = None
    port: int | None = None  # told on loopback when the writer starts hanging


TROUBLE = Trouble()
if os.environ.get("MAILING_TEST_HANG_AT"):
    TROUBLE.hang_at = int(os.environ["MAILING_TEST_HANG_AT"])
    TROUBLE.port = int(os.environ["MAILING_TEST_PORT"])


def address(mailing_id: int, recipient_id: int) -> str:
    """Where the test writer sends one recipient's note."""
    return f"m{mailing_id}-person{recipient_id}@example.org"


@mailing_writer(KIND)
def write_note(mailing: Mailing, recipient_id: int) -> OutboxMessage | None:
    """Queue one recipient's note (or skip, fail, die or hang as TROUBLE says)."""
    if recipient_id in TROUBLE.gone:
        return None
    if recipient_id == TROUBLE.die_at:
        raise Killed()
    if recipient_id in TROUBLE.fail_for:
        raise RuntimeError(f"cannot write to {address(mailing.id, recipient_id)}")
    if recipient_id == TROUBLE.hang_at:
        socket.create_connection(("127.0.0.1", TROUBLE.port), timeout=10)
        threading.Event().wait()  # until the test kills this process
    message = OutboxMessage(
        kind="test_note",
        to_address=address(mailing.id, recipient_id),
        subject=f"{mailing.params.get('subject', 'Note')} for {recipient_id}",
        body_text="Hello.",
        body_html="<p>Hello.</p>",
        attachments=[],
        event_id=mailing.event_id,
    )
    db.session.add(message)
    return message


def numbers(count: int) -> Select:
    """A SELECT of the ids 1..count (a recursive CTE), as a feature selects its recipients' ids."""
    ids = select(literal(1, Integer).label("id")).cte("ids", recursive=True)
    ids = ids.union_all(select(ids.c.id + 1).where(ids.c.id < count))
    return select(ids.c.id).where(ids.c.id <= count)  # none at all for 0


def new_mailing(count: int, *, key: str = "k1", **fields) -> int:
    """A test-note mailing to recipients 1..count, committed (inside an app context); its id."""
    mailing, _ = create_mailing(kind=KIND, key=key, recipients=numbers(count), **fields)
    return mailing.id


def not_exactly_once(server, expected: set[str]) -> dict[str, int]:
    """Each address that did not get exactly one email, with how many it got (missing: 0).

    Addresses that were not expected at all count as problems too.
    """
    counts = collections.Counter(r for received in server.received for r in received.rcpt_tos)
    problems = {a: n for a, n in counts.items() if n != 1 or a not in expected}
    problems.update({a: 0 for a in expected - set(counts)})
    return problems
