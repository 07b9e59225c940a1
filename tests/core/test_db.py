"""Times are stored as UTC and come back aware, on every backend."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from engage.events.models import Event
from engage.extensions import db


def test_times_round_trip_as_utc(app, make_event):
    start = dt.datetime(2027, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    event = make_event(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert stored.starts_at == start
        assert stored.starts_at.tzinfo == dt.UTC
        assert stored.starts_at.hour == 8


def test_naive_times_are_refused(app):
    with app.app_context():
        naive = dt.datetime(2027, 1, 1, 9, 0)
        db.session.add(Event(slug="naive", title="Naive", starts_at=naive, ends_at=naive))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
