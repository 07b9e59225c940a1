"""An attendee's whole journey in a real browser: find, register, change, cancel."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations import services
from engage.registrations.models import Registration
from tests.registrations.conftest import data, workshop

pytestmark = pytest.mark.browser


def test_register_then_change_a_workshop_then_cancel(app, live_server, page, make_event):
    make_event(
        slug="engagement-day",
        title="Engagement Day 2027",
        capacity=20,
        max_workshops=1,
        sessions=[workshop("Learning from failure", 11, 10), workshop("Well-being", 11, 10)],
    )
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    page.goto(live_server.url + "/events/")
    page.get_by_role("link", name="Engagement Day 2027").click()
    # The button comes twice: before the programme and again after it.
    page.get_by_role("link", name="Register").first.click()
    page.wait_for_url("**/events/engagement-day/register")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email address").fill("Ada@Example.org")
    page.get_by_label("Organisation", exact=True).select_option(label="Other (not in the list)")
    page.get_by_label("Your organisation").fill("Northbridge Police")
    page.get_by_label("Job title or role").fill("Inspector")
    page.get_by_label("Police officer").check()
    page.get_by_label("Learning from failure").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    page.wait_for_url("**/events/engagement-day/registered")
    assert page.locator("h1").inner_text() == "Registration complete"
    assert "What happens next" in page.content()

    with app.app_context():
        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(
                OutboxMessage.kind == "registration_confirmation"
            )
        )
    token = re.search(r"/registrations/(\S+)", body).group(1)
    page.goto(f"{live_server.url}/registrations/{token}")
    assert "Place confirmed" in page.locator("#registration-status").inner_text()

    page.get_by_role("link", name="Change your workshops, answers or requirements").click()
    page.get_by_label("Well-being").check()
    page.get_by_label("Learning from failure").uncheck()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/registrations/{token}")
    assert "Your registration has been updated" in page.content()
    with app.app_context():
        [registration] = db.session.scalars(db.select(Registration)).all()
        assert [w.title for w in registration.workshops] == ["Well-being"]

    page.get_by_role("link", name="Cancel my place").click()
    assert page.locator("h1").inner_text().startswith("Cancel your place")
    page.get_by_role("button", name="Cancel my place").click()
    page.wait_for_url(f"**/registrations/{token}")
    assert "Your place has been cancelled" in page.content()
    assert "Cancelled" in page.locator("#registration-status").inner_text()
    with app.app_context():
        assert db.session.scalar(db.select(Registration.status)).value == "cancelled"
    assert violations == []


def test_errors_take_focus_and_link_to_fields(live_server, page, make_event):
    make_event(slug="day", title="Day")
    page.goto(live_server.url + "/events/day/register")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_title(re.compile(r"^Error: "))  # waits: click returns as the page starts
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="Enter your first name").click()
    assert page.evaluate("document.activeElement.id") == "first_name"


def test_register_page_fits_a_320px_screen(live_server, page, make_event):
    make_event(slug="day", sessions=[workshop("A workshop with a long title to wrap", 11, 5)])
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/events/day/register")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_a_lost_link_is_sent_again_from_the_event_page_on_a_phone(
    app, live_server, page, make_event
):
    event = make_event(slug="day", title="Engagement Day")
    with app.app_context():
        # Booked an hour ago, so its first link is not "moments ago".
        earlier = utcnow() - dt.timedelta(hours=1)
        services.register(
            db.session.get(Event, event.id), data(email="ada@example.org"), now=earlier
        )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/events/day")
    page.get_by_role("link", name="Email me my link again").click()
    page.wait_for_url("**/events/day/link")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_role("button", name="Send my link").click()
    assert page.locator("h1").inner_text() == "Check your email"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    with app.app_context():
        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(OutboxMessage.kind == "manage_link_again")
        )
    token = re.search(r"/registrations/(\S+)", body).group(1)
    page.goto(f"{live_server.url}/registrations/{token}")
    assert "Place confirmed" in page.locator("#registration-status").inner_text()
