"""An organiser writes, previews and sends a message in a real browser: accessible, and fits 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engage.accounts.models import Role
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations
from tests.registrations.conftest import book

pytestmark = pytest.mark.browser

LONG_LINK = "https://example.org/" + "a-very-long-address-that-does-not-break-anywhere" * 2


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_write_preview_and_send_a_message(app, live_server, page, make_user, make_event):
    event = make_event(title="Engagement Day")
    with app.app_context():
        book(event, email="ada@example.org", first_name="Ada", last_name="Lovelace")
    make_user("admin@example.org", role=Role.ADMIN, password=TEST_PASSWORD)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)

    page.goto(f"{live_server.url}/admin/events/{event.id}/mailings/new")
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert violations(page) == []

    page.get_by_label("Subject").fill("Parking at {event_title}")
    page.get_by_label("Message").fill(f"Dear {{first_name}},\n\n{LONG_LINK}\n\n{{manage_link}}")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview").wait_for()
    assert page.get_by_text("As Ada Lovelace will get it").is_visible()
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert _overflow(page) <= 0
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Send to 1 person").click()
    page.get_by_text("Your message is being sent to 1 person.").wait_for()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Parking at {event_title}")
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert _overflow(page) <= 0

    page.get_by_role("link", name=re.compile(r"^All messages about .Engagement Day.$")).click()
    page.get_by_role("link", name="Parking at {event_title}").wait_for()
    assert violations(page) == []
    assert _overflow(page) <= 0
