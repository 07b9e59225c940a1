"""What the attendee receives when an organiser acts for them, through a real SMTP server."""

from __future__ import annotations

import pytest

from engage.attendees import services
from engage.events.models import Event
from engage.extensions import db
from engage.mail.qrcode import qr_png
from engage.mail.worker import deliver_due
from tests.attendees.helpers import booked, fresh, workshop_ids
from tests.attendees.test_services import details, free_a_place
from tests.mail.messages_helpers import attachments, html, manage_path, text
from tests.registrations.conftest import NOW, data, qr_link


@pytest.fixture
def delivered(mail_app, smtp_server):
    """deliver(): send what is queued; the messages received since the last call."""
    seen = []

    def deliver():
        with mail_app.app_context():
            deliver_due()
        new = smtp_server.received[len(seen) :]
        seen.extend(new)
        return new

    return deliver


def test_corrected_details_are_sent_to_the_new_address(mail_app, make_event, delivered):
    event = make_event(title="Engagement Day")
    with mail_app.app_context():
        rid = booked(event)
    delivered()
    with mail_app.app_context():
        services.update_details(
            fresh(rid), details(fresh(rid), first_name="Augusta", email="augusta@example.org")
        )
    [received] = delivered()
    assert received.rcpt_tos == ["augusta@example.org"]
    message = received.message
    assert message["Subject"] == "Your registration for Engagement Day has been updated"
    body = text(message)
    assert "Dear Augusta," in body
    assert "What changed: First name, Email address." in body
    assert "Name: Augusta Lovelace" in body and "Email address: augusta@example.org" in body
    assert "Your place is confirmed." in body
    assert "Augusta Lovelace" in html(message)
    page = mail_app.test_client().get(manage_path(message))
    assert page.status_code == 200 and "augusta@example.org" in page.get_data(as_text=True)


def test_dont_email_sends_nothing(mail_app, make_event, delivered):
    event = make_event()
    with mail_app.app_context():
        rid = booked(event)
    delivered()
    with mail_app.app_context():
        services.update_details(fresh(rid), details(fresh(rid), last_name="King"), notify=False)
        services.change_workshops(fresh(rid), [], notify=False)
    assert delivered() == []


def test_new_workshops_are_sent(mail_app, workshop_event, delivered):
    event = workshop_event(questions=[])
    with mail_app.app_context():
        rid = booked(event)
        first, _, _ = workshop_ids(event)
    delivered()
    with mail_app.app_context():
        services.change_workshops(fresh(rid), [first])
    [received] = delivered()
    body = text(received.message)
    assert "What changed: Workshops." in body
    assert "- Learning from failure: Thursday 21 January 2027, 11am to 12:15pm" in body


def test_cancel_tells_them_and_the_person_promoted(mail_app, make_event, delivered):
    event = make_event(capacity=1, title="Engagement Day")
    with mail_app.app_context():
        rid = booked(event)
        booked(event, email="grace@example.org")
    delivered()
    with mail_app.app_context():
        services.cancel_registration(fresh(rid))
    received = by_recipient_of(delivered())
    [cancelled] = received["ada@example.org"]
    assert cancelled["Subject"] == "Your registration for Engagement Day is cancelled"
    assert "cancel.ics" in attachments(cancelled)
    [promoted] = received["grace@example.org"]
    assert promoted["Subject"].startswith("A place has come up")


def test_cancel_without_email_tells_only_the_person_promoted(mail_app, make_event, delivered):
    event = make_event(capacity=1)
    with mail_app.app_context():
        rid = booked(event)
        booked(event, email="grace@example.org")
    delivered()
    with mail_app.app_context():
        services.cancel_registration(fresh(rid), notify=False)
    assert [r.rcpt_tos for r in delivered()] == [["grace@example.org"]]


def test_promotion_out_of_turn_sends_the_promotion_email(mail_app, make_event, delivered):
    event = make_event(capacity=1)
    with mail_app.app_context():
        booked(event)
        booked(event, email="first@example.org")
        rid = booked(event, email="second@example.org")
    delivered()
    with mail_app.app_context():
        free_a_place(event)
        services.promote(fresh(rid))
    [received] = delivered()
    assert received.rcpt_tos == ["second@example.org"]
    assert set(attachments(received.message)) == {"invite.ics", "check-in-code.png"}


def test_resend_is_the_confirmation_with_a_working_link_ics_and_qr(mail_app, make_event, delivered):
    event = make_event(title="Engagement Day")
    with mail_app.app_context():
        rid = booked(event)
        code = fresh(rid).checkin_code
    [original] = delivered()
    with mail_app.app_context():
        services.resend_confirmation(fresh(rid))
    [received] = delivered()
    message = received.message
    assert message["Subject"] == "Your place at Engagement Day is confirmed"
    files = attachments(message)
    assert set(files) == {"invite.ics", "check-in-code.png"}
    assert files["check-in-code.png"].get_content() == qr_png(qr_link(mail_app, code))
    link = manage_path(message)
    assert link != manage_path(original.message)  # a fresh link
    client = mail_app.test_client()
    assert client.get(link).status_code == 200
    assert client.get(manage_path(original.message)).status_code == 200  # the old one still works


def test_a_registration_added_by_hand_gets_a_confirmation_only_when_asked(
    mail_app, make_event, delivered
):
    event = make_event()
    with mail_app.app_context():
        stored = db.session.get(Event, event.id)
        services.add_registration(stored, data(), now=NOW)
        services.add_registration(stored, data(email="quiet@example.org"), notify=False, now=NOW)
    [received] = delivered()
    assert received.rcpt_tos == ["ada@example.org"]
    assert "invite.ics" in attachments(received.message)


def by_recipient_of(received) -> dict:
    """The messages received, by recipient."""
    found: dict = {}
    for item in received:
        found.setdefault(item.rcpt_tos[0], []).append(item.message)
    return found
