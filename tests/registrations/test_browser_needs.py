"""A need typed without its consent, on a phone: stopped, explained, kept, and easy to fix."""

import re

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.models import Registration
from tests.core.test_accessibility import violations

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
MESSAGE = "Tick the box to let us keep your dietary requirements, or clear the box"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def test_consent_error_on_a_phone_keeps_the_need_and_links_to_the_box(
    app, live_server, page, make_event
):
    make_event(slug="day", title="Engagement Day", capacity=20)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/events/day/register")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Organisation", exact=True).select_option(label="Other (not in the list)")
    page.get_by_label("Your organisation").fill("Northbridge Police")
    page.get_by_label("Job title or role").fill("Inspector")
    page.get_by_label("Police officer").check()
    page.locator("#dietary_requirements").fill("Halal")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_title(re.compile("^Error: "))  # once the answer has loaded
    expect(page.locator("#dietary_requirements")).to_have_value("Halal")
    assert _count(app, Registration) == 0 and _count(app, OutboxMessage) == 0
    assert violations(page) == []
    # The page must not scroll sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name=MESSAGE).click()
    assert page.url.endswith("#dietary_consent")
    box = page.locator("#dietary_consent")
    expect(box).to_be_in_viewport()
    expect(page.locator("#dietary_consent-error")).to_be_in_viewport()
    expect(page.locator("#dietary_consent-error")).to_have_text(f"Error: {MESSAGE}")

    box.check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/events/day/registered")
    with app.app_context():
        registration = db.session.scalars(db.select(Registration)).one()
        assert registration.dietary_requirements == "Halal"
        assert registration.dietary_consent_at is not None
