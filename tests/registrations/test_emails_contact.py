"""Every attendee email names the event's contact, replies go there, and both parts link alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engage import create_app
from engage.events.models import Event
from engage.extensions import db
from engage.mail.delivery import build_message
from engage.mail.models import OutboxMessage
from engage.mail.services import queue_email
from engage.mail.worker import deliver_due
from engage.registrations import emails, services
from engage.registrations.models import Registration
from tests.conftest import TEST_CONFIG
from tests.mail.messages_helpers import by_recipient, html, text
from tests.registrations.conftest import book

TEMPLATES = Path(__file__).parents[2] / "templates" / "emails"
ATTENDEE_TEMPLATES = sorted(
    path.stem
    for folder in ("registrations", "attendees")
    for path in (TEMPLATES / folder).glob("*.html")
    if not path.name.startswith("_")
)
HREF = re.compile(r'href="(https?://[^"]+)"')
URL = re.compile(r"https?://[^\s<>\"]+")


def test_replies_go_to_the_events_contact_and_it_is_named(mail_app, smtp_server, make_event):
    event = make_event(title="Engagement Day", capacity=1, contact_email="team@force.example")
    with mail_app.app_context():
        book(event, email="ada@example.org")
        book(event, email="bob@example.org")  # waiting list
        deliver_due()
    mail = by_recipient(smtp_server)
    for message in (*mail["ada@example.org"], *mail["bob@example.org"]):
        assert message["Reply-To"] == "team@force.example"
        assert "Email the organisers at team@force.example, or reply" in text(message)
        assert 'href="mailto:team@force.example"' in html(message)
        # From: the site's name, not "Engage".
        assert (
            message["From"] == "Centre for Policing Research and Learning <events@engage.invalid>"
        )


def test_without_its_own_contact_the_sites_is_used(make_app, smtp_server, make_event):
    app = make_app(MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5, CONTACT_EMAIL="help@centre.example")
    event = make_event()
    with app.app_context():
        book(event)
        deliver_due()
    [received] = smtp_server.received
    assert received.message["Reply-To"] == "help@centre.example"
    assert "help@centre.example" in text(received.message)


def test_a_reply_to_that_is_not_one_plain_address_is_left_out(app):
    with app.app_context():
        for hostile in ("a@b.example\r\nBcc: c@d.example", "a@b.example, c@d.example", "x"):
            row = OutboxMessage(
                kind="t", to_address="ada@example.org", subject="s", body_text="t",
                reply_to=hostile, attachments=[],
            )  # fmt: skip
            assert build_message(row).reply_to is None
        row.reply_to = "team@force.example"
        assert build_message(row).reply_to == "team@force.example"  # control


def test_the_sender_is_named_after_the_site_properly_quoted(monkeypatch, tmp_path):
    monkeypatch.delenv("MAIL_DEFAULT_SENDER", raising=False)
    monkeypatch.setenv("SITE_NAME", 'Smith, Jones & "Co"')
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["MAIL_DEFAULT_SENDER"] == '"Smith, Jones & \\"Co\\"" <events@engage.invalid>'
    assert app.config["CONTACT_EMAIL"] == "events@engage.invalid"
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "Events <events@centre.example>")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["MAIL_DEFAULT_SENDER"] == "Events <events@centre.example>"
    assert app.config["CONTACT_EMAIL"] == "events@centre.example"


def _context(registration: Registration) -> dict:
    # Enough for any attendee template to render every link it has.
    workshop = registration.event.workshops[0] if registration.event.workshops else None
    change = {"what": "When", "was": "before", "now": "after"}
    return {
        **emails._details(registration),
        "manage_url": emails.manage_link("token-for-the-test"),
        "position": None,
        "changes": [change],
        "dropped_workshops": [],
        "workshop": workshop,
        "workshop_title": "A workshop",
        "changed": ["name"],
        "had_place": True,
        "confirmed": True,
        "offset_hours": 24,
        "body_text": "Hello",
        "body_html": "<p>Hello</p>",
    }


@pytest.mark.parametrize("name", ATTENDEE_TEMPLATES)
def test_both_parts_of_every_attendee_email_link_the_same_pages_and_name_the_contact(
    mail_app, make_event, name
):
    event = make_event(contact_email="team@force.example")
    folder = "attendees" if name == "message" else "registrations"
    with mail_app.test_request_context():
        registration = book(event).registration
        for position in (None, 2):
            context = {**_context(registration), "position": position, "confirmed": not position}
            row = queue_email(
                kind="t", to="ada@example.org", subject="s", template=f"{folder}/{name}",
                context=context,
            )  # fmt: skip
            in_html, in_text = set(HREF.findall(row.body_html)), set(URL.findall(row.body_text))
            assert in_html == in_text, (name, in_html ^ in_text)
            assert "team@force.example" in row.body_text
            assert 'href="mailto:team@force.example"' in row.body_html
        db.session.rollback()


def test_the_parity_check_can_fail(mail_app, make_event):
    """Control: the link to the event page only in the HTML part is caught."""
    event = make_event()
    with mail_app.test_request_context():
        registration = book(event).registration
        row = queue_email(
            kind="t", to="a@example.org", subject="s", template="registrations/confirmation",
            context=_context(registration),
        )  # fmt: skip
        url = emails.external_url("events.detail", slug=event.slug)
        assert url in HREF.findall(row.body_html)
        assert set(HREF.findall(row.body_html)) != set(URL.findall(row.body_text.replace(url, "")))
        db.session.rollback()


def test_an_event_contact_with_no_event_uses_the_site(app):
    from engage.events.contact import event_contact

    with app.app_context():
        assert event_contact(None) == app.config["CONTACT_EMAIL"]
        assert event_contact(Event(contact_email="  ")) == app.config["CONTACT_EMAIL"]


def test_leaving_sends_the_contact_too(mail_app, smtp_server, make_event):
    event = make_event(contact_email="team@force.example")
    with mail_app.app_context():
        services.cancel(book(event).registration)
        deliver_due()
    for received in smtp_server.received:
        assert received.message["Reply-To"] == "team@force.example"
