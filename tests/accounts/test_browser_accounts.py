"""In a real browser: an admin invites an organiser, who sets a password and is signed in."""

import re

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, browser_sign_in

pytestmark = pytest.mark.browser


def test_admin_invites_an_organiser_who_sets_a_password(app, live_server, page, browser, make_user):
    make_user("admin@example.org", role=Role.ADMIN, name="Ada Admin", password=TEST_PASSWORD)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)

    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill("new.organiser@example.org")
    page.get_by_label("Full name").fill("Nia Organiser")
    page.get_by_label("Organiser: runs the events they are assigned to").check()
    page.get_by_label("May write and publish news").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to new.organiser@example.org").wait_for()

    with app.app_context():
        message = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "organiser_invitation")
        ).one()
        link = re.search(r"https?://\S+/account/invitation/\S+", message.body_text)[0]
    path = "/" + link.split("/", 3)[3]

    context = browser.new_context()
    try:
        organiser = context.new_page()
        organiser.goto(live_server.url + path)
        organiser.get_by_label("New password", exact=True).fill("a long organiser passphrase")
        organiser.get_by_label("Confirm new password").fill("a long organiser passphrase")
        organiser.get_by_role("button", name="Set password and sign in").click()
        organiser.get_by_role("heading", level=1, name="Back office").wait_for()
        assert "Signed in as Nia Organiser" in organiser.content()
        assert organiser.get_by_role("button", name="Sign out").is_visible()
        assert organiser.get_by_role("link", name="Users").count() == 0

        organiser.get_by_role("button", name="Sign out").click()
        organiser.get_by_text("You have signed out.").wait_for()
        assert organiser.get_by_role("link", name="Staff sign in").is_visible()
    finally:
        context.close()
