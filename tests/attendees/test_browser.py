"""In a real browser: an organiser filters the attendee list and asks for an export, keyboard and all."""

from __future__ import annotations

import pytest

from engage.events.models import event_organisers
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(app, live_server, page, small_event, make_user):
    """The small event's organiser, signed in in the browser tab; the event."""
    event, _ = small_event
    user = make_user("nia@example.org", name="Nia Organiser", password=TEST_PASSWORD)
    with app.app_context():
        db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
        db.session.commit()
    browser_sign_in(page, live_server.url, "nia@example.org", TEST_PASSWORD)
    return event


def test_filtering_the_list_without_javascript_keeps_the_filter_in_the_address(
    live_server, page, signed_in
):
    event = signed_in
    page.goto(f"{live_server.url}/admin/events/{event.id}/")
    page.get_by_role("link", name="Attendee list").click()
    page.get_by_label("Search").fill("ORSTED")
    page.get_by_label("Status").select_option("waitlisted")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_text("1 of 6 registrations match").wait_for()
    assert "q=ORSTED" in page.url and "status=waitlisted" in page.url
    assert page.get_by_role("link", name="Zoë Ørsted").is_visible()

    page.get_by_role("link", name="Export this list").click()
    page.get_by_text("The file will hold the 1 registration").wait_for()
    page.get_by_role("button", name="Download the export").wait_for()
    page.goto(f"{live_server.url}/admin/events/{event.id}/attendees/export")
    for box in page.get_by_role("group", name="Columns").get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_role("button", name="Download the export").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.title().startswith("Error: ")


@pytest.mark.parametrize("path", ["/", "/export", "/?q=zzz"])
def test_attendee_pages_have_no_wcag_violations_and_fit_320_pixels(
    live_server, page, signed_in, path
):
    event = signed_in
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/admin/events/{event.id}/attendees{path}")
    assert violations(page) == []
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
