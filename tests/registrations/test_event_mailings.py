"""Change and cancellation notices go out through mailings: the organiser's request writes none."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from engage.accounts.models import Role
from engage.events import manage_services
from engage.events.forms import EDITABLE_EVENT_FIELDS
from engage.events.models import Event
from engage.extensions import db
from engage.mail.mailings import write_next_batch
from engage.mail.models import Mailing, MailingRecipient, MailingStatus, OutboxMessage
from engage.mail.worker import deliver_due
from engage.registrations import services
from engage.registrations.models import (
    AttendeeCategory,
    ManageToken,
    Registration,
    RegistrationStatus,
)
from engage.registrations.retention import purge
from tests.conftest import london
from tests.mail.messages_helpers import by_recipient, text
from tests.registrations.conftest import book

START = london(2027, 1, 21, 9, 30)
PEOPLE = 2000


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _crowd(event_id: int, count: int) -> None:
    """`count` people registered, straight into the table: most confirmed, some waiting, a few gone."""

    def status(n):
        if n % 100 == 1:
            return RegistrationStatus.CANCELLED
        return RegistrationStatus.WAITLISTED if n % 20 == 0 else RegistrationStatus.CONFIRMED

    booked = START - dt.timedelta(days=30)
    rows = [
        {
            "event_id": event_id,
            "status": status(n),
            "email": f"person{n}@example.org",
            "first_name": f"Person{n}",
            "last_name": "Example",
            "organisation": "Northbridge Police",
            "job_title": "Inspector",
            "category": AttendeeCategory.POLICE_OFFICER,
            "privacy_accepted": True,
            "created_at": booked,
            "waitlisted_at": booked + dt.timedelta(minutes=n),
        }
        for n in range(1, count + 1)
    ]
    db.session.execute(insert(Registration), rows)
    db.session.commit()


def _active(event_id: int) -> int:
    return _count(
        Registration,
        Registration.event_id == event_id,
        Registration.status != RegistrationStatus.CANCELLED,
    )


def _form(event: Event, **changes) -> dict:
    """The event's edit form as the page would post it, with changes."""
    fields = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary or "",
        "description_md": "",
        "starts_at": "2027-01-21T09:30",
        "ends_at": "2027-01-21T16:30",
        "venue_name": event.venue_name,
        "venue_address": "",
        "capacity": str(event.capacity),
        "waitlist_enabled": "y",
        "max_workshops": "1",
        "reminder_offsets_hours": "7d, 1d",
        "retention_days": str(event.retention_days),
        "needs_retention_days": str(event.needs_retention_days),
        "save": "Save event",
    }
    return {**fields, **changes}


def _write_all() -> int:
    written = 0
    while taken := write_next_batch(batch_size=500):
        written += taken
    return written


@pytest.fixture
def crowded(app, make_event, make_user, login_as):
    """An event with 2,000 registrations and an admin's client signed in."""
    event = make_event(title="Big Day", starts_at=START, capacity=5000)
    with app.app_context():
        _crowd(event.id, PEOPLE)
    client = app.test_client()
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return event, client


def test_a_change_for_2000_attendees_writes_no_email_in_the_request(app, crowded):
    event, client = crowded
    with app.app_context():
        active = _active(event.id)
        event = db.session.get(Event, event.id)
        form = _form(event, venue_name="Civic Hall")

    response = client.post(f"/admin/events/{event.id}/edit", data=form)

    assert response.status_code == 302
    assert f"{active} attendee(s) told" in client.get(response.location).text
    with app.app_context():
        assert _count(OutboxMessage) == 0  # the request wrote no email...
        mailing = db.session.scalars(select(Mailing)).one()  # ...only the mailing
        assert (mailing.kind, mailing.status, mailing.recipient_count) == (
            "event-changed",
            MailingStatus.QUEUED,
            active,
        )
        assert mailing.params["changes"][0]["what"] == "Where"
        assert _count(MailingRecipient) == active

        assert _write_all() == active
        assert _count(OutboxMessage, OutboxMessage.kind == "event_changed") == active
        assert _count(ManageToken) == active  # each person's own fresh link
        assert db.session.scalars(select(Mailing)).one().status == MailingStatus.DONE


