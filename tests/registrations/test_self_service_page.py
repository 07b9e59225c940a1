"""The self-service page people open on the day: where, how to join, and their own invitation."""

import base64
import re

import icalendar
import pytest

from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.attachments import registration_uid
from engage.registrations.models import Registration, RegistrationStatus
from tests.registrations.conftest import form

ADDRESS = "1 Quay Street, Northbridge NB1 2AB"
JOIN = (
    "Join on Teams: https://teams.example.org/meet/123?pwd=a&b=c\n"
    "Meeting ID: 123 456\n"
    '<script>alert("x")</script>'
)


def _book(app, client, slug, **fields):
    """Book through the form; the self-service token from the newest email."""
    client.post(f"/events/{slug}/register", data=form(**fields))
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"/registrations/(\S+)", body).group(1)


def _page(client, token) -> str:
    return client.get(f"/registrations/{token}").get_data(as_text=True)


def test_the_venue_has_its_address_and_a_plain_map_link(app, client, make_event):
    make_event(slug="day", venue_name="Riverside Centre", venue_address=ADDRESS)
    token = _book(app, client, "day")
    response = client.get(f"/registrations/{token}")
    html = response.get_data(as_text=True)
    assert "Riverside Centre<br>1 Quay Street, Northbridge NB1 2AB" in html
    link = "https://www.openstreetmap.org/search?query=1+Quay+Street%2C+Northbridge+NB1+2AB"
    assert f'<a href="{link}">Map of Riverside Centre (OpenStreetMap)</a>' in html
    # A link followed by choice: nothing is loaded from the map site, and it gets no token.
    assert "<iframe" not in html and not re.search(r'src="https?://', html)
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_map_link_without_a_venue_or_online(app, client, make_event):
    make_event(slug="tbc", venue_name="", venue_address="")
    make_event(slug="online", is_online=True, venue_name="")
    for slug in ("tbc", "online"):
        html = _page(client, _book(app, app.test_client(), slug))
        assert "openstreetmap" not in html and "<h2>Where</h2>" not in html


def test_online_joining_details_are_shown_to_confirmed_attendees_escaped(app, client, make_event):
    make_event(slug="online", is_online=True, capacity=1, online_join_details=JOIN)
    html = _page(client, _book(app, client, "online"))
    assert "<h2>Joining online</h2>" in html
    url = "https://teams.example.org/meet/123?pwd=a&amp;b=c"
    assert f'<a href="{url}" rel="noopener">{url}</a>' in html
    assert "Meeting ID: 123 456" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_waiting_list_sees_no_joining_details_and_no_invitation(app, client, make_event):
    make_event(slug="online", is_online=True, capacity=1, online_join_details=JOIN)
    _book(app, client, "online")
    waiting = _book(app, app.test_client(), "online", email="w@example.org")
    html = _page(client, waiting)
    assert "On the waiting list" in html
    assert "teams.example.org" not in html and "Joining online" not in html
    assert "Add to calendar" not in html
    assert client.get(f"/registrations/{waiting}/calendar.ics").status_code == 404


def test_add_to_calendar_serves_the_confirmation_emails_invitation(app, client, make_event):
    make_event(slug="day", title="Engagement Day", venue_address=ADDRESS)
    token = _book(app, client, "day")
    html = _page(client, token)
    assert f'href="/registrations/{token}/calendar.ics">Add to calendar' in html

    response = client.get(f"/registrations/{token}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; method=REQUEST"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    with app.app_context():
        registration = db.session.scalars(db.select(Registration)).one()
        uid = registration_uid(registration.id)
        attachments = db.session.scalars(
            db.select(OutboxMessage.attachments).where(
                OutboxMessage.kind == "registration_confirmation"
            )
        ).one()
    [emailed] = [a for a in attachments if a["filename"] == "invite.ics"]
    served = icalendar.Calendar.from_ical(response.data)
    attached = icalendar.Calendar.from_ical(base64.b64decode(emailed["data"]))
    [mine], [theirs] = served.walk("VEVENT"), attached.walk("VEVENT")
    assert str(mine["UID"]) == uid
    assert str(mine["ATTENDEE"]) == "mailto:ada@example.org"
    # The same invitation: every line but the moment it was made.
    for name in ("UID", "SEQUENCE", "SUMMARY", "LOCATION", "ATTENDEE", "ORGANIZER", "DTSTART"):
        assert mine.get(name) == theirs.get(name), name
    assert served["METHOD"] == attached["METHOD"] == "REQUEST"


@pytest.mark.parametrize("what", ["registration", "event"])
def test_no_invitation_once_cancelled(app, client, make_event, what):
    event = make_event(slug="day")
    token = _book(app, client, "day")
    with app.app_context():
        if what == "registration":
            db.session.scalars(db.select(Registration)).one().status = RegistrationStatus.CANCELLED
        else:
            db.session.get(Event, event.id).cancelled_at = utcnow()
        db.session.commit()
    assert "Add to calendar" not in _page(client, token)
    assert client.get(f"/registrations/{token}/calendar.ics").status_code == 404


def test_an_unknown_token_has_no_invitation(client, make_event):
    make_event(slug="day")
    assert client.get("/registrations/nothing-here/calendar.ics").status_code == 404
