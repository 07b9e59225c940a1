"""transaction(lock=...) runs blocks for the same row one after the other."""

import threading
from pathlib import Path

import pytest

from engage.db import LockUnavailable, transaction
from engage.events.models import Event
from engage.extensions import db


def test_lock_commits_on_success_and_rolls_back_on_error(app, make_event):
    event = make_event(capacity=5)
    with app.app_context():
        with transaction(lock=(Event, event.id)):
            db.session.get(Event, event.id).capacity = 6
        with pytest.raises(ValueError), transaction(lock=(Event, event.id)):
            db.session.get(Event, event.id).capacity = 7
            raise ValueError("boom")
        db.session.expire_all()
        assert db.session.get(Event, event.id).capacity == 6


def test_increments_under_the_lock_are_not_lost(app, make_event):
    """Read-modify-write from many threads: every increment survives."""
    event = make_event(capacity=0)
    errors = []

    def bump():
        with app.app_context():
            for _ in range(10):
                while True:
                    try:
                        with transaction(lock=(Event, event.id)):
                            row = db.session.get(Event, event.id)
                            row.capacity = row.capacity + 1
                        break
                    except LockUnavailable:
                        continue
                    except Exception as error:  # pragma: no cover - reported below
                        errors.append(error)
                        return

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.get(Event, event.id).capacity == 80


def test_a_transaction_inside_another_joins_it(app, make_event):
    """One commit per use case: an inner block's work is undone with the outer one."""
    event = make_event(capacity=5)
    with app.app_context():
        with pytest.raises(ValueError), transaction(lock=(Event, event.id)):
            with transaction(lock=(Event, event.id)):
                db.session.get(Event, event.id).capacity = 6
            assert db.session.get(Event, event.id).capacity == 6  # not committed yet
            raise ValueError("the outer block fails")
        db.session.expire_all()
        assert db.session.get(Event, event.id).capacity == 5
        with transaction(), transaction():
            db.session.get(Event, event.id).capacity = 7
        db.session.expire_all()
        assert db.session.get(Event, event.id).capacity == 7


def test_a_transaction_refuses_changes_made_before_it(app, make_event):
    event = make_event(capacity=5)
    with app.app_context():
        db.session.get(Event, event.id).capacity = 9  # outside any use case
        with pytest.raises(RuntimeError, match="without pending changes"), transaction():
            pass
        db.session.rollback()


def test_engage_commits_only_through_the_helper():
    """No service, view or job commits on its own: engage.db.transaction does it."""
    package = Path(__file__).resolve().parents[2] / "engage"
    allowed = {"db.py"}  # the helper itself
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path.name not in allowed
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if ".commit()" in line
    ]
    assert found == []
