"""transaction(lock=...) runs blocks for the same row one after the other."""

import threading

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
