"""The room concurrency test's control: `gunicorn tests.checkin.unsafe_room_server_app:app`.

The same app as tests/server_app.py, with the room check-in's guard taken away:
whether someone is in the room is read first, then the row is inserted without
a savepoint to catch another door's row. Two doors scanning one person at once
then both try to insert, and the second fails (the table still refuses a second
row, so it shows as an error, not a double count). It lives under tests/ so
that no switch in engage/ can ever turn the guard off.
"""

from sqlalchemy import select

from engage.checkin import rooms
from engage.extensions import db
from engage.registrations.models import WorkshopCheckIn
from tests.server_app import app


def _read_then_insert(registration, room, by_id, now, at_event, given_place, added):
    there = db.session.scalar(
        select(WorkshopCheckIn).where(
            WorkshopCheckIn.registration_id == registration.id,
            WorkshopCheckIn.session_id == room.id,
        )
    )
    if there is None:
        db.session.add(
            WorkshopCheckIn(
                registration_id=registration.id, session_id=room.id, at=now, by_user_id=by_id
            )
        )
        db.session.flush()
    return rooms.RoomResult(registration, room, already=there is not None, by=None, at=now)


def _without_transaction(work, **_lock):
    # Read outside any write lock (SQLite's BEGIN IMMEDIATE would queue the doors one by one).
    db.session.commit()
    result = work()
    db.session.commit()
    return result


rooms._into_room = _read_then_insert
rooms.retrying = _without_transaction

__all__ = ["app"]
