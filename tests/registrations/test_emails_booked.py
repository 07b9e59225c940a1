"""What a booked person is sent: what they told us, the organisers' note, online joining, waiting list."""

from __future__ import annotations

import pytest

from engage.events.models import Event
from engage.extensions import db
from engage.mail.worker import deliver_due
from engage.registrations import services
from engage.registrations.models import AttendeeCategory
from tests.mail.messages_helpers import attachments, by_recipient, html, text, vevent
from tests.registrations.conftest import book, workshop

DESK = "registration desk"
JOIN = "https://teams.example/l/meetup-join/19%3ameeting"
DETAILS = (
    f"Join on Teams: {JOIN}\nMeeting ID: 123 456\n\nPasscode: <b>x&y</b> [not](javascript:alert(1))"
)


@pytest.fixture
def question_event(workshop_event):
    def factory(**fields):
        fields.setdefault("title", "Engagement Day")
        return workshop_event(**fields)

    return factory


def _answers(event_id) -> dict:
    questions = db.session.get(Event, event_id).questions
    return {
        questions[0].id: "How to use evidence\nin practice",
        questions[1].id: "Train",
        questions[2].id: ["Leadership", "Data"],
        questions[3].id: "yes",
    }


def test_the_confirmation_repeats_what_they_told_us(mail_app, smtp_server, question_event):
    event = question_event(attendee_note_md="Bring **photo ID**.", travel_info_md="Book a space.")
    with mail_app.app_context():
        first = db.session.get(Event, event.id).workshops[0].id
        book(
            event,
            category=AttendeeCategory.ACADEMIC,
            job_title="Lecturer",
            workshop_ids=[first],
            answers=_answers(event.id),
            dietary_requirements="Halal",
            dietary_consent=True,
        )
        deliver_due()
    [received] = smtp_server.received
    body, page = text(received.message), html(received.message)
    for line in (
        "Organisation: Northbridge Police",
        "Job title or role: Lecturer",
        "Category: Academic or researcher",
        "What do you hope to learn?: How to use evidence\nin practice",
        "How will you travel?: Train",
        "Topics of interest: Leadership, Data",
        "Need parking?: Yes",
        "Dietary requirements: Halal",
        "For attendees:\nBring photo ID.",
    ):
        assert line in body, line
    assert "Access requirements" not in body  # none given
    assert "- Learning from failure:" in body
    assert "<strong>photo ID</strong>" in page and "<strong>Need parking?</strong>" in page
    assert "Book a space" not in body + page  # the travel text is for before booking


def test_needs_without_consent_are_not_repeated(mail_app, smtp_server, question_event):
    event = question_event(questions=[])
    with mail_app.app_context():
        registration = book(event).registration
        # Stored before the consent rule, or by hand: never sent back without consent.
        registration.access_requirements = "Wheelchair"
        db.session.commit()
        services.cancel(registration)
        book(event, email="bob@example.org", access_requirements="Ramp", access_consent=True)
        deliver_due()
    mail = by_recipient(smtp_server)
    assert "Wheelchair" not in text(mail["ada@example.org"][0])
    assert "Access requirements: Ramp" in text(mail["bob@example.org"][0])


def test_a_promotion_repeats_it_too_with_the_note(mail_app, smtp_server, question_event):
    event = question_event(capacity=1, sessions=[], attendee_note_md="Car park B.")
    with mail_app.app_context():
        ada = book(event, answers=_answers(event.id)).registration
        book(event, email="bob@example.org", job_title="Sergeant", answers=_answers(event.id))
        services.cancel(ada)
        deliver_due()
    joined, promoted = by_recipient(smtp_server)["bob@example.org"]
    assert "Job title or role: Sergeant" in text(promoted) and "Car park B." in text(promoted)
    assert "Car park B." not in text(joined) + html(joined)  # no place yet


def test_online_emails_have_no_desk_and_a_real_joining_link(mail_app, smtp_server, make_event):
    event = make_event(
        title="Online Day", is_online=True, venue_name="", online_join_details=DETAILS
    )
    with mail_app.app_context():
        book(event)
        deliver_due()
    [received] = smtp_server.received
    message = received.message
    body, page = text(message), html(message)
    assert DESK not in body and DESK not in page and "cid:" not in page
    assert set(attachments(message)) == {"invite.ics"}  # no QR code to show anyone
    assert f'<a href="{JOIN}"' in page
    assert "&lt;b&gt;x&amp;y&lt;/b&gt;" in page and 'href="javascript' not in page
    assert DETAILS in body  # as typed in the text part
    item = vevent(message)
    assert str(item["url"]) == JOIN and str(item["location"]) == f"Online: {JOIN}"
    assert str(item["description"]).startswith(f"How to join:\n{DETAILS}\n\n")


def test_control_an_event_at_a_venue_keeps_the_desk(mail_app, smtp_server, make_event):
    event = make_event()
    with mail_app.app_context():
        book(event)
        deliver_due()
    [received] = smtp_server.received
    assert DESK in text(received.message) and "check-in-code.png" in attachments(received.message)
    assert str(vevent(received.message)["location"]) == "Riverside Conference Centre"


def test_online_reminders_have_no_desk_or_code(mail_app, smtp_server, make_event):
    from engage.registrations import emails

    event = make_event(is_online=True, venue_name="", online_join_details=DETAILS)
    with mail_app.test_request_context():
        registration = book(event).registration
        emails.reminder(registration, "token", offset_hours=24)
        db.session.commit()
        deliver_due()
    reminder = smtp_server.received[-1].message
    assert "Reminder:" in reminder["Subject"]
    assert DESK not in text(reminder) and attachments(reminder) == {}
    assert f'<a href="{JOIN}"' in html(reminder)


def test_the_waiting_list_email_offers_only_what_the_page_can_do(mail_app, smtp_server, make_event):
    plain = make_event(capacity=1, contact_email="team@force.example")
    with_workshops = make_event(capacity=1, sessions=[workshop("Data", 11)], max_workshops=1)
    with mail_app.app_context():
        for event in (plain, with_workshops):
            book(event)
            book(event, email=f"bob{event.id}@example.org")
        deliver_due()
    mail = by_recipient(smtp_server)
    body = text(mail[f"bob{plain.id}@example.org"][0])
    assert "change your details" not in body.lower()
    assert "lets you change your dietary and access requirements, or leave the waiting list" in body
    assert (
        "To change your name or email address, email the organisers at team@force.example" in body
    )
    assert "check-in code" in body  # a venue: the code comes with a place
    body = text(mail[f"bob{with_workshops.id}@example.org"][0])
    assert "change your workshops or your dietary and access requirements" in body
