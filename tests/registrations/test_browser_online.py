"""Booking an online event on a phone: the email that arrives has a real joining link, no desk."""

import pytest
from playwright.sync_api import expect

from engage.mail.worker import deliver_due
from tests.core.test_accessibility import violations
from tests.mail.messages_helpers import attachments, html, text
from tests.registrations.conftest import choose_organisation

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
JOIN = "https://teams.example/l/meetup-join/19%3ameeting"


@pytest.fixture
def app(mail_app):
    """The live server's app sends to the test SMTP server."""
    return mail_app


def test_an_online_booking_email_has_a_joining_link_and_no_desk(
    app, live_server, page, smtp_server, make_event
):
    make_event(
        slug="online",
        title="Online Briefing",
        is_online=True,
        venue_name="",
        online_join_details=f"Join on Teams: {JOIN}\nMeeting ID: 123 456",
        contact_email="team@force.example",
    )
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/events/online/register")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    choose_organisation(page)
    page.get_by_label("Job title or role").fill("Inspector")
    page.get_by_label("Police officer").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/events/online/registered")

    with app.app_context():
        assert deliver_due().sent == 1
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["ada@example.org"]
    assert "registration desk" not in text(message) + html(message)
    assert set(attachments(message)) == {"invite.ics"}
    assert f'<a href="{JOIN}"' in html(message)

    page.set_content(html(message))
    link = page.get_by_role("link", name=JOIN)
    expect(link).to_have_attribute("href", JOIN)
    expect(page.get_by_role("link", name="team@force.example")).to_have_attribute(
        "href", "mailto:team@force.example"
    )
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
