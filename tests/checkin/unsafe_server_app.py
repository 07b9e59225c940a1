"""The concurrency test's control: `gunicorn tests.checkin.unsafe_server_app:app`.

The same app as tests/server_app.py, with check-in's guard taken away: whether
someone is checked in is read first, then the UPDATE is written without the
`checked_in_at IS NULL` condition, in a transaction of its own. Two desks
scanning one person at once then both record a check-in. It lives under
tests/ so that no switch in engage/ can ever turn the guard off.
"""

from sqlalchemy import update

from engage.checkin import services
from engage.extensions import db
from engage.registrations.models import CheckInAction, Registration
from tests.server_app import app


def _without_transaction(work, **_lock):
    db.session.commit()
    result = work()
    db.session.commit()
    return result


def _read_then_write(registration, by_id, source, now, *, given_place=False, note=""):
    already = registration.checked_in_at is not None  # read before anyone holds a lock
    # The write in a transaction of its own. On SQLite it takes the write lock up front, as
    # the real path does, so it queues for the lock instead of failing ("database is locked").
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    if not already:
        db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id)  # no "AND checked_in_at IS NULL"
            .values(checked_in_at=now, checked_in_by_id=by_id)
            .execution_options(synchronize_session=False)
        )
        services._log(registration, CheckInAction.CHECKED_IN, by_id, source, now, note)
    db.session.commit()
    db.session.refresh(registration)
    return services.CheckInResult(
        registration, already=already, by=registration.checked_in_by, at=registration.checked_in_at
    )


services.retrying = _without_transaction
services.check_in_locked = _read_then_write

__all__ = ["app"]
