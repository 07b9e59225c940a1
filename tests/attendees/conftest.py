"""Fixtures for the organiser's attendee pages: the registration fixtures, shared, and staff."""

from __future__ import annotations

import itertools

import pytest

from engage.events.models import event_organisers
from engage.extensions import db
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.registrations.conftest import workshop_event  # noqa: F401 - shared fixture


@pytest.fixture
def organiser_of(app, make_user):
    """organiser_of(event): a new organiser assigned to that event."""
    numbers = itertools.count(1)

    def factory(event):
        user = make_user(f"organiser{next(numbers)}@example.org")
        with app.app_context():
            db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
            db.session.commit()
        return user

    return factory


@pytest.fixture
def staff_client(app, organiser_of, login_as):
    """staff_client(event): a test client signed in as an organiser of that event."""

    def factory(event):
        client = app.test_client()
        login_as(client, organiser_of(event))
        return client

    return factory
