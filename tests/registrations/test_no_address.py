"""A walk-in may give no email address: nothing is ever queued for an empty one.

Every email to an attendee is written by a function in engage/registrations/emails.py;
each is called here for someone without an address (nothing queued) and with
one (the control: the same call queues a message). The walk also lists those
functions, so a new one joins this test or fails it. Then the real paths that
email many people at once: reminders, a schedule change, a cancelled event.
"""

from __future__ import annotations

import inspect

import pytest

from engage.attendees import services as attendee_services
from engage.events import manage_services
from engage.events.forms import EDITABLE_EVENT_FIELDS
from engage.events.models import Event
from engage.extensions import db
from engage.mail.mailings import write_next_batch
from engage.mail.models import OutboxMessage
from engage.registrations import emails, reminders
from engage.registrations.models import Registration
from tests.conftest import london
from tests.registrations.conftest import NOW, data, workshop

TOKEN = "a-self-service-token"


def _calls(registration: Registration) -> dict:
    """Every attendee email, called for this registration."""
    event = registration.event
    workshop = event.sessions[0] if event is not None and event.sessions else None
    return {
        "confirmation": lambda: emails.confirmation(registration, TOKEN),
        "waitlist_joined": lambda: emails.waitlist_joined(registration, 1, TOKEN),
        "already_registered": lambda: emails.already_registered(registration, TOKEN, position=None),
        "link_again": lambda: emails.link_again(registration, TOKEN, position=None),
        "promoted": lambda: emails.promoted(registration, TOKEN),
        "cancelled": lambda: emails.cancelled(registration),
        "event_changed": lambda: emails.event_changed(registration, [], token=TOKEN, position=None),
        "event_cancelled": lambda: emails.event_cancelled(registration, confirmed=True),
        "workshop_changed": lambda: emails.workshop_changed(registration, workshop, [], TOKEN),
        "workshop_removed": lambda: emails.workshop_removed(registration, "Gone", TOKEN),
        "reminder": lambda: emails.reminder(registration, TOKEN, offset_hours=24),
        "details_updated": lambda: emails.details_updated(
            registration, TOKEN, changed=["Name"], position=None
        ),
    }


def _writers() -> set[str]:
    """The functions in emails.py that write to one attendee (their first argument)."""
    return {
        name
        for name, function in inspect.getmembers(emails, inspect.isfunction)
        if function.__module__ == emails.__name__
        and not name.startswith("_")
        and next(iter(inspect.signature(function).parameters), "") == "registration"
        # personal_invitation builds the .ics file an email carries; it sends nothing.
        and inspect.signature(function).return_annotation != "Attachment"
    }


def _walk_in(event, email: str = "") -> Registration:
    """Someone registered at the desk, with or without an address."""
    result = attendee_services.add_registration(
        db.session.get(Event, event.id), data(email=email), notify=False, now=NOW
    )
    return result.registration


def _queued() -> list[tuple[str, str]]:
    rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.kind, m.to_address) for m in rows]


def test_every_attendee_email_is_in_the_walk(app):
    with app.app_context():
        assert _writers() == set(_calls(Registration()))


@pytest.mark.parametrize("kind", sorted(_calls(Registration())))
def test_no_email_is_queued_for_an_empty_address(app, make_event, kind):
    event = make_event(sessions=[workshop("W", 11)])
    with app.test_request_context():
        nobody = _walk_in(event)
        assert _calls(nobody)[kind]() is None
        assert _queued() == []
        someone = _walk_in(event, "grace@example.org")  # the control: the same call, an address
        assert _calls(someone)[kind]() is not None
        assert [to for _, to in _queued()] == ["grace@example.org"]


def test_reminders_skip_an_empty_address_and_reach_the_rest(app, make_event):
    event = make_event()
    with app.app_context():
        _walk_in(event)
        _walk_in(event, "grace@example.org")
        db.session.commit()
        assert reminders.queue_due_reminders(now=london(2027, 1, 20, 10)) == 1
        assert _queued() == [("reminder", "grace@example.org")]
        # And again: the one without an address is not tried on every run.
        assert reminders.queue_due_reminders(now=london(2027, 1, 20, 10, 1)) == 0


def test_a_schedule_change_and_a_cancelled_event_email_only_those_with_an_address(app, make_event):
    event = make_event()
    with app.test_request_context():
        _walk_in(event)
        _walk_in(event, "grace@example.org")
        db.session.commit()
        stored = db.session.get(Event, event.id)
        fields = {name: getattr(stored, name) for name in EDITABLE_EVENT_FIELDS}
        manage_services.update_event(stored, {**fields, "venue_name": "Town Hall"})
        while write_next_batch():  # the worker writes each person's notice
            pass
        manage_services.cancel_event(db.session.get(Event, event.id), "Snow", now=NOW)
        while write_next_batch():
            pass
        assert _queued() == [
            ("event_changed", "grace@example.org"),
            ("event_cancelled", "grace@example.org"),
        ]
