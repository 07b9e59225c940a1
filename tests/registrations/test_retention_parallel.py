"""Two purges at the same moment (two workers, or a worker and `engage purge`) purge once.

Each runs in its own thread with its own app and engine against the real
database (SQLite file or PostgreSQL). Both are held inside the purge of the
event for a moment, so that they overlap: the event's lock makes the second
wait, then find the event purged. The control takes the lock away (a plain
transaction, no row lock, no BEGIN IMMEDIATE) and must see the runs collide.
"""

from __future__ import annotations

import contextlib
import threading

import time_machine
from sqlalchemy import func, select

from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.registrations import retention
from engage.registrations.figures import live_figures
from engage.registrations.models import EventAggregate, Registration
from engage.registrations.retention import PurgeReport
from tests.registrations.retention_world import ALL_GO, build


def _hold_both_inside(monkeypatch) -> None:
    """Make each purge wait (up to a second) for the other inside the event's purge."""
    inside = threading.Barrier(2)
    real = retention.store_aggregates

    def waiting(event):
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait(timeout=1)
        return real(event)

    monkeypatch.setattr(retention, "store_aggregates", waiting)


def _two_purges_at_once(make_app) -> tuple[list[PurgeReport], list[BaseException]]:
    apps = [make_app() for _ in range(2)]
    start = threading.Barrier(2)
    reports: list[PurgeReport] = []
    errors: list[BaseException] = []

    def work(app):
        try:
            with app.app_context(), time_machine.travel(ALL_GO, tick=False):
                start.wait(timeout=10)
                reports.append(retention.purge())
        except BaseException as error:
            errors.append(error)
        finally:
            with app.app_context():
                db.engine.dispose()

    threads = [threading.Thread(target=work, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return reports, errors


def _purged_once(app, rows_expected: int) -> list[str]:
    """What is wrong with the database after the runs (empty when purged exactly once)."""
    problems = []
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(EventAggregate))
        doubled = db.session.scalar(
            select(func.count()).select_from(
                select(EventAggregate.metric, EventAggregate.key)
                .group_by(EventAggregate.event_id, EventAggregate.metric, EventAggregate.key)
                .having(func.count() > 1)
                .subquery()
            )
        )
        audit = db.session.scalar(
            select(func.count()).where(AuditEntry.action == "registrations.purged")
        )
        left = db.session.scalar(select(func.count()).select_from(Registration))
        if rows != rows_expected or doubled:
            problems.append(f"{rows} aggregate rows ({doubled} doubled), {rows_expected} expected")
        if audit != 1:
            problems.append(f"{audit} purge audit entries")
        if left != 1:
            problems.append(f"{left} registrations left")
    return problems


def _expected_rows(app, make_event, make_user) -> int:
    build(app, make_event, make_user)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "engagement-day"))
        return sum(len(counts) for counts in live_figures(event).values())


def test_two_purges_at_once_purge_once(app, make_app, make_event, make_user, monkeypatch):
    expected = _expected_rows(app, make_event, make_user)
    _hold_both_inside(monkeypatch)
    reports, errors = _two_purges_at_once(make_app)
    assert errors == []
    assert sorted(r.events for r in reports) == [0, 1]  # one purged, the other found it done
    assert sorted(r.registrations for r in reports) == [0, 4]
    assert _purged_once(app, expected) == []


def test_control_without_the_lock_the_runs_collide(
    app, make_app, make_event, make_user, monkeypatch
):
    """Control: with the event's lock taken away, the same two runs do not purge cleanly once."""
    expected = _expected_rows(app, make_event, make_user)

    @contextlib.contextmanager
    def unlocked(lock=None):
        session = db.session()
        session.commit()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    monkeypatch.setattr(retention, "transaction", unlocked)
    _hold_both_inside(monkeypatch)
    reports, errors = _two_purges_at_once(make_app)
    # Both got past the check; the unique constraint (or SQLite's write lock) stops one
    # of them with an error, or, were there no constraint, the counts would be doubled.
    problems = _purged_once(app, expected)
    print("control:", [type(e).__name__ for e in errors], problems, [r.events for r in reports])
    assert errors or problems
    # Both runs took the event on: neither found it purged by the other.
    assert sum(r.events for r in reports) + len(errors) == 2