def test_a_cancellation_for_2000_attendees_writes_no_email_in_the_request(app, crowded):
    event, client = crowded
    with app.app_context():
        active = _active(event.id)

    response = client.post(f"/admin/events/{event.id}/cancel", data={"reason": "Snow."})

    assert response.status_code == 302
    assert f"{active} attendee(s) will be told" in client.get(response.location).text
    with app.app_context():
        assert _count(OutboxMessage) == 0
        mailing = db.session.scalars(select(Mailing)).one()
        assert (mailing.kind, mailing.recipient_count) == ("event-cancelled", active)
        assert _count(MailingRecipient) == active

        assert _write_all() == active
        cancelled = select(OutboxMessage).where(OutboxMessage.kind == "event_cancelled")
        messages = db.session.scalars(cancelled).all()
        assert len(messages) == active
        assert len({m.to_address for m in messages}) == active
        # Confirmed people get the calendar CANCEL; people waiting do not.
        with_cancel = [m for m in messages if m.attachments]
        assert len(with_cancel) == _count(
            Registration,
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )


def _move(event_id: int, **changes):
    event = db.session.get(Event, event_id)
    fields = {name: getattr(event, name) for name in EDITABLE_EVENT_FIELDS}
    return manage_services.update_event(event, {**fields, **changes})


def test_people_are_written_to_as_they_are_when_the_worker_gets_there(
    mail_app, smtp_server, make_event
):
    event = make_event(title="Day", starts_at=START, capacity=1)
    with mail_app.app_context():
        book(event, email="ada@example.org")
        bob = book(event, email="bob@example.org").registration  # waiting, number 1
        book(event, email="cat@example.org")  # waiting, number 2
        assert _move(event.id, venue_name="Civic Hall").attendees_told == 3
        # Before the worker writes: Bob leaves, so Cat moves up the line.
        services.cancel(db.session.get(Registration, bob.id))
        # Three bookings, Bob's cancellation, and two change notices: not Bob's.
        assert deliver_due().sent == 3 + 1 + 2
    mail = by_recipient(smtp_server)
    assert [m["Subject"] for m in mail["bob@example.org"]] == [
        "You are on the waiting list for Day",
        "Your registration for Day is cancelled",
    ]
    *_, notice = mail["cat@example.org"]
    assert "still on the waiting list (number 1 in line)" in text(notice)
    with mail_app.app_context():
        mailing = db.session.scalars(select(Mailing)).one()
        assert (mailing.written_count, mailing.skipped_count) == (2, 1)


def test_a_change_not_yet_written_when_the_event_is_cancelled_is_not_sent(
    mail_app, smtp_server, make_event
):
    event = make_event(title="Day", starts_at=START)
    with mail_app.app_context():
        book(event, email="ada@example.org")
        _move(event.id, venue_name="Civic Hall")
        manage_services.cancel_event(db.session.get(Event, event.id), "Snow.")
        deliver_due()
    subjects = [m["Subject"] for m in by_recipient(smtp_server)["ada@example.org"]]
    assert subjects == ["Your place at Day is confirmed", "Cancelled: Day"]


def test_the_purge_deletes_the_events_mailings_and_who_they_went_to(app, make_event):
    old = make_event(slug="old", title="Old", starts_at=START, retention_days=30)
    kept = make_event(slug="kept", title="Kept", starts_at=START, retention_days=365)
    with app.app_context():
        for event in (old, kept):
            book(event, email="ada@example.org")
            _move(event.id, venue_name="Civic Hall")
        assert _count(Mailing) == 2 and _count(MailingRecipient) == 2
        assert purge(now=START + dt.timedelta(days=40)).registrations == 1
        assert db.session.scalars(select(Mailing.event_id)).all() == [kept.id]
        assert _count(MailingRecipient) == 1
