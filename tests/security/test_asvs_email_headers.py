"""An event's title in an attendee's email subject adds no header (ASVS 5.0 V1.3.11, V1.2.1).

tests/mail/test_headers.py keeps the post office's side: a subject, a staff name, an
attachment's file name or an address with line breaks in it, queued directly or
written straight into the outbox, adds no header. Here the same through the
registration feature's own emails, whose subjects are built from the event's title:
a title with line breaks (the form refuses them; a title written any other way must
still be safe) is delivered as one line.
"""

from __future__ import annotations

from engage.events import manage_services
from engage.events.models import Event
from engage.extensions import db
from engage.mail.worker import deliver_due
from engage.registrations import services as registrations
from tests.mail.test_headers import EVIL, HEADERS, _assert_clean
from tests.registrations.conftest import data


def test_asvs_1_3_11_an_event_title_with_line_breaks_adds_no_header(
    mail_app, smtp_server, make_event
):
    event = make_event(slug="day", title="Day" + EVIL, venue_name="Hall" + EVIL)
    with mail_app.test_request_context():
        registrations.register(db.session.get(Event, event.id), data(first_name="Ada" + EVIL))
        manage_services.cancel_event(db.session.get(Event, event.id), "Snow" + EVIL)
        assert deliver_due().sent == 2

    subjects = sorted(received.message["Subject"] for received in smtp_server.received)
    assert subjects == [
        "Cancelled: Day Bcc: evil@example.org X-Injected: yes",
        "Your place at Day Bcc: evil@example.org X-Injected: yes is confirmed",
    ]
    for received in smtp_server.received:
        # Attendee emails carry a Reply-To: the event's contact, one plain address.
        _assert_clean(received, HEADERS | {"Reply-To"})
        assert received.message["Reply-To"] == "events@engage.invalid"
