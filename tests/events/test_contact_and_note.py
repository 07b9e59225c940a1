"""An event's contact address and its note for attendees: set on the form, shown where they belong."""

from __future__ import annotations

from icalendar import Calendar

from engage.events.contact import join_details_html, join_url
from engage.events.models import Event
from engage.extensions import db

SITE_CONTACT = "events@engage.invalid"  # the address of the default MAIL_DEFAULT_SENDER


def _only_event(app) -> Event:
    with app.app_context():
        return db.session.scalars(db.select(Event)).one()


def test_the_form_saves_a_contact_and_a_note(app, client, login_as, organiser, event_form):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new",
        data=event_form(contact_email=" Events@Northbridge.Example ", attendee_note_md="Bring ID."),
    )
    assert response.status_code == 302
    event = _only_event(app)
    assert event.contact_email == "events@northbridge.example"  # the project's one spelling
    assert event.attendee_note_md == "Bring ID."
    page = client.get(f"/admin/events/{event.id}/edit").text
    assert 'value="events@northbridge.example"' in page and "Bring ID." in page
    assert "Leave blank to use events@engage.invalid" in page


def test_a_malformed_contact_is_refused_beside_the_field_and_kept(
    app, client, login_as, organiser, event_form
):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new", data=event_form(contact_email="not an address", title="Kept title")
    )
    assert response.status_code == 200
    page = response.text
    assert "<title>Error: " in page
    assert 'id="contact_email-error"' in page and 'href="#contact_email"' in page
    assert 'value="not an address"' in page and 'value="Kept title"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_the_event_page_names_its_contact_or_the_sites(client, make_event):
    own = make_event(slug="own", contact_email="team@northbridge.example")
    make_event(slug="site")
    page = client.get(f"/events/{own.slug}").text
    assert '<a href="mailto:team@northbridge.example">team@northbridge.example</a>' in page
    page = client.get("/events/site").text
    assert f'<a href="mailto:{SITE_CONTACT}">{SITE_CONTACT}</a>' in page


def test_the_sites_contact_is_a_setting(make_app, make_event):
    event = make_event()
    app = make_app(CONTACT_EMAIL="help@centre.example")  # the same database
    page = app.test_client().get(f"/events/{event.slug}").text
    assert '<a href="mailto:help@centre.example">help@centre.example</a>' in page


def test_the_note_is_never_on_the_public_page(client, make_event):
    event = make_event(attendee_note_md="Door code 4471")
    assert "4471" not in client.get(f"/events/{event.slug}").text
    ics = client.get(f"/events/{event.slug}/calendar.ics").get_data(as_text=True)
    assert "4471" not in ics


def test_the_public_calendar_never_carries_joining_details(client, make_event):
    event = make_event(
        is_online=True,
        venue_name="",
        online_join_details="Teams: https://teams.example/join/SECRET\nPasscode 9921",
        description_md="First paragraph.\r\n\r\nSecond paragraph.",
    )
    body = client.get(f"/events/{event.slug}/calendar.ics").data
    assert b"SECRET" not in body and b"9921" not in body
    [item] = Calendar.from_ical(body).walk("VEVENT")
    assert str(item["location"]) == "Online"
    # Paragraphs stay paragraphs: a blank line between them.
    assert "First paragraph.\n\nSecond paragraph." in str(item["description"])


def test_joining_links_are_links_and_the_rest_is_escaped():
    typed = (
        "Join: https://teams.example/l/meetup-join/19%3a?context=%7b%22Tid%22%7d.\n"
        "<script>alert(1)</script> [click](javascript:alert(1)) **bold** (https://b.example/x)"
    )
    html = str(join_details_html(typed))
    assert '<a href="https://teams.example/l/meetup-join/19%3a?context=%7b%22Tid%22%7d" ' in html
    assert "%7d</a>.\n&lt;script&gt;" in html  # the full stop is the sentence's
    assert "<script>" not in html and "javascript:" in html and 'href="javascript' not in html
    assert "**bold**" in html  # not Markdown
    assert '<a href="https://b.example/x" ' in html and "/x</a>)" in html
    assert join_url(typed) == "https://teams.example/l/meetup-join/19%3a?context=%7b%22Tid%22%7d"
    assert join_url("Dial 0800 123 456") is None
    hostile = str(join_details_html('https://x.example/"onmouseover="alert(1)'))
    assert 'href="https://x.example/"' in hostile and "onmouseover=&#34;" in hostile
