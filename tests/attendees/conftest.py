"""Fixtures for the organiser's attendee pages: the registration fixtures, shared, and staff."""

from __future__ import annotations

import itertools

import pytest

from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.registrations import services
from engage.registrations.models import Registration
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.registrations.conftest import NOW, workshop_event  # noqa: F401 - shared fixture
from tests.registrations.conftest import book as book_service


def workshop_ids(app, event) -> tuple[int, ...]:
    """The ids of the event's workshops, in programme order."""
    with app.app_context():
        return tuple(w.id for w in db.session.get(Event, event.id).workshops)


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


@pytest.fixture
def small_event(app, workshop_event):  # noqa: F811 - the shared fixture, requested
    """Three confirmed (one checked in, one with requirements), two waiting, one cancelled."""
    event = workshop_event(capacity=3, timezone="Europe/Paris")
    first = workshop_ids(app, event)[0]
    with app.app_context():
        travel = db.session.get(Event, event.id).questions[1].id

        def book(event, **fields):
            return book_service(event, answers={travel: "Train"}, **fields)

        ada = book(
            event,
            email="ada@example.org",
            first_name="Ada",
            last_name="Lovelace",
            workshop_ids=[first],
            dietary_requirements="Halal",
            dietary_consent=True,
            access_requirements="Step-free seat",
            access_consent=True,
        )
        book(event, email="bob@example.org", first_name="Bob", last_name="Brown")
        fay = book(event, email="fay@example.org", first_name="Fay", last_name="Fox")
        services.cancel(db.session.get(Registration, fay.registration.id), now=NOW)
        book(event, email="cat@example.org", first_name="Cat", last_name="Adams")
        book(event, email="dan@example.org", first_name="Dan", last_name="Dune")
        book(
            event,
            email="zoe@example.org",
            first_name="Zoë",
            last_name="Ørsted",
            organisation="Université de Lyon",
        )
        db.session.get(Registration, ada.registration.id).checked_in_at = NOW
        db.session.commit()
        ids = {r.first_name: r.id for r in db.session.scalars(db.select(Registration))}
    return event, ids
