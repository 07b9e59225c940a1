"""The staff side's bench site: an event of many registrations, gunicorn, a signed-in browser.

For each database (`databases`: a SQLite file in a temporary folder, and the
PostgreSQL database BENCH_DATABASE_URL names, which may be emptied),
`staff_site` empties and migrates it (`flask --app wsgi db upgrade`, as `make
bench` does), adds an admin account and one event per size asked for, seeded
with tests/attendees/seeding.py, then serves the app with benchmarks.server's
Server (the same gunicorn command as every other scenario) and signs a Browser
in as a person does: the sign-in page, its form with the CSRF token, the
session cookie kept. benchmarks.attendees and benchmarks.checkin drive it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator

from sqlalchemy import create_engine, text

from benchmarks.booking import TOKEN
from benchmarks.server import Server
from engage import create_app
from engage.accounts import services as accounts
from engage.accounts.models import Role
from engage.config import database_uri
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind, SessionKind
from engage.extensions import db
from tests.attendees.seeding import seed_registrations

REGISTRATIONS = int(os.environ.get("BENCH_ATTENDEES", "10000"))
START = dt.datetime(2027, 1, 21, 9, tzinfo=dt.UTC)
ADMIN_EMAIL = "bench-staff@example.org"
SIGN_IN = "/account/sign-in"
REFERENCE_REQUESTS = 100


def databases(folder: str) -> list[tuple[str, str]]:
    """(label, URL) of each database to measure: SQLite in `folder`, and BENCH_DATABASE_URL's."""
    found = [("SQLite", f"sqlite:///{folder}/staff.sqlite3")]
    if os.environ.get("BENCH_DATABASE_URL"):
        found.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    return found


def percentiles(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile of the times."""
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the server sent back: the status, the redirect's target and the whole body."""

    status: int
    location: str
    body: bytes


class Browser:
    """One member of staff's browser on loopback: its connection, its cookies."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("the staff bench only targets loopback")
        # Kept open between requests; gunicorn's sync workers close it after each answer,
        # and http.client opens a new one for the next request.
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        """One request, its answer read to the end, the cookies it sets kept."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return Answer(response.status, response.headers.get("Location", ""), content)

    def timed(self, method: str, path: str, form: dict | None = None) -> tuple[float, Answer]:
        """One request that must succeed: (milliseconds to the end of its body, the answer)."""
        started = time.perf_counter()
        answer = self.request(method, path, form)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != 200:
            raise SystemExit(f"{method} {path}: {answer.status}")
        return elapsed, answer

    def form_token(self, path: str) -> str:
        """The CSRF token of the form on the page at `path`."""
        _, answer = self.timed("GET", path)
        token = TOKEN.search(answer.body.decode("utf-8"))
        if token is None:
            raise SystemExit(f"GET {path}: no CSRF token on the page")
        return token[1]

    def sign_in(self, email: str, password: str) -> None:
        """Sign in on the sign-in page, as a person does."""
        form = {"csrf_token": self.form_token(SIGN_IN), "email": email, "password": password}
        answer = self.request("POST", SIGN_IN, form)
        if answer.status != 302:
            raise SystemExit(f"POST {SIGN_IN}: {answer.status}, not signed in")


@dataclasses.dataclass(frozen=True)
class BenchEvent:
    """One seeded event: its id, its workshops' ids and how many registrations it has."""

    id: int
    workshops: tuple[int, ...]
    registrations: int


@dataclasses.dataclass
class StaffSite:
    """A served, seeded site: the app (for reading it back), the server, a signed-in browser."""

    label: str
    app: object
    server: Server
    browser: Browser
    events: list[BenchEvent]
    seconds_to_seed: float
    reference_ms: float

    def against_reference(self, milliseconds: float) -> str:
        """A time as a multiple of the reference page's, so a busy machine cannot hide a change."""
        return f"{milliseconds / self.reference_ms:.1f}x the reference's {self.reference_ms:.1f} ms"


def _empty(url: str) -> None:
    # A fresh schema each run: exactly the rows seeded here, nothing left by an earlier run.
    if url.startswith(("postgres://", "postgresql")):
        engine = create_engine(database_uri(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _event(size: int) -> Event:
    workshops = [
        EventSession(
            kind=SessionKind.WORKSHOP,
            title=f"Workshop {number}",
            starts_at=START + dt.timedelta(hours=number),
            ends_at=START + dt.timedelta(hours=number + 1),
        )
        for number in range(1, 4)
    ]
    return Event(
        slug=f"bench-{size}",
        title=f"Bench of {size:,}",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=7),
        is_published=True,
        sessions=workshops,
        questions=[EventQuestion(kind=QuestionKind.YES_NO, label="Need parking?")],
    )


def _seed(sizes: tuple[int, ...], password: str) -> list[BenchEvent]:
    """The admin account and one event of each size (inside an app context)."""
    accounts.create_user(ADMIN_EMAIL, role=Role.ADMIN, password=password, name="Bench Staff")
    events = []
    for size in sizes:
        event = _event(size)
        db.session.add(event)
        db.session.commit()
        workshops = tuple(w.id for w in event.workshops)
        seed_registrations(event.id, size, workshop_ids=workshops, waitlisted_every=10)
        events.append(BenchEvent(event.id, workshops, size))
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk insert: the planner sees the real
        # row counts, and index-only scans need not visit the table's pages.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return events


def _reference_ms(env: dict[str, str]) -> float:
    """The median time of one client's request for the bare reference page (benchmarks.reference),
    under the same gunicorn command: what the stack itself costs a request on this machine."""
    with Server("benchmarks.reference:app", env) as reference:
        browser = Browser(reference.base)
        browser.timed("GET", "/")  # warm up
        return statistics.median(browser.timed("GET", "/")[0] for _ in range(REFERENCE_REQUESTS))


@contextlib.contextmanager
def staff_site(
    label: str, url: str, sizes: tuple[int, ...] = (REGISTRATIONS,)
) -> Iterator[StaffSite]:
    """The database emptied, migrated and seeded; the app served; a StaffSite signed in."""
    env = dict(os.environ, DATABASE_URL=url, ENGAGE_ENV="development")
    _empty(url)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri(url), "ENGAGE_ENV": "development"})
    password = secrets.token_urlsafe(24)
    try:
        with app.app_context():
            started = time.perf_counter()
            events = _seed(sizes, password)
            seeded = time.perf_counter() - started
        with Server("wsgi:app", env) as server:
            reference = _reference_ms(env)
            browser = Browser(server.base)
            browser.sign_in(ADMIN_EMAIL, password)
            yield StaffSite(label, app, server, browser, events, seeded, reference)
    finally:
        with app.app_context():
            db.engine.dispose()


def on_each_database(bench: Callable[[str, str], list[str]]) -> int:
    """bench(label, url) on SQLite and on BENCH_DATABASE_URL in turn; 1 when a target is missed."""
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        for label, url in databases(folder):
            missed += bench(label, url)
    return 1 if missed else 0
