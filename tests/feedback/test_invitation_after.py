"""The survey invitation carries the certificate and the day's resources to those who came."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import select

from engage.events.models import EventResource
from engage.extensions import db
from engage.feedback import sending
from engage.mail.models import OutboxMessage
from tests.feedback.conftest import SENDS, people

CERTIFICATE = re.compile(r"https?://[^/\s]+(/registrations/[A-Za-z0-9_-]+/certificate\.pdf)")


def _bodies(app) -> dict[str, tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.to_address, OutboxMessage.body_text, OutboxMessage.body_html)
        )
        return {to: (text, html) for to, text, html in rows}


def test_the_invitation_of_those_who_came_links_the_certificate_and_resources(
    app, client, survey_event
):
    event, _ = survey_event()
    people(app, event, 1, checked_in=True)
    with app.app_context():
        db.session.add(EventResource(event_id=event.id, title="Slides", url="https://ex.org/s"))
        db.session.commit()
    with time_machine.travel(SENDS, tick=False), app.app_context():
        assert sending.send_due(now=SENDS) == (1, 0)
    text, html = _bodies(app)["person0@example.org"]
    assert "Your certificate of attendance (PDF)" in text
    assert "Download your certificate of attendance (PDF)" in html
    assert f"/events/{event.slug}#after-the-event" in text
    assert "Answer the survey:" in text
    # The link is a working one: the PDF comes back.
    path = CERTIFICATE.search(text).group(1)
    with time_machine.travel(SENDS, tick=False):
        response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_those_asked_without_a_check_in_get_no_certificate_link(app, survey_event):
    """Control: the event used no check-in, so nobody has a certificate to download."""
    event, _ = survey_event()
    people(app, event, 1)
    with time_machine.travel(SENDS, tick=False), app.app_context():
        assert sending.send_due(now=SENDS) == (1, 0)
    text, html = _bodies(app)["person0@example.org"]
    assert "certificate" not in text.lower() and "certificate" not in html.lower()
    assert f"Thank you for coming to {event.title}." in text
