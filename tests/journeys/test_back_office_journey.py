"""Issue 5's journey in a real browser, across accounts, news and the event builder.

An admin signs in, invites an organiser and publishes a news item that appears on the
home page; the organiser accepts the invitation, creates an event with two workshops,
publishes it and finds it on the public events list.
"""

import re

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, browser_sign_in

pytestmark = pytest.mark.browser
ORGANISER_PASSWORD = "a long organiser passphrase"


def _invitation_path(app) -> str:
    with app.app_context():
        message = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "organiser_invitation")
        ).one()
        link = re.search(r"https?://\S+/account/invitation/\S+", message.body_text)[0]
    return "/" + link.split("/", 3)[3]


def test_admin_and_organiser_run_the_site_from_the_browser(
    app, live_server, page, browser, make_user
):
    make_user("admin@example.org", role=Role.ADMIN, name="Ada Admin", password=TEST_PASSWORD)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)

    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Full name").fill("Nia Organiser")
    page.get_by_label("Organiser: runs the events they are assigned to").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to nia@example.org").wait_for()

    page.goto(live_server.url + "/admin/news/")
    page.get_by_role("link", name="Write a news item").click()
    page.get_by_label("Title").fill("Bookings open for the spring masterclass")
    page.get_by_label("Summary").fill("Places are limited.")
    page.get_by_label("Text").fill("Book **now**.")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Bookings open for the spring masterclass").is_visible()

    context = browser.new_context()
    try:
        organiser = context.new_page()
        organiser.goto(live_server.url + _invitation_path(app))
        organiser.get_by_label("New password", exact=True).fill(ORGANISER_PASSWORD)
        organiser.get_by_label("Confirm new password").fill(ORGANISER_PASSWORD)
        organiser.get_by_role("button", name="Set password and sign in").click()
        organiser.get_by_role("heading", level=1, name="Back office").wait_for()
        assert organiser.get_by_role("link", name="Users").count() == 0

        organiser.goto(live_server.url + "/admin/events/new")
        organiser.fill("input[name=title]", "Spring masterclass")
        organiser.fill("input[name=starts_at]", "2030-03-17T10:00")
        organiser.fill("input[name=ends_at]", "2030-03-17T16:00")
        organiser.fill("input[name=venue_name]", "Hadley Building")
        organiser.fill("input[name=capacity]", "20")
        organiser.fill("input[name=max_workshops]", "2")
        organiser.get_by_role("button", name="Save event").click()
        organiser.wait_for_url("**/admin/events/*/")
        for title, start, end in (
            ("Trial design", "11:00", "12:00"),
            ("Working with data", "14:00", "15:00"),
        ):
            organiser.get_by_role("link", name="Add a session").click()
            organiser.select_option("select[name=kind]", "workshop")
            organiser.fill("input[name=title]", title)
            organiser.fill("input[name=starts_at]", f"2030-03-17T{start}")
            organiser.fill("input[name=ends_at]", f"2030-03-17T{end}")
            organiser.fill("input[name=capacity]", "10")
            organiser.get_by_role("button", name="Save session").click()
            organiser.wait_for_url("**/admin/events/*/#programme")
        organiser.get_by_role("button", name="Publish Spring masterclass").click()
        organiser.wait_for_load_state()

        organiser.goto(live_server.url + "/events/")
        organiser.get_by_role("link", name="Spring masterclass").first.click()
        organiser.wait_for_load_state()
        content = organiser.content()
        assert "Trial design" in content and "Working with data" in content
        assert "Sunday 17 March 2030, 10am to 4pm (UK time)" in content
    finally:
        context.close()
