"""Attendees' data is deleted once the event's retention period is over."""

import datetime as dt

from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations import services
from engage.registrations.models import ManageToken, Registration
from engage.registrations.retention import purge
from tests.conftest import london
from tests.registrations.conftest import data

START = london(2027, 1, 21, 9, 30)


def _book(app, event, email):
    with app.app_context():
        services.register(
            db.session.get(Event, event.id), data(email=email), now=START - dt.timedelta(days=30)
        )


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_registrations_go_when_retention_ends_and_not_before(app, make_event):
    old = make_event(slug="old", starts_at=START, retention_days=30)
    kept = make_event(slug="kept", starts_at=START, retention_days=365)
    _book(app, old, "a@example.org")
    _book(app, old, "b@example.org")
    _book(app, kept, "c@example.org")
    ended = START + dt.timedelta(hours=7)
    with app.app_context():
        assert purge(now=ended + dt.timedelta(days=29)) == 0
        assert _count(Registration) == 3
        assert purge(now=ended + dt.timedelta(days=31)) == 2
        remaining = db.session.scalars(db.select(Registration.email)).all()
        assert remaining == ["c@example.org"]
        assert _count(OutboxMessage) == 1  # only the kept attendee's confirmation
        assert _count(ManageToken) == 1
        assert db.session.get(Event, old.id) is not None  # the public record stays
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert entry.action == "registrations.purged" and "@" not in entry.summary
        assert purge(now=ended + dt.timedelta(days=31)) == 0


def test_purge_command(app, runner, make_event):
    event = make_event(slug="old", starts_at=START, retention_days=1)
    _book(app, event, "a@example.org")
    result = runner.invoke(args=["engage", "purge"])  # real now: 2026, before the event
    assert "Purged 0" in result.output
    with app.app_context():
        db.session.get(Event, event.id).ends_at = london(2020, 1, 1)
        db.session.get(Event, event.id).starts_at = london(2019, 12, 31)
        db.session.commit()
    assert "Purged 1" in runner.invoke(args=["engage", "purge"]).output
