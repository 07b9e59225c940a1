"""Fixtures for the check-in desk: the registration and mail fixtures, shared, and staff."""

from __future__ import annotations

import pytest

from engage.accounts.models import Role
from engage.events.models import event_organisers
from engage.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.registrations.conftest import workshop_event  # noqa: F401 - shared fixture


@pytest.fixture
def desk_staff(app, make_user):
    """Two staff on the desk: an organiser (name() -> 'Sam Desk') and an admin ('Alex Admin')."""

    def factory(event):
        sam = make_user("sam@example.org", name="Sam Desk")
        alex = make_user("alex@example.org", name="Alex Admin", role=Role.ADMIN)
        with app.app_context():
            db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=sam.id))
            db.session.commit()
        return sam, alex

    return factory


@pytest.fixture
def staff(make_user):
    """Two staff who sign in through the real sign-in page (the concurrency tests' desks)."""
    return [
        make_user("sam@example.org", password=TEST_PASSWORD),
        make_user("kim@example.org", password=TEST_PASSWORD),
    ]
