"""A cancelled place keeps no dietary or access answers: they go in the cancelling transaction."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from engage.attendees import services as attendees
from engage.events.manage_services import cancel_event
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.registrations import services
from engage.registrations.models import Registration, RegistrationStatus
from engage.registrations.needs import ERASED, ERASED_AT_CANCELLATION
from tests.registrations.conftest import NOW, data


def _cancel_by_attendee(registration):
    services.cancel(registration, now=NOW)


def _cancel_by_organiser(registration):
    attendees.cancel_registration(registration, now=NOW)


def _cancel_the_event(registration):
    cancel_event(db.session.get(Event, registration.event_id), "Flooded venue", now=NOW)


@pytest.mark.parametrize("cancel", [_cancel_by_attendee, _cancel_by_organiser, _cancel_the_event])
def test_cancelling_erases_answers_and_blanks_sent_emails_at_once(app, make_event, cancel):
    event = make_event()
    with app.app_context():
        booked = services.register(
            db.session.get(Event, event.id),
            data(
                dietary_requirements="Coeliac",
                dietary_consent=True,
                access_requirements="Hearing loop",
                access_consent=True,
            ),
            now=NOW - dt.timedelta(days=1),
        ).registration
        other = services.register(
            db.session.get(Event, event.id),
            data(email="kim@example.org", dietary_requirements="Halal", dietary_consent=True),
            now=NOW - dt.timedelta(days=1),
        ).registration
        db.session.execute(update(OutboxMessage).values(status=MessageStatus.SENT))
        db.session.commit()
        registration_id, other_id = booked.id, other.id

        cancel(db.session.get(Registration, registration_id))
        db.session.expire_all()

        registration = db.session.get(Registration, registration_id)
        assert (registration.dietary_requirements, registration.access_requirements) == ("", "")
        assert not registration.dietary_consent and not registration.access_consent
        assert registration.dietary_consent_at is None and registration.access_consent_at is None
        assert ERASED_AT_CANCELLATION in [h.note for h in registration.history]
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == registration_id)
        ).all()
        assert {m.body_text for m in messages if m.status == MessageStatus.SENT} == {ERASED}
        assert all("Coeliac" not in m.body_html for m in messages)
        # What is still to go out (the cancellation notice) goes out as written.
        assert all(m.body_text != ERASED for m in messages if m.status == MessageStatus.PENDING)
        kim = db.session.get(Registration, other_id)
        if cancel is _cancel_the_event:
            assert kim.dietary_requirements == ""  # no day, no need for anyone's
            assert db.session.get(Event, event.id).needs_erased_at == NOW
        else:
            assert kim.dietary_requirements == "Halal"
            assert kim.status == RegistrationStatus.CONFIRMED
