"""Fixtures for the event builder: staff users and a form filled in as a person would."""

from __future__ import annotations

import contextlib

import pytest

from engage.accounts.models import Role


@pytest.fixture
def admin(make_user):
    """An admin."""
    return make_user("admin@example.org", role=Role.ADMIN)


@pytest.fixture
def organiser(make_user):
    """An organiser with no events yet."""
    return make_user("organiser@example.org")


@pytest.fixture
def event_form():
    """The event form's fields as posted, with overrides: event_form(title=...)."""

    def build(**overrides):
        data = {
            "title": "Engagement Day 2027",
            "slug": "",
            "summary": "Our annual day.",
            "description_md": "Come **along**.",
            "starts_at": "2027-01-21T09:30",
            "ends_at": "2027-01-21T16:30",
            "venue_name": "Riverside Conference Centre",
            "venue_address": "1 River Street, Leeds",
            "travel_info_md": "",
            "access_info_md": "",
            "online_join_details": "",
            "attendee_note_md": "",
            "contact_email": "",
            "capacity": "120",
            "waitlist_enabled": "y",
            "registration_opens_at": "",
            "registration_closes_at": "",
            "max_workshops": "1",
            "reminder_offsets_hours": "7d, 1d",
            "retention_days": "180",
            "needs_retention_days": "7",
            "save": "Save event",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build


@pytest.fixture
def session_form():
    """The session form's fields as posted, with overrides."""

    def build(**overrides):
        data = {
            "kind": "workshop",
            "title": "Workshop A",
            "description_md": "",
            "starts_at": "2027-01-21T11:00",
            "ends_at": "2027-01-21T12:00",
            "room": "Room 1",
            "capacity": "20",
            "save": "Save session",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build


@pytest.fixture
def assign(app):
    """Make a user an organiser of an event: assign(event, user)."""
    from engage.events.models import event_organisers
    from engage.extensions import db

    def link(event, user):
        with app.app_context():
            db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
            db.session.commit()
        return event

    return link


@pytest.fixture
def listen():
    """listen(signal, note, returns=0): what each send of an events signal carried.

    The temporary receiver records note(sender, **values) and returns `returns`
    (added to what the real receivers return); it is disconnected after the test.
    """
    with contextlib.ExitStack() as stack:

        def start(signal, note, *, returns=0):
            heard = []

            def receiver(sender, **values):
                heard.append(note(sender, **values))
                return returns

            stack.enter_context(signal.connected_to(receiver))
            return heard

        yield start
