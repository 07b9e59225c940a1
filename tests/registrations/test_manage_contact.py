"""The self-service page names whom to contact and, for a place, the organisers' note."""

from __future__ import annotations

import time_machine

from engage.extensions import db
from engage.registrations import services
from engage.registrations.models import Registration
from tests.conftest import london
from tests.registrations.conftest import book


def _link(app, email: str) -> str:
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(Registration.email == email))
        token = services.issue_manage_token(registration)
        db.session.commit()
    return f"/registrations/{token}"


def test_the_page_gives_the_address_and_the_note_to_a_confirmed_person(app, client, make_event):
    event = make_event(
        capacity=1, contact_email="team@force.example", attendee_note_md="Use **car park B**."
    )
    with app.app_context():
        book(event, email="ada@example.org")
        book(event, email="bob@example.org")  # waiting list
        db.session.commit()
    page = client.get(_link(app, "ada@example.org")).text
    assert "To change your name or email address" in page
    assert '<a href="mailto:team@force.example">team@force.example</a>' in page
    assert "contact the organisers." not in page
    assert "<strong>car park B</strong>" in page
    waiting = client.get(_link(app, "bob@example.org")).text
    assert "mailto:team@force.example" in waiting
    assert "car park B" not in waiting  # no place, no note yet


def test_an_expired_link_names_the_events_contact(app, client, make_event):
    event = make_event(contact_email="team@force.example")
    with app.app_context():
        book(event)
        db.session.commit()
    link = _link(app, "ada@example.org")
    with time_machine.travel(london(2027, 6, 1), tick=False):
        response = client.get(link)
    assert response.status_code == 410
    assert '<a href="mailto:team@force.example">team@force.example</a>' in response.text
