"""The concurrency test's control: `gunicorn tests.registrations.unsafe_server_app:app`.

The same app as tests/server_app.py, with the booking lock replaced by nothing: each
booking checks the places left in one transaction and inserts in another,
the race the lock exists to prevent. It lives under tests/ so that no switch
in engage/ can ever turn the lock off.
"""

from engage.extensions import db
from engage.registrations import services
from tests.server_app import app

_has_place = services.has_place


def _without_lock(work, **_lock):
    db.session.commit()
    result = work()
    db.session.commit()
    return result


def _has_place_then_commit(event):
    # End the read: the insert that follows runs in a transaction of its own. On SQLite
    # that one takes the write lock up front, as the real path does, so that it queues
    # for the lock instead of failing to upgrade a read ("database is locked", a 500).
    answer = _has_place(event)
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return answer


services.retrying = _without_lock
services.has_place = _has_place_then_commit

__all__ = ["app"]
